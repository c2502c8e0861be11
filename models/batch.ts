/**
 * Batches (认定批次) and certificates. One writer per document:
 * - `batches`: the batch workflow, through `recordBatch` (versioned like filings);
 * - `certificates`: created by the batch workflow's `issueCertificates` activity (`_id` = the
 *   certificate number, so a number can exist once); afterwards changed only by a workflow with
 *   the id `certificate-revocation/<number>` (a revocation, or an amendment: an approved
 *   correction or a reissue, workflows/certificate/), so one writer at a time.
 * The supervisor and expert registries are in registry.ts.
 */
import { Schema } from 'mongoose';
import type { PendingStep } from '../domain/filing';
import type { LevelCount } from '../domain/batch';

const mixed = Schema.Types.Mixed;

/** While a batch's result publicity runs: its end, the counts and the passing candidates (GET /publicity). */
export interface BatchPublicityView {
  round: number;
  endDate: string;
  endsAt: string;
  applicants: number;
  passed: number;
  rows: { occupationCode: string; occupationName: string; trade?: string; levels: Record<string, LevelCount>; subtotal: LevelCount }[];
  objectionPath: string;
}

/** A batch's read-model document; `state` is the workflow's whole state as JSON text (`stateOf`). */
export interface BatchViewDoc {
  _id: string;
  version: number;
  status: string;
  stage: string | null;
  filingId: string;
  province: string;
  prefecture: string | null;
  level?: string;
  institutionId: string;
  institutionName?: string;
  kind?: string;
  firstExamDate?: string;
  lastExamDate?: string;
  candidates?: number;
  /** 000 §五(二)1: planned outside the acknowledged annual plan of its year */
  outsideAnnualPlan?: boolean;
  dueAt: Date | null;
  escalation: number;
  estimated: boolean;
  supervisors: string[];
  waitingOn: PendingStep[];
  publicity: BatchPublicityView | null;
  publicityEndsAt: Date | null;
  certificates: number;
  submittedAt?: Date;
  updatedAt?: Date;
  state: string;
}

/** batches: the read model of each batch workflow, replaced at every transition (guarded by version). */
export const batchViewSchema = new Schema(
  {
    _id: { type: String, required: true },
    version: { type: Number, required: true },
    status: { type: String, required: true, index: true },
    stage: { type: String, default: null },
    filingId: { type: String, required: true, index: true },
    province: { type: String, required: true, index: true },
    prefecture: { type: String, default: null, index: true },
    /** jurisdiction level: province | prefecture */
    level: String,
    institutionId: { type: String, required: true, index: true },
    institutionName: String,
    kind: String,
    firstExamDate: String,
    lastExamDate: String,
    candidates: Number,
    outsideAnnualPlan: { type: Boolean, default: false },
    /** due instant of the step waiting now (or the publicity end), for overdue filters and inbox order */
    dueAt: { type: Date, default: null, index: true },
    escalation: { type: Number, default: 0 },
    estimated: { type: Boolean, default: false },
    /** user ids of the quality supervisors drawn for it (their read access, API inScope `assignees`) */
    supervisors: { type: [String], default: [], index: true },
    waitingOn: { type: [mixed], default: [] },
    /** while the result publicity runs: end and the counts per occupation and level (GET /publicity) */
    publicity: { type: mixed, default: null },
    publicityEndsAt: { type: Date, default: null, index: true },
    certificates: { type: Number, default: 0 },
    submittedAt: Date,
    updatedAt: Date,
    /** the workflow's whole state as JSON text (read it with stateOf); queryable fields sit beside it */
    state: { type: String, required: true },
  },
  { collection: 'batches', versionKey: false, minimize: false },
);
batchViewSchema.index({ province: 1, prefecture: 1, status: 1, updatedAt: -1 });

export interface CertificateDoc {
  /** the certificate number (SPEC §4), unique */
  _id: string;
  holder: { name: string; idNumber: string; sex: 'M' | 'F' };
  occupation: { code: string; name: string };
  trade?: string | null;
  level: number;
  institution: { creditCode: string; name: string; code: string; province: string; kind: 'Y' | 'S' };
  /** the batch that issued it, or the recognition (`source.kind: 'recognition'`) */
  batchId: string;
  /** absent: a batch's; a competition recognition (000 §二(三)4) names the competition and the place */
  source?: { kind: 'recognition'; competition: string; rank: number } | null;
  issueYear: number;
  serial: number;
  issuedAt: Date;
  status: 'valid' | 'revoked';
  revocation?: { reason: string; by: { sub: string; name: string; role: string }; at: Date; requestKey: string } | null;
  /** 1 as issued (absent: 1), +1 per approved correction (004 Art.12); the number stays */
  version?: number;
  /** approved corrections, oldest first: what each replaced, why, who asked and who approved */
  corrections?: CertificateCorrectionEntry[];
  /** replacement documents for lost or damaged ones, oldest first */
  reissues?: { at: Date; reason: string; by: { sub: string; name: string; role: string }; requestKey: string }[];
}

