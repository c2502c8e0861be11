/**
 * Filing rules as the seeds write them (issue #11): a scope change runs the whole application path,
 * deadlines count from the day their cause happened (also when a timer fires late), the renewal
 * deadline and its reminders, validity ends on the right day, idle exit is a Shanxi rule, and each
 * level acts only on its own filings.
 */
import { WorkingDayCalendar } from '../../domain/calendar';
import { addCalendarDays, addYears, chinaDateOf, endOfDayMs } from '../../domain/dates';
import { renewalDeadline, validityLastDay } from '../../domain/filing-dates';
import { SHANXI_2020 } from '../../domain/filing-policy';
import type { Actor, Occupation } from '../../domain/filing';
import { changeUpdate, examsHeldSignal, objectionUpdate, renewalUpdate, resolveObjectionUpdate, supplementUpdate } from '../../workflows/filing/messages';
import { application } from '../fixtures/filing';
import { DAY, eventually, expectRefused, filingBed, Flow, MINUTE, type FilingBed } from '../harness/filing-env';
import { atChinaTime, itOnce } from '../harness/start-dates';
import { delayedAfter, probeReplay, timerFiredIndex } from '../harness/late-timers';

const HOUR = 3_600_000;

describe('filing rules as the seeds write them', () => {
  let bed: FilingBed;
  beforeAll(async () => {
    bed = await filingBed();
  });
  beforeEach(async () => {
    await bed.begin();
  });
  afterEach(async () => bed.cleanup());
  afterAll(async () => bed?.close());

  const cal = new WorkingDayCalendar();

  itOnce('a change that adds an occupation goes through 申报 again (004 Art.7(1)); the old scope stays in force until its 备案通知', async () => {
    const f = await Flow.start(bed, application());
    const { a } = f;
    const active = await f.toActive();
    const occupations: Occupation[] = [
      { code: '6-18-01-01', name: '车工', levels: [5, 4, 3], basis: 'national-standard' },
      { code: '6-18-01-02', name: '铣工', levels: [5, 4], basis: 'national-standard' },
    ];
    let s = await f.h.executeUpdate(changeUpdate, { args: [{ actor: a.institution, change: { occupations, reason: '增加铣工' } }] });
    expect(s).toMatchObject({ status: 'change-pending', track: 'scope-change', stage: 'submitted' });

    // 初评 with 补正: the filing waits for the institution and stays in force meanwhile
    await expectRefused(bed, f.h, 'FORBIDDEN', () => f.assign('preliminary-review', [a.expertA], a.provinceReviewer));
    s = await f.assign('preliminary-review', [a.expertA]);
    expect(s.stage).toBe('preliminary-review');
    await f.assign('technical-assessment', [a.expertB]);
    await f.assign('comprehensive-review', [a.expertC]);
    s = await f.decide('preliminary-review', 'supplement', a.expertA, { items: ['铣工评价规范'] });
    expect(s).toMatchObject({ status: 'change-pending', stage: 'preliminary-review' });
    await expectRefused(bed, f.h, 'STAGE_MISMATCH', () => f.decide('preliminary-review', 'pass', a.expertA));
    s = await f.h.executeUpdate(supplementUpdate, {
      args: [{ actor: a.institution, materials: [{ kind: 'occupation-standards', title: '铣工评价规范.pdf' }] }],
    });
    expect(s).toMatchObject({ status: 'change-pending', stage: 'preliminary-review' });
    await f.decide('preliminary-review', 'pass', a.expertA);
    await f.decide('technical-assessment', 'pass', a.expertB, { score: 85 });
    await f.decide('comprehensive-review', 'pass', a.expertC);
    s = await f.decide('deliberation', 'pass', a.prefectureReviewer);
    expect(s).toMatchObject({ stage: 'publicity', track: 'scope-change', status: 'change-pending' });
    const p = s.publicity!;
    expect(p.endDate).toBe(cal.addWorkingDays(chinaDateOf(Date.parse(p.startedAt)), 5).date);

    // an objection during its publicity, dismissed
    const { objectionId } = await f.h.executeUpdate(objectionUpdate, { args: [{}] });
    await f.h.executeUpdate(resolveObjectionUpdate, { args: [{ objectionId, upheld: false, note: '经核查场地满足', actor: a.prefectureReviewer }] });
    // still the old scope, in the state and in the directory
    expect((await f.state()).application.occupations).toHaveLength(1);
    await eventually(async () => expect(await f.directory()).toMatchObject({ occupationCodes: ['6-18-01-01'] }));

    s = await f.closePublicity('notice');
    await expectRefused(bed, f.h, 'FORBIDDEN', () => f.decide('notice', 'pass', a.prefectureReviewer));
    s = await f.decide('notice', 'pass', a.provinceReviewer);
    expect(s).toMatchObject({ status: 'active', track: 'application', stage: null, change: null });
    expect(s.application.occupations).toEqual(occupations);
    expect(s.notice).toMatchObject({ validUntil: active.notice!.validUntil, sequence: active.notice!.sequence, changes: 1 });
    expect(s.notice!.number).toMatch(/-变1号$/);
    s = await f.afterRun(2);
    expect(s.decisions.filter((d) => d.track === 'scope-change').map((d) => `${d.stage}:${d.outcome}`)).toEqual([
      'preliminary-review:supplement',
      'preliminary-review:pass',
      'technical-assessment:pass',
      'comprehensive-review:pass',
      'deliberation:pass',
      'notice:pass',
    ]);
    await eventually(async () => expect(await f.directory()).toMatchObject({ occupationCodes: ['6-18-01-01', '6-18-01-02'], noticeNumber: s.notice!.number }));
  });

  itOnce('a change that raises a level is a scope change too; a change of address keeps the shorter path', async () => {
    const f = await Flow.start(bed, application());
    const { a } = f;
    await f.toActive();
    const raised: Occupation[] = [{ code: '6-18-01-01', name: '车工', levels: [5, 4, 3, 2], basis: 'national-standard' }];
    let s = await f.h.executeUpdate(changeUpdate, { args: [{ actor: a.institution, change: { occupations: raised } }] });
    expect(s).toMatchObject({ track: 'scope-change', stage: 'submitted' });

    const g = await Flow.start(bed, application());
    await g.toActive();
    s = await g.h.executeUpdate(changeUpdate, {
      args: [
        {
          actor: g.a.institution,
          change: { address: '吉林省长春市新址2号', occupations: [{ code: '6-18-01-01', name: '车工', levels: [5, 4], basis: 'national-standard' }] },
        },
      ],
    });
    // fewer levels and a new address: 技术评估 + 综合汇总 + the change decision
    expect(s).toMatchObject({ track: 'change', stage: 'technical-assessment' });
  });

  it("the stage after a publicity is due counting from the publicity's end date, also when its timer is handled minutes or hours late", async () => {
    const f = await Flow.start(bed, application());
    let s = await f.toPublicity();
    const p = s.publicity!;
    s = await f.closePublicity();
    const expected = cal.addWorkingDays(p.endDate, 5).date;
    expect(s.publicity!.closedAt).toBe(p.endsAt);
    expect(s.due).toMatchObject({ stage: 'notice', startedAt: p.endsAt, dueDate: expected });

    // the same history, with the publicity's end handled 5 minutes, 3 hours and 30 hours late
    const history = await f.h.fetchHistory();
    const fired = timerFiredIndex(history, p.endsAtMs);
    const lates = [5 * MINUTE, 3 * HOUR, 30 * HOUR];
    const runs = await probeReplay(
      lates.map((late) => ({ history: delayedAfter(history, fired, late), workflowId: `${f.h.workflowId}+${late}` })),
      require.resolve('../../workflows'),
    );
    for (const late of lates) {
      const dues = runs.get(`${f.h.workflowId}+${late}`)!.filter((c) => c.activityType === 'workingDaysDue');
      const noticeDue = dues[dues.length - 1];
      const { fromMs, workingDays } = noticeDue.args[0] as { fromMs: number; workingDays: number };
      expect(noticeDue.workflowNowMs).toBeGreaterThanOrEqual(p.endsAtMs + late);
      expect([late, chinaDateOf(fromMs), cal.dueAt(fromMs, workingDays).date]).toEqual([late, p.endDate, expected]);
    }
  });

  it('renewal: on time through the end of the day 3 months before the last valid day; reminded 30 days before that, and on it', async () => {
    const f = await Flow.start(bed, application());
    const af = await f.toActive();
    const g = await Flow.start(bed, application());
    const ag = await g.toActive();
    const deadline = renewalDeadline(af.notice!.validUntil, 3);
    const gDeadline = renewalDeadline(ag.notice!.validUntil, 3);
    expect(gDeadline >= deadline).toBe(true);
    const reminders = async (x: Flow) =>
      (await x.notifications())
        .filter((n) => n.kind === 'renewal-reminder')
        .map((n) => chinaDateOf(n.at.getTime()))
        .sort();

    await bed.skipTo(atChinaTime(addCalendarDays(deadline, -30), 0, 1));
    await eventually(async () => expect(await reminders(f)).toEqual([addCalendarDays(deadline, -30)]));
    // 23:00 on the last day in time: on time, and both reminders have gone out
    await bed.skipTo(atChinaTime(deadline, 23));
    await eventually(async () => expect(await reminders(f)).toEqual([addCalendarDays(deadline, -30), deadline]));
    let s = await f.h.executeUpdate(renewalUpdate, { args: [{ actor: f.a.institution }] });
    expect(s.renewal).toMatchObject({ late: false, remindersSent: 2 });
    // half an hour into the day after its deadline: late
    await bed.skipTo(atChinaTime(addCalendarDays(gDeadline, 1), 0, 30));
    await eventually(async () => expect(await reminders(g)).toEqual([addCalendarDays(gDeadline, -30), gDeadline]));
    s = await g.h.executeUpdate(renewalUpdate, { args: [{ actor: g.a.institution }] });
    expect(s.renewal).toMatchObject({ late: true, remindersSent: 2 });
  });

  itOnce('validity: notices issued on 02-28, 02-29, 03-01 and 12-31 are valid through the day before the third anniversary', async () => {
    const flows: Flow[] = [];
    for (let i = 0; i < 4; i++) {
      const f = await Flow.start(bed, application());
      await f.toPublicity();
      flows.push(f);
    }
    for (const f of flows) await f.closePublicity();
    // the next leap year after now
    let y = Number(chinaDateOf(await bed.now()).slice(0, 4)) + 1;
    while (y % 4 !== 0) y++;
    const days = [`${y}-02-28`, `${y}-02-29`, `${y}-03-01`, `${y}-12-31`];
    for (const [i, day] of days.entries()) {
      await bed.skipTo(atChinaTime(day, 10));
      const s = await flows[i].decide('notice', 'pass', flows[i].a.provinceReviewer);
      expect([day, s.notice!.validUntil]).toEqual([day, validityLastDay(day, 3)]);
    }
    expect(validityLastDay(`${y}-03-01`, 3)).toBe(`${y + 3}-02-28`);
    expect(validityLastDay(`${y + 1}-03-01`, 3)).toBe(`${y + 4}-02-29`);
  });

  it('idle exit is a Shanxi rule (001 §四(三)): a Jilin filing stays active without batches', async () => {
    const f = await Flow.start(bed, application());
    const active = await f.toActive();
    await bed.skipTo(endOfDayMs(addYears(chinaDateOf(Date.parse(active.notice!.firstIssuedAt)), 2)) + 30 * DAY);
    expect((await f.state()).status).toBe('active');
    expect((await f.describe()).status.name).toBe('RUNNING');
  });

  it('a Shanxi filing is withdrawn two years after the last exam day held, not after certification', async () => {
    const app = application({ province: '14', prefecture: '140900' });
    const f = await Flow.start(bed, app, SHANXI_2020);
    const active = await shanxiToActive(f);
    const firstIssued = chinaDateOf(Date.parse(active.notice!.firstIssuedAt));
    // a batch held its exams half a year later (its results are still being reviewed: that is not idleness)
    await bed.skip(180 * DAY);
    const lastExamDate = chinaDateOf(await bed.now());
    await f.h.signal(examsHeldSignal, { batchId: 'B-1', lastExamDate });
    await eventually(async () => expect((await f.state()).lastExamDate).toBe(lastExamDate));
    await bed.skipTo(endOfDayMs(addYears(firstIssued, 2)) + DAY);
    expect((await f.state()).status).toBe('active');
    const idleAt = endOfDayMs(addYears(lastExamDate, 2));
    await bed.skipTo(idleAt - MINUTE);
    expect((await f.state()).status).toBe('active');
    await bed.skip(2 * MINUTE);
    const s = await f.ended('withdrawn');
    expect(Date.parse(s.endedAt!)).toBe(idleAt);
    expect(s.endReason).toContain(lastExamDate);
    await eventually(async () => expect(await f.directory()).toBeNull());
  });

  itOnce('Shanxi, a provincial institution: the provincial center reviews first and there is no city bureau step', async () => {
    const app = application({ province: '14', affiliation: 'province' });
    const f = await Flow.start(bed, app, SHANXI_2020);
    const { a } = f;
    let s = await eventually(async () => {
      const st = await f.state();
      expect(st.stage).toBe('city-first-review');
      return st;
    });
    await eventually(async () =>
      expect((await f.view())!.waitingOn).toEqual([
        expect.objectContaining({ action: 'decide:city-first-review', audience: { role: 'center', province: '14' } }),
      ]),
    );
    await expectRefused(bed, f.h, 'FORBIDDEN', () => f.decide('city-first-review', 'pass', a.prefectureCenter, { score: 90 }));
    s = await f.decide('city-first-review', 'pass', a.provinceCenter, { score: 90 });
    expect(s.stage).toBe('province-center-summary');
    const center2: Actor = { ...a.provinceCenter, sub: 'center-p2', name: '省鉴定中心复核' };
    s = await f.decide('province-center-summary', 'pass', center2);
    s = await f.decide('deliberation', 'pass', a.provinceReviewer);
    s = await f.closePublicity('ministry-report');
    s = await f.decide('ministry-report', 'pass', a.provinceReviewer2);
    s = await f.decide('notice', 'pass', a.provinceReviewer);
    expect(s.status).toBe('active');
    expect(s.decisions.map((d) => d.stage)).toEqual(['city-first-review', 'province-center-summary', 'deliberation', 'ministry-report', 'notice']);
  });

  itOnce("a provincial reviewer neither forms expert groups nor resolves objections on a prefecture's filing (004 Art.4)", async () => {
    const f = await Flow.start(bed, application());
    const { a } = f;
    await expectRefused(bed, f.h, 'FORBIDDEN', () => f.assign('preliminary-review', [a.expertA], a.provinceReviewer));
    await f.toPublicity();
    const { objectionId } = await f.h.executeUpdate(objectionUpdate, { args: [{}] });
    await expectRefused(bed, f.h, 'FORBIDDEN', () =>
      f.h.executeUpdate(resolveObjectionUpdate, { args: [{ objectionId, upheld: false, note: 'x', actor: a.provinceReviewer }] }),
    );
    const s = await f.h.executeUpdate(resolveObjectionUpdate, { args: [{ objectionId, upheld: false, note: '经核查不属实', actor: a.prefectureReviewer }] });
    expect(s.publicity!.objections.resolutions[0]).toMatchObject({ objectionId, upheld: false });
    // a provincial institution's filing is the province's own
    const g = await Flow.start(bed, application({ affiliation: 'province' }));
    expect((await g.assign('preliminary-review', [g.a.expertA], g.a.provinceReviewer)).stage).toBe('preliminary-review');
  });

  /** Shanxi 2020, a prefecture institution: from submission to the notice. */
  async function shanxiToActive(f: Flow) {
    const { a } = f;
    await eventually(async () => expect((await f.state()).stage).toBe('city-first-review'));
    await f.decide('city-first-review', 'pass', a.prefectureCenter, { score: 90 });
    await f.decide('city-bureau-review', 'pass', a.prefectureReviewer);
    await f.decide('province-center-summary', 'pass', a.provinceCenter);
    await f.decide('deliberation', 'pass', a.provinceReviewer);
    await f.closePublicity('ministry-report');
    await f.decide('ministry-report', 'pass', a.provinceReviewer2);
    const s = await f.decide('notice', 'pass', a.provinceReviewer);
    expect(s.status).toBe('active');
    return f.afterRun(1);
  }
});
