/** Registers the shared services once, for every route plugin to use as `app.services`. */
import fp from 'fastify-plugin';
import type { Services } from '../../infra/services';
import { CalendarStore } from '../../infra/calendar-store';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    calendars: CalendarStore;
    /** called after an admin loads an official calendar year (running cases recompute estimated deadlines) */
    calendarListeners: ((year: number) => Promise<void>)[];
  }
}

export default fp(
  async (app, opts: { services: Services }) => {
    app.decorate('services', opts.services);
    app.decorate('calendars', new CalendarStore(opts.services.models));
    app.decorate('calendarListeners', []);
  },
  { name: 'services' },
);
