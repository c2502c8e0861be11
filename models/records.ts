/**
 * Read models written by workflows through their activities: filings, batches, audit entries,
 * notifications, the public directory and institutions. One writer per document.
 */
import { Schema } from 'mongoose';
import type { Audience, Occupation, PendingStep } from '../domain/filing';

const mixed = Schema.Types.Mixed;

/** A filing's read-model document; `state` is the workflow's whole state as JSON text (`stateOf`). */
export interface FilingViewDoc {
  _id: string;
  version: number;
  status: string;
  stage: string | null;
  track?: string;
  policyId?: string;
  province: string;
  prefecture: string | null;
  level?: string;
  institutionId: string;
  institutionName?: string;
  dueAt: Date | null;
  escalation: number;
  estimated: boolean;
  assignees: string[];
  waitingOn: PendingStep[];
  submittedAt?: Date;
  updatedAt?: Date;
  state: string;
}

/** filings: the read model of each filing workflow, replaced at every transition (guarded by version). */
export const filingViewSchema = new Schema(
  {
    _id: { type: String, required: true },
    version: { type: Number, required: true },
    status: { type: String, required: true, index: true },
    stage: { type: String, default: null, index: true },
    track: String,
    policyId: String,
    province: { type: String, required: true, index: true },
    prefecture: { type: String, default: null, index: true },
    level: String,
    institutionId: { type: String, required: true, index: true },
    institutionName: String,
    /** due instant of the current stage (or publicity end), for overdue filters and inbox order */
    dueAt: { type: Date, default: null, index: true },
    escalation: { type: Number, default: 0 },
    /** a pending deadline was computed from an estimated calendar year */
    estimated: { type: Boolean, default: false, index: true },
    assignees: { type: [String], default: [], index: true },
    waitingOn: { type: [mixed], default: [] },
    submittedAt: Date,
    updatedAt: Date,
    /** the workflow's whole state as JSON text (read it with stateOf); queryable fields sit beside it */
    state: { type: String, required: true },
  },
  { collection: 'filings', versionKey: false, minimize: false },
);
filingViewSchema.index({ province: 1, prefecture: 1, status: 1, updatedAt: -1 });

/** audit: append-only. Nothing in the code updates or deletes an entry (see test/unit/audit-append-only). */
export const auditSchema = new Schema(
  {
    _id: { type: String, required: true },
    targetType: { type: String, required: true },
    targetId: { type: String, required: true, index: true },
    actor: { type: String, required: true },
    actorName: String,
    role: String,
    action: { type: String, required: true },
    requestId: String,
    before: mixed,
    after: mixed,
    note: String,
    at: { type: Date, required: true },
    seq: Number,
  },
  { collection: 'audit', versionKey: false },
);
auditSchema.index({ targetId: 1, at: 1 });

/** What an attempt to change or remove an audit entry throws. */
export class AppendOnlyViolation extends Error {
  override name = 'AppendOnlyViolation';
  constructor(op: string) {
    super(`The audit trail is append-only: ${op} is not allowed`);
  }
}

// Schema-level guard: every mongoose path that could change or remove an entry throws before it
// reaches the database (inserts, `create` and `insertMany`, stay allowed).
const AUDIT_QUERY_WRITES = [
  'updateOne',
  'updateMany',
  'replaceOne',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
  'deleteOne',
  'deleteMany',
] as const;
for (const op of AUDIT_QUERY_WRITES) {
  auditSchema.pre(op, { query: true, document: false }, function () {
    throw new AppendOnlyViolation(op);
  });
}
// doc.updateOne() and doc.deleteOne() on a loaded entry
auditSchema.pre(['updateOne', 'deleteOne'], { document: true, query: false }, function () {
  throw new AppendOnlyViolation('a document update or delete');
});
auditSchema.pre('save', function () {
  if (!this.isNew) throw new AppendOnlyViolation('saving a changed entry');
});
auditSchema.pre('bulkWrite', function (next, ops: unknown[]) {
  const bad = (ops ?? []).find((op) => !op || typeof op !== 'object' || Object.keys(op).some((k) => k !== 'insertOne'));
  if (bad) return next(new AppendOnlyViolation(`bulkWrite ${Object.keys(bad as object).join(',')}`));
  next();
});

export interface NotificationDoc {
  _id: string;
  targetType?: string;
  targetId?: string;
  audience: Audience;
  userIds: string[];
  role?: string;
  province?: string;
  prefecture?: string;
  institutionId?: string;
  kind: string;
  message: string;
  at: Date;
}

export const notificationSchema = new Schema(
  {
    _id: { type: String, required: true },
    targetType: String,
    targetId: { type: String, index: true },
    audience: { type: mixed, required: true },
    /** denormalised for lookups: every user id addressed directly */
    userIds: { type: [String], index: true },
    role: { type: String, index: true },
    province: String,
    prefecture: String,
    institutionId: { type: String, index: true },
    kind: { type: String, required: true },
    message: { type: String, required: true },
    at: { type: Date, required: true, index: true },
  },
  { collection: 'notifications', versionKey: false },
);

/** directory (公布目录, 000 §五(一)4): filed institutions in force; _id is the credit code. */
export interface DirectoryDoc {
  _id: string;
  filingId: string;
  name: string;
  kind?: string;
  institutionCode?: string;
  province?: string;
  prefecture?: string;
  address?: string;
  occupations: Occupation[];
  occupationCodes: string[];
  subsidiaries: { name: string; creditCode?: string }[];
  validUntil?: string;
  noticeNumber?: string;
  supervisingBody?: string;
  contact: { name: string; phone: string };
  /** 004 Art.6(2), 002 Art.19: the fee standard made public; null when the filing declared none */
  fees?: { standard: string; basis: string | null } | null;
  updatedAt?: Date;
}

export const directorySchema = new Schema(
  {
    _id: { type: String, required: true },
    filingId: { type: String, required: true },
    name: { type: String, required: true },
    kind: String,
    institutionCode: String,
    province: { type: String, index: true },
    prefecture: String,
    address: String,
    occupations: { type: [mixed], default: [] },
    occupationCodes: { type: [String], index: true },
    subsidiaries: { type: [mixed], default: [] },
    validUntil: String,
    noticeNumber: String,
    supervisingBody: String,
    contact: mixed,
    fees: { type: mixed, default: null },
    updatedAt: Date,
  },
  { collection: 'directory', versionKey: false },
);

/** institutions: one per credit code, pointing at its current filing. */
export interface InstitutionDoc {
  _id: string;
  name?: string;
  kind?: string;
  province?: string;
  prefecture?: string;
  filingId?: string;
  filingStatus?: string;
  institutionCode?: string;
  /** the filing's contact e-mail (personal data): where mail for the institution goes */
  contactEmail?: string | null;
  updatedAt?: Date;
}

export const institutionSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: String,
    kind: String,
    province: String,
    prefecture: String,
    filingId: String,
    filingStatus: String,
    institutionCode: String,
    contactEmail: String,
    updatedAt: Date,
  },
  { collection: 'institutions', versionKey: false },
);

/** The workflow state a read-model document carries (JSON text; older documents held an object). */
export function stateOf<T>(doc: { state: unknown }): T {
  return (typeof doc.state === 'string' ? JSON.parse(doc.state) : doc.state) as T;
}
