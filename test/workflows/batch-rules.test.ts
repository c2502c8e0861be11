/**
 * Batch rules as the seeds write them (issue #11): a plan is tied to what was filed (venues, staff,
 * occupations and trades), pass marks never below 60, deadlines from the day their cause happened
 * (also when a timer fires late), termination and expiry end unfinished batches, each center decides only its
 * own batches, and the result publicity names the passing candidates.
 */
import { publicityNames } from '../../api/repositories/batches';
import { WorkingDayCalendar } from '../../domain/calendar';
import { addCalendarDays, chinaDateOf, endOfDayMs } from '../../domain/dates';
import { delayedAfter, probeReplay, timerFiredIndex } from '../harness/late-timers';
import type { Application } from '../../domain/filing';
import { stateQuery as filingStateQuery, terminationUpdate } from '../../workflows/filing/messages';
import { decideUpdate, superviseUpdate } from '../../workflows/batch/messages';
import { application } from '../fixtures/filing';
import { candidate, candidates, passingScores, plan, registerSupervisors } from '../fixtures/batch';
import {
  batchBed,
  eventually,
  examEnd,
  leadDates,
  MINUTE,
  passResults,
  refusal,
  toPublicity,
  toResultsReview,
  type ActiveFiling,
  type BatchBed,
} from '../harness/batch-env';
import { itOnce } from '../harness/start-dates';

const HOUR = 3_600_000;

