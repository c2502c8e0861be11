/**
 * Batches and certificates over HTTP only, in demo mode: two batches of one institution reach
 * `certified`, their certificate numbers follow SPEC §4 from serial 000001 and continue; the public
 * queries mask the holder; exports; revocation; out-of-scope readers get 404.
 */
import { devStack, timeSkippingAddress, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { application, idNumber } from '../fixtures/filing';
import { parseCertificateCode } from '../../domain/certificate-code';
import { chinaDateOf } from '../../domain/calendar';
import { addCalendarDays, addYears } from '../../domain/dates';
import type { Caller } from '../../domain/roles';

describe('batches and certificates over HTTP in demo mode', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const t: Record<string, string> = {};
  const app = application({ province: '22', prefecture: '220100', kind: 'Y' });
  // 003 §三: the enterprise's own grade 中级技工 stands for the national level 4 of 车工
  app.occupations[0].gradeMapping = [{ grade: '中级技工', level: 4 }];
  const other = application({ province: '22', prefecture: '220100' });
  let filingId: string;

  beforeAll(async () => {
    s = await devStack({ settings: { APP_MODE: 'demo' }, temporalAddress: timeSkippingAddress() });
    api = http(s.app);
    const tok = (sub: string, c: Omit<Caller, 'sub' | 'name'>) => s.token({ sub, name: sub, ...c });
    t.inst = await tok('inst', { role: 'institution', province: '22', institutionId: app.institution.creditCode });
    t.other = await tok('other', { role: 'institution', province: '22', institutionId: other.institution.creditCode });
    t.pref = await tok('pref', { role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
    t.prefB = await tok('prefB', { role: 'prefecture-reviewer', province: '22', prefecture: '220200' });
    t.prov = await tok('prov', { role: 'province-reviewer', province: '22' });
    t.admin = await tok('admin', { role: 'admin' });
    t.center = await tok('center', { role: 'center', province: '22', prefecture: '220100' });
    t.centerB = await tok('centerB', { role: 'center', province: '22', prefecture: '220200' });
    t.sup = await tok('sup-1', { role: 'supervisor', province: '22', prefecture: '220100' });
    for (const [i, sub] of ['ea', 'eb', 'ec'].entries()) {
      t[sub] = await tok(sub, { role: 'expert', province: '22' });
      expect((await api.post('/api/v1/experts', { userId: sub, name: `专家${i}`, idNumber: idNumber(800 + i), province: '22' }, t.prov)).status).toBe(201);
    }
    expect(
      (await api.post('/api/v1/supervisors', { userId: 'sup-1', name: '王督导', idNumber: idNumber(900), province: '22', prefecture: '220100' }, t.prov))
        .status,
    ).toBe(201);
    // a filing in force
    const created = await api.post('/api/v1/filings', app, t.inst);
    filingId = created.body.id;
    for (const [stage, e] of [
      ['preliminary-review', 'ea'],
      ['technical-assessment', 'eb'],
      ['comprehensive-review', 'ec'],
    ]) {
      expect((await api.post(`/api/v1/filings/${filingId}/assignments`, { stage, expertIds: [e] }, t.pref)).status).toBe(200);
    }
    for (const [stage, tk, extra] of [
      ['preliminary-review', t.ea, {}],
      ['technical-assessment', t.eb, { score: 90 }],
      ['comprehensive-review', t.ec, {}],
      ['deliberation', t.pref, {}],
    ] as const) {
      expect((await api.post(`/api/v1/filings/${filingId}/decisions`, { stage, outcome: 'pass', opinion: '通过', ...extra }, tk)).status).toBe(200);
    }
    await api.post('/api/v1/admin/clock/advance', { by: 'P9D' }, t.admin);
    const notice = await api.post(`/api/v1/filings/${filingId}/decisions`, { stage: 'notice', outcome: 'pass', opinion: '准予备案' }, t.prov);
    expect(notice.body.status).toBe('active');
  });
  afterAll(async () => s?.close());

  const candidates = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      name: `考生${from + i}`,
      idNumber: idNumber(from + i, '19920101'),
      sex: (from + i) % 2 ? 'M' : 'F',
      post: '车工',
      yearsInPost: 3,
      occupationCode: '6-18-01-01',
      level: 4,
      employerCreditCode: app.institution.creditCode,
    }));

  async function earliest(): Promise<string> {
    const now = (await api.get('/api/v1/admin/clock', t.admin)).body.now;
    return (await api.get(`/api/v1/calendar/working-days?from=${chinaDateOf(Date.parse(now))}&add=10`)).body.date;
  }

  async function runBatch(cands: ReturnType<typeof candidates>) {
    const first = await earliest();
    const plan = {
      filingId,
      firstExamDate: first,
      lastExamDate: first,
      venues: [{ name: '一号实训车间', address: '吉林省长春市朝阳区人民大街1号' }],
      modules: [{ kind: 'theory' }, { kind: 'skill', passMark: 60 }],
      candidates: cands,
      proctors: [{ name: '监考' }],
      examiners: [{ name: '考评员' }],
      supervisors: [{ name: '内部督导' }],
    };
    const created = await api.post('/api/v1/batches', plan, t.inst);
    expect([created.status, created.body.code]).toEqual([201, undefined]);
    const id = created.body.id;
    expect((await api.post(`/api/v1/batches/${id}/decisions`, { stage: 'plan-review', outcome: 'pass', opinion: '已收悉' }, t.center)).status).toBe(200);
    const drawn = await api.post(`/api/v1/batches/${id}/supervision`, { action: 'assign', count: 1 }, t.center);
    expect(drawn.body.supervision.assigned.map((a: { userId: string }) => a.userId)).toEqual(['sup-1']);
    await api.post('/api/v1/admin/clock/advance', { by: 'P20D' }, t.admin);
    const report = await api.post(`/api/v1/batches/${id}/supervision`, { action: 'report', severity: 'none', findings: '规范' }, t.sup);
    expect(report.status).toBe(200);
    const scores = cands.map((c, i) => ({ idNumber: c.idNumber, theory: 75, skill: i === cands.length - 1 ? 50 : 80 }));
    const scored = await api.post(`/api/v1/batches/${id}/scores`, { scores }, t.inst);
    expect(scored.body.status).toBe('publicity');
    // the result publicity is listed publicly, naming each passing candidate with the ID number masked (000 §五(二)3)
    const pub = await api.get('/api/v1/publicity');
    const listed = pub.body.items.find((i: { id: string }) => i.id === id);
    expect(listed.candidates).toEqual(
      cands.slice(0, -1).map((c) =>
        expect.objectContaining({
          name: c.name,
          idNumber: `${c.idNumber.slice(0, 3)}***********${c.idNumber.slice(-4)}`,
          occupationCode: '6-18-01-01',
          level: 4,
        }),
      ),
    );
    // anyone may object; the institution never learns who did
    const objection = await api.post(`/api/v1/batches/${id}/objections`, { name: '路人甲', contact: '13811112222', reason: '成绩有误' });
    expect(objection.status).toBe(202);
    const seenByInstitution = JSON.stringify((await api.get(`/api/v1/batches/${id}`, t.inst)).body);
    expect(seenByInstitution).toContain('成绩有误');
    expect(seenByInstitution).not.toContain('路人甲');
    expect(seenByInstitution).not.toContain('1381111');
    expect(JSON.stringify((await api.get(`/api/v1/batches/${id}`, t.center)).body)).toContain('路人甲');
    await api.post(`/api/v1/batches/${id}/objections/${objection.body.objectionId}/resolution`, { upheld: false, note: '经核查无误' }, t.center);
    await api.post('/api/v1/admin/clock/advance', { by: 'P9D' }, t.admin);
    const late = await api.post(`/api/v1/batches/${id}/objections`, { name: '路人', contact: '13800000000', reason: '成绩有误' });
    expect(late.body.code).toBe('NOT_IN_PUBLICITY');
    expect((await api.post(`/api/v1/batches/${id}/results`, {}, t.inst)).body.status).toBe('results-review');
    const done = await api.post(`/api/v1/batches/${id}/decisions`, { stage: 'results-review', outcome: 'pass', opinion: '审核通过' }, t.center);
    expect(done.body.status).toBe('certified');
    return { id, numbers: done.body.certificates.items.map((c: { number: string }) => c.number).sort() as string[] };
  }

  it('two batches reach certified; numbers follow SPEC §4 from serial 000001 and continue', async () => {
    const b1 = await runBatch(candidates(100, 3));
    expect(b1.numbers).toHaveLength(2);
    const parsed = b1.numbers.map((n) => parseCertificateCode(n)!.parts);
    const filing = await api.get(`/api/v1/filings/${filingId}`, t.inst);
    const year = Number(chinaDateOf(Date.parse((await api.get('/api/v1/admin/clock', t.admin)).body.now)).slice(0, 4));
    for (const p of parsed) {
      expect(p).toMatchObject({
        kind: 'Y',
        route: '0000',
        province: '22',
        institutionSequence: Number(filing.body.notice.sequence),
        level: 4,
        issueYear: year,
      });
    }
    expect(b1.numbers.map((n) => n.slice(-6))).toEqual(['000001', '000002']);
    expect(b1.numbers[0]).toHaveLength(22);

    const b2 = await runBatch(candidates(200, 2));
    expect(b2.numbers.map((n) => n.slice(-6))).toEqual(['000003']);

    // the public check masks the holder
    const cert = await api.get(`/api/v1/certificates/${b1.numbers[0]}`);
    expect(cert.status).toBe(200);
    expect(cert.body).toMatchObject({ number: b1.numbers[0], status: 'valid', level: 4, occupation: { code: '6-18-01-01' } });
    expect(cert.body.holder.idNumber).toMatch(/^\d{3}\*+\d{3}[\dX]$/);
    expect(cert.body.holder.name).toContain('*');
    const mine = candidates(100, 1)[0];
    const byPerson = await api.get(`/api/v1/certificates?idNumber=${mine.idNumber}&name=${encodeURIComponent(mine.name)}`);
    expect(byPerson.body.items.map((c: { number: string }) => c.number)).toEqual([b1.numbers[0]]);
    expect((await api.get(`/api/v1/certificates?idNumber=${mine.idNumber}`)).status).toBe(400);
    expect((await api.get('/api/v1/certificates/Y000022000001264000999')).status).toBe(404);

    // exports: JSON and a CSV Excel reads (UTF-8 BOM)
    // the archive index: each part's medium and last day of keeping, counted from the day the batch ended
    const archive = await api.get(`/api/v1/batches/${b1.id}/archive`, t.inst);
    expect(archive.status).toBe(200);
    const ended = archive.body.endedOn as string;
    expect(ended).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const end = (kind: string) => archive.body.items.find((i: { kind: string }) => i.kind === kind);
    expect(end('rosters')).toMatchObject({ medium: 'electronic', retentionYears: 5, from: ended, disposal: 'anonymise' });
    expect(end('exam-papers')).toMatchObject({ medium: 'paper', retentionYears: 3 });
    expect(end('rosters').retentionEnd).toBe(addCalendarDays(addYears(ended, 5), -1));
    const view = await api.get(`/api/v1/batches/${b1.id}`, t.inst);
    expect(end('exam-video')).toMatchObject({ retentionYears: 1, from: view.body.plan.lastExamDate });
    expect(archive.body.certificates).toEqual({ count: b1.numbers.length, kept: 'permanent' });
    expect((await api.get(`/api/v1/batches/${b1.id}/archive`, t.other)).status).toBe(404);

    const summary = await api.get(`/api/v1/batches/${b1.id}/summary`, t.center);
    expect(JSON.stringify(summary.body)).toContain('6-18-01-01');
    const csv = await s.app.inject({ method: 'GET', url: `/api/v1/batches/${b1.id}/roster?format=csv`, headers: { authorization: `Bearer ${t.inst}` } });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.body).toContain('考生100');

    // out of scope: another institution, another prefecture's center or reviewer
    expect((await api.get(`/api/v1/batches/${b1.id}`, t.other)).status).toBe(404);
    expect((await api.get(`/api/v1/batches/${b1.id}`, t.centerB)).status).toBe(404);
    expect((await api.get(`/api/v1/batches/${b1.id}`, t.prefB)).status).toBe(404);
    // a supervisor sees the batch it was drawn for, with candidates' ID numbers masked
    const supView = await api.get(`/api/v1/batches/${b1.id}`, t.sup);
    expect(supView.status).toBe(200);
    expect(supView.body.plan.candidates[0].idNumber).toContain('*');
    const own = await api.get(`/api/v1/batches/${b1.id}`, t.inst);
    expect(own.body.plan.candidates[0].idNumber).toBe(candidates(100, 1)[0].idNumber);

    // revocation by the issuing institution, with an audit entry; a second one is 409
    const revoked = await api.post(`/api/v1/certificates/${b1.numbers[1]}/revocation`, { reason: '成绩录入错误' }, t.inst);
    expect([revoked.status, revoked.body.status]).toEqual([200, 'revoked']);
    expect((await api.get(`/api/v1/certificates/${b1.numbers[1]}`)).body.status).toBe('revoked');
    expect((await api.post(`/api/v1/certificates/${b1.numbers[1]}/revocation`, { reason: '再次' }, t.inst)).status).toBe(409);
    expect((await api.post(`/api/v1/certificates/${b1.numbers[0]}/revocation`, { reason: '越权' }, t.other)).status).toBe(403);
  });

  it('refuses a plan under 10 working days ahead with PLAN_TOO_LATE and the earliest date, and out-of-scope levels', async () => {
    const first = await earliest();
    const now = chinaDateOf(Date.parse((await api.get('/api/v1/admin/clock', t.admin)).body.now));
    const tooSoon = (await api.get(`/api/v1/calendar/working-days?from=${now}&add=9`)).body.date;
    const base = {
      filingId,
      lastExamDate: first,
      venues: [{ name: '一号实训车间', address: '吉林省长春市朝阳区人民大街1号' }],
      modules: [{ kind: 'theory' }, { kind: 'skill' }],
      proctors: [{ name: '监考' }],
      examiners: [{ name: '考评员' }],
      supervisors: [{ name: '内部督导' }],
    };
    const late = await api.post('/api/v1/batches', { ...base, firstExamDate: tooSoon, candidates: candidates(300, 1) }, t.inst);
    expect([late.status, late.body.code, late.body.earliestExamDate]).toEqual([422, 'PLAN_TOO_LATE', first]);
    const scope = await api.post('/api/v1/batches', { ...base, firstExamDate: first, candidates: candidates(310, 1).map((c) => ({ ...c, level: 1 })) }, t.inst);
    expect([scope.status, scope.body.code]).toEqual([422, 'OUT_OF_SCOPE']);
    // enterprise grades (003 §三): one the filing maps is planned at its national level; one it does not map is refused with its row
    const gradeOf = (from: number, enterpriseGrade: string) => candidates(from, 1).map(({ level: _national, ...c }) => ({ ...c, enterpriseGrade }));
    const unmapped = await api.post(
      '/api/v1/batches',
      { ...base, firstExamDate: first, candidates: [...candidates(350, 1), ...gradeOf(351, '特级技师')] },
      t.inst,
    );
    expect([unmapped.status, unmapped.body.code, unmapped.body.offending]).toEqual([
      422,
      'OUT_OF_SCOPE',
      [expect.objectContaining({ index: 1, enterpriseGrade: '特级技师', occupationCode: '6-18-01-01' })],
    ]);
    expect(
      (
        await api.post(
          '/api/v1/batches',
          { ...base, firstExamDate: first, candidates: [{ ...candidates(352, 1)[0], level: 3, enterpriseGrade: '中级技工' }] },
          t.inst,
        )
      ).status,
    ).toBe(422);
    const graded = await api.post('/api/v1/batches', { ...base, firstExamDate: first, candidates: gradeOf(353, '中级技工') }, t.inst);
    expect(graded.status).toBe(201);
    const gradedView = await api.get(`/api/v1/batches/${graded.body.id}`, t.inst);
    expect(gradedView.body.plan.candidates.map((c: { level: number }) => c.level)).toEqual([4]);
    expect(
      (
        await api.post(
          '/api/v1/batches',
          { ...base, firstExamDate: first, candidates: [{ ...gradeOf(354, '中级技工')[0] }].map(({ enterpriseGrade: _g, ...c }) => c) },
          t.inst,
        )
      ).status,
    ).toBe(400);
    // the plan's own rules (422 VALIDATION_FAILED naming what breaks), and the filed venues
    const low = await api.post(
      '/api/v1/batches',
      { ...base, firstExamDate: first, modules: [{ kind: 'theory' }, { kind: 'skill', passMark: 50 }], candidates: candidates(320, 1) },
      t.inst,
    );
    expect([low.status, low.body.code]).toEqual([422, 'VALIDATION_FAILED']);
    expect(low.body.detail).toMatch(/skill.*50/);
    expect(low.body.httpStatus).toBeUndefined();
    const noSupervisor = await api.post('/api/v1/batches', { ...base, firstExamDate: first, supervisors: [], candidates: candidates(330, 1) }, t.inst);
    expect([noSupervisor.status, noSupervisor.body.code]).toEqual([422, 'VALIDATION_FAILED']);
    const elsewhere = await api.post(
      '/api/v1/batches',
      { ...base, firstExamDate: first, venues: [{ name: '宾馆', address: '长春市某宾馆' }], candidates: candidates(340, 1) },
      t.inst,
    );
    expect([elsewhere.status, elsewhere.body.code]).toEqual([422, 'VENUE_NOT_FILED']);
    const list = await api.get('/api/v1/batches', t.inst);
    // no refused plan left a batch behind (the graded one was accepted)
    expect(list.body.items.filter((b: { id: string }) => b.id !== graded.body.id).every((b: { status: string }) => b.status === 'certified')).toBe(true);
  });
});
