/** GET /tasks (the caller's inbox) and GET /notifications (their own mail). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audienceIncludes, type Audience, type PendingStep } from '../../domain/filing';
import type { Caller } from '../../domain/roles';
import { decodeCursor, encodeCursor, pageQuery } from '../pagination';
import { problemSchema } from '../schemas';

const task = z.object({
  kind: z.enum(['filing', 'batch']),
  id: z.string(),
  title: z.string(),
  action: z.string(),
  stage: z.string().nullable(),
  status: z.string(),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  escalation: z.number().int(),
  path: z.string(),
});

/** Which read-model documents could hold a step for this caller (the exact match is audienceIncludes). */
export function candidateFilter(c: Caller): Record<string, unknown> {
  switch (c.role) {
    case 'admin': return {};
    case 'institution': return { institutionId: c.institutionId ?? '-' };
    case 'expert': return { 'waitingOn.audience.userIds': c.sub };
    case 'supervisor': return { 'waitingOn.audience.userIds': c.sub };
    case 'prefecture-reviewer': return { prefecture: c.prefecture ?? '-' };
    default: return { province: c.province ?? '-' };
  }
}

const inboxRoutes: FastifyPluginAsyncZod = async (app) => {
  const { models, clock } = app.services;

  app.get(
    '/tasks',
    {
      config: { action: 'tasks.read' },
      schema: {
        tags: ['inbox'], summary: 'Every filing or batch step waiting on the caller, soonest due first', security: [{ bearer: [] }],
        querystring: z.object(pageQuery).strict(),
        response: { 200: z.object({ items: z.array(task), nextCursor: z.string().nullable() }), 400: problemSchema, 401: problemSchema },
      },
    },
    async (req) => {
      const c = req.caller!;
      const now = (await clock.now()).getTime();
      const sources: { kind: 'filing' | 'batch'; docs: { _id: string; status: string; institutionName?: string; escalation?: number; waitingOn?: PendingStep[] }[] }[] = [
        { kind: 'filing', docs: (await models.Filing.find({ ...candidateFilter(c), 'waitingOn.0': { $exists: true } }, { state: 0 }).limit(5000).lean()) as never },
      ];
      const batchModel = (models as unknown as { Batch?: typeof models.Filing }).Batch;
      if (batchModel) sources.push({ kind: 'batch', docs: (await batchModel.find({ ...candidateFilter(c), 'waitingOn.0': { $exists: true } }, { state: 0 }).limit(5000).lean()) as never });
      const items = sources.flatMap(({ kind, docs }) =>
        docs.flatMap((d) =>
          (d.waitingOn ?? [])
            .filter((s) => audienceIncludes(s.audience as Audience, c))
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
              path: `/api/v1/${kind === 'filing' ? 'filings' : 'batches'}/${d._id}`,
              sortKey: s.dueAtMs ?? Number.MAX_SAFE_INTEGER,
            })),
        ),
      );
      items.sort((a, b) => a.sortKey - b.sortKey || a.id.localeCompare(b.id));
      const offset = decodeCursor(req.query.cursor, z.number().int().min(0)) ?? 0;
      const page = items.slice(offset, offset + req.query.limit).map(({ sortKey: _s, ...t }) => t);
      return { items: page, nextCursor: offset + req.query.limit < items.length ? encodeCursor(offset + req.query.limit) : null };
    },
  );

  const notification = z.object({ id: z.string(), kind: z.string(), message: z.string(), at: z.string(), target: z.object({ type: z.string(), id: z.string() }).nullable() });

  app.get(
    '/notifications',
    {
      config: { action: 'notifications.read' },
      schema: {
        tags: ['inbox'], summary: 'The caller\'s notifications: reminders, escalations, decisions; newest first', security: [{ bearer: [] }],
        querystring: z.object({ ...pageQuery, kind: z.string().max(40).optional() }).strict(),
        response: { 200: z.object({ items: z.array(notification), nextCursor: z.string().nullable() }), 400: problemSchema, 401: problemSchema },
      },
    },
    async (req) => {
      const c = req.caller!;
      const or: Record<string, unknown>[] = [{ userIds: c.sub }];
      if (c.role === 'institution') or.push({ institutionId: c.institutionId ?? '-' });
      else or.push({ role: c.role, userIds: { $size: 0 } });
      const filter: Record<string, unknown> = { $or: or };
      if (req.query.kind) filter.kind = req.query.kind;
      const docs = await models.Notification.find(filter).sort({ at: -1, _id: -1 }).limit(5000).lean();
      const mine = docs.filter((d) => audienceIncludes(d.audience as Audience, c));
      const offset = decodeCursor(req.query.cursor, z.number().int().min(0)) ?? 0;
      const page = mine.slice(offset, offset + req.query.limit);
      return {
        items: page.map((d) => ({ id: d._id, kind: d.kind, message: d.message, at: d.at.toISOString(), target: d.targetId ? { type: d.targetType ?? 'filing', id: d.targetId } : null })),
        nextCursor: offset + req.query.limit < mine.length ? encodeCursor(offset + req.query.limit) : null,
      };
    },
  );
};

export default inboxRoutes;
