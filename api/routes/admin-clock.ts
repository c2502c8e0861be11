import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { parseIsoDuration, TestServerClock } from '../../infra/clock';
import { invalid } from '../problems';
import { clockAdvanceBody, clockNow } from '../schemas/calendar';

/** Demo mode only: read and advance the time-skipping server's clock (API.md "Demo mode"). */
const adminClockRoutes: FastifyPluginAsyncZod = async (app) => {
  const clock = app.services.clock;
  if (!(clock instanceof TestServerClock)) throw new Error('admin clock routes need the time-skipping server');

  app.get(
    '/admin/clock',
    { config: { action: 'clock.read' }, schema: { tags: ['demo'], security: [{ bearer: [] }], response: { 200: clockNow } } },
    async () => ({
      now: (await clock.now()).toISOString(),
    }),
  );

  app.post(
    '/admin/clock/advance',
    {
      config: { action: 'clock.advance' },
      schema: {
        tags: ['demo'],
        summary: 'Move the system time forward; timers fire as they would in real time',
        security: [{ bearer: [] }],
        body: clockAdvanceBody,
        response: { 200: clockNow },
      },
    },
    async (req) => {
      const ms = parseIsoDuration(req.body.by);
      if (ms === null || ms <= 0) throw invalid('`by` must be a positive ISO-8601 duration such as P8D or PT12H');
      if (ms > 10 * 366 * 86_400_000) throw invalid('`by` may be at most 10 years');
      return { now: (await clock.advance(ms)).toISOString() };
    },
  );
};
export default adminClockRoutes;
