/**
 * The batches read model (`batches`, written by each batch's workflow): a batch as a caller may
 * see it, the paginated list with its scope filter and cursor, the audit trail, and the look-ups
 * the routes need (open result publicities, estimated deadlines). Hot look-ups go by `_id`.
 */
import type { Models } from '../../models';
import type { Clock } from '../../infra/clock';
import type { Caller } from '../../domain/roles';
import { BATCH_TERMINAL, type BatchState, type BatchView, type ScoreSheet, type UploadRef } from '../../domain/batch';
import { DomainError } from '../problems';
import { plannedCandidateOf } from '../../activities/batch';
import { publicityNamesId, type BatchViewDoc } from '../../models/batch';
import { stateOf } from '../../models/records';
import { discardUpload, storeUpload } from '../../models/uploads';
import { readCandidateSlice, readCandidates } from '../../models/candidates';
import { auditTrail } from '../audit';
import { caseReads } from './case-reads';
import { afterCursor, nextListCursor } from './cursor';
import { canRead, scopeFilter } from './scope';

export type BatchDoc = BatchViewDoc;

export interface BatchListQuery {
  status?: string;
  filingId?: string;
  cursor?: string;
  limit: number;
}

export function createBatchesRepository(models: Models, clock: Clock) {
  return {
    // a batch's supervisors: those drawn for it
    ...caseReads(
      'batch',
      (id) => models.Batch.findById(id).lean(),
      (c, doc) => canRead(c, doc, doc.supervisors),
    ),

    /** May the caller (still) see this batch? (an idempotent replay about it) */
    async visible(caller: Caller, id: string): Promise<boolean> {
      const doc = await models.Batch.findById(id, { province: 1, prefecture: 1, institutionId: 1, supervisors: 1 }).lean();
      return !!doc && canRead(caller, doc, doc.supervisors ?? []);
    },

    state: (doc: BatchDoc): BatchState => stateOf<BatchState>(doc),

    /**
     * Runs `fn` with the rows stored as an upload, and discards the upload once the workflow has
     * answered, with its result or a refusal; an unanswered call (Temporal unavailable) keeps it
     * for the retry.
     */
    async withUpload<T>(purpose: string, rows: unknown[], fn: (ref: UploadRef) => Promise<T>): Promise<T> {
      const ref = await storeUpload(models, purpose, rows);
      try {
        const answer = await fn(ref);
        await discardUpload(models, ref);
        return answer;
      } catch (err) {
        if (err instanceof DomainError && err.code !== 'TEMPORAL_UNAVAILABLE') await discardUpload(models, ref);
        throw err;
      }
    },

    /** the stored batch, or the state an Update answered with, joined with its lists (of one slice of the roster when asked) */
    view: (doc: BatchDoc | BatchState, slice?: CandidateSlice) => batchView(models, doc, slice),

    publicityNames: (batchId: string, round: number) => publicityNames(models, batchId, round),

    /** Batches in the caller's scope, newest first. */
    async list(caller: Caller, q: BatchListQuery) {
      const filter: Record<string, unknown> = scopeFilter(caller, 'supervisors');
      if (q.status) filter.status = q.status;
      if (q.filingId) filter.filingId = q.filingId;
      const docs = await models.Batch.find(afterCursor(filter, q.cursor), { state: 0 })
        .sort({ submittedAt: -1, _id: -1 })
        .limit(q.limit + 1)
        .lean();
      const now = (await clock.now()).getTime();
      return {
        items: docs.slice(0, q.limit).map((d) => ({
          id: d._id,
          filingId: d.filingId,
          institution: { name: d.institutionName ?? '', creditCode: d.institutionId },
          status: d.status,
          stage: d.stage ?? null,
          firstExamDate: d.firstExamDate ?? null,
          lastExamDate: d.lastExamDate ?? null,
          candidates: d.candidates ?? 0,
          outsideAnnualPlan: d.outsideAnnualPlan ?? false,
          dueAt: d.dueAt ? d.dueAt.toISOString() : null,
          overdue: !!d.dueAt && d.dueAt.getTime() < now,
        })),
        nextCursor: nextListCursor(docs, q.limit),
      };
    },

    audit: (id: string) => auditTrail(models, { type: 'batch', id }, 5000),

    /** A filing's cancelled batches with their lists (the refund list, 004 Art.13), oldest first. */
    async cancelledOf(filingId: string): Promise<BatchView[]> {
      const docs = await models.Batch.find({ filingId, status: 'cancelled' }).sort({ submittedAt: 1, _id: 1 }).limit(500).lean();
      return Promise.all(docs.map((d) => batchView(models, d)));
    },

    /** Open batches with a deadline computed from an estimated calendar year. */
    async estimated(): Promise<string[]> {
      return (await models.Batch.find({ estimated: true, status: { $nin: BATCH_TERMINAL } }, { _id: 1 }).lean()).map((b) => b._id);
    },

    /** Batches whose result publicity runs now (GET /publicity), of one province or all. */
    async inPublicity(province: string | undefined) {
      const now = (await clock.now()).getTime();
      const docs = await models.Batch.find({ ...(province ? { province } : {}), status: 'publicity' }, { state: 0 })
        .limit(500)
        .lean();
      return docs.flatMap((b) => (b.publicity && (!b.publicityEndsAt || b.publicityEndsAt.getTime() > now) ? [{ ...b, publicity: b.publicity }] : []));
    },
  };
}

