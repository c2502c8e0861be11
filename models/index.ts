/**
 * Every collection, bound to one mongoose connection; the read models typed by their documents
 * (FilingViewDoc, BatchViewDoc, …), so what the API reads from them is typed. Each document has one writer: the workflow
 * that owns it, through its activities (FerretDB v1 has no transactions and no atomic
 * read-modify-write), or, for registries and calendars, the single admin route that replaces it.
 */
import mongoose, { type Connection } from 'mongoose';
import { calendarYearSchema } from './calendar-year';
import {
  batchViewSchema,
  candidatePageSchema,
  certificateSchema,
  publicityNamesSchema,
  uploadPartSchema,
  type BatchViewDoc,
  type CandidatePageDoc,
  type PublicityNamesDoc,
  type UploadPartDoc,
} from './batch';
import { idempotencySchema, registrantSchema, reviewerSchema } from './registry';
import {
  auditSchema,
  directorySchema,
  filingViewSchema,
  institutionSchema,
  notificationSchema,
  type DirectoryDoc,
  type FilingViewDoc,
  type InstitutionDoc,
  type NotificationDoc,
} from './records';
import { objectionSchema, objectionSenderSchema } from './objections';
import {
  certificateChangeSchema,
  certificateCorrectionSchema,
  certificateTallySchema,
  type CertificateChangeDoc,
  type CertificateCorrectionDoc,
  type CertificateTallyDoc,
} from './certificates';
import { mailSchema, type MailDoc } from './mail';
import {
  complaintSubmissionSchema,
  complaintViewSchema,
  creditEntrySchema,
  type ComplaintSubmissionDoc,
  type ComplaintViewDoc,
  type CreditEntryDoc,
} from './complaints';
import { annualPlanDecisionSchema, annualPlanSchema, type AnnualPlanDecisionDoc, type AnnualPlanDoc } from './annual-plans';
import {
  inspectionDrawSchema,
  inspectionProposalDecisionSchema,
  inspectionSchema,
  type InspectionDoc,
  type InspectionProposalDecisionDoc,
} from './inspections';
import { recognitionSchema, type RecognitionDoc } from './recognitions';

export function createModels(conn: Connection) {
  return {
    CalendarYear: conn.model('CalendarYear', calendarYearSchema),
    Filing: conn.model<FilingViewDoc>('Filing', filingViewSchema),
    Audit: conn.model('Audit', auditSchema),
    Notification: conn.model<NotificationDoc>('Notification', notificationSchema),
    Directory: conn.model<DirectoryDoc>('Directory', directorySchema),
    Institution: conn.model<InstitutionDoc>('Institution', institutionSchema),
    Expert: conn.model('Expert', registrantSchema, 'experts'),
    Supervisor: conn.model('Supervisor', registrantSchema, 'supervisors'),
    Reviewer: conn.model('Reviewer', reviewerSchema, 'reviewers'),
    Idempotency: conn.model('Idempotency', idempotencySchema),
    Batch: conn.model<BatchViewDoc>('Batch', batchViewSchema),
    Certificate: conn.model('Certificate', certificateSchema),
    CertificateCorrection: conn.model<CertificateCorrectionDoc>('CertificateCorrection', certificateCorrectionSchema),
    CertificateChange: conn.model<CertificateChangeDoc>('CertificateChange', certificateChangeSchema),
    CertificateTally: conn.model<CertificateTallyDoc>('CertificateTally', certificateTallySchema),
    CandidatePage: conn.model<CandidatePageDoc>('CandidatePage', candidatePageSchema),
    UploadPart: conn.model<UploadPartDoc>('UploadPart', uploadPartSchema),
    PublicityNames: conn.model<PublicityNamesDoc>('PublicityNames', publicityNamesSchema),
    Objection: conn.model('Objection', objectionSchema),
    ObjectionSender: conn.model('ObjectionSender', objectionSenderSchema),
    Mail: conn.model<MailDoc>('Mail', mailSchema),
    Complaint: conn.model<ComplaintViewDoc>('Complaint', complaintViewSchema),
    ComplaintSubmission: conn.model<ComplaintSubmissionDoc>('ComplaintSubmission', complaintSubmissionSchema),
    CreditEntry: conn.model<CreditEntryDoc>('CreditEntry', creditEntrySchema),
    AnnualPlan: conn.model<AnnualPlanDoc>('AnnualPlan', annualPlanSchema),
    AnnualPlanDecision: conn.model<AnnualPlanDecisionDoc>('AnnualPlanDecision', annualPlanDecisionSchema),
    InspectionDraw: conn.model('InspectionDraw', inspectionDrawSchema),
    Inspection: conn.model<InspectionDoc>('Inspection', inspectionSchema),
    InspectionProposalDecision: conn.model<InspectionProposalDecisionDoc>('InspectionProposalDecision', inspectionProposalDecisionSchema),
    Recognition: conn.model<RecognitionDoc>('Recognition', recognitionSchema),
  };
}
export type Models = ReturnType<typeof createModels>;

// Mongoose records `new Error().stack` at every query's exec, only to show where a query object
// was first run if it is run twice. With source maps on (tsx, --enable-source-maps) formatting that
// stack was the largest single cost of a certificate look-up in the API process (bench (c)).
mongoose.set('skipOriginalStackTraces', true);

export async function connectDatabase(uri: string): Promise<{ conn: Connection; models: Models }> {
  const conn = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5000, autoIndex: true });
  await conn.asPromise();
  const models = createModels(conn);
  await Promise.all(Object.values(models).map((m) => m.init()));
  return { conn, models };
}
