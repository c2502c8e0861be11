import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { healthSchema, liveSchema } from '../schemas/health';

/** GET /health: whether Temporal and the database answer right now. 503 when either is down. */
const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  /** GET /livez: the process answers (no dependencies); also the benchmark's trivial baseline route. */
  app.get('/livez', { config: { action: 'health.read' }, schema: { tags: ['health'], response: { 200: liveSchema } } }, async () => ({ ok: true as const }));

  app.get(
    '/health',
    { config: { action: 'health.read' }, schema: { tags: ['health'], response: { 200: healthSchema, 503: healthSchema } } },
    async (_req, reply) => {
      const { temporal, db } = app.services;
      const within = <T>(p: Promise<T>, ms = 3000) =>
        Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]).catch(() => false);
      const [t, m] = await Promise.all([
        within(temporal.connection.healthService.check({})),
        within(db.db ? db.db.admin().ping() : Promise.reject(new Error('no db'))),
      ]);
      const body = {
        status: t && m ? ('ok' as const) : ('degraded' as const),
        temporal: t ? ('up' as const) : ('down' as const),
        mongo: m ? ('up' as const) : ('down' as const),
      };
      return reply.status(t && m ? 200 : 503).send(body);
    },
  );
};
export default healthRoutes;
