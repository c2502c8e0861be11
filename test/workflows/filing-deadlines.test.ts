/**
 * Filing workflow, time (SPEC §2, §6, §8): stage escalation to the superior and the province,
 * renewal reminders and expiry at the end of the last valid day, idle exit after 2 years and the
 * batch report that resets it, and deadlines recomputed when an official calendar year is loaded.
 *
 * The last test moves the clock into a year without official data and loads that year into this
 * file's database: keep it last.
 */
import { WorkingDayCalendar } from '../../domain/calendar';
import { addCalendarDays, addMonths, chinaDateOf, endOfDayMs } from '../../domain/dates';
import { calendarUpdatedSignal } from '../../workflows/filing/messages';
import { renewalReminderDates } from '../../domain/filing-dates';
import { application } from '../fixtures/filing';
import { DAY, eventually, filingBed, Flow, MINUTE, type FilingBed } from '../harness/filing-env';

describe('filing workflow: deadlines', () => {
  let bed: FilingBed;
  beforeAll(async () => {
    bed = await filingBed();
  });
  beforeEach(async () => {
    await bed.begin();
  });
  afterEach(async () => bed.cleanup());
  afterAll(async () => bed?.close());

  it('escalates an overdue stage to the superior at its due date, then to the province', async () => {
    const f = await Flow.start(bed, application());
    const { a } = f;
    await f.assignAll();
    let s = await f.state();
    const due = s.due!;
    // the due date is the end of the 10th working day after the day the stage started
    const cal = new WorkingDayCalendar();
    expect(due.dueAtMs).toBe(cal.dueAt(Date.parse(due.startedAt), 10).dueAtMs);
    expect(due.dueAtMs).toBe(endOfDayMs(due.dueDate));

    await bed.skipTo(due.dueAtMs - MINUTE);
    s = await f.state();
    expect(s.escalations).toEqual([]);
    expect(s.due!.escalation).toBe(0);

    await bed.skip(2 * MINUTE);
    s = await eventually(async () => {
      const st = await f.state();
      expect(st.due!.escalation).toBe(1);
      return st;
    });
    expect(s.escalations).toEqual([expect.objectContaining({ level: 1, to: 'superior', stage: 'preliminary-review' })]);
    expect(s.due!.provinceAtMs).toBe(cal.dueAt(due.dueAtMs, 5).dueAtMs);
    await eventually(async () => {
      expect(await f.view()).toMatchObject({ escalation: 1, stage: 'preliminary-review' });
      const notes = await f.notifications();
      // the assignee is told it is overdue; its superior, the jurisdiction's reviewers, gets the escalation
      expect(notes.find((n) => n.kind === 'overdue')).toMatchObject({ role: 'expert', userIds: ['expert-a'] });
      const esc = notes.filter((n) => n.kind === 'escalation');
      expect(esc).toHaveLength(1);
      expect(esc[0].audience).toEqual({ role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
      expect((await f.audit()).filter((e) => e.action === 'filing.escalate')).toHaveLength(1);
    });

    await bed.skipTo(s.due!.provinceAtMs! - MINUTE);
    expect((await f.state()).due!.escalation).toBe(1);
    await bed.skip(2 * MINUTE);
    s = await eventually(async () => {
      const st = await f.state();
      expect(st.due!.escalation).toBe(2);
      return st;
    });
    expect(s.escalations.map((e) => [e.level, e.to])).toEqual([
      [1, 'superior'],
      [2, 'province'],
    ]);
    await eventually(async () => {
      expect(await f.view()).toMatchObject({ escalation: 2 });
      const esc = (await f.notifications()).filter((n) => n.kind === 'escalation');
      expect(esc.map((n) => n.audience)).toEqual(expect.arrayContaining([{ role: 'province-reviewer', province: '22' }]));
      expect(esc).toHaveLength(2);
    });
    // nothing further escalates; deciding moves on with a fresh due date
    await bed.skip(30 * DAY);
    expect((await f.state()).escalations).toHaveLength(2);
    s = await f.decide('preliminary-review', 'pass', a.expertA);
    expect(s.due).toMatchObject({ stage: 'technical-assessment', escalation: 0 });
    expect(s.escalations).toHaveLength(2);
    await eventually(async () => expect(await f.view()).toMatchObject({ escalation: 0, stage: 'technical-assessment' }));
  });

  it('no renewal: reminders 30 days before expiry − 3 months, on it and monthly, then expired at the end of the last valid day and out of the directory', async () => {
    const f = await Flow.start(bed, application());
    const active = await f.toActive();
    const validUntil = active.notice!.validUntil;
    const reminderDay = addMonths(validUntil, -3);
    const earlyDay = addCalendarDays(reminderDay, -30);
    await bed.skipTo(endOfDayMs(earlyDay) - DAY - MINUTE);
    expect((await f.notifications()).filter((n) => n.kind === 'renewal-reminder')).toHaveLength(0);
    await bed.skip(2 * MINUTE);
    await eventually(async () => expect((await f.notifications()).filter((n) => n.kind === 'renewal-reminder')).toHaveLength(1));

    await bed.skipTo(endOfDayMs(reminderDay) - DAY - MINUTE);
    expect((await f.notifications()).filter((n) => n.kind === 'renewal-reminder')).toHaveLength(1);
    await bed.skip(2 * MINUTE);
    const first = await eventually(async () => {
      const r = (await f.notifications()).filter((n) => n.kind === 'renewal-reminder').sort((x, y) => x.at.getTime() - y.at.getTime());
      expect(r).toHaveLength(2);
      return r[1];
    });
    expect(chinaDateOf(first.at.getTime())).toBe(reminderDay);
    expect(first).toMatchObject({ role: 'institution', institutionId: f.creditCode });
    await eventually(async () => {
      const v = await f.view();
      expect(v!.waitingOn).toEqual([expect.objectContaining({ action: 'apply-renewal' })]);
    });

    // just before the end of the last valid day: still active
    await bed.skipTo(endOfDayMs(validUntil) - MINUTE);
    let s = await f.state();
    expect(s.status).toBe('active');
    const reminders = (await f.notifications())
      .filter((n) => n.kind === 'renewal-reminder')
      .map((n) => chinaDateOf(n.at.getTime()))
      .sort();
    // monthly while nothing happens, until the last valid day
    expect(reminders).toEqual(renewalReminderDates(validUntil, active.policy));
    expect(reminders.slice(0, 3)).toEqual([earlyDay, reminderDay, addMonths(reminderDay, 1)]);
    expect(reminders.length).toBeGreaterThanOrEqual(5);
    expect(await f.directory()).not.toBeNull();

    await bed.skip(2 * MINUTE);
    s = await f.ended('expired');
    // dated at the end of the last valid day, not when the timer fired
    expect(Date.parse(s.endedAt!)).toBe(endOfDayMs(validUntil));
    await eventually(async () => {
      expect(await f.directory()).toBeNull();
      expect(await f.view()).toMatchObject({ status: 'expired' });
      expect((await f.audit()).map((e) => e.action)).toContain('filing.expired');
    });
  });

  it('recomputes an estimated publicity end (and stage due date) when the official year is loaded', async () => {
    // a year without official data: 2027 or later, in March (no statutory holiday near)
    const now = await bed.now();
    let year = Math.max(2027, Number(chinaDateOf(now).slice(0, 4)));
    let at = Date.parse(`${year}-03-10T10:00:00+08:00`);
    if (at < now + DAY) at = Date.parse(`${++year}-03-10T10:00:00+08:00`);
    await bed.skipTo(at);

    const f = await Flow.start(bed, application());
    let s = await f.toPublicity();
    const p = s.publicity!;
    expect(p.coverage).toBe('estimated');
    const g = await Flow.start(bed, application());
    await g.assignAll();
    const gDue = (await g.state()).due!;
    expect(gDue.coverage).toBe('estimated');
    await eventually(async () => expect(await f.view()).toMatchObject({ estimated: true }));

    // the official year makes the first working day of the publicity a holiday
    const estimate = new WorkingDayCalendar();
    const extra = estimate.addWorkingDays(chinaDateOf(Date.parse(p.startedAt)), 1).date;
    const official = new WorkingDayCalendar([{ year, holidays: [extra], workdays: [] }]);
    const expected = official.dueAt(Date.parse(p.startedAt), 5);
    expect(expected.coverage).toBe('official');
    expect(expected.date > p.endDate).toBe(true);
    await bed.models.CalendarYear.create({ _id: year, holidays: [extra], workdays: [], loadedAt: new Date(), loadedBy: 'test-admin' });
    await f.h.signal(calendarUpdatedSignal, { years: [year] });
    await g.h.signal(calendarUpdatedSignal, { years: [year] });

    s = await eventually(async () => {
      const st = await f.state();
      expect(st.publicity).toMatchObject({ endDate: expected.date, endsAtMs: expected.dueAtMs, coverage: 'official' });
      return st;
    });
    expect(s.history.find((h) => h.event === 'deadline-recomputed')!.note).toBe(`publicity: ${p.endDate} → ${expected.date}`);
    await eventually(async () => {
      const v = await f.view();
      expect(v).toMatchObject({ estimated: false });
      expect(v!.dueAt!.getTime()).toBe(expected.dueAtMs);
      const audit = (await f.audit()).filter((e) => e.action === 'filing.deadline-recomputed');
      expect(audit).toHaveLength(1);
      expect(audit[0].note).toContain(String(year));
    });
    const gs = await eventually(async () => {
      const st = await g.state();
      expect(st.due).toMatchObject({ coverage: 'official', dueDate: official.dueAt(Date.parse(gDue.startedAt), 10).date });
      return st;
    });
    expect(gs.due!.dueDate > gDue.dueDate).toBe(true);

    // the old end passes: still in publicity; the new end: it closes
    await bed.skipTo(p.endsAtMs + MINUTE);
    expect((await f.state()).stage).toBe('publicity');
    await bed.skipTo(expected.dueAtMs + MINUTE);
    await eventually(async () => expect((await f.state()).stage).toBe('notice'));
  });
});
