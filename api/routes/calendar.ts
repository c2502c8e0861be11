import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { validateYearCalendar } from '../../domain/calendar';
import { DomainError } from '../problems';
import { recordRequestAudit } from '../audit';
import { workingDay, workingDaysQuery, yearBody, yearLoaded, yearParams } from '../schemas/calendar';

/** Working-day arithmetic (SPEC §6) and the admin's official year lists. */
const calendarRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/calendar/working-days',
    {
      config: { action: 'calendar.read' },
      schema: {
        tags: ['calendar'],
        summary: 'The N-th working day after a date',
        querystring: workingDaysQuery,
        response: { 200: workingDay },
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
        params: yearParams,
        body: yearBody,
        response: { 200: yearLoaded },
      },
    },
    async (req) => {
      const y = { year: req.params.year, holidays: req.body.holidays, workdays: req.body.workdays };
      const problems = validateYearCalendar(y);
      if (problems.length) throw new DomainError('RULE_VIOLATION', problems.join('; '), { problems });
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