describe('batch rules as the seeds write them', () => {
  let bed: BatchBed;
  let f: ActiveFiling;
  beforeAll(async () => {
    bed = await batchBed();
    await bed.begin();
    const app: Application = {
      ...application(),
      occupations: [
        { code: '6-18-01-01', name: '车工', levels: [5, 4, 3], basis: 'national-standard' },
        // a trade filed by its own 5-segment code, and an occupation filed as a whole
        { code: '6-18-01-03-01', name: '钳工', trade: '装配钳工', levels: [4], basis: 'national-standard' },
        { code: '6-18-01-02', name: '铣工', levels: [5, 4], basis: 'national-standard' },
      ],
    };
    app.venues = [
      { name: '一号实训车间', address: '吉林省长春市朝阳区人民大街1号' },
      { name: '合作实训基地', address: '吉林省长春市绿园区合作路9号', premises: 'external' },
    ];
    f = await bed.activeFiling(app);
  });
  afterEach(async () => bed.cleanup());
  afterAll(async () => bed?.close());

  const cal = new WorkingDayCalendar();

  itOnce("refuses a venue the filing does not list, and an employer's skill exam away from its own premises", async () => {
    const { earliest } = await leadDates(bed);
    const cands = candidates(f.app, [4]);
    const r1 = await refusal(
      bed.submit(f, plan(f.app, earliest.date, earliest.date, cands, { venues: [{ name: '某酒店会议室', address: '吉林省长春市南关区某路1号' }] })),
    );
    expect(r1.code).toBe('VENUE_NOT_FILED');
    expect(r1.details.offending).toEqual([expect.objectContaining({ index: 0, name: '某酒店会议室' })]);
    const r2 = await refusal(
      bed.submit(f, plan(f.app, earliest.date, earliest.date, cands, { venues: [{ name: '合作实训基地', address: '吉林省长春市绿园区合作路9号' }] })),
    );
    expect(r2.code).toBe('VENUE_NOT_OWN_PREMISES');
    // theory at the partner's site, the skill exam at home: accepted; the address may differ in spacing
    const s = await bed.submit(
      f,
      plan(f.app, earliest.date, earliest.date, cands, {
        venues: [
          { name: '合作实训基地', address: '吉林省长春市绿园区合作路9号', modules: ['theory'] },
          { name: '车间', address: '吉林省 长春市 朝阳区人民大街1号', modules: ['skill'] },
        ],
      }),
    );
    expect(s.status).toBe('planned');
  });

  itOnce('needs a proctor, an examiner and an internal quality supervisor; theory and skill, each passing at 60 or more (422 VALIDATION_FAILED)', async () => {
    const { earliest } = await leadDates(bed);
    const p = (extra: Parameters<typeof plan>[4]) => plan(f.app, earliest.date, earliest.date, candidates(f.app, [4]), extra);
    for (const key of ['proctors', 'examiners', 'supervisors'] as const) {
      const r = await refusal(bed.submit(f, p({ [key]: [] })));
      expect([r.code, r.details.httpStatus]).toEqual(['VALIDATION_FAILED', 422]);
      expect(r.message).toContain(key);
    }
    const low = await refusal(
      bed.submit(
        f,
        p({
          modules: [
            { kind: 'theory', passMark: 60 },
            { kind: 'skill', passMark: 50 },
          ],
        }),
      ),
    );
    expect([low.code, low.details.httpStatus]).toEqual(['VALIDATION_FAILED', 422]);
    expect(low.message).toMatch(/skill.*50.*below 60/);
    expect((await refusal(bed.submit(f, p({ modules: [{ kind: 'skill' }] })))).message).toMatch(/theory module .* always required/);
    expect((await refusal(bed.submit(f, p({ modules: [{ kind: 'theory' }, { kind: 'skill', required: false }] })))).message).toMatch(
      /skill module .* cannot be optional/,
    );
    // higher than 60 is the standard's right
    expect(
      (
        await bed.submit(
          f,
          p({
            modules: [
              { kind: 'theory', passMark: 70 },
              { kind: 'skill', passMark: 75 },
              { kind: 'performance', required: false },
            ],
          }),
        )
      ).status,
    ).toBe('planned');
  });

  itOnce('assesses every filed occupation and trade, in the one code format (6-18-01-01, with a 5th segment for a trade)', async () => {
    const { earliest } = await leadDates(bed);
    const ok = [
      candidate(f.app, { occupationCode: '6-18-01-01', level: 3 }),
      candidate(f.app, { occupationCode: '6-18-01-03-01', trade: '装配钳工', level: 4 }),
      candidate(f.app, { occupationCode: '6-18-01-03-01', level: 4 }),
      // a trade of an occupation filed as a whole
      candidate(f.app, { occupationCode: '6-18-01-02-01', trade: '数控铣工', level: 5 }),
    ];
    const s = await bed.submit(f, plan(f.app, earliest.date, earliest.date, ok));
    expect((await bed.full(s.id)).plan.candidates.map((c) => c.occupationName)).toEqual(['车工', '钳工', '钳工', '铣工']);
    const out = await refusal(bed.submit(f, plan(f.app, earliest.date, earliest.date, [candidate(f.app, { occupationCode: '6-18-01-03-02', level: 4 })])));
    expect(out.code).toBe('OUT_OF_SCOPE');
    const wrongTrade = await refusal(
      bed.submit(f, plan(f.app, earliest.date, earliest.date, [candidate(f.app, { occupationCode: '6-18-01-03-01', trade: '机修钳工', level: 4 })])),
    );
    expect(wrongTrade.code).toBe('OUT_OF_SCOPE');
  });

  it("counts scores from the last exam day and results from the publicity's end, also when the timers are handled hours late", async () => {
    const { earliest } = await leadDates(bed);
    const p = plan(f.app, earliest.date, earliest.date, candidates(f.app, [4, 4]));
    const id = (await bed.submit(f, p)).id;
    await bed.handle(id).executeUpdate(decideUpdate, { args: [{ stage: 'plan-review', outcome: 'pass', opinion: '已备案', actor: f.b.center }] });
    let s = await toPublicity(bed, f, id, passingScores(p.candidates));
    const scoresDue = cal.addWorkingDays(p.lastExamDate, 10).date;
    const pub = s.publicity!;
    s = await toResultsReview(bed, f, id);
    const resultsDue = cal.addWorkingDays(pub.endDate, 10).date;
    const history = await bed.handle(id).fetchHistory();
    expect((await bed.state(id)).history.find((e) => e.event === 'publicity-closed')).toBeDefined();

    // the exams' end and the publicity's end, each handled 3 hours and 30 hours late
    const lates = [3 * HOUR, 30 * HOUR];
    const cases = [
      { firedAt: examEnd(p), label: 'scores', fromDate: p.lastExamDate, due: scoresDue },
      { firedAt: pub.endsAtMs, label: 'results', fromDate: pub.endDate, due: resultsDue },
    ];
    const items = cases.flatMap((c) =>
      lates.map((late) => ({ history: delayedAfter(history, timerFiredIndex(history, c.firedAt), late), workflowId: `${id}+${c.label}+${late}` })),
    );
    const runs = await probeReplay(items, require.resolve('../../workflows'));
    for (const c of cases) {
      for (const late of lates) {
        const calls = runs.get(`${id}+${c.label}+${late}`)!;
        // the first due date computed once the timer was handled
        const due = calls.find((x) => x.activityType === 'workingDaysDue' && x.workflowNowMs >= c.firedAt + late)!;
        const { fromMs, workingDays } = due.args[0] as { fromMs: number; workingDays: number };
        expect([c.label, late, chinaDateOf(fromMs), cal.dueAt(fromMs, workingDays).date]).toEqual([c.label, late, c.fromDate, c.due]);
      }
    }
  });

  itOnce("a provincial center draws supervisors but does not decide a prefecture's batch; the publicity names each passing candidate, ID masked", async () => {
    await registerSupervisors(bed.models, [{ userId: 'sup-r1', name: '督导', province: '22' }]);
    const { earliest } = await leadDates(bed);
    const p = plan(f.app, earliest.date, earliest.date, candidates(f.app, [4, 3]));
    const id = (await bed.submit(f, p)).id;
    const h = bed.handle(id);
    expect(
      (await refusal(h.executeUpdate(decideUpdate, { args: [{ stage: 'plan-review', outcome: 'pass', opinion: 'x', actor: f.b.provinceCenter }] }))).code,
    ).toBe('FORBIDDEN');
    const drawn = await h.executeUpdate(superviseUpdate, { args: [{ action: 'assign', count: 1, actor: f.b.provinceCenter }] });
    expect(drawn.supervision.assigned).toHaveLength(1);
    await toPublicity(bed, f, id, passingScores(p.candidates));
    const names = await publicityNames(bed.models, id, 1);
    expect(names).toEqual(
      p.candidates.map((c) =>
        expect.objectContaining({ name: c.name, idNumber: expect.stringMatching(/^\d{3}\*{11}[\dX]{4}$/), occupationCode: '6-18-01-01', level: c.level }),
      ),
    );
    expect(JSON.stringify(names)).not.toContain(p.candidates[0].idNumber);
  });

  itOnce('termination ends every unfinished batch at once with its refund list; certificates already issued stay valid', async () => {
    const g = await bed.activeFiling(application());
    const { earliest } = await leadDates(bed);
    const done = plan(g.app, earliest.date, earliest.date, candidates(g.app, [4]));
    const doneId = (await bed.submit(g, done)).id;
    await toPublicity(bed, g, doneId, passingScores(done.candidates));
    await toResultsReview(bed, g, doneId);
    const certified = await passResults(bed, g, doneId);
    expect(certified.status).toBe('certified');

    // three more: one in results review, then one planned and one acknowledged for a month later
    const later = await leadDates(bed);
    const revPlan = plan(g.app, later.earliest.date, later.earliest.date, candidates(g.app, [4, 4]));
    const rev = (await bed.submit(g, revPlan)).id;
    const nextMonth = addCalendarDays(later.earliest.date, 60);
    const planned = (await bed.submit(g, plan(g.app, nextMonth, nextMonth, candidates(g.app, [4, 5])))).id;
    const ackPlan = plan(g.app, nextMonth, nextMonth, candidates(g.app, [4]));
    const ack = (await bed.submit(g, ackPlan)).id;
    await bed.handle(ack).executeUpdate(decideUpdate, { args: [{ stage: 'plan-review', outcome: 'pass', opinion: '已备案', actor: g.b.center }] });
    await toPublicity(bed, g, rev, passingScores(revPlan.candidates));
    await toResultsReview(bed, g, rev);
    expect((await bed.state(ack)).status).toBe('acknowledged');

    const t = await g.handle.executeUpdate(terminationUpdate, { args: [{ reason: '严重违规：超范围认定', actor: g.a.provinceReviewer }] });
    expect(t.status).toBe('terminated');
    for (const id of [planned, ack, rev]) {
      const s = await bed.full(id);
      expect(s.status).toBe('cancelled');
      expect(s.cancellation!.refund).toEqual({ count: s.plan.candidates.length, idNumbers: s.plan.candidates.map((c) => c.idNumber) });
      expect(s.plan.roster.count).toBe(s.plan.candidates.length);
      expect(Date.parse(s.cancellation!.at)).toBeLessThanOrEqual(Date.parse(t.termination!.at!));
    }
    expect(t.history.find((e) => e.event === 'batches-cancelled')!.note).toContain(rev);
    // no certificate after the termination: the reviewed batch issued none; the earlier ones stay valid
    expect(await bed.models.Certificate.countDocuments({ batchId: rev })).toBe(0);
    const kept = await bed.models.Certificate.find({ batchId: doneId }).lean();
    expect(kept.map((c) => c.status)).toEqual(['valid']);
    // a new plan on the terminated filing is refused
    expect((await refusal(bed.submit(g, plan(g.app, later.earliest.date, later.earliest.date, candidates(g.app, [4]))))).code).toBe('FILING_NOT_VALID');
    await bed.skipTo(examEnd(ackPlan) + MINUTE);
    expect((await bed.state(ack)).status).toBe('cancelled');
  });

  it('an expired filing ends its unfinished batches with their refund lists (patch expiry-ends-batches; old runs replay without it)', async () => {
    const g = await bed.activeFiling(application());
    const validUntil = (await g.handle.query(filingStateQuery)).notice!.validUntil;
    const expiresAt = endOfDayMs(validUntil);
    // not renewed: a batch planned seven weeks before the end is in results review when it comes
    await bed.skipTo(expiresAt - 50 * 86_400_000);
    const { earliest } = await leadDates(bed);
    const p = plan(g.app, earliest.date, earliest.date, candidates(g.app, [4, 4]));
    const id = (await bed.submit(g, p)).id;
    await toPublicity(bed, g, id, passingScores(p.candidates));
    await toResultsReview(bed, g, id);
    expect((await bed.state(id)).status).toBe('results-review');

    await bed.skipTo(expiresAt + MINUTE);
    const ended = await g.handle.result();
    expect(ended.status).toBe('expired');
    const s = await bed.until(id, (x) => x.status === 'cancelled', 'cancelled by the expiry');
    expect(s.cancellation!.refund).toEqual({ count: 2 });
    await eventually(async () => expect((await bed.full(id)).cancellation!.refund).toEqual({ count: 2, idNumbers: p.candidates.map((c) => c.idNumber) }));
    expect(s.cancellation!.reason).toContain('有效期届满');
    expect(await bed.models.Certificate.countDocuments({ batchId: id })).toBe(0);
    const after = await g.handle.query(filingStateQuery);
    expect(after.history.some((e) => e.event === 'batches-cancelled' && e.note?.includes(id))).toBe(true);
  });
});
