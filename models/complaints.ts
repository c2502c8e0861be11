/**
 * Complaints (投诉举报) and the credit file (信用档案), domain/complaints.ts and domain/credit.ts.
 *
 * - complaints: the read model of each complaint workflow (one writer: its `recordComplaint`
 *   activity), with the scope fields and `waitingOn` the inbox reads, and the tracking code's hash.
 * - complaint_submissions: what the complainant sent (name, contact, text), inserted once by the
 *   API's intake before it starts the workflow; never updated, never public. The keyed hashes of
 *   the contact and the client address serve the per-complainant bound, never the values.
 * - credit_entries: append-only, one document per source event (`_id` is the event's), written by
 *   the activities that record those events.
 */
import { Schema } from 'mongoose';
import type { PendingStep } from '../domain/filing';
import type { CreditKind } from '../domain/credit';

const mixed = Schema.Types.Mixed;

export interface ComplaintViewDoc {
  _id: string;
  version: number;
  status: string;
  subjectType: string;
  subjectId: string;
  institutionId: string;
  institutionName?: string;
  province: string;
  prefecture: string | null;
  level: string;
  trackingHash: string;
  receivedAt: Date;
  dueDate: string | null;
  dueAt: Date | null;
  escalation: number;
  waitingOn: PendingStep[];
  decision: { upheld: boolean; note: string; at: string; by: { sub: string; name?: string; role?: string } } | null;
  updatedAt?: Date;
  state: string;
}

export const complaintViewSchema = new Schema(
  {
    _id: { type: String, required: true },
    version: { type: Number, required: true },
    status: { type: String, required: true, index: true },
    subjectType: { type: String, required: true },
    subjectId: { type: String, required: true },
    institutionId: { type: String, required: true, index: true },
    institutionName: String,
    province: { type: String, required: true, index: true },
    prefecture: { type: String, default: null, index: true },
    level: String,
    trackingHash: { type: String, required: true },
    receivedAt: { type: Date, required: true },
    dueDate: { type: String, default: null },
    dueAt: { type: Date, default: null },
    escalation: { type: Number, default: 0 },
    waitingOn: { type: [mixed], default: [] },
    decision: { type: mixed, default: null },
    updatedAt: Date,
    state: { type: String, required: true },
  },
  { collection: 'complaints', versionKey: false, minimize: false },
);

export interface ComplaintSubmissionDoc {
  _id: string;
  subjectType: string;
  subjectId: string;
  name: string;
  contact: string;
  content: string;
  contactKey: string;
  addressKey: string;
  receivedAt: Date;
}

export const complaintSubmissionSchema = new Schema<ComplaintSubmissionDoc>(
  {
    _id: { type: String, required: true },
    subjectType: { type: String, required: true },
    subjectId: { type: String, required: true },
    name: { type: String, required: true },
    contact: { type: String, required: true },
    content: { type: String, required: true },
    contactKey: { type: String, required: true, index: true },
    addressKey: { type: String, required: true, index: true },
    receivedAt: { type: Date, required: true },
  },
  { collection: 'complaint_submissions', versionKey: false },
);

export interface CreditEntryDoc {
  _id: string;
  creditCode: string;
  kind: CreditKind;
  date: string;
  decidedBy: string;
  summary: string;
  published: boolean;
  source: { type: string; id: string };
  recordedAt: Date;
}

export const creditEntrySchema = new Schema<CreditEntryDoc>(
  {
    _id: { type: String, required: true },
    creditCode: { type: String, required: true, index: true },
    kind: { type: String, required: true },
    date: { type: String, required: true },
    decidedBy: { type: String, required: true },
    summary: { type: String, required: true },
    published: { type: Boolean, required: true },
    source: { type: mixed, required: true },
    recordedAt: { type: Date, required: true },
  },
  { collection: 'credit_entries', versionKey: false },
);

/** What an attempt to change or remove a credit entry throws: the file only grows. */
export class CreditAppendOnlyViolation extends Error {
  override name = 'CreditAppendOnlyViolation';
  constructor(op: string) {
    super(`The credit file is append-only: ${op} is not allowed`);
  }
}
for (const op of ['updateOne', 'updateMany', 'replaceOne', 'findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete', 'deleteOne', 'deleteMany'] as const) {
  creditEntrySchema.pre(op, { query: true, document: false }, function () {
    throw new CreditAppendOnlyViolation(op);
  });
}
