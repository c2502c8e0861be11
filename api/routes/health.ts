import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { temporal as proto } from '@temporalio/proto';
import { healthSchema, liveSchema } from '../schemas/health';

/** A poller the server saw this recently counts as a worker (an idle worker polls again every minute or so). */
export const POLLER_FRESH_MS = 2 * 60_000;

/**
 * GET /health: whether Temporal and the database answer right now, and whether any worker polls
 * the task queue (DescribeTaskQueue: a poller seen within POLLER_FRESH_MS). 503 when Temporal or
 * the database is down: this process can then answer nothing that needs them. Without a worker the
 * status is `degraded` but the answer stays 200: reads still work, and a load balancer must not
 * take every API process out because the workers are being restarted (Updates answer 503 then).
 */
const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  /** GET /livez: the process answers (no dependencies); also the benchmark's trivial baseline route. */
  app.get('/livez', { config: { action: 'health.read' }, schema: { tags: ['health'], response: { 200: liveSchema } } }, async () => ({ ok: true as const }));

  app.get(
    '/health',
    { config: { action: 'health.read' }, schema: { tags: ['health'], response: { 200: healthSchema, 503: healthSchema } } },
    async (_req, reply) => {
      const { temporal, db } = app.services;
      const within = <T>(p: Promise<T>, ms = 3000) =>
        Promise.race([p, new Promise<false>((r) => setTimeout(() => r(false), ms).unref())]).catch(() => false as const);
      const deadline = () => Date.now() + 3000;
      const [t, m, w] = await Promise.all([
        within(temporal.connection.withDeadline(deadline(), () => temporal.connection.healthService.check({})).then(() => true)),
        within(
          db.db
            ? db.db
                .admin()
                .ping()
                .then(() => true)
            : Promise.reject(new Error('no db')),
        ),
        within(
          temporal.connection
            .withDeadline(deadline(), () =>
              temporal.connection.workflowService.describeTaskQueue({
                namespace: temporal.namespace,
                taskQueue: { name: temporal.taskQueue, kind: proto.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
                taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
              }),
            )
            .then((r) => (r.pollers ?? []).some((p) => Date.now() - timestampMs(p.lastAccessTime) < POLLER_FRESH_MS)),
        ),
      ]);
      const up = (ok: boolean) => (ok ? ('up' as const) : ('down' as const));
      const body = { status: t && m && w ? ('ok' as const) : ('degraded' as const), temporal: up(t), mongo: up(m), worker: up(w) };
      return reply.status(t && m ? 200 : 503).send(body);
    },
  );
};
export default healthRoutes;

function timestampMs(t: { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null | undefined): number {
  if (!t?.seconds) return 0;
  const s = typeof t.seconds === 'number' ? t.seconds : t.seconds.toNumber();
  return s * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}
