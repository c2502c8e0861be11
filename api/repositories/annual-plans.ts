/**
 * Annual plans (年度认定计划, 000 §五(二)1): the institution's plan per filing and year, the center's
 * decisions on its revisions, and the coverage a batch plan is checked against. Why two
 * collections and no workflow: models/annual-plans.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Models } from '../../models';
import type { Caller } from '../../domain/roles';
import { annualPlanId, annualPlanStatus, type AnnualPlanCoverage, type AnnualPlanItem, type AnnualPlanStatus } from '../../domain/annual-plan';
import type { AnnualPlanDecisionDoc, AnnualPlanDoc } from '../../models/annual-plans';
import { notFound } from '../problems';
import { offsetPage } from './cursor';
import { canRead, scopeFilter } from './scope';

export interface AnnualPlanListQuery {
  year?: number;
  filingId?: string;
  status?: AnnualPlanStatus;
  cursor?: string;
  limit: number;
}

const decisionId = (planId: string, revision: string) => `${planId}:${revision}`;

/** A plan as GET /annual-plans/:id answers: its current items and status, and what the center last acknowledged. */
export function annualPlanView(doc: AnnualPlanDoc, decisions: AnnualPlanDecisionDoc[]) {
  const current = decisions.find((d) => d.revision === doc.revision) ?? null;
  const acknowledged = decisions.filter((d) => d.outcome === 'pass').sort((a, b) => b.version - a.version)[0] ?? null;
  const decisionOf = (d: AnnualPlanDecisionDoc) => ({ version: d.version, outcome: d.outcome, opinion: d.opinion, at: d.at.toISOString(), by: d.by.name });
  return {
    id: doc._id,
    filingId: doc.filingId,
    year: doc.year,
    institution: { name: doc.institutionName, creditCode: doc.institutionId },
    province: doc.province,
    prefecture: doc.prefecture ?? null,
    items: doc.items,
    version: doc.version,
    status: annualPlanStatus(doc, current),
    submittedAt: doc.submittedAt.toISOString(),
    decision: current ? decisionOf(current) : null,
    acknowledged: acknowledged ? { ...decisionOf(acknowledged), items: acknowledged.items } : null,
  };
}

export type AnnualPlanView = ReturnType<typeof annualPlanView>;

export function createAnnualPlansRepository(models: Models) {
  const decisionsOf = (planIds: string[]) =>
    planIds.length ? models.AnnualPlanDecision.find({ planId: { $in: planIds } }).lean<AnnualPlanDecisionDoc[]>() : Promise.resolve([]);

  async function viewsOf(docs: AnnualPlanDoc[]) {
    const decisions = await decisionsOf(docs.map((d) => d._id));
    return docs.map((d) =>
      annualPlanView(
        d,
        decisions.filter((x) => x.planId === d._id),
      ),
    );
  }

  return {
    /** The plan, when the caller may see it (its institution, the reviewers and centers in scope); otherwise 404. */
    async find(caller: Caller, id: string): Promise<AnnualPlanDoc> {
      const doc = await models.AnnualPlan.findById(id).lean<AnnualPlanDoc>();
      if (!doc || !canRead(caller, doc, [])) throw notFound('annual plan');
      return doc;
    },

    get: (id: string) => models.AnnualPlan.findById(id).lean<AnnualPlanDoc>(),

    async view(doc: AnnualPlanDoc) {
      return (await viewsOf([doc]))[0];
    },

    /** Plans in the caller's scope, the latest year first; the status is derived, so the list is filtered in memory. */
    async list(caller: Caller, q: AnnualPlanListQuery) {
      const filter: Record<string, unknown> = scopeFilter(caller, 'supervisors');
      if (q.year) filter.year = q.year;
      if (q.filingId) filter.filingId = q.filingId;
      const docs = await models.AnnualPlan.find(filter).sort({ year: -1, submittedAt: -1, _id: 1 }).limit(2000).lean<AnnualPlanDoc[]>();
      const views = (await viewsOf(docs)).filter((v) => !q.status || v.status === q.status);
      return offsetPage(views, q.cursor, q.limit);
    },

    /**
     * Files the plan, or its next version: new items under a new revision, so a decision on an
     * earlier revision no longer counts as the current one (a changed plan is acknowledged again).
     */
    async submit(
      base: Omit<AnnualPlanDoc, '_id' | 'revision' | 'version' | 'submittedAt' | 'items'>,
      items: AnnualPlanItem[],
      at: Date,
    ): Promise<{ doc: AnnualPlanDoc; before: AnnualPlanDoc | null }> {
      const _id = annualPlanId(base.filingId, base.year);
      const before = await models.AnnualPlan.findById(_id).lean<AnnualPlanDoc>();
      // the same items again (a retry without a key) are no new version: its acknowledgement stands
      if (before && JSON.stringify(before.items) === JSON.stringify(items)) return { doc: before, before };
      const doc: AnnualPlanDoc = { ...base, _id, items, revision: randomUUID(), version: (before?.version ?? 0) + 1, submittedAt: at };
      // the only writer of this document is its institution; a racing resubmission leaves the last one, with its own revision
      await models.AnnualPlan.replaceOne({ _id }, doc, { upsert: true });
      return { doc, before };
    },

    /** The decision on the plan's current revision; a second one is a duplicate `_id` (false). */
    async decide(doc: AnnualPlanDoc, d: Pick<AnnualPlanDecisionDoc, 'outcome' | 'opinion' | 'at' | 'by'>): Promise<boolean> {
      try {
        await models.AnnualPlanDecision.create({
          _id: decisionId(doc._id, doc.revision),
          planId: doc._id,
          revision: doc.revision,
          version: doc.version,
          ...d,
          items: d.outcome === 'pass' ? doc.items : [],
        });
        return true;
      } catch (err) {
        if ((err as { code?: number }).code === 11000 || /E11000|duplicate key/i.test(String((err as Error)?.message))) return false;
        throw err;
      }
    },

    async currentDecision(doc: AnnualPlanDoc) {
      return models.AnnualPlanDecision.findById(decisionId(doc._id, doc.revision)).lean<AnnualPlanDecisionDoc>();
    },

    /** What a batch of this filing and year is checked against: the items the center last acknowledged (null: none). */
    async coverage(filingId: string, year: number): Promise<AnnualPlanCoverage | null> {
      const planId = annualPlanId(filingId, year);
      const [latest] = await models.AnnualPlanDecision.find({ planId, outcome: 'pass' }).sort({ version: -1 }).limit(1).lean<AnnualPlanDecisionDoc[]>();
      if (!latest) return null;
      return { planId, year, version: latest.version, items: latest.items.map((i) => ({ occupationCode: i.occupationCode, level: i.level })) };
    },

    /** Plans waiting on a center's acknowledgement in this scope (the center's inbox). */
    async waiting(filter: Record<string, unknown>) {
      const docs = await models.AnnualPlan.find(filter).limit(2000).lean<AnnualPlanDoc[]>();
      return (await viewsOf(docs)).filter((v) => v.status === 'submitted');
    },
  };
}

export type AnnualPlansRepository = ReturnType<typeof createAnnualPlansRepository>;
