/**
 * Reporting upward over HTTP (issue #15 §7; API.md "Added: seed rules"), on the real dev server and
 * FerretDB: GET /statistics in each caller's scope (quarters and months in China time, pass rates
 * of the sums, institutions by their latest filing, overdue steps by prefecture), and GET
 * /reports/certificates with corrections and revocations since the previous report flagged.
 *
 * The read models are written as the workflows' activities write them (the other test files cover
 * the writers); one revocation goes through its real workflow, so the flag reads what the writer
 * stores.
 */
import Papa from 'papaparse';
import { backfillCertificateTallies } from '../../infra/certificate-tallies';
import { devStack, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { consoleClient, textOf } from '../harness/console';
import { idNumber, newCreditCode } from '../fixtures/filing';
import { buildCertificateCode, type CertificateLevel } from '../../domain/certificate-code';
import type { CertificateDoc } from '../../models/batch';
import type { Caller } from '../../domain/roles';

const formOf = (html: string) => html.includes('data-testid="report-form"');

describe('statistics and the certificate report', () => {
  let backfilled: { certificates: number; tallies: number };
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const t: Record<string, string> = {};
  const X = newCreditCode('220102');
  const Z = newCreditCode('220203');
  const W = newCreditCode('210102');
  const number = (province: string, serial: number, level: CertificateLevel = 4, year = 2026) =>
    buildCertificateCode({ kind: 'Y', province, institutionSequence: 12, issueYear: year, level, serial });
  const [c1, c2, c3] = [number('22', 1), number('22', 2), number('22', 1, 3)];
  const c4 = number('22', 9, 4, 2025);
  const c5 = number('21', 1);

  const cert = (n: string, over: Partial<CertificateDoc>): CertificateDoc => ({
    _id: n,
    holder: { name: '张三', idNumber: idNumber(Number(n.slice(-3)) + 500), sex: 'M' },
    occupation: { code: '6-18-01-01', name: '车工' },
    trade: null,
    level: 4,
    institution: { creditCode: X, name: '长春精工机械有限公司', code: 'Y0000220000122', province: '22', kind: 'Y' },
    batchId: 'b1',
    issueYear: 2026,
    serial: 1,
    issuedAt: new Date('2026-02-10T02:00:00Z'),
    status: 'valid',
    revocation: null,
    ...over,
  });
  const summaryRow = (levels: Record<string, [number, number]>) => ({
    occupationCode: '6-18-01-01',
    occupationName: '车工',
    levels: Object.fromEntries(Object.entries(levels).map(([l, [assessed, passed]]) => [l, { candidates: assessed, assessed, passed }])),
    subtotal: { candidates: 0, assessed: 0, passed: 0 },
  });
  const batch = (id: string, over: Record<string, unknown>, rows: ReturnType<typeof summaryRow>[] | null) => ({
    _id: id,
    version: 1,
    status: 'certified',
    filingId: 'f1',
    province: '22',
    prefecture: '220100',
    institutionId: X,
    lastExamDate: '2026-02-01',
    state: JSON.stringify({ results: rows ? { submittedAt: '2026-02-05T00:00:00Z', summary: { rows } } : null }),
    ...over,
  });

  beforeAll(async () => {
    s = await devStack();
    api = http(s.app);
    const tok = (sub: string, c: Omit<Caller, 'sub' | 'name'>) => s.token({ sub, name: sub, ...c });
    t.inst = await tok('inst', { role: 'institution', province: '22', institutionId: X });
    t.pref = await tok('pref', { role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
    t.prov = await tok('prov', { role: 'province-reviewer', province: '22' });
    t.prov21 = await tok('prov21', { role: 'province-reviewer', province: '21' });
    t.center = await tok('center', { role: 'center', province: '22' });
    t.expert = await tok('expert', { role: 'expert', province: '22' });
    t.admin = await tok('admin', { role: 'admin' });
    const { Batch, Certificate, Filing } = s.services.models;
    const day = 86_400_000;
    const past = new Date(Date.now() - day);
    const future = new Date(Date.now() + 30 * day);
    const filing = (id: string, over: Record<string, unknown>) => ({ _id: id, version: 1, province: '22', prefecture: '220100', state: '{}', ...over });
    await Filing.insertMany([
      filing('f1', { status: 'active', stage: null, institutionId: X, updatedAt: new Date('2026-01-05') }),
      filing('f2', {
        status: 'in-review',
        stage: 'preliminary-review',
        prefecture: '220200',
        institutionId: Z,
        dueAt: past,
        updatedAt: new Date('2026-03-01'),
      }),
      // Z's earlier application was refused: the institution counts once, as its latest filing stands
      filing('f0', { status: 'rejected', stage: null, prefecture: '220200', institutionId: Z, dueAt: past, updatedAt: new Date('2025-06-01') }),
      filing('f3', {
        status: 'in-review',
        stage: 'technical-assessment',
        institutionId: newCreditCode('220102'),
        dueAt: future,
        updatedAt: new Date('2026-04-01'),
      }),
      filing('f9', { status: 'in-review', stage: 'technical-assessment', province: '21', prefecture: '210100', institutionId: W, dueAt: past }),
    ]);
    await Batch.insertMany([
      batch('b1', {}, [summaryRow({ 4: [10, 8] })]),
      batch('b2', { prefecture: '220200', institutionId: Z, lastExamDate: '2026-05-01' }, [summaryRow({ 4: [5, 2], 3: [4, 4] })]),
      // certified the year before: its pass rate is 2025's
      batch('b0', { lastExamDate: '2025-11-20' }, [summaryRow({ 4: [100, 0] })]),
      batch('b3', { status: 'scoring', dueAt: past }, null),
      batch('b9', { province: '21', prefecture: '210100', institutionId: W, dueAt: past, status: 'scoring' }, null),
    ]);
    await Certificate.insertMany([
      cert(c1, {}),
      // 00:30 on 1 April in China, still 31 March in UTC: the second quarter
      cert(c2, { issuedAt: new Date('2026-03-31T16:30:00Z') }),
      cert(c3, { level: 3, batchId: 'b2', issuedAt: new Date('2026-05-05T02:00:00Z'), institution: { ...cert(c3, {}).institution, creditCode: Z } }),
      // issued the year before, corrected since: the national copy must redo it
      cert(c4, {
        issueYear: 2025,
        batchId: 'b0',
        issuedAt: new Date('2025-12-20T02:00:00Z'),
        version: 2,
        trade: '数控车工',
        corrections: [
          {
            correctionId: 'k1',
            version: 2,
            field: 'trade',
            from: null,
            to: '数控车工',
            reason: '漏填',
            requestedBy: { sub: 'inst', name: 'inst', role: 'institution' },
            approvedBy: { sub: 'c', name: 'c', role: 'center' },
            opinion: '同意',
            at: new Date('2026-01-15T02:00:00Z'),
          },
        ],
      }),
      cert(c5, {
        batchId: 'b9',
        institution: { creditCode: W, name: '沈阳机床有限公司', code: 'Y0000210000012', province: '21', kind: 'Y' },
      }),
    ]);
    expect(await s.services.models.CertificateTally.countDocuments({})).toBe(0);
    backfilled = await backfillCertificateTallies(s.services.models);
  });
  afterAll(async () => s?.close());

  it('the upgrade backfill tallies the certificates written without one, once per batch and issue time', async () => {
    // the certificates above went straight into the read model, as those of batches certified before 0.5.0
    expect(backfilled).toEqual({ certificates: 5, tallies: 5 });
    expect(await backfillCertificateTallies(s.services.models)).toEqual({ certificates: 0, tallies: 0 });
    const b1 = await s.services.models.CertificateTally.find({ batchId: 'b1' }).lean();
    expect(b1.map((t) => t.total)).toEqual([1, 1]);
  });

  it('counts a province: certificates by occupation, level and quarter in China time, pass rates of the sums, institutions, stages, overdue steps', async () => {
    const r = await api.get('/api/v1/statistics?year=2026', t.prov);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ year: 2026, province: '22' });
    expect(r.body.certificates.total).toBe(3);
    expect(r.body.certificates.byQuarter).toEqual([
      { occupationCode: '6-18-01-01', occupationName: '车工', level: 4, quarter: 1, count: 1 },
      { occupationCode: '6-18-01-01', occupationName: '车工', level: 4, quarter: 2, count: 1 },
      { occupationCode: '6-18-01-01', occupationName: '车工', level: 3, quarter: 2, count: 1 },
    ]);
    expect(r.body.certificates.perMonth).toEqual([0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    // (8 + 2) / (10 + 5), not the mean of 0.8 and 0.4; 2025's batch is not counted
    expect(r.body.passRates).toEqual({
      batches: 2,
      items: [
        { occupationCode: '6-18-01-01', occupationName: '车工', level: 4, assessed: 15, passed: 10, rate: 0.6667 },
        { occupationCode: '6-18-01-01', occupationName: '车工', level: 3, assessed: 4, passed: 4, rate: 1 },
      ],
    });
    expect(r.body.institutions.byStatus).toEqual([
      { status: 'active', count: 1 },
      { status: 'in-review', count: 2 },
    ]);
    expect(r.body.filings.byStage).toEqual([
      { stage: 'preliminary-review', count: 1 },
      { stage: 'technical-assessment', count: 1 },
    ]);
    // the refused filing's old due date is not a step anyone owes
    expect(r.body.overdue).toEqual({
      total: 2,
      byPrefecture: [
        { prefecture: '220100', filings: 0, batches: 1 },
        { prefecture: '220200', filings: 1, batches: 0 },
      ],
    });

    const y2025 = await api.get('/api/v1/statistics?year=2025', t.prov);
    expect([y2025.body.certificates.total, y2025.body.passRates.items[0]?.rate]).toEqual([1, 0]);
  });

  it("keeps each caller to their scope: a prefecture's batches, the own province, an admin's choice", async () => {
    const pref = await api.get('/api/v1/statistics?year=2026', t.pref);
    expect(pref.status).toBe(200);
    expect(pref.body.certificates.total).toBe(2); // b1's; c3 is of 220200's batch
    expect(pref.body.passRates.items.map((p: { assessed: number }) => p.assessed)).toEqual([10]);
    expect(pref.body.overdue.byPrefecture).toEqual([{ prefecture: '220100', filings: 0, batches: 1 }]);

    expect((await api.get('/api/v1/statistics?year=2026', t.center)).body.certificates.total).toBe(3);
    const other = await api.get('/api/v1/statistics?year=2026&province=21', t.prov);
    expect([other.status, other.body.code]).toEqual([403, 'FORBIDDEN']);
    const admin21 = await api.get('/api/v1/statistics?year=2026&province=21', t.admin);
    expect([admin21.body.province, admin21.body.certificates.total, admin21.body.overdue.total]).toEqual(['21', 1, 2]);
    expect((await api.get('/api/v1/statistics?year=2026', t.admin)).body.certificates.total).toBe(4);

    for (const who of ['inst', 'expert']) expect((await api.get('/api/v1/statistics?year=2026', t[who])).status).toBe(403);
    expect((await api.get('/api/v1/statistics?year=2026')).status).toBe(401);
    for (const q of ['', '?year=26', '?year=2026&province=99', '?year=2026&x=1'])
      expect([q, (await api.get(`/api/v1/statistics${q}`, t.prov)).status]).toEqual([q, 400]);
  });

  it('reports certificate data to the national system, flagging what was corrected or revoked since the previous report', async () => {
    const first = await api.get('/api/v1/reports/certificates?from=2026-01-01&to=2026-12-31', t.prov);
    expect(first.status).toBe(200);
    expect(first.body.since).toBeNull();
    const rows = first.body.items as { number: string; change: string | null; idNumber: string; idType: string; issueDate: string }[];
    expect(rows.map((r) => [r.number, r.change])).toEqual(
      [
        [c1, null],
        [c2, null],
        [c3, null],
        [c4, 'corrected'],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const row2 = rows.find((r) => r.number === c2)!;
    // the national system gets the full ID number, and the China issue date
    expect([row2.idType, row2.idNumber, row2.issueDate]).toEqual(['居民身份证', idNumber(Number(c2.slice(-3)) + 500), '2026-04-01']);

    // a revocation through its workflow after the first report: the next report flags it, and the
    // correction already reported is no longer news
    expect((await api.post(`/api/v1/certificates/${c1}/revocation`, { reason: '违规发证' }, t.prov)).status).toBe(200);
    const second = await api.get('/api/v1/reports/certificates?from=2026-01-01&to=2026-03-31&format=csv', t.prov);
    expect(second.status).toBe(200);
    expect(second.headers['content-type']).toMatch(/text\/csv/);
    const csv = Papa.parse<string[]>(String(second.body).replace(/^\uFEFF/, ''), { skipEmptyLines: true }).data;
    expect(csv[0]).toEqual(expect.arrayContaining(['证书编号', '证件类型', '证件号码', '发证日期', '状态', '自上次报送以来的变更']));
    const byNumber = new Map(csv.slice(1).map((r) => [r[0], r]));
    expect([...byNumber.keys()].sort()).toEqual([c1].sort()); // c2 was issued in April (China time); c4 not changed since
    expect(byNumber.get(c1)!.slice(-3)).toEqual(['已撤销', '1', '已撤销']);

    const third = await api.get('/api/v1/reports/certificates?from=2026-01-01&to=2026-03-31', t.prov);
    expect(third.body.since).not.toBeNull();
    expect(third.body.items.map((r: { number: string; change: string | null }) => [r.number, r.change])).toEqual([[c1, null]]);

    // every report is in the audit trail: who took the ID numbers, and the next report's "since"
    const audit = await s.services.models.Audit.find({ action: 'report.certificates', targetId: '22' }).lean();
    expect(audit).toHaveLength(3);
    expect(audit.map((a) => (a.after as { rows: number }).rows).sort()).toEqual([1, 1, 4]);
    expect(JSON.stringify(audit)).not.toContain(idNumber(Number(c2.slice(-3)) + 500));

    // province 21's reviewer gets its own province only; no other role reports
    expect((await api.get('/api/v1/reports/certificates?from=2026-01-01&to=2026-12-31', t.prov21)).body.items.map((r: { number: string }) => r.number)).toEqual(
      [c5],
    );
    for (const who of ['pref', 'center', 'inst', 'admin'])
      expect((await api.get('/api/v1/reports/certificates?from=2026-01-01&to=2026-01-31', t[who])).status).toBe(403);
    for (const q of [
      'from=2026-02-01&to=2026-01-01',
      'from=2025-01-01&to=2026-03-01',
      'from=2026-02-30&to=2026-03-01',
      'from=2026-01-01&to=2026-01-31&format=xml',
    ])
      expect([q, (await api.get(`/api/v1/reports/certificates?${q}`, t.prov)).status]).toEqual([q, 400]);
  });

  it('draws the dashboard from the same figures: four SVG charts, each with its table, no script; only for those who read statistics', async () => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    await c.signInAs({ sub: 'prov', name: '省厅审核员', role: 'province-reviewer', province: '22' });
    const page = await c.get('/dashboard?year=2026');
    expect(page.status).toBe(200);
    expect(page.html).toContain('href="/dashboard"');
    for (const chart of ['stages', 'overdue', 'months', 'passRates']) {
      const section = new RegExp(`data-testid="chart-${chart}"[\\s\\S]*?</section>`).exec(page.html)?.[0] ?? '';
      expect([chart, (section.match(/<svg /g) ?? []).length, (section.match(/<table>/g) ?? []).length]).toEqual([chart, 1, 1]);
    }
    expect(page.html).not.toMatch(/<script/i);
    const text = textOf(page.html);
    expect(text).toContain('2026年发放证书 3 本');
    expect(text).toMatch(/长春市 1/); // 220100's overdue batch
    expect(text).toContain('车工（6-18-01-01） — 66.7 100 — —'); // by level 5…1: 10 of 15 at level 4, 4 of 4 at level 3
    expect(text).toMatch(/初评 1 技术评估 1/);
    expect(text).toMatch(/审核中 2/);
    expect(text).toMatch(/2026年4月 1/);

    // the province reviewer downloads the certificate report from the dashboard
    expect(formOf(page.html)).toBe(true);
    const csv = await c.get('/reports/certificates.csv?from=2026-05-01&to=2026-05-31');
    expect(csv.status).toBe(200);
    expect(csv.html).toContain('证书编号');
    expect(csv.html).toContain(c3);
    expect(csv.html).not.toContain(c2);

    // another year has its own figures; an institution is told the page is not for it
    expect(textOf((await c.get('/dashboard?year=2025')).html)).toContain('2025年发放证书 1 本');
    const inst = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    await inst.signInAs({ sub: 'inst', name: '机构', role: 'institution', province: '22', institutionId: X });
    expect((await inst.get('/reports/certificates.csv?from=2026-01-01&to=2026-01-31')).status).toBe(403);
    const refused = await inst.get('/dashboard');
    expect(refused.status).toBe(403);
    expect(refused.html).not.toContain('<svg');
  });
});
