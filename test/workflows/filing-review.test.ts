/**
 * Filing workflow, the review path (SPEC §2 steps 1–6): the happy path with its read models, 补正,
 * a reject at every deciding stage, the refusals (wrong stage, not assigned, four eyes, conflict of
 * interest) and the Shanxi 2020 preset end to end.
 */
import { SHANXI_2020 } from '../../domain/filing-policy';
import { supplementUpdate } from '../../workflows/filing/messages';
import { WorkingDayCalendar } from '../../domain/calendar';
import { application, idNumber } from '../fixtures/filing';
import { DAY, eventually, expectRefused, filingBed, Flow, type FilingBed } from '../harness/filing-env';
import { itOnce } from '../harness/start-dates';

describe('filing workflow: review', () => {
  let bed: FilingBed;
  beforeAll(async () => {
    bed = await filingBed();
  });
  beforeEach(async () => {
    await bed.begin();
  });
  afterEach(async () => bed.cleanup());
  afterAll(async () => bed?.close());

  it('happy path: 申报 → 初评 → 技术评估 → 综合汇总 → 审议 → 公示 → 备案通知, with read model, audit, notifications and directory', async () => {
    const f = await Flow.start(bed, application());
    const { a } = f;
    let s = await f.state();
    expect(s).toMatchObject({ status: 'in-review', track: 'application', stage: 'submitted', runs: 0 });
    // the jurisdiction's reviewers are told a filing arrived and must form the 初评 group
    await eventually(async () => {
      const v = await f.view();
      expect(v).toMatchObject({ status: 'in-review', stage: 'submitted', province: '22', prefecture: '220100', level: 'prefecture' });
      expect(v!.waitingOn).toEqual([
        expect.objectContaining({ action: 'assign:preliminary-review', audience: { role: 'prefecture-reviewer', province: '22', prefecture: '220100' } }),
      ]);
    });

    s = await f.assign('preliminary-review', [a.expertA]);
    expect(s.stage).toBe('preliminary-review');
    expect(s.due).toMatchObject({ stage: 'preliminary-review', escalation: 0 });
    expect(s.due!.dueAtMs).toBeGreaterThan(await bed.now());
    await f.assign('technical-assessment', [a.expertB]);
    await f.assign('comprehensive-review', [a.expertC]);
    s = await f.decide('preliminary-review', 'pass', a.expertA);
    expect(s.stage).toBe('technical-assessment');
    s = await f.decide('technical-assessment', 'pass', a.expertB, { score: 86 });
    expect(s.stage).toBe('comprehensive-review');
    s = await f.decide('comprehensive-review', 'pass', a.expertC);
    expect(s.stage).toBe('deliberation');
    s = await f.decide('deliberation', 'pass', a.prefectureReviewer);
    expect(s.stage).toBe('publicity');
    expect(s.due).toBeNull();
    expect(s.publicity).toMatchObject({ track: 'application', round: 1, objections: { received: 0, resolutions: [] } });
    await eventually(async () => expect((await f.view())!.dueAt!.getTime()).toBe(s.publicity!.endsAtMs));

    s = await f.closePublicity();
    expect(s.publicity).toMatchObject({ outcome: 'closed' });
    expect(Date.parse(s.publicity!.closedAt!)).toBeGreaterThanOrEqual(s.publicity!.endsAtMs);

    s = await f.decide('notice', 'pass', a.provinceReviewer);
    expect(s.status).toBe('active');
    expect(s.notice).toMatchObject({ sequence: expect.stringMatching(/^\d{6}$/), renewals: 0 });
    expect(s.notice!.institutionCode).toBe(`Y000022${s.notice!.sequence}`);
    expect(s.decisions.map((d) => [d.stage, d.actor.sub])).toEqual([
      ['preliminary-review', 'expert-a'],
      ['technical-assessment', 'expert-b'],
      ['comprehensive-review', 'expert-c'],
      ['deliberation', 'pref-rev-1'],
      ['notice', 'prov-rev-1'],
    ]);
    s = await f.afterRun(1);
    expect(s).toMatchObject({ status: 'active', stage: null, due: null });

    const dir = await eventually(async () => {
      const d = await f.directory();
      expect(d).not.toBeNull();
      return d!;
    });
    expect(dir).toMatchObject({
      filingId: f.id,
      institutionCode: s.notice!.institutionCode,
      validUntil: s.notice!.validUntil,
      occupationCodes: ['6-18-01-01'],
    });
    await eventually(async () => expect(await f.view()).toMatchObject({ status: 'active', stage: null, escalation: 0 }));
    const actions = (await f.audit()).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['filing.submit', 'filing.assign', 'filing.decide', 'filing.publicity-closed', 'filing.transition']));
    expect(actions.filter((x) => x === 'filing.decide')).toHaveLength(5);
    const notes = await f.notifications();
    expect(
      notes
        .filter((n) => n.kind === 'assignment')
        .flatMap((n) => n.userIds)
        .sort(),
    ).toEqual(['expert-a', 'expert-b', 'expert-c']);
    expect(notes.find((n) => n.kind === 'notice')).toMatchObject({ institutionId: f.creditCode });
  });

  it('补正 twice, then pass: supplement-requested, back in review with a fresh due date each time', async () => {
    const f = await Flow.start(bed, application());
    const { a } = f;
    await f.assignAll();
    const first = await f.state();
    let lastDue = first.due!;
    // another user of the institution answers the 补正
    const clerk = { ...a.institution, sub: 'inst-clerk-2', name: '经办人二' };
    for (const round of [1, 2]) {
      await bed.skip(2 * DAY);
      let s = await f.decide('preliminary-review', 'supplement', a.expertA, { items: [`应急预案第${round}版`] });
      expect(s).toMatchObject({ status: 'supplement-requested', stage: 'preliminary-review' });
      expect(s.supplements).toHaveLength(round);
      expect(s.supplements[round - 1]).toMatchObject({ stage: 'preliminary-review', items: [`应急预案第${round}版`] });
      await eventually(async () => {
        const v = await f.view();
        expect(v).toMatchObject({ status: 'supplement-requested' });
        expect(v!.waitingOn).toEqual([expect.objectContaining({ action: 'supplement', audience: { role: 'institution', institutionId: f.creditCode } })]);
      });
      // nobody decides while the applicant owes materials; only the applicant supplements
      await expectRefused(bed, f.h, 'STAGE_MISMATCH', () => f.decide('preliminary-review', 'pass', a.expertA));
      await expectRefused(bed, f.h, 'FORBIDDEN', () =>
        f.h.executeUpdate(supplementUpdate, { args: [{ actor: a.prefectureReviewer, materials: [{ kind: 'emergency-plan', title: 'x.pdf' }] }] }),
      );

      await bed.skip(3 * DAY);
      s = await f.h.executeUpdate(supplementUpdate, {
        args: [
          {
            actor: clerk,
            requestId: `req-supplement-${round}`,
            note: `第${round}次补正`,
            materials: [{ kind: 'emergency-plan', title: `应急预案-v${round}.pdf` }],
          },
        ],
      });
      expect(s).toMatchObject({ status: 'in-review', stage: 'preliminary-review' });
      expect(s.supplements[round - 1]).toMatchObject({ note: `第${round}次补正`, answeredAt: expect.any(String) });
      expect(s.application.materials.find((m) => m.kind === 'emergency-plan')!.title).toBe(`应急预案-v${round}.pdf`);
      expect(s.due!.stage).toBe('preliminary-review');
      expect(Date.parse(s.due!.startedAt)).toBeGreaterThan(Date.parse(lastDue.startedAt));
      // due afresh, 10 working days from the day the materials came in (a holiday week may leave it where it was)
      expect(s.due!.dueAtMs).toBe(new WorkingDayCalendar().dueAt(Date.parse(s.due!.startedAt), 10).dueAtMs);
      expect(s.due!.dueAtMs).toBeGreaterThanOrEqual(lastDue.dueAtMs);
      expect(s.due!.escalation).toBe(0);
      lastDue = s.due!;
    }
    // no 补正 is requested now
    await expectRefused(bed, f.h, 'STAGE_MISMATCH', () =>
      f.h.executeUpdate(supplementUpdate, { args: [{ actor: a.institution, materials: [{ kind: 'emergency-plan', title: 'x.pdf' }] }] }),
    );
    const s = await f.decide('preliminary-review', 'pass', a.expertA);
    expect(s).toMatchObject({ status: 'in-review', stage: 'technical-assessment' });
    expect(s.decisions.map((d) => d.outcome)).toEqual(['supplement', 'supplement', 'pass']);
    await eventually(async () => {
      const audit = await f.audit();
      const supplements = audit.filter((e) => e.action === 'filing.supplement');
      expect(supplements.map((e) => [e.actor, e.requestId])).toEqual([
        ['inst-clerk-2', 'req-supplement-1'],
        ['inst-clerk-2', 'req-supplement-2'],
      ]);
      for (const e of supplements) {
        expect(e.before).toEqual({ status: 'supplement-requested', stage: 'preliminary-review' });
        expect(e.after).toEqual({ status: 'in-review', stage: 'preliminary-review' });
      }
      const notes = await f.notifications();
      expect(notes.filter((n) => n.kind === 'supplement-requested' && n.institutionId === f.creditCode)).toHaveLength(2);
    });
  });

  const rejectAt = ['preliminary-review', 'technical-assessment', 'comprehensive-review', 'deliberation', 'notice'] as const;
  it.each(rejectAt)('a reject at %s ends the filing as rejected', async (stage) => {
    const f = await Flow.start(bed, application());
    const { a } = f;
    await f.assignAll();
    const deciders = {
      'preliminary-review': a.expertA,
      'technical-assessment': a.expertB,
      'comprehensive-review': a.expertC,
      deliberation: a.prefectureReviewer,
      notice: a.provinceReviewer,
    };
    for (const st of rejectAt) {
      if (st === 'notice') await f.closePublicity();
      if (st === stage) break;
      await f.decide(st, 'pass', deciders[st], st === 'technical-assessment' ? { score: 70 } : {});
    }
    const s = await f.decide(stage, 'reject', deciders[stage], { opinion: '不符合条件' });
    expect(s.status).toBe('rejected');
    expect(s.decisions.at(-1)).toMatchObject({ stage, outcome: 'reject', actor: { sub: deciders[stage].sub } });
    expect(await f.h.result()).toMatchObject({ status: 'rejected' });
    const end = await f.ended('rejected');
    expect(end).toMatchObject({ stage: null, due: null, notice: null });
    await eventually(async () => {
      expect(await f.view()).toMatchObject({ status: 'rejected', stage: null });
      expect((await f.audit()).map((e) => e.action)).toContain('filing.rejected');
    });
    expect(await f.directory()).toBeNull();
    // a finished filing takes no more decisions or assignments
    await expect(f.decide(stage, 'pass', deciders[stage])).rejects.toThrow();
  });

  itOnce(
    'refuses a decision on the wrong stage, by an unassigned expert and by the decider of the previous stage (four eyes); the state is unchanged',
    async () => {
      const f = await Flow.start(bed, application());
      const { a } = f;
      // expert A forms the 初评 and the 技术评估 groups alone
      await f.assign('preliminary-review', [a.expertA]);
      await f.assign('technical-assessment', [a.expertA]);
      await expectRefused(bed, f.h, 'STAGE_MISMATCH', () => f.decide('technical-assessment', 'pass', a.expertA, { score: 80 }));
      await expectRefused(bed, f.h, 'NOT_ASSIGNED', () => f.decide('preliminary-review', 'pass', a.expertB));
      await expectRefused(bed, f.h, 'FORBIDDEN', () => f.decide('preliminary-review', 'pass', a.prefectureReviewer));
      await f.decide('preliminary-review', 'pass', a.expertA);
      await expectRefused(bed, f.h, 'FOUR_EYES', () => f.decide('technical-assessment', 'pass', a.expertA, { score: 80 }));
      // nor may the group of the next stage be expert A alone
      await expectRefused(bed, f.h, 'FOUR_EYES', () => f.assign('comprehensive-review', [a.expertA]));
      // re-forming the group with B lets the stage go on
      await f.assign('technical-assessment', [a.expertB]);
      // 技术评估 needs a score
      await expectRefused(bed, f.h, 'VALIDATION_FAILED', () => f.decide('technical-assessment', 'pass', a.expertB));
      await expectRefused(bed, f.h, 'NOT_ASSIGNED', () => f.decide('technical-assessment', 'pass', a.expertA, { score: 80 }));
      const s = await f.decide('technical-assessment', 'pass', a.expertB, { score: 80 });
      expect(s.stage).toBe('comprehensive-review');
      expect(s.decisions).toHaveLength(2);
    },
  );

  itOnce(
    "refuses an expert on the institution's own staff (CONFLICT_OF_INTEREST) and assignments by others than the jurisdiction; the state is unchanged",
    async () => {
      const staffId = idNumber(417);
      const f = await Flow.start(bed, application({ staffIdNumbers: [idNumber(416), staffId] }));
      const { a } = f;
      await expectRefused(bed, f.h, 'CONFLICT_OF_INTEREST', () =>
        f.assign('preliminary-review', [a.expertA, a.expertB], a.prefectureReviewer, { [a.expertB.sub]: staffId.toLowerCase() }),
      );
      await expectRefused(bed, f.h, 'FORBIDDEN', () => f.assign('preliminary-review', [a.expertA], a.institution));
      await expectRefused(bed, f.h, 'FORBIDDEN', () => f.assign('preliminary-review', [a.expertA], { ...a.prefectureReviewer, prefecture: '220200' }));
      await expectRefused(bed, f.h, 'STAGE_MISMATCH', () => f.assign('deliberation', [a.expertA]));
      await expectRefused(bed, f.h, 'VALIDATION_FAILED', () => f.assign('preliminary-review', []));
      const s = await f.assign('preliminary-review', [a.expertA, a.expertB], a.prefectureReviewer, { [a.expertB.sub]: idNumber(418) });
      expect(s.stage).toBe('preliminary-review');
      expect(s.assignments['preliminary-review'].map((e) => e.userId)).toEqual(['expert-a', 'expert-b']);
    },
  );

  it('Shanxi 2020 (忻州): prefecture center → prefecture bureau → province center → province → publicity → ministry report → notice', async () => {
    const app = application({ province: '14', prefecture: '140900' });
    const f = await Flow.start(bed, app, SHANXI_2020);
    const { a } = f;
    let s = await eventually(async () => {
      const st = await f.state();
      expect(st.stage).toBe('city-first-review');
      return st;
    });
    expect(s.policy.id).toBe('shanxi-2020');
    expect(s.due).toMatchObject({ stage: 'city-first-review', escalation: 0 });
    await eventually(async () => {
      const v = await f.view();
      expect(v).toMatchObject({ stage: 'city-first-review', policyId: 'shanxi-2020', province: '14', prefecture: '140900' });
      expect(v!.waitingOn).toEqual([
        expect.objectContaining({ action: 'decide:city-first-review', audience: { role: 'center', province: '14', prefecture: '140900' } }),
      ]);
    });
    // the wrong bodies are refused at each step
    await expectRefused(bed, f.h, 'FORBIDDEN', () => f.decide('city-first-review', 'pass', a.provinceCenter, { score: 90 }));
    await expectRefused(bed, f.h, 'FORBIDDEN', () => f.decide('city-first-review', 'pass', { ...a.prefectureCenter, prefecture: '140100' }, { score: 90 }));
    s = await f.decide('city-first-review', 'pass', a.prefectureCenter, { score: 90 });
    expect(s.stage).toBe('city-bureau-review');
    await expectRefused(bed, f.h, 'FORBIDDEN', () => f.decide('city-bureau-review', 'pass', a.provinceReviewer));
    s = await f.decide('city-bureau-review', 'pass', a.prefectureReviewer);
    expect(s.stage).toBe('province-center-summary');
    await expectRefused(bed, f.h, 'FORBIDDEN', () => f.decide('province-center-summary', 'pass', a.prefectureCenter));
    s = await f.decide('province-center-summary', 'pass', a.provinceCenter);
    expect(s.stage).toBe('deliberation');
    await expectRefused(bed, f.h, 'FORBIDDEN', () => f.decide('deliberation', 'pass', a.prefectureReviewer));
    s = await f.decide('deliberation', 'pass', a.provinceReviewer);
    expect(s.stage).toBe('publicity');
    s = await f.closePublicity('ministry-report');
    await expectRefused(bed, f.h, 'FOUR_EYES', () => f.decide('ministry-report', 'pass', a.provinceReviewer));
    s = await f.decide('ministry-report', 'pass', a.provinceReviewer2);
    expect(s.stage).toBe('notice');
    s = await f.decide('notice', 'pass', a.provinceReviewer);
    expect(s.status).toBe('active');
    expect(s.notice!.institutionCode).toBe(`Y000014${s.notice!.sequence}`);
    expect(s.notice!.number).toMatch(/^晋人社技备/);
    expect(s.decisions.map((d) => [d.stage, d.actor.sub])).toEqual([
      ['city-first-review', 'center-1'],
      ['city-bureau-review', 'pref-rev-1'],
      ['province-center-summary', 'center-p'],
      ['deliberation', 'prov-rev-1'],
      ['ministry-report', 'prov-rev-2'],
      ['notice', 'prov-rev-1'],
    ]);
    await f.afterRun(1);
    await eventually(async () =>
      expect(await f.directory()).toMatchObject({ province: '14', prefecture: '140900', institutionCode: s.notice!.institutionCode }),
    );
  });
});
