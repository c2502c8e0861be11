/**
 * Filing workflow, the active life after 备案通知 (SPEC §2, §8): continue-as-new with the full state,
 * renewal in time and late, a change that re-runs the assessment, voluntary and ordered termination.
 */
import { addMonths, addYears, endOfDayMs } from '../../domain/dates';
import { changeUpdate, examsHeldSignal, renewalUpdate, terminationUpdate } from '../../workflows/filing/messages';
import { application } from '../fixtures/filing';
import { DAY, eventually, expectRefused, filingBed, Flow, type FilingBed } from '../harness/filing-env';
import { itOnce } from '../harness/start-dates';

describe('filing workflow: active life', () => {
  let bed: FilingBed;
  beforeAll(async () => {
    bed = await filingBed();
  });
  beforeEach(async () => {
    await bed.begin();
  });
  afterEach(async () => bed.cleanup());
  afterAll(async () => bed?.close());

  const applyRenewal = (f: Flow) => f.h.executeUpdate(renewalUpdate, { args: [{ actor: f.a.institution, note: '申请续期' }] });

  itOnce('continues as new after the notice, keeping the full state (decisions, notice, publicity, history)', async () => {
    const f = await Flow.start(bed, application());
    await f.toPublicity();
    await f.closePublicity();
    const last = await f.decide('notice', 'pass', f.a.provinceReviewer);
    expect(last).toMatchObject({ status: 'active', runs: 0 });
    const s = await f.afterRun(1);
    const d = await f.describe();
    expect(d.runId).not.toBe(f.h.firstExecutionRunId);
    expect(d.status.name).toBe('RUNNING');
    // the new run starts from exactly the state the old one ended with
    expect({ ...s, runs: 0 }).toEqual(last);
    expect(s.decisions).toHaveLength(5);
    expect(s.notice).toEqual(last.notice);
    expect(s.publicity).toMatchObject({ outcome: 'closed' });
    expect(s.assignedExperts.sort()).toEqual(['expert-a', 'expert-b', 'expert-c']);
    const events = s.history.map((h) => h.event);
    expect(events).toEqual(expect.arrayContaining(['submitted', 'experts-assigned', 'publicity-started', 'publicity-closed', 'notice-issued', 'filed']));
    expect(events[0]).toBe('submitted');
    // nothing is under review now: no expert group can be formed (it would grant read access)
    await expectRefused(bed, f.h, 'STAGE_MISMATCH', () => f.assign('preliminary-review', [f.a.expertB]));
    // and it still answers: a batch report reaches the new run
    await f.h.signal(examsHeldSignal, { batchId: 'B-1', lastExamDate: '2041-05-06' });
    await eventually(async () => expect((await f.state()).lastExamDate).toBe('2041-05-06'));
  });

  it('renewal in time: applied before expiry − 3 months, renewal notice by another provincial reviewer, valid 3 more years, new run', async () => {
    const f = await Flow.start(bed, application({ affiliation: 'province' }));
    const { a } = f;
    const active = await f.toActive(a.provinceReviewer2);
    const validUntil = active.notice!.validUntil;
    const run1 = (await f.describe()).runId;
    // only the institution applies, and not while something else is pending
    await expectRefused(bed, f.h, 'FORBIDDEN', () => f.h.executeUpdate(renewalUpdate, { args: [{ actor: a.provinceReviewer }] }));

    await bed.skip(300 * DAY);
    let s = await applyRenewal(f);
    expect(s).toMatchObject({ status: 'renewal-pending', track: 'renewal', stage: 'renewal', renewal: { late: false } });
    expect(s.due).toMatchObject({ track: 'renewal', stage: 'renewal' });
    await expectRefused(bed, f.h, 'INVALID_STATE', () => applyRenewal(f));
    await expectRefused(bed, f.h, 'INVALID_STATE', () => f.h.executeUpdate(changeUpdate, { args: [{ actor: a.institution, change: { address: 'x' } }] }));
    await eventually(async () => {
      expect(await f.view()).toMatchObject({ status: 'renewal-pending', stage: 'renewal', track: 'renewal' });
      expect(await f.directory()).toMatchObject({ validUntil });
    });

    s = await f.decide('renewal', 'pass', a.provinceReviewer, { opinion: '近三年认定工作规范' });
    expect(s).toMatchObject({ stage: 'notice', track: 'renewal', status: 'renewal-pending' });
    await expectRefused(bed, f.h, 'FOUR_EYES', () => f.decide('notice', 'pass', a.provinceReviewer));
    await expectRefused(bed, f.h, 'FORBIDDEN', () => f.decide('notice', 'pass', a.prefectureReviewer));
    s = await f.decide('notice', 'pass', a.provinceReviewer2);
    expect(s).toMatchObject({ status: 'active', track: 'application', stage: null, renewal: null });
    expect(s.notice).toMatchObject({
      validUntil: addYears(validUntil, 3),
      renewals: 1,
      sequence: active.notice!.sequence,
      firstIssuedAt: active.notice!.firstIssuedAt,
    });
    expect(s.notice!.number).toMatch(/-续1号$/);

    s = await f.afterRun(2);
    expect((await f.describe()).runId).not.toBe(run1);
    expect(s.decisions.map((d) => `${d.track}:${d.stage}`).slice(-2)).toEqual(['renewal:renewal', 'renewal:notice']);
    await eventually(async () => {
      expect(await f.directory()).toMatchObject({ validUntil: addYears(validUntil, 3), noticeNumber: s.notice!.number });
      expect(await f.view()).toMatchObject({ status: 'active', stage: null });
      expect((await f.audit()).map((e) => e.action)).toEqual(expect.arrayContaining(['filing.apply-renewal', 'filing.renewal-passed']));
    });
  });

  it('renewal late: applied after the reminder (expiry − 3 months) is marked late, and renews from the old expiry', async () => {
    const f = await Flow.start(bed, application());
    const { a } = f;
    const active = await f.toActive();
    const validUntil = active.notice!.validUntil;
    const reminderDay = addMonths(validUntil, -3);
    await bed.skipTo(endOfDayMs(reminderDay) - DAY + 1 + 2 * DAY);
    await eventually(async () => {
      // 30 days before the deadline, and on it
      const reminders = (await f.notifications()).filter((n) => n.kind === 'renewal-reminder');
      expect(reminders).toHaveLength(2);
    });
    let s = await applyRenewal(f);
    expect(s.renewal).toMatchObject({ late: true });
    expect(s.status).toBe('renewal-pending');
    s = await f.decide('renewal', 'pass', a.prefectureReviewer);
    s = await f.decide('notice', 'pass', a.provinceReviewer);
    expect(s.notice!.validUntil).toBe(addYears(validUntil, 3));
    expect(s.reminders).toBeNull();
    s = await f.afterRun(2);
    expect(s.status).toBe('active');
  });

  itOnce(
    'change with re-assessment: 技术评估 and 综合汇总 on the change track, then the change decision; address and venues updated in state and directory',
    async () => {
      const f = await Flow.start(bed, application());
      const { a } = f;
      await f.toActive();
      const venues = [{ name: '二号实训车间', address: '吉林省长春市高新区新地址8号', hasVideoSurveillance: true }];
      let s = await f.h.executeUpdate(changeUpdate, {
        args: [{ actor: a.institution, change: { address: '吉林省长春市高新区新地址8号', venues, reason: '搬迁' } }],
      });
      expect(s).toMatchObject({ status: 'change-pending', track: 'change', stage: 'technical-assessment', assignments: {} });
      expect(s.change).toMatchObject({ address: '吉林省长春市高新区新地址8号' });
      // the groups of the application do not carry over to the change
      await expectRefused(bed, f.h, 'NOT_ASSIGNED', () => f.decide('technical-assessment', 'pass', a.expertB, { score: 80 }));
      await expectRefused(bed, f.h, 'STAGE_MISMATCH', () => f.assign('preliminary-review', [a.expertA]));
      s = await f.assign('technical-assessment', [a.expertB]);
      expect(s.stage).toBe('technical-assessment');
      await f.assign('comprehensive-review', [a.expertC]);
      s = await f.decide('technical-assessment', 'pass', a.expertB, { score: 82 });
      expect(s.stage).toBe('comprehensive-review');
      s = await f.decide('comprehensive-review', 'pass', a.expertC);
      expect(s.stage).toBe('change');
      await expectRefused(bed, f.h, 'FORBIDDEN', () => f.decide('change', 'pass', a.expertC));
      // still the old address and venues while the change is pending
      expect(s.application.venues![0].name).toBe('一号实训车间');
      s = await f.decide('change', 'pass', a.prefectureReviewer);
      expect(s).toMatchObject({ status: 'active', track: 'application', stage: null, change: null });
      expect(s.application.institution.address).toBe('吉林省长春市高新区新地址8号');
      expect(s.application.venues).toEqual(venues);
      s = await f.afterRun(2);
      expect(s.decisions.filter((d) => d.track === 'change').map((d) => d.stage)).toEqual(['technical-assessment', 'comprehensive-review', 'change']);
      expect(s.decisions).toHaveLength(8);
      await eventually(async () => {
        expect(await f.directory()).toMatchObject({ address: '吉林省长春市高新区新地址8号', occupationCodes: ['6-18-01-01'] });
        expect((await f.audit()).map((e) => e.action)).toEqual(expect.arrayContaining(['filing.apply-change', 'filing.change-passed']));
      });
    },
  );

  itOnce('voluntary termination: the institution applies, the jurisdiction decides; terminated and out of the directory', async () => {
    const f = await Flow.start(bed, application());
    const { a } = f;
    await f.toActive();
    await eventually(async () => expect(await f.directory()).not.toBeNull());
    let s = await f.h.executeUpdate(terminationUpdate, { args: [{ actor: a.institution, reason: '经营调整' }] });
    // evaluated while still in force: active, in the directory
    expect(s).toMatchObject({ status: 'active', track: 'termination', stage: 'termination', termination: { kind: 'voluntary', reason: '经营调整' } });
    await expectRefused(bed, f.h, 'INVALID_STATE', () => f.h.executeUpdate(terminationUpdate, { args: [{ actor: a.institution, reason: 'again' }] }));
    await expectRefused(bed, f.h, 'FORBIDDEN', () => f.decide('termination', 'pass', a.institution));
    await eventually(async () => expect(await f.directory()).not.toBeNull());
    s = await f.decide('termination', 'pass', a.prefectureReviewer);
    expect(s.status).toBe('terminated');
    s = await f.ended('terminated');
    expect(s.termination).toMatchObject({ kind: 'voluntary', at: expect.any(String) });
    expect(s.endReason).toMatch(/voluntary/);
    await eventually(async () => {
      expect(await f.directory()).toBeNull();
      expect(await f.view()).toMatchObject({ status: 'terminated' });
      const notes = await f.notifications();
      expect(notes.find((n) => n.kind === 'terminated' && n.institutionId === f.creditCode)).toBeDefined();
      expect(await bed.models.Institution.findById(f.creditCode).lean()).toMatchObject({ filingStatus: 'terminated' });
    });
  });

  itOnce('ordered termination by the province is immediate, even while a change is being assessed', async () => {
    const f = await Flow.start(bed, application());
    const { a } = f;
    await f.toActive();
    await f.h.executeUpdate(changeUpdate, { args: [{ actor: a.institution, change: { legalRepresentative: '赵新' } }] });
    await expectRefused(bed, f.h, 'FORBIDDEN', () => f.h.executeUpdate(terminationUpdate, { args: [{ actor: a.prefectureReviewer, reason: '严重违规' }] }));
    await expectRefused(bed, f.h, 'FORBIDDEN', () =>
      f.h.executeUpdate(terminationUpdate, { args: [{ actor: { ...a.provinceReviewer, province: '14' }, reason: '严重违规' }] }),
    );
    const s = await f.h.executeUpdate(terminationUpdate, { args: [{ actor: a.provinceReviewer, reason: '严重违规：超范围认定' }] });
    expect(s).toMatchObject({ status: 'terminated', termination: { kind: 'ordered', by: { sub: 'prov-rev-1' } } });
    // the pending change never applied
    expect(s.application.institution.legalRepresentative).toBe('王建国');
    await f.ended('terminated');
    await eventually(async () => {
      expect(await f.directory()).toBeNull();
      expect(await f.view()).toMatchObject({ status: 'terminated' });
      expect((await f.audit()).find((e) => e.action === 'filing.terminated')).toMatchObject({ actor: 'prov-rev-1' });
    });
  });
});
