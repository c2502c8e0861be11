/**
 * The administrator's page: loading a year's official holiday arrangement (PUT /calendar/years/:year),
 * a working-day check (GET /calendar/working-days), and in demo mode only the demo clock
 * (GET /admin/clock, POST /admin/clock/advance), so a trainer can walk a three-year lifecycle in
 * minutes. Outside demo mode the clock panel is absent and POST /admin/clock does not exist.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { api, chinaTime, signedInOnly, one, problemText, render, seeOther } from '../core';

/** The clock panel's buttons: ISO-8601 durations the API takes (a month is 30 days, a year 365). */
export const CLOCK_STEPS: { by: string; text: string }[] = [
  { by: 'P1D', text: '推进 1 天' },
  { by: 'P7D', text: '推进 1 周' },
  { by: 'P1M', text: '推进 1 个月' },
  { by: 'P3M', text: '推进 3 个月' },
  { by: 'P1Y', text: '推进 1 年' },
];
const MAX_CUSTOM_DAYS = 3650;

/** Dates typed one per line, or separated by commas (also Chinese ones), semicolons or spaces. */
export function dateList(text: string): string[] {
  return text
    .split(/[\s,，、;；]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

interface CalendarValues {
  year: string;
  holidays: string;
  workdays: string;
}

export default async function adminPages(app: FastifyInstance) {
  app.addHook('onRequest', signedInOnly);
  const demo = app.services.settings.APP_MODE === 'demo';

  /** Signed in as an admin, or the answer to send instead. */
  const gate = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (req.consoleCaller!.role === 'admin') return undefined;
    return render(req, reply, 'message', { title: '无权访问', heading: '无权访问', text: '工作日历与演示时钟只有系统管理员可以使用。' }, 403);
  };

  const page = async (
    req: FastifyRequest,
    reply: FastifyReply,
    extra: { calendar?: Partial<CalendarValues>; calendarProblem?: string; clockProblem?: string; days?: string } = {},
    status = 200,
  ) => {
    const q = req.query as Record<string, unknown>;
    const check = { from: one(q.from).trim(), add: one(q.add).trim() };
    let checkResult: { date: string; coverage: string } | undefined;
    let checkProblem: string | undefined;
    if (check.from || check.add) {
      const r = await api(req, 'GET', '/calendar/working-days', { query: { from: check.from, add: check.add || '0' } });
      if (r.ok) checkResult = r.body;
      else checkProblem = problemText(r);
    }
    let clock: { now: string; shown: string } | undefined;
    let clockProblem = extra.clockProblem;
    if (demo) {
      const r = await api(req, 'GET', '/admin/clock');
      if (r.ok) clock = { now: r.body.now, shown: chinaTime(r.body.now) };
      else clockProblem ??= problemText(r);
    }
    const nextYear = String(Number(chinaTime((await app.services.clock.now()).toISOString()).slice(0, 4)) + 1);
    return render(
      req,
      reply,
      'admin-index',
      {
        title: demo ? '工作日历与演示时钟' : '工作日历',
        calendar: { year: nextYear, holidays: '', workdays: '', ...extra.calendar },
        calendarProblem: extra.calendarProblem,
        check,
        checkResult,
        checkProblem,
        clock,
        clockProblem,
        clockSteps: CLOCK_STEPS,
        days: extra.days ?? '',
        maxDays: MAX_CUSTOM_DAYS,
      },
      status,
    );
  };

  app.get('/admin', async (req, reply) => (await gate(req, reply)) ?? page(req, reply));

  app.post('/admin/calendar', async (req, reply) => {
    const refused = await gate(req, reply);
    if (refused) return refused;
    const b = (req.body ?? {}) as Record<string, unknown>;
    const values: CalendarValues = { year: one(b.year).trim(), holidays: one(b.holidays), workdays: one(b.workdays) };
    if (!/^\d{4}$/.test(values.year)) return page(req, reply, { calendar: values, calendarProblem: '年份须为四位数字，如 2027。' }, 400);
    const r = await api(req, 'PUT', `/calendar/years/${values.year}`, {
      body: { holidays: dateList(values.holidays), workdays: dateList(values.workdays) },
      key: one(b._key) || undefined,
    });
    if (!r.ok) return page(req, reply, { calendar: values, calendarProblem: problemText(r) }, r.status);
    return seeOther(reply, '/admin', 'calendar');
  });

  if (demo) {
    app.post('/admin/clock', async (req, reply) => {
      const refused = await gate(req, reply);
      if (refused) return refused;
      const b = (req.body ?? {}) as Record<string, unknown>;
      const choice = one(b.by);
      const days = one(b.days).trim();
      let by: string | undefined = CLOCK_STEPS.find((s) => s.by === choice)?.by;
      if (choice === 'days') {
        by = /^\d{1,4}$/.test(days) && Number(days) >= 1 && Number(days) <= MAX_CUSTOM_DAYS ? `P${Number(days)}D` : undefined;
        if (!by) return page(req, reply, { clockProblem: `天数须为 1 到 ${MAX_CUSTOM_DAYS} 之间的整数。`, days }, 400);
      }
      if (!by) return page(req, reply, { clockProblem: '请选择要推进的时间。', days }, 400);
      const r = await api(req, 'POST', '/admin/clock/advance', { body: { by }, key: one(b._key) || undefined });
      if (!r.ok) return page(req, reply, { clockProblem: problemText(r), days }, r.status);
      return seeOther(reply, '/admin', 'clock');
    });
  }
}
