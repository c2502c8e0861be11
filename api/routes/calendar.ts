import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { validateYearCalendar } from '../../domain/calendar';
import { isoDate } from '../schemas';
import { unprocessable } from '../errors';
import { recordRequestAudit } from '../audit';

/** Working-day arithmetic (SPEC §6) and the admin's official year lists. */
const calendarRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/calendar/working-days',
    {
      config: { action: 'calendar.read' },
      schema: {
        tags: ['calendar'],
        summary: 'The N-th working day after a date',
        querystring: z.object({ from: isoDate, add: z.string().regex(/^\d{1,4}$/, 'expected a whole number of days').pipe(z.coerce.number<string>().int().min(0).max(2000)) }).strict(),
        response: { 200: z.object({ date: isoDate, coverage: z.enum(['official', 'estimated']) }) },
      },
    },
    async (req) => {
      const cal = await app.calendars.calendar();
      const r = cal.addWorkingDays(req.query.from, req.query.add);
      return { date: r.date, coverage: r.coverage };
    },
  );

  app.put(
    '/calendar/years/:year',
    {
      config: { action: 'calendar.load' },
      schema: {
        tags: ['calendar'],
        summary: "Load a year's official holidays and make-up working days",
        security: [{ bearer: [] }],
        // four digits only: no ' 2030', 0x7D0 or 2e3 for a year
        params: z.object({ year: z.string().regex(/^\d{4}$/, 'expected a four-digit year').pipe(z.coerce.number<string>().int().min(2000).max(2100)) }),
        body: z
          .object({ holidays: z.array(isoDate).max(366), workdays: z.array(isoDate).max(366) })
          .strict(),
        response: {
          200: z.object({ year: z.number().int(), holidays: z.number().int(), workdays: z.number().int(), coverage: z.literal('official') }),
        },
      },
    },
    async (req) => {
      const y = { year: req.params.year, holidays: req.body.holidays, workdays: req.body.workdays };
      const problems = validateYearCalendar(y);
      if (problems.length) throw unprocessable('RULE_VIOLATION', problems.join('; '), { problems });
      const now = await app.services.clock.now();
      const previous = await app.services.models.CalendarYear.findById(y.year).lean();
      await app.calendars.saveYear(y, req.caller!.sub, now);
      await recordRequestAudit(app, req, {
        action: 'calendar.load',
        target: { type: 'calendar-year', id: String(y.year) },
        before: previous ? { holidays: previous.holidays, workdays: previous.workdays } : null,
        after: { holidays: [...y.holidays].sort(), workdays: [...y.workdays].sort() },
      });
      await Promise.all(app.calendarListeners.map((listen) => listen(y.year)));
      return { year: y.year, holidays: y.holidays.length, workdays: y.workdays.length, coverage: 'official' as const };
    },
  );
};
export default calendarRoutes;