export type BatchesRepository = ReturnType<typeof createBatchesRepository>;

/** Candidates at plan positions [offset, offset + limit) (GET /batches/:id?candidatesOffset=&candidatesLimit=). */
export interface CandidateSlice {
  offset: number;
  limit: number;
}

/**
 * The batch with its lists (GET /batches/:id): the workflow's state joined with its candidates
 * and scores (`batchCandidates`) and its certificates, which the workflow does not hold (#14 §3).
 * With a slice, the lists are those of the slice's candidates only (their scores, certificates and
 * refunds), and `candidatesPage` says where the slice sits in the roster.
 */
export async function batchView(models: Models, doc: BatchDoc | BatchState, slice?: CandidateSlice): Promise<BatchView> {
  const s = 'state' in doc && typeof doc.state === 'string' ? stateOf<BatchState>(doc) : (doc as BatchState);
  const rows = slice ? await readCandidateSlice(models, s.id, slice.offset, slice.limit) : await readCandidates(models, s.id);
  const scores: ScoreSheet = {};
  for (const r of rows) if (r.scores) scores[r.idNumber] = r.scores;
  const certFilter: Record<string, unknown> = { batchId: s.id };
  if (slice) certFilter['holder.idNumber'] = { $in: rows.map((r) => r.idNumber) };
  const certs = s.certificates
    ? await models.Certificate.find(certFilter, { holder: 1, level: 1, occupation: 1, serial: 1 }).sort({ level: -1, serial: 1 }).lean()
    : [];
  const candidates = rows.map(plannedCandidateOf);
  return {
    ...s,
    ...(slice ? { candidatesPage: { offset: slice.offset, limit: slice.limit, total: s.plan.roster.count } } : {}),
    plan: { ...s.plan, candidates },
    scores,
    certificates: s.certificates
      ? {
          ...s.certificates,
          items: certs.map((d) => ({ number: d._id, idNumber: d.holder.idNumber, name: d.holder.name, level: d.level, occupationCode: d.occupation.code })),
        }
      : null,
    cancellation: s.cancellation && {
      ...s.cancellation,
      refund: s.cancellation.refund && { count: s.cancellation.refund.count, idNumbers: candidates.map((c) => c.idNumber) },
    },
  };
}

/** The passing candidates a result publicity names (000 §五(二)3), as its start wrote them (ID numbers masked). */
export async function publicityNames(models: Models, batchId: string, round: number) {
  return (await models.PublicityNames.findById(publicityNamesId(batchId, round)).lean())?.names ?? [];
}
