/**
 * Annual plans (000 §五(二)1) and fees (004 Art.6(2), Art.13; 002 Art.19) over HTTP, in demo mode on
 * the real stack: the directory publishes the filed fee standard; the institution files its year's
 * plan, the center of its jurisdiction acknowledges it once per version; a batch inside the plan is
 * not flagged and one outside it is accepted with `outsideAnnualPlan: true`, flagged in the
 * center's inbox and the batch list; after an ordered termination the filing's refund list names
 * the candidates of its cancelled batches (JSON and CSV, ID numbers as the masking rules say).
 * The console's part runs on the same stack: the plan filed from the institution's pages and
 * acknowledged from the center's inbox, the 计划外 badges, the directory's fee column, the refund
 * list's download from the terminated filing's page.
 */
import { devStack, timeSkippingAddress, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { consoleClient, textOf } from '../harness/console';
import { application, idNumber } from '../fixtures/filing';
import { chinaDateOf } from '../../domain/calendar';
import { filingWorkflowId } from '../../workflows/filing/messages';
import type { Caller } from '../../domain/roles';

describe('annual plans and fees over HTTP', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const t: Record<string, string> = {};
  const app = { ...application({ province: '22', prefecture: '220100', kind: 'Y' }), feeStandard: '理论 80 元/人，技能 200 元/人', feeBasis: '按工作成本测算' };
  const other = application({ province: '22', prefecture: '220100' });
  let filingId: string;
  let first: string;
  let year: number;
  const page = async (who: Caller, url: string) => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    await c.signInAs(who);
    return { c, page: await c.get(url) };
  };
  const as = {
    inst: { sub: 'inst', name: '机构', role: 'institution', province: '22', institutionId: app.institution.creditCode } as Caller,
    center: { sub: 'center', name: '市鉴定中心', role: 'center', province: '22', prefecture: '220100' } as Caller,
  };

  beforeAll(async () => {
    s = await devStack({ settings: { APP_MODE: 'demo' }, temporalAddress: timeSkippingAddress() });
    api = http(s.app);
    const tok = (sub: string, c: Omit<Caller, 'sub' | 'name'>) => s.token({ sub, name: sub, ...c });
    t.inst = await tok('inst', { role: 'institution', province: '22', institutionId: app.institution.creditCode });
    t.other = await tok('other', { role: 'institution', province: '22', institutionId: other.institution.creditCode });
    t.pref = await tok('pref', { role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
    t.prov = await tok('prov', { role: 'province-reviewer', province: '22' });
    t.admin = await tok('admin', { role: 'admin' });
    t.center = await tok('center', { role: 'center', province: '22', prefecture: '220100' });
    t.centerB = await tok('centerB', { role: 'center', province: '22', prefecture: '220200' });
    t.provCenter = await tok('provCenter', { role: 'center', province: '22' });
    for (const [i, sub] of ['pa', 'pb', 'pc'].entries()) {
      t[sub] = await tok(sub, { role: 'expert', province: '22' });
      expect((await api.post('/api/v1/experts', { userId: sub, name: `专家${i}`, idNumber: idNumber(850 + i), province: '22' }, t.prov)).status).toBe(201);
    }
    const created = await api.post('/api/v1/filings', app, t.inst);
    expect(created.status).toBe(201);
    filingId = created.body.id;
    for (const [stage, e] of [
      ['preliminary-review', 'pa'],
      ['technical-assessment', 'pb'],
      ['comprehensive-review', 'pc'],
    ]) {
      expect((await api.post(`/api/v1/filings/${filingId}/assignments`, { stage, expertIds: [e] }, t.pref)).status).toBe(200);
    }
    for (const [stage, tk, extra] of [
      ['preliminary-review', t.pa, {}],
      ['technical-assessment', t.pb, { score: 90 }],
      ['comprehensive-review', t.pc, {}],
      ['deliberation', t.pref, {}],
    ] as const) {
      expect((await api.post(`/api/v1/filings/${filingId}/decisions`, { stage, outcome: 'pass', opinion: '通过', ...extra }, tk)).status).toBe(200);
    }
    await api.post('/api/v1/admin/clock/advance', { by: 'P9D' }, t.admin);
    const notice = await api.post(`/api/v1/filings/${filingId}/decisions`, { stage: 'notice', outcome: 'pass', opinion: '准予备案' }, t.prov);
    expect(notice.body.status).toBe('active');
    const now = (await api.get('/api/v1/admin/clock', t.admin)).body.now;
    first = (await api.get(`/api/v1/calendar/working-days?from=${chinaDateOf(Date.parse(now))}&add=10`)).body.date;
    year = Number(first.slice(0, 4));
  });
  afterAll(async () => {
    await s?.services.temporal.client.workflow
      .getHandle(filingWorkflowId(filingId))
      .terminate('test over')
      .catch(() => undefined);
    await s?.close();
  });

  const candidates = (from: number, level: number) =>
    [0, 1].map((i) => ({
      name: `考生${from + i}`,
      idNumber: idNumber(from + i, '19920101'),
      post: '车工',
      yearsInPost: 3,
      occupationCode: '6-18-01-01',
      level,
      employerCreditCode: app.institution.creditCode,
    }));
  const plan = (cands: ReturnType<typeof candidates>) => ({
    filingId,
    firstExamDate: first,
    lastExamDate: first,
    venues: [{ name: '一号实训车间', address: '吉林省长春市朝阳区人民大街1号' }],
    modules: [{ kind: 'theory' }, { kind: 'skill' }],
    candidates: cands,
    proctors: [{ name: '监考' }],
    examiners: [{ name: '考评员' }],
    supervisors: [{ name: '内部督导' }],
  });

  it('publishes the filed fee standard in the directory (004 Art.6(2), 002 Art.19)', async () => {
    const dir = await api.get(`/api/v1/directory?q=${encodeURIComponent(app.institution.name)}`);
    expect(dir.body.items.map((i: { creditCode: string; fees: unknown }) => [i.creditCode, i.fees])).toEqual([
      [app.institution.creditCode, { standard: app.feeStandard, basis: app.feeBasis }],
    ]);
    const html = (await s.app.inject({ method: 'GET', url: `/directory?q=${encodeURIComponent(app.institution.name)}` })).body;
    expect(textOf(html)).toContain(`${app.feeStandard} 测算依据：${app.feeBasis}`);
  });

  it('files an annual plan, acknowledged once per version by the center of the jurisdiction; batches outside it are flagged', async () => {
    const items = [{ occupationCode: '6-18-01-01', level: 4, quarter: 1, expected: 20 }];
    // outside the filed scope, another's filing, a past year: refused, nothing stored
    expect((await api.post('/api/v1/annual-plans', { filingId, year, items: [{ ...items[0], level: 1 }] }, t.inst)).body.code).toBe('OUT_OF_SCOPE');
    expect((await api.post('/api/v1/annual-plans', { filingId, year, items }, t.other)).status).toBe(404);
    expect((await api.post('/api/v1/annual-plans', { filingId, year: year - 1, items }, t.inst)).body.code).toBe('VALIDATION_FAILED');
    // filed from the console: the filing page links the plan form
    const { c: inst, page: filingPage } = await page(as.inst, `/filings/${filingId}`);
    expect(filingPage.html).toContain(`/annual-plans?filingId=${filingId}#file-plan`);
    const form = await inst.get(`/annual-plans?filingId=${filingId}`);
    const key = /name="_key" value="([^"]+)"/.exec(form.html)![1];
    const posted = await inst.post('/annual-plans', {
      _key: key,
      filingId,
      year,
      occupationCode: ['6-18-01-01', ''],
      level: [4, 5],
      quarter: [1, 1],
      expected: [20, ''],
    });
    const filed = { body: { id: `${filingId}:${year}` } };
    expect([posted.status, posted.location]).toEqual([303, `/annual-plans/${encodeURIComponent(filed.body.id)}?ok=annual-plan`]);
    expect((await api.get(`/api/v1/annual-plans/${encodeURIComponent(filed.body.id)}`, t.inst)).body).toMatchObject({ version: 1, status: 'submitted', items });
    const planPath = `/api/v1/annual-plans/${encodeURIComponent(filed.body.id)}`;

    // before it is acknowledged a batch is outside any plan
    const early = await api.post('/api/v1/batches', plan(candidates(500, 4)), t.inst);
    expect([early.status, early.body.outsideAnnualPlan]).toEqual([201, true]);

    // the center of the jurisdiction has it in its inbox, another prefecture's center does not see it; the provincial center sees it but does not decide a prefecture's plan
    const inbox = (await api.get('/api/v1/tasks?limit=100', t.center)).body.items;
    expect(inbox.filter((x: { kind: string }) => x.kind === 'annual-plan').map((x: { id: string; action: string }) => [x.id, x.action])).toEqual([
      [filed.body.id, 'acknowledge:annual-plan'],
    ]);
    expect(inbox.find((x: { id: string }) => x.id === early.body.id)).toMatchObject({ kind: 'batch', outsideAnnualPlan: true });
    expect((await api.post(`${planPath}/decision`, { outcome: 'pass', opinion: '已收悉' }, t.centerB)).status).toBe(404);
    expect((await api.post(`${planPath}/decision`, { outcome: 'pass', opinion: '已收悉' }, t.provCenter)).body.code).toBe('FORBIDDEN');
    // the center acknowledges from its console inbox, where the early batch carries the 计划外 badge
    const { c: center, page: inboxPage } = await page(as.center, '/inbox');
    const consolePlan = `/annual-plans/${encodeURIComponent(filed.body.id)}`;
    expect(inboxPage.html).toContain(`href="${consolePlan}"`);
    const earlyRow = inboxPage.html.split('data-testid="task"').find((r) => r.includes(early.body.id))!;
    expect(earlyRow).toContain('计划外');
    const planPage = await center.get(consolePlan);
    const decisionKey = /annual-plan-decision-form[\s\S]*?name="_key" value="([^"]+)"/.exec(planPage.html)![1];
    expect((await center.post(`${consolePlan}/decision`, { _key: decisionKey, outcome: 'pass', opinion: '已收悉' })).status).toBe(303);
    expect(textOf((await center.get(consolePlan)).html)).toContain('已确认');
    const ack = await api.get(planPath, t.center);
    expect([ack.status, ack.body.status, ack.body.acknowledged?.items]).toEqual([200, 'acknowledged', items]);
    expect((await api.post(`${planPath}/decision`, { outcome: 'return', opinion: '再议' }, t.center)).body.code).toBe('ALREADY_DECIDED');
    const audit = await s.services.models.Audit.find({ targetType: 'annual-plan', targetId: filed.body.id }).lean();
    expect(audit.map((a) => a.action).sort()).toEqual(['annual-plan.acknowledge', 'annual-plan.submit']);

    // inside the acknowledged plan: no flag; a level the plan does not list: accepted, flagged
    const inside = await api.post('/api/v1/batches', plan(candidates(510, 4)), t.inst);
    expect([inside.status, inside.body.outsideAnnualPlan]).toEqual([201, false]);
    const outside = await api.post('/api/v1/batches', plan(candidates(520, 3)), t.inst);
    expect([outside.status, outside.body.outsideAnnualPlan]).toEqual([201, true]);
    const view = (await api.get(`/api/v1/batches/${outside.body.id}`, t.center)).body;
    expect([view.outsideAnnualPlan, view.annualPlan]).toEqual([
      true,
      { year, planId: filed.body.id, version: 1, outside: [{ occupationCode: '6-18-01-01', level: 3 }] },
    ]);
    const batchPage = (await page(as.center, `/batches/${outside.body.id}`)).page;
    expect(textOf(batchPage.html)).toContain(`计划外 本批次的6-18-01-01 ${'三级/高级工'}不在${year}年度已确认的年度认定计划内`);
    const list = (await api.get(`/api/v1/batches?filingId=${filingId}`, t.center)).body.items;
    expect(Object.fromEntries(list.map((b: { id: string; outsideAnnualPlan: boolean }) => [b.id, b.outsideAnnualPlan]))).toEqual({
      [early.body.id]: true,
      [inside.body.id]: false,
      [outside.body.id]: true,
    });

    // filed again with other items: a new version, waiting again; the version acknowledged still covers level 4 meanwhile
    const v2 = await api.post('/api/v1/annual-plans', { filingId, year, items: [...items, { ...items[0], level: 3, quarter: 2 }] }, t.inst);
    expect(v2.body).toEqual({ id: filed.body.id, version: 2, status: 'submitted' });
    const got = (await api.get(planPath, t.inst)).body;
    expect([got.status, got.version, got.acknowledged.version]).toEqual(['submitted', 2, 1]);
  });

  it('after an ordered termination, the refund list names the candidates of the cancelled batches (004 Art.13)', async () => {
    const t1 = await api.post(`/api/v1/filings/${filingId}/termination`, { reason: '严重违规' }, t.prov);
    expect(t1.status).toBe(200);
    const refunds = await api.get(`/api/v1/filings/${filingId}/refunds`, t.inst);
    expect([refunds.status, refunds.body.status, refunds.body.batches.length, refunds.body.count]).toEqual([200, 'terminated', 3, 6]);
    expect(refunds.body.items.map((i: { idNumber: string }) => i.idNumber).sort()).toEqual(
      [500, 501, 510, 511, 520, 521].map((n) => idNumber(n, '19920101')).sort(),
    );
    // the reviewer in scope sees the same (entitled to personal data); another institution nothing
    expect((await api.get(`/api/v1/filings/${filingId}/refunds`, t.pref)).body.count).toBe(6);
    expect((await api.get(`/api/v1/filings/${filingId}/refunds`, t.other)).status).toBe(404);
    expect((await api.get(`/api/v1/filings/${filingId}/refunds`, t.center)).status).toBe(403);
    // the terminated filing's page links the list; the console passes the CSV on with the user's own rights
    const { c: inst, page: filingPage } = await page(as.inst, `/filings/${filingId}`);
    expect(filingPage.html).toContain(`href="/filings/${filingId}/refunds.csv"`);
    const download = await inst.get(`/filings/${filingId}/refunds.csv`);
    expect([download.status, download.html.split('\r\n').length]).toEqual([200, 8]);
    const csv = await api.get(`/api/v1/filings/${filingId}/refunds?format=csv`, t.inst);
    expect(String(csv.headers['content-type'])).toContain('text/csv');
    const lines = String(csv.body).split('\r\n');
    expect(lines[0]).toBe('\uFEFF序号,认定批次,姓名,身份证号码,职业编码,申报职业,评价等级,批次取消时间,取消原因');
    expect(lines.filter((l) => l.includes(idNumber(520, '19920101')))).toHaveLength(1);
  });
});