export interface CertificateCorrectionEntry {
  correctionId: string;
  /** the version this correction made */
  version: number;
  field: string;
  from: string | null;
  to: string | null;
  reason: string;
  requestedBy: { sub: string; name: string; role: string };
  approvedBy: { sub: string; name: string; role: string };
  opinion: string;
  at: Date;
}

/** certificates (职业技能等级证书): public query by number, or by ID number + name. */
export const certificateSchema = new Schema<CertificateDoc>(
  {
    _id: { type: String, required: true },
    holder: {
      name: { type: String, required: true },
      idNumber: { type: String, required: true },
      sex: { type: String, required: true },
    },
    occupation: { code: { type: String, required: true }, name: { type: String, required: true } },
    trade: { type: String, default: null },
    level: { type: Number, required: true },
    institution: {
      creditCode: { type: String, required: true },
      name: { type: String, required: true },
      code: { type: String, required: true },
      province: { type: String, required: true },
      kind: { type: String, required: true },
    },
    batchId: { type: String, required: true, index: true },
    source: { type: mixed, default: undefined },
    issueYear: { type: Number, required: true },
    serial: { type: Number, required: true },
    issuedAt: { type: Date, required: true },
    status: { type: String, required: true, default: 'valid' },
    revocation: { type: mixed, default: null },
    version: Number,
    corrections: { type: [mixed], default: undefined },
    reissues: { type: [mixed], default: undefined },
  },
  { collection: 'certificates', versionKey: false },
);
certificateSchema.index({ 'holder.idNumber': 1, 'holder.name': 1 });
certificateSchema.index({ 'institution.creditCode': 1, issueYear: 1, level: 1 });

/**
 * batchCandidates: a batch's accepted candidates with their module scores and outcomes, in pages
 * of CANDIDATE_PAGE_ROWS (`_id` = `${batchId}:${page}`, pages from 0, rows in plan order).
 * Written only by the batch's workflow through its activities (acceptCandidates, applyScores);
 * the workflow itself keeps counts and hashes (#14 §3). Pages rather than one document per
 * candidate: FerretDB v1 on SQLite scans a collection for every query and update (measured: a
 * lookup by _id in a 20,000-document collection took 134 ms), so a score post for 20,000 people
 * is 40 page writes instead of 20,000 updates.
 */
export interface CandidateRow {
  /** 1-based, the plan's order: certificate serials follow it within a level */
  seq: number;
  idNumber: string;
  name: string;
  sex: 'M' | 'F';
  post: string;
  yearsInPost: number;
  occupationCode: string;
  occupationName: string;
  trade?: string | null;
  level: number;
  employerCreditCode?: string | null;
  employment?: string | null;
  placedWithCreditCode?: string | null;
  scores: { theory?: number; skill?: number; performance?: number; defense?: number; absent?: boolean } | null;
  outcome: { complete: boolean; passed: boolean; absent: boolean };
}

export interface CandidatePageDoc {
  _id: string;
  batchId: string;
  page: number;
  rows: CandidateRow[];
}

export const CANDIDATE_PAGE_ROWS = 500;

export const candidatePageSchema = new Schema<CandidatePageDoc>(
  {
    _id: { type: String, required: true },
    batchId: { type: String, required: true, index: true },
    page: { type: Number, required: true },
    rows: { type: [mixed] as never, default: [] },
  },
  { collection: 'batchCandidates', versionKey: false, minimize: false },
);

/**
 * uploads: rows posted in one request (a plan's candidates, a score post), in parts of at most
 * UPLOAD_PART_ROWS rows (`_id` = `${uploadId}:${part}`). Written once by the API before it tells
 * the workflow (which gets an UploadRef: id, count, sha256), never changed: they are also the
 * record of what was posted.
 */
export interface UploadPartDoc {
  _id: string;
  uploadId: string;
  part: number;
  parts: number;
  rows: unknown[];
  createdAt: Date;
}

export const uploadPartSchema = new Schema<UploadPartDoc>(
  {
    _id: { type: String, required: true },
    uploadId: { type: String, required: true },
    part: { type: Number, required: true },
    parts: { type: Number, required: true },
    rows: { type: [mixed], default: [] },
    createdAt: { type: Date, required: true },
  },
  { collection: 'uploads', versionKey: false, minimize: false },
);

/**
 * publicityNames: the passing candidates a result publicity names (000 §五(二)3), ID numbers
 * masked, written once when the publicity starts (`_id` = publicityNamesId), by the batch's
 * summariseResults activity; GET /publicity reads it by id.
 */
export interface PublicityNamesDoc {
  _id: string;
  batchId: string;
  round: number;
  names: { name: string; idNumber: string; occupationCode: string; occupationName: string; trade?: string; level: number; levelName: string }[];
}

export const publicityNamesId = (batchId: string, round: number) => `${batchId}:${round}`;

export const publicityNamesSchema = new Schema<PublicityNamesDoc>(
  {
    _id: { type: String, required: true },
    batchId: { type: String, required: true },
    round: { type: Number, required: true },
    names: { type: [mixed] as never, default: [] },
  },
  { collection: 'publicityNames', versionKey: false, minimize: false },
);
