/**
 * The caller's own work, from the read models: every filing, batch or complaint step waiting on them (the
 * documents' `waitingOn`, soonest due first) and their notifications (newest first). Both lists
 * are computed in memory after a scoped query, so their cursors are offsets.
 */
import type { Models } from '../../models';
import type { Clock } from '../../infra/clock';
import type { Caller } from '../../domain/roles';
import { audienceIncludes } from '../../domain/filing';
import { isBatchCenter } from '../../domain/batch';
import { offsetPage } from './cursor';
import { createAnnualPlansRepository } from './annual-plans';
import { scopeFilter } from './scope';

/** Which read-model documents could hold a step for this caller (the exact match is audienceIncludes). */
export function candidateFilter(c: Caller): Record<string, unknown> {
  switch (c.role) {
    case 'admin':
      return {};
    case 'institution':
      return { institutionId: c.institutionId ?? '-' };
    case 'expert':
      return { 'waitingOn.audience.userIds': c.sub };
    case 'supervisor':
      return { 'waitingOn.audience.userIds': c.sub };
    case 'prefecture-reviewer':
      return { prefecture: c.prefecture ?? '-' };
    default:
      return { province: c.province ?? '-' };
  }
}

export function createInboxRepository(models: Models, clock: Clock) {
  const annualPlans = createAnnualPlansRepository(models);

  /** 000 §五(二)1: annual plans waiting on this center's acknowledgement (no due date: after the dated steps). */
  async function annualPlanTasks(c: Caller) {
    if (c.role !== 'center') return [];
    const waiting = await annualPlans.waiting(scopeFilter(c, 'supervisors'));
    return waiting
      .filter((p) => isBatchCenter({ level: p.prefecture ? 'prefecture' : 'province', province: p.province, prefecture: p.prefecture ?? undefined }, c))
      .map((p) => ({
        kind: 'annual-plan' as const,
        id: p.id,
        title: `${p.institution.name} ${p.year}年度认定计划（第${p.version}版）`,
        action: 'acknowledge:annual-plan',
        stage: null,
        status: p.status,
        dueAt: null,
        overdue: false,
        escalation: 0,
        path: `/api/v1/annual-plans/${encodeURIComponent(p.id)}`,
        sortKey: Number.MAX_SAFE_INTEGER,
      }));
  }

  return {
    async tasks(c: Caller, q: { cursor?: string; limit: number }) {
      const now = (await clock.now()).getTime();
      const waiting = { ...candidateFilter(c), 'waitingOn.0': { $exists: true } };
      // complaints wait on reviewers only (domain/complaints.ts): nobody else's query needs to touch them
      const reviewer = c.role === 'prefecture-reviewer' || c.role === 'province-reviewer';
      const [filings, batches, complaints] = await Promise.all([
        models.Filing.find(waiting, { state: 0 }).limit(5000).lean(),
        models.Batch.find(waiting, { state: 0 }).limit(5000).lean(),
        reviewer ? models.Complaint.find(waiting, { state: 0, trackingHash: 0 }).limit(5000).lean() : [],
      ]);
      const sources = [
        { kind: 'filing' as const, docs: filings },
        { kind: 'batch' as const, docs: batches },
        { kind: 'complaint' as const, docs: complaints.map((d) => ({ ...d, institutionName: `投诉举报：${d.institutionName ?? d.institutionId}` })) },
      ];
      const steps = sources.flatMap(({ kind, docs }) =>
        docs.flatMap((d) =>
          (d.waitingOn ?? [])
            .filter((s) => audienceIncludes(s.audience, c))
            .map((s) => ({
              kind,
              id: d._id,
              title: d.institutionName ?? d._id,
              action: s.action,
              stage: s.stage ?? null,
              status: d.status,
              dueAt: s.dueAt ?? null,
              overdue: !!s.dueAtMs && s.dueAtMs < now,
              escalation: d.escalation ?? 0,
              path: `/api/v1/${kind === 'filing' ? 'filings' : kind === 'batch' ? 'batches' : 'complaints'}/${d._id}`,
              // 000 §五(二)1: the center sees a batch planned outside its year's acknowledged annual plan flagged (计划外)
              ...(kind === 'batch' ? { outsideAnnualPlan: !!(d as { outsideAnnualPlan?: boolean }).outsideAnnualPlan } : {}),
              sortKey: s.dueAtMs ?? Number.MAX_SAFE_INTEGER,
            })),
        ),
      );
      const items = [...steps, ...(await annualPlanTasks(c))];
      items.sort((a, b) => a.sortKey - b.sortKey || a.id.localeCompare(b.id));
      const page = offsetPage(items, q.cursor, q.limit);
      return { items: page.items.map(({ sortKey: _s, ...t }) => t), nextCursor: page.nextCursor };
    },

    async notifications(c: Caller, q: { cursor?: string; limit: number; kind?: string }) {
      const or: Record<string, unknown>[] = [{ userIds: c.sub }];
      if (c.role === 'institution') or.push({ institutionId: c.institutionId ?? '-' });
      else or.push({ role: c.role, userIds: { $size: 0 } });
      const filter: Record<string, unknown> = { $or: or };
      if (q.kind) filter.kind = q.kind;
      const docs = await models.Notification.find(filter).sort({ at: -1, _id: -1 }).limit(5000).lean();
      const mine = docs.filter((d) => audienceIncludes(d.audience, c));
      const page = offsetPage(mine, q.cursor, q.limit);
      return {
        items: page.items.map((d) => ({
          id: d._id,
          kind: d.kind,
          message: d.message,
          at: d.at.toISOString(),
          target: d.targetId ? { type: d.targetType ?? 'filing', id: d.targetId } : null,
        })),
        nextCursor: page.nextCursor,
      };
    },
  };
}

export type InboxRepository = ReturnType<typeof createInboxRepository>;
