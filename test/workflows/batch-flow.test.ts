/**
 * A batch's life on the time-skipping server: plan review, the supervisor draw, a serious finding
 * that suspends the batch and its lifting, exams, scores, a publicity with an upheld objection,
 * late results with the reminder and the escalation, a center return then a pass, certificates
 * (SPEC §4 numbers, serials from 000001, a later batch continuing the numbering) and the report
 * back to the filing; and cancellation when the filing is terminated.
 */
import { application } from '../fixtures/filing';
import { candidates, passingScores, plan, registerSupervisors, newIdNumber } from '../fixtures/batch';
import {
  batchBed,
  eventually,
  examEnd,
  examStart,
  leadDates,
  MINUTE,
  passResults,
  refusal,
  toPublicity,
  toResultsReview,
  type ActiveFiling,
  type BatchBed,
} from '../harness/batch-env';
import { decideUpdate, objectionUpdate, resolveObjectionUpdate, submitResultsUpdate, superviseUpdate } from '../../workflows/batch/messages';
import { addCalendarDays } from '../../domain/dates';
import { buildCertificateCode, parseCertificateCode } from '../../domain/certificate-code';
import { buildRoster } from '../../domain/batch';
import { itOnce } from '../harness/start-dates';

describe('batch workflow', () => {
  let bed: BatchBed;
  let f: ActiveFiling;
  beforeAll(async () => {
    bed = await batchBed();
    await bed.begin();
    f = await bed.activeFiling(application());
  });
  afterAll(async () => bed?.close());
  afterEach(async () => bed.record());

  it('plan review, supervision with a suspension, an upheld objection, late results, a return, then certificates', async () => {
    const conflicted = newIdNumber('F');
    await registerSupervisors(bed.models, [
      { userId: 'sup-1', name: '督导一', province: '22', prefecture: '220100' },
      { userId: 'sup-2', name: '督导二', province: '22', prefecture: '220100' },
      { userId: 'sup-3', name: '督导三', province: '22' }, // provincial: eligible everywhere in Jilin
      { userId: 'sup-x', name: '外市督导', province: '22', prefecture: '220200' }, // another prefecture
      { userId: 'sup-c', name: '本单位人员', province: '22', prefecture: '220100', idNumber: conflicted }, // proctor of this batch
      { userId: 'sup-o', name: '外省督导', province: '14' },
    ]);
    const { earliest } = await leadDates(bed);
    const cands = candidates(f.app, [4, 4, 4, 3, 4]);
    const p = plan(f.app, earliest.date, addCalendarDays(earliest.date, 1), cands, { proctors: [{ name: '监考', idNumber: conflicted }] });
    let s = await bed.submit(f, p);
    const id = s.id;
    const h = bed.handle(id);
    const c = f.b.center;

    // ——— plan review (备案) by the prefecture's appraisal center ———
    expect(
      (await refusal(h.executeUpdate(decideUpdate, { args: [{ stage: 'plan-review', outcome: 'pass', opinion: 'x', actor: f.b.otherCenter }] }))).code,
    ).toBe('FORBIDDEN');
    expect((await refusal(h.executeUpdate(decideUpdate, { args: [{ stage: 'results-review', outcome: 'pass', opinion: 'x', actor: c }] }))).code).toBe(
      'STAGE_MISMATCH',
    );
    s = await h.executeUpdate(decideUpdate, { args: [{ stage: 'plan-review', outcome: 'pass', opinion: '计划已备案', actor: c }] });
    expect(s.status).toBe('acknowledged');
    expect(s.due).toBeNull();

    // ——— 双随机: two supervisors drawn among the eligible (not another prefecture, province or a conflicted person) ———
    expect((await refusal(h.executeUpdate(superviseUpdate, { args: [{ action: 'assign', count: 4, actor: c }] }))).code).toBe('NOT_ENOUGH_SUPERVISORS');
    s = await h.executeUpdate(superviseUpdate, { args: [{ action: 'assign', count: 2, actor: c }] });
    const picked = s.supervision.assigned.map((a) => a.userId);
    expect(picked).toHaveLength(2);
    for (const u of picked) expect(['sup-1', 'sup-2', 'sup-3']).toContain(u);
    expect(s.supervision.draws[0]).toMatchObject({ count: 2, eligible: 3 });
    expect((await bed.view(id)).supervisors).toEqual(picked);
    expect(await bed.models.Notification.countDocuments({ targetId: id, kind: 'supervision-assignment', userIds: picked[0] })).toBe(1);

    // ——— a serious finding suspends; the center lifts the suspension ———
    const sup = f.b.supervisor(picked[0]);
    expect(
      (await refusal(h.executeUpdate(superviseUpdate, { args: [{ action: 'report', severity: 'serious', findings: 'x', actor: f.b.supervisor('sup-x') }] })))
        .code,
    ).toBe('FORBIDDEN');
    s = await h.executeUpdate(superviseUpdate, { args: [{ action: 'report', severity: 'serious', findings: '考场视频监控未开启', actor: sup }] });
    expect(s.status).toBe('suspended');
    expect(s.suspendedFrom).toBe('acknowledged');
    expect((await bed.view(id)).waitingOn).toEqual([
      expect.objectContaining({ action: 'supervision:resume-or-cancel', audience: { role: 'center', province: '22', prefecture: '220100' } }),
    ]);
    expect((await refusal(h.executeUpdate(decideUpdate, { args: [{ stage: 'plan-review', outcome: 'pass', opinion: 'x', actor: c }] }))).code).toBe(
      'STAGE_MISMATCH',
    );
    s = await h.executeUpdate(superviseUpdate, { args: [{ action: 'resume', note: '已整改，视频监控恢复', actor: c }] });
    expect(s.status).toBe('acknowledged');
    expect(s.supervision.suspensions[0]).toMatchObject({ from: 'acknowledged', liftedBy: c.sub });
    s = await h.executeUpdate(superviseUpdate, { args: [{ action: 'report', severity: 'minor', findings: '签到表不规范', actor: f.b.supervisor(picked[1]) }] });
    expect(s.status).toBe('acknowledged');

    // ——— exams: from 00:00 of the first exam day to the end of the last ———
    await bed.skipTo(examStart(p) + MINUTE);
    await bed.untilStatus(id, 'examining');
    expect((await refusal(bed.postScores(id, passingScores(cands), f.a.institution))).code).toBe('INVALID_STATE');
    await bed.skipTo(examEnd(p) + MINUTE);
    s = await bed.untilStatus(id, 'scoring');
    expect(s.due).toMatchObject({ step: 'scores' });

    // ——— scores: one fails skill, one absent; partial posts merge ———
    const scores = passingScores(cands);
    scores[1].skill = 59;
    const absent = { idNumber: cands[4].idNumber, absent: true };
    s = await bed.postScores(id, scores.slice(0, 2), f.a.institution);
    expect(s.status).toBe('scoring');
    expect((await refusal(bed.postScores(id, [{ idNumber: cands[2].idNumber, theory: 101 }], f.a.institution))).code).toBe('VALIDATION_FAILED');
    s = await bed.postScores(id, [...scores.slice(2, 4), absent], f.a.institution);
    expect(s.status).toBe('publicity');
    expect(s.publicity).toMatchObject({ round: 1, objections: { received: 0, resolutions: [] } });
    const pubView = await bed.view(id);
    expect(pubView.publicity).toMatchObject({ endDate: s.publicity!.endDate, applicants: 5, passed: 3 });

    // ——— an objection, upheld: back to scoring, corrected scores, a second publicity ———
    const { objectionId } = await h.executeUpdate(objectionUpdate, { args: [{}] });
    expect(objectionId).toBe('p1-1');
    s = await bed.state(id);
    await bed.until(id, (x) => x.publicity!.objections.received === 1, 'the objection counted');
    await eventually(async () => expect((await bed.view(id)).waitingOn).toEqual([expect.objectContaining({ action: 'resolve-objection' })]));
    expect((await refusal(h.executeUpdate(resolveObjectionUpdate, { args: [{ objectionId, upheld: true, note: 'x', actor: f.a.institution }] }))).code).toBe(
      'FORBIDDEN',
    );
    s = await h.executeUpdate(resolveObjectionUpdate, { args: [{ objectionId, upheld: true, note: '核实成绩登记错误', actor: c }] });
    expect(s.status).toBe('scoring');
    expect(s.publicity).toMatchObject({ outcome: 'upheld' });
    expect((await refusal(h.executeUpdate(objectionUpdate, { args: [{}] }))).code).toBe('NOT_IN_PUBLICITY');
    s = await bed.postScores(id, [{ idNumber: cands[1].idNumber, skill: 72 }], f.a.institution);
    expect(s.status).toBe('publicity');
    expect(s.publicity!.round).toBe(2);
    expect(s.publicityRounds).toHaveLength(1);

    // ——— publicity closes; results due within 10 working days; a reminder, then an escalation ———
    await bed.skipTo(s.publicity!.endsAtMs + MINUTE);
    s = await bed.untilStatus(id, 'results-due');
    expect((await refusal(h.executeUpdate(objectionUpdate, { args: [{}] }))).code).toBe('NOT_IN_PUBLICITY');
    const due = s.due!;
    expect(due).toMatchObject({ step: 'results', escalation: 0, reminded: false });
    const cal = await bed.calendar();
    expect(due.dueDate).toBe(cal.addWorkingDays(s.publicity!.endDate, 10).date);
    expect(due.reminderAtMs).toBeLessThan(due.dueAtMs);
    await bed.skipTo(due.reminderAtMs! + MINUTE);
    await bed.until(id, (x) => !!x.due?.reminded, 'the reminder');
    expect(await bed.models.Notification.countDocuments({ targetId: id, kind: 'results-reminder', institutionId: f.app.institution.creditCode })).toBe(1);
    await bed.skipTo(due.dueAtMs + MINUTE);
    s = await bed.until(id, (x) => x.due?.escalation === 1, 'escalation');
    expect(s.escalations).toEqual([expect.objectContaining({ level: 1, step: 'results' })]);
    expect(await bed.models.Notification.countDocuments({ targetId: id, kind: 'escalation', role: 'center', prefecture: '220100' })).toBe(1);
    expect((await bed.view(id)).escalation).toBe(1);

    // ——— late results; the center returns them; resubmitted; passed ———
    s = await h.executeUpdate(submitResultsUpdate, { args: [{ actor: f.a.institution }] });
    expect(s.status).toBe('results-review');
    expect(s.results).toMatchObject({ late: true, submissions: 1 });
    expect(s.results!.summary).toMatchObject({ applicants: 5, assessed: 4, passed: 4 });
    expect(s.results!.summary.rows[0].levels['4']).toEqual({ candidates: 4, assessed: 3, passed: 3 });
    expect(s.results!.summary.rows[0].levels['3']).toEqual({ candidates: 1, assessed: 1, passed: 1 });
    s = await h.executeUpdate(decideUpdate, { args: [{ stage: 'results-review', outcome: 'return', opinion: '花名册岗位信息不完整', actor: c }] });
    expect(s.status).toBe('results-due');
    expect(s.due).toMatchObject({ step: 'results', escalation: 0 });
    s = await h.executeUpdate(submitResultsUpdate, { args: [{ actor: f.a.institution, note: '已补全' }] });
    expect(s.results).toMatchObject({ late: false, submissions: 2 });
    s = await passResults(bed, f, id);
    expect(s.status).toBe('certified');

    // ——— certificates: SPEC §4 numbers, serials from 000001 per institution, year and level ———
    const notice = (await f.state()).notice!;
    const year = s.certificates!.year;
    expect(s.certificates!.count).toBe(4);
    const v = await bed.full(id);
    const roster = buildRoster({ id, institution: v.institution, plan: v.plan, scores: v.scores, policy: v.policy });
    expect(v.certificates!.items.map((x) => x.idNumber).sort()).toEqual(roster.map((r) => r.idNumber).sort());
    const byLevel = (level: number) => v.certificates!.items.filter((x) => x.level === level).map((x) => x.number);
    const expected = (level: 3 | 4, serial: number) =>
      buildCertificateCode({ kind: 'Y', route: '0000', province: '22', institutionSequence: Number(notice.sequence), issueYear: year, level, serial });
    expect(byLevel(4)).toEqual([expected(4, 1), expected(4, 2), expected(4, 3)]);
    expect(byLevel(3)).toEqual([expected(3, 1)]);
    expect(byLevel(4)[0]).toBe(`Y000022${notice.sequence}${String(year).slice(2)}4000001`);
    expect(byLevel(4)[0]).toHaveLength(22);
    const doc = await bed.models.Certificate.findById(byLevel(4)[0]).lean();
    expect(doc).toMatchObject({
      status: 'valid',
      level: 4,
      batchId: id,
      occupation: { code: '6-18-01-01', name: '车工' },
      institution: { creditCode: f.app.institution.creditCode, code: notice.institutionCode },
    });
    expect(await bed.models.Certificate.countDocuments({ batchId: id })).toBe(4);

    // ——— the filing heard of the exams held (idle-exit clock, 001 §四(三)) ———
    expect(s.history.some((e) => e.event === 'filing-notified')).toBe(true);
    const fs = await f.state();
    expect(fs.lastExamDate).toBe(p.lastExamDate);
    const view = await bed.view(id);
    expect(view).toMatchObject({ status: 'certified', certificates: 4, waitingOn: [] });
    expect((await bed.handle(id).describe()).status.name).toBe('COMPLETED');
  });

  itOnce('two later batches issued at the same instant continue one numbering per institution, year and level', async () => {
    const { earliest } = await leadDates(bed);
    const p1 = plan(f.app, earliest.date, earliest.date, candidates(f.app, [4, 4, 5]));
    const p2 = plan(f.app, earliest.date, earliest.date, candidates(f.app, [4, 4, 4]));
    const [b1, b2] = [await bed.submit(f, p1), await bed.submit(f, p2)];
    await toPublicity(bed, f, b1.id, passingScores(p1.candidates));
    await toPublicity(bed, f, b2.id, passingScores(p2.candidates));
    await toResultsReview(bed, f, b1.id);
    await toResultsReview(bed, f, b2.id);
    await passResults(bed, f, b1.id);
    await passResults(bed, f, b2.id);
    const [s1, s2] = [await bed.full(b1.id), await bed.full(b2.id)];
    expect(s1.certificates!.year).toBe(s2.certificates!.year);
    const serials = (s: typeof s1, level: number) =>
      s.certificates!.items.filter((x) => x.level === level).map((x) => parseCertificateCode(x.number)!.parts.serial);
    const l4a = serials(s1, 4);
    const l4b = serials(s2, 4);
    expect(l4b).toEqual([l4a[1] + 1, l4a[1] + 2, l4a[1] + 3]);
    expect(serials(s1, 5)).toEqual([1]);
    // across every batch of this institution: per year and level, serials are 1..N without gaps
    const all = await bed.models.Certificate.find({ 'institution.creditCode': f.app.institution.creditCode }).lean();
    const groups = new Map<string, number[]>();
    for (const d of all) groups.set(`${d.issueYear}-${d.level}`, [...(groups.get(`${d.issueYear}-${d.level}`) ?? []), d.serial]);
    for (const [, list] of groups) expect(list.sort((a, b) => a - b)).toEqual(list.map((_x, i) => i + 1));
  });

  itOnce('a suspended batch the center cancels ends cancelled; a center reject of the plan ends rejected', async () => {
    await registerSupervisors(bed.models, [{ userId: 'sup-9', name: '督导九', province: '22' }]);
    const { earliest } = await leadDates(bed);
    const x = await bed.submit(f, plan(f.app, earliest.date, earliest.date, candidates(f.app, [4])));
    const h = bed.handle(x.id);
    await h.executeUpdate(superviseUpdate, { args: [{ action: 'assign', count: 1, actor: f.b.provinceCenter }] });
    const who = (await bed.state(x.id)).supervision.assigned[0].userId;
    let s = await h.executeUpdate(superviseUpdate, { args: [{ action: 'report', severity: 'serious', findings: '替考', actor: f.b.supervisor(who) }] });
    expect(s).toMatchObject({ status: 'suspended', suspendedFrom: 'planned' });
    s = await h.executeUpdate(superviseUpdate, { args: [{ action: 'cancel', reason: '存在替考行为', actor: f.b.center }] });
    expect(s.status).toBe('cancelled');

    const y = await bed.submit(f, plan(f.app, earliest.date, earliest.date, candidates(f.app, [4])));
    s = await bed.handle(y.id).executeUpdate(decideUpdate, { args: [{ stage: 'plan-review', outcome: 'reject', opinion: '考评员不足', actor: f.b.center }] });
    expect(s.status).toBe('rejected');
    expect((await bed.view(y.id)).status).toBe('rejected');
  });
});
