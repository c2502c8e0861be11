/**
 * The filings read model (`filings`, written by each filing's workflow): a filing as a caller may
 * see it, the paginated list with its scope filter and cursor, the audit trail, and the look-ups
 * the routes need (the institution's current filing, open publicities, estimated deadlines).
 * Hot look-ups go by `_id`.
 */
import type { Models } from '../../models';
import type { Clock } from '../../infra/clock';
import type { Caller } from '../../domain/roles';
import { isFilingStatus, TERMINAL_STATUSES, type FilingState, type FilingStatus } from '../../domain/filing';
import { stateOf, type FilingViewDoc } from '../../models/records';
import { auditTrail } from '../audit';
import { caseReads } from './case-reads';
import { afterCursor, nextListCursor } from './cursor';
import { canReadFiling, filingScopeFilter } from './scope';

/** A filing's read-model document (its state as JSON text: `state()`). */
export type FilingDoc = FilingViewDoc;

export interface FilingListQuery {
  status?: string;
  stage?: string;
  overdue?: 'true' | 'false';
  cursor?: string;
  limit: number;
}

/** A status as stored: one of the filing statuses (the workflow writes nothing else). */
function statusOf(s: string): FilingStatus {
  if (!isFilingStatus(s)) throw new Error(`a filing's read model holds an unknown status: ${s}`);
  return s;
}

export function createFilingsRepository(models: Models, clock: Clock) {
  return {
    ...caseReads('filing', (id) => models.Filing.findById(id).lean(), canReadFiling),

    /** May the caller (still) see this filing? (an idempotent replay about it) */
    async visible(caller: Caller, id: string): Promise<boolean> {
      const doc = await models.Filing.findById(id, { province: 1, prefecture: 1, institutionId: 1, assignees: 1, policyId: 1 }).lean();
      return !!doc && canReadFiling(caller, doc);
    },

    state: (doc: FilingDoc): FilingState => stateOf<FilingState>(doc),

    /** Filings in the caller's scope, newest first. */
    async list(caller: Caller, q: FilingListQuery) {
      const filter: Record<string, unknown> = { ...filingScopeFilter(caller) };
      if (q.status) filter.status = q.status;
      if (q.stage) filter.stage = q.stage;
      const now = await clock.now();
      if (q.overdue === 'true') filter.dueAt = { $lt: now };
      if (q.overdue === 'false') filter.$or = [{ dueAt: null }, { dueAt: { $gte: now } }];
      const docs = await models.Filing.find(afterCursor(filter, q.cursor), { state: 0 })
        .sort({ submittedAt: -1, _id: -1 })
        .limit(q.limit + 1)
        .lean();
      return {
        items: docs.slice(0, q.limit).map((d) => ({
          id: d._id,
          institution: { name: d.institutionName ?? '', creditCode: d.institutionId },
          province: d.province,
          prefecture: d.prefecture ?? null,
          status: statusOf(d.status),
          stage: d.stage ?? null,
          track: d.track ?? undefined,
          dueAt: d.dueAt ? d.dueAt.toISOString() : null,
          overdue: !!d.dueAt && d.dueAt.getTime() < now.getTime(),
          escalation: d.escalation ?? 0,
          submittedAt: d.submittedAt ? d.submittedAt.toISOString() : null,
          updatedAt: d.updatedAt ? d.updatedAt.toISOString() : null,
        })),
        nextCursor: nextListCursor(docs, q.limit),
      };
    },

    audit: (id: string) => auditTrail(models, { type: 'filing', id }, 2000),

    /** The institution's filing as the read model knows it (domain secondFilingRefusal). */
    institution: (creditCode: string) => models.Institution.findById(creditCode, { filingId: 1, filingStatus: 1 }).lean(),

    /**
     * The workflow writes the read model within its first task: waits for it (up to `waitMs`, 15 s by default) so a GET
     * right after the start finds it; undefined when it did not come.
     */
    async created(id: string, waitMs = 15_000): Promise<{ status: FilingStatus; stage: string | null } | undefined> {
      const deadline = Date.now() + waitMs;
      for (let delay = 20; Date.now() < deadline; delay = Math.min(delay * 2, 250)) {
        const doc = await models.Filing.findById(id, { status: 1, stage: 1 }).lean();
        if (doc && doc.stage) return { status: statusOf(doc.status), stage: doc.stage };
        await new Promise((r) => setTimeout(r, delay));
      }
      return undefined;
    },

    /** Running filings with a deadline computed from an estimated calendar year. */
    async estimated(): Promise<string[]> {
      return (await models.Filing.find({ estimated: true, status: { $nin: TERMINAL_STATUSES } }, { _id: 1 }).lean()).map((f) => f._id);
    },

    /** Filings whose 公示 runs now (GET /publicity), of one province or all: their states, the publicity open. */
    async inPublicity(province: string | undefined) {
      const now = (await clock.now()).getTime();
      const docs = await models.Filing.find({ ...(province ? { province } : {}), stage: 'publicity' })
        .limit(500)
        .lean();
      return docs
        .map((d) => stateOf<FilingState>(d))
        .flatMap((s) => (s.publicity && !s.publicity.closedAt && s.publicity.endsAtMs > now ? [{ ...s, publicity: s.publicity }] : []));
    },
  };
}

export type FilingsRepository = ReturnType<typeof createFilingsRepository>;
