import { stateOf } from '../../models/records';
/**
 * Filing workflow, the 公示 (SPEC §2 step 5): objections only during the publicity, upheld (reject,
 * or back to an earlier stage), dismissed; the publicity never closes over an unresolved objection.
 */
import { objectionUpdate, resolveObjectionUpdate } from '../../workflows/filing/messages';
import { application } from '../fixtures/filing';
import { eventually, expectRefused, filingBed, Flow, MINUTE, type FilingBed } from '../harness/filing-env';

describe('filing workflow: publicity and objections', () => {
  let bed: FilingBed;
  beforeAll(async () => {
    bed = await filingBed();
  });
  beforeEach(async () => {
    await bed.begin();
  });
  afterEach(async () => bed.cleanup());
  afterAll(async () => bed?.close());

  // the objection's text goes to the objections collection through the API; the workflow only counts it
  const object = (f: Flow) => f.h.executeUpdate(objectionUpdate, { args: [{}] });
  const resolve = (f: Flow, objectionId: string, upheld: boolean, extra: { returnTo?: string; actor?: Flow['a']['institution'] } = {}) =>
    f.h.executeUpdate(resolveObjectionUpdate, {
      args: [{ objectionId, upheld, note: upheld ? '情况属实' : '经核查不属实', actor: extra.actor ?? f.reviewer, returnTo: extra.returnTo }],
    });

  it('refuses objections outside the publicity with NOT_IN_PUBLICITY (before it, and after it closed)', async () => {
    const f = await Flow.start(bed, application());
    await expectRefused(bed, f.h, 'NOT_IN_PUBLICITY', () => object(f));
    await f.assignAll();
    await expectRefused(bed, f.h, 'NOT_IN_PUBLICITY', () => object(f));
    await f.decide('preliminary-review', 'pass', f.a.expertA);
    await f.decide('technical-assessment', 'pass', f.a.expertB, { score: 75 });
    await f.decide('comprehensive-review', 'pass', f.a.expertC);
    await expectRefused(bed, f.h, 'NOT_IN_PUBLICITY', () => object(f));
    await f.decide('deliberation', 'pass', f.reviewer);
    await f.closePublicity();
    await expectRefused(bed, f.h, 'NOT_IN_PUBLICITY', () => object(f));
    expect((await f.state()).publicity!.objections).toEqual({ received: 0, resolutions: [] });
  });

  it('an upheld objection rejects the filing and ends the workflow', async () => {
    const f = await Flow.start(bed, application());
    await f.toPublicity();
    const { objectionId } = await object(f);
    let s = await f.state();
    expect(objectionId).toBe(`p${s.publicity!.round}-1`);
    expect(s.publicity!.objections).toEqual({ received: 1, resolutions: [] });
    await eventually(async () => {
      const notes = await f.notifications();
      expect(notes.find((n) => n.kind === 'objection')).toMatchObject({ role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
      expect((await f.view())!.waitingOn).toEqual([expect.objectContaining({ action: 'resolve-objection' })]);
    });
    // only the jurisdiction resolves; an unknown objection is not found
    await expectRefused(bed, f.h, 'FORBIDDEN', () => resolve(f, objectionId, true, { actor: f.a.institution }));
    await expectRefused(bed, f.h, 'NOT_FOUND', () => resolve(f, 'no-such-objection', true));
    await expectRefused(bed, f.h, 'VALIDATION_FAILED', () => resolve(f, objectionId, true, { returnTo: 'notice' }));
    await expectRefused(bed, f.h, 'VALIDATION_FAILED', () => resolve(f, objectionId, false, { returnTo: 'deliberation' }));

    s = await resolve(f, objectionId, true);
    expect(s.status).toBe('rejected');
    expect(s.publicity).toMatchObject({ outcome: 'upheld', closedAt: expect.any(String) });
    expect(s.publicity!.objections.resolutions[0]).toMatchObject({ objectionId, upheld: true, by: { sub: f.reviewer.sub } });
    await f.ended('rejected');
    await eventually(async () => {
      expect(await f.view()).toMatchObject({ status: 'rejected' });
      const actions = (await f.audit()).map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['filing.resolve-objection', 'filing.publicity-upheld', 'filing.rejected']));
    });
  });

  it('an upheld objection with returnTo sends the filing back to that stage; it then runs a new publicity', async () => {
    const f = await Flow.start(bed, application());
    const first = await f.toPublicity();
    const { objectionId } = await object(f);
    let s = await resolve(f, objectionId, true, { returnTo: 'technical-assessment' });
    expect(s).toMatchObject({ status: 'in-review', stage: 'technical-assessment' });
    expect(s.due).toMatchObject({ stage: 'technical-assessment', escalation: 0 });
    expect(s.publicity).toMatchObject({ outcome: 'upheld' });
    // the groups formed before still decide
    s = await f.decide('technical-assessment', 'pass', f.a.expertB, { score: 91 });
    expect(s.stage).toBe('comprehensive-review');
    await f.decide('comprehensive-review', 'pass', f.a.expertC);
    s = await f.decide('deliberation', 'pass', f.reviewer);
    expect(s.stage).toBe('publicity');
    expect(s.publicity).toMatchObject({ round: 2, objections: { received: 0, resolutions: [] } });
    expect(s.publicity!.outcome).toBeUndefined();
    expect(Date.parse(s.publicity!.startedAt)).toBeGreaterThanOrEqual(Date.parse(first.publicity!.startedAt));
    s = await f.closePublicity();
    expect(s.publicity!.outcome).toBe('closed');
    s = await f.decide('notice', 'pass', f.a.provinceReviewer);
    expect(s.status).toBe('active');
    expect(s.decisions.map((d) => d.stage)).toEqual([
      'preliminary-review',
      'technical-assessment',
      'comprehensive-review',
      'deliberation',
      'technical-assessment',
      'comprehensive-review',
      'deliberation',
      'notice',
    ]);
  });

  it('a dismissed objection: the publicity stays open past its end while the objection is unresolved, then closes', async () => {
    const f = await Flow.start(bed, application());
    await f.toPublicity();
    const { objectionId } = await object(f);
    let s = await f.state();
    const end = s.publicity!.endsAtMs;
    await bed.skipTo(end + 2 * MINUTE);
    await bed.skip(3 * 86_400_000);
    s = await f.state();
    expect(s).toMatchObject({ status: 'in-review', stage: 'publicity' });
    expect(s.publicity!.closedAt).toBeUndefined();
    // the end has passed: no new objection
    await expectRefused(bed, f.h, 'NOT_IN_PUBLICITY', () => object(f));
    await eventually(async () => expect(await f.view()).toMatchObject({ stage: 'publicity' }));

    s = await resolve(f, objectionId, false);
    expect(s.stage).toBe('notice');
    expect(s.publicity).toMatchObject({ outcome: 'closed' });
    expect(s.publicity!.objections.resolutions[0]).toMatchObject({ objectionId, upheld: false });
    await expectRefused(bed, f.h, 'NOT_FOUND', () => resolve(f, objectionId, false));
    await eventually(async () => {
      expect(await f.view()).toMatchObject({ stage: 'notice' });
      const actions = (await f.audit()).map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['filing.resolve-objection', 'filing.publicity-closed']));
    });
  });

  it('a dismissal before the end keeps the publicity open until its end; the resolution is recorded at once', async () => {
    const f = await Flow.start(bed, application());
    await f.toPublicity();
    const { objectionId } = await object(f);
    let s = await resolve(f, objectionId, false);
    expect(s).toMatchObject({ stage: 'publicity' });
    expect(s.publicity!.closedAt).toBeUndefined();
    // the read model and the audit show the resolution without waiting for the publicity to end
    await eventually(async () => {
      const v = await f.view();
      expect(stateOf<typeof s>(v!).publicity!.objections.resolutions[0]).toMatchObject({ objectionId, upheld: false });
      expect((await f.audit()).map((e) => e.action)).toContain('filing.resolve-objection');
      expect(v!.waitingOn).toEqual([]);
    });
    // further objections are still accepted until the end
    const second = await object(f);
    expect(second.objectionId).not.toBe(objectionId);
    await resolve(f, second.objectionId, false);
    s = await f.closePublicity();
    expect(s.publicity!.objections).toMatchObject({ received: 2, resolutions: [{ upheld: false }, { upheld: false }] });
  });
});
