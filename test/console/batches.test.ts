/**
 * The console's batch pages on the real stack in demo mode (time-skipping server): the plan form
 * with its 花名册 upload (a bad row is shown per row and nothing is sent; the fixed file creates the
 * batch), API refusals in plain words, the center's forms only at their stage, supervision, the
 * score grid (a page of candidates at a time in a batch of 205), results, and the CSV downloads
 * proxied with the user's own token; then the certificate's page: its record, the PDF, a correction
 * the center reviews from its queue, a reissue, and a revocation with its confirmation.
 */
import { devStack, timeSkippingAddress, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { consoleClient, textOf, type Page } from '../harness/console';
import { application, idNumber } from '../fixtures/filing';
import { xlsxOf } from '../fixtures/roster-xlsx';
import { Workbook } from 'exceljs';
import { XLSX_CONTENT_TYPE } from '../../exports/workbooks';
import { chinaDateOf } from '../../domain/calendar';
import type { Caller } from '../../domain/roles';

const keyOf = (p: Page) => /name="_key" value="([^"]+)"/.exec(p.html)?.[1] ?? '';
/** the <form> with this data-testid, as HTML */
const formHtml = (p: Page, testid: string) => new RegExp(`<form[^>]*data-testid="${testid}"[\\s\\S]*?</form>`).exec(p.html)?.[0];

describe('console: assessment batches', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const t: Record<string, string> = {};
  const inst = application({ province: '22', prefecture: '220100', kind: 'Y' });
  const callers: Record<string, Caller> = {
    inst: { sub: 'inst', name: '精工机械', role: 'institution', province: '22', institutionId: inst.institution.creditCode },
    center: { sub: 'center', name: '市鉴定中心', role: 'center', province: '22', prefecture: '220100' },
    sup: { sub: 'sup-1', name: '王督导', role: 'supervisor', province: '22', prefecture: '220100' },
    pref: { sub: 'pref', name: '市人社局', role: 'prefecture-reviewer', province: '22', prefecture: '220100' },
    prov: { sub: 'prov', name: '省人社厅', role: 'province-reviewer', province: '22' },
  };
  /** a second batch, of 205 candidates, for the score grid's pages */
  let bigId: string;
  /** the certificate the first batch issues */
  let certificate = '';
  const bigIds = Array.from({ length: 205 }, (_, i) => idNumber(100 + i, '19880808'));
  let filingId: string;
  let batchId: string;
  const client = async (who: keyof typeof callers) => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    await c.signInAs(callers[who]);
    return c;
  };
  const ids = [idNumber(501, '19900101'), idNumber(502, '19910202'), idNumber(503, '19920303')];
  const HEADER = ['序号', '姓名', '身份证号', '性别', '岗位/工种', '本岗位工作年限', '职业编码', '等级', '工作单位统一社会信用代码'];
  const rows = (idList: string[]) =>
    idList.map((id, i) => [i + 1, `考生${i + 1}`, id, '', '车工', 3 + i, '6-18-01-01', '四级/中级工', inst.institution.creditCode]);
  const csvOf = (r: (string | number)[][]) => '\uFEFF' + r.map((x) => x.join(',')).join('\r\n') + '\r\n';

  beforeAll(async () => {
    s = await devStack({ settings: { APP_MODE: 'demo' }, temporalAddress: timeSkippingAddress() });
    api = http(s.app);
    const tok = (sub: string, c: Omit<Caller, 'sub' | 'name'>) => s.token({ sub, name: sub, ...c });
    t.inst = await tok('inst', { role: 'institution', province: '22', institutionId: inst.institution.creditCode });
    t.pref = await tok('pref', { role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
    t.prov = await tok('prov', { role: 'province-reviewer', province: '22' });
    t.admin = await tok('admin', { role: 'admin' });
    t.center = await tok('center', { role: 'center', province: '22', prefecture: '220100' });
    for (const [i, sub] of ['ea', 'eb', 'ec'].entries()) {
      t[sub] = await tok(sub, { role: 'expert', province: '22' });
      expect((await api.post('/api/v1/experts', { userId: sub, name: `专家${i}`, idNumber: idNumber(800 + i), province: '22' }, t.prov)).status).toBe(201);
    }
    expect(
      (await api.post('/api/v1/supervisors', { userId: 'sup-1', name: '王督导', idNumber: idNumber(900), province: '22', prefecture: '220100' }, t.prov))
        .status,
    ).toBe(201);
    // a filing in force (车工 6-18-01-01, levels 5, 4, 3)
    filingId = (await api.post('/api/v1/filings', inst, t.inst)).body.id;
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
    expect((await api.post(`/api/v1/filings/${filingId}/decisions`, { stage: 'notice', outcome: 'pass', opinion: '准予备案' }, t.prov)).body.status).toBe(
      'active',
    );
  });
  afterAll(async () => s?.close());

  async function planFields(c: Awaited<ReturnType<typeof client>>, over: Record<string, string> = {}) {
    const form = await c.get('/batches/new');
    expect(form.status).toBe(200);
    const earliest = /data-testid="earliest">(\d{4}-\d{2}-\d{2})</.exec(form.html)?.[1];
    expect(earliest).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    return {
      _key: keyOf(form),
      filingId,
      firstExamDate: earliest!,
      lastExamDate: earliest!,
      venueName: '一号实训车间',
      venueAddress: '吉林省长春市朝阳区人民大街1号',
      module_theory: '1',
      passMark_theory: '60',
      module_skill: '1',
      passMark_skill: '60',
      proctors: '监考甲、监考乙',
      examiners: '考评员甲',
      supervisors: '内部督导丁',
      ...over,
    };
  }

  it('the plan form offers the filing in force, labels every field and links the roster template', async () => {
    const c = await client('inst');
    const page = await c.get('/batches/new');
    const form = formHtml(page, 'plan-form')!;
    expect(form).toContain('enctype="multipart/form-data"');
    expect(form).toContain(`<option value="${filingId}" selected>`);
    expect(form).toContain('<label for="roster">考生花名册</label>');
    expect(form).toMatch(/<input id="roster" name="roster" type="file"/);
    // every visible control has a label
    for (const [, id] of form.matchAll(/<(?:input|select|textarea) id="([^"]+)"/g)) expect(form).toContain(`for="${id}"`);
    expect(textOf(form)).toContain('报送认定计划');
    expect(page.html).not.toMatch(/<script/);

    const tpl = await c.get('/batches/roster-template.csv');
    expect(tpl.status).toBe(200);
    expect(tpl.headers['content-type']).toMatch(/text\/csv/);
    expect(tpl.headers['content-disposition']).toMatch(/attachment/);
    expect(tpl.html).toContain('姓名,身份证号');
    expect(tpl.html).toContain(inst.institution.creditCode);

    // other roles get no plan form
    const center = await client('center');
    expect((await center.get('/batches/new')).status).toBe(403);
    const list = await c.get('/batches');
    expect(list.html).toContain('href="/batches/new"');
    expect((await center.get('/batches')).html).not.toContain('href="/batches/new"');
  });

  it('a roster with one bad row shows that row and sends nothing; an API refusal keeps the form values', async () => {
    const c = await client('inst');
    const wrong = ids[1].slice(0, 17) + (ids[1][17] === '0' ? '1' : '0');
    const fields = await planFields(c);
    const bad = await c.upload('/batches/new', fields, {
      field: 'roster',
      name: '花名册.csv',
      type: 'text/csv',
      content: csvOf([HEADER, ...rows([ids[0], wrong, ids[2]])]),
    });
    expect(bad.status).toBe(422);
    const table = /<table data-testid="roster-errors">[\s\S]*?<\/table>/.exec(bad.html)?.[0];
    expect(table).toBeDefined();
    expect(table!.match(/class="row-error"/g)).toHaveLength(1);
    expect(textOf(table!)).toContain(`第 3 行 考生2 ${wrong} 身份证号校验位不正确`);
    expect(textOf(bad.html)).toContain('计划尚未报送');
    // what was typed is still there
    expect(bad.html).toContain('value="吉林省长春市朝阳区人民大街1号"');
    expect((await api.get('/api/v1/batches', t.inst)).body.items).toHaveLength(0);

    // out of the filed scope (level 1) is caught before the API, too
    const scope = await c.upload('/batches/new', await planFields(c), {
      field: 'roster',
      name: 'r.csv',
      type: 'text/csv',
      content: csvOf([HEADER, ...rows([ids[0]]).map((r) => r.map((x) => (x === '四级/中级工' ? '一级' : x)))]),
    });
    expect(scope.status).toBe(422);
    expect(textOf(scope.html)).toMatch(/第 2 行 .*等级 一级\/高级技师 超出备案范围/);

    // a first exam day under 10 working days ahead: the API's PLAN_TOO_LATE, in plain words with the earliest date
    const now = chinaDateOf(Date.parse((await api.get('/api/v1/admin/clock', t.admin)).body.now));
    const tooSoon = (await api.get(`/api/v1/calendar/working-days?from=${now}&add=3`)).body.date;
    const early = await planFields(c);
    const late = await c.upload(
      '/batches/new',
      { ...early, firstExamDate: tooSoon, lastExamDate: early.lastExamDate },
      { field: 'roster', name: 'r.csv', type: 'text/csv', content: csvOf([HEADER, ...rows(ids)]) },
    );
    expect(late.status).toBe(422);
    expect(textOf(late.html)).toContain(`认定计划须至少提前10个工作日报送。（最早可安排的考核日期：${early.firstExamDate}`);
    expect(late.html).toContain(`value="${tooSoon}"`);
    expect((await api.get('/api/v1/batches', t.inst)).body.items).toHaveLength(0);
  });

  it('the fixed file (XLSX) creates the batch and the page shows the plan with full ID numbers', async () => {
    const c = await client('inst');
    const book = xlsxOf([['考生花名册'], HEADER, ...rows(ids)]);
    const r = await c.upload('/batches/new', await planFields(c), {
      field: 'roster',
      name: '花名册.xlsx',
      type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      content: book,
    });
    expect([r.status, textOf(r.html).slice(0, 300)]).toEqual([303, '']);
    const m = /^\/batches\/([^?]+)\?ok=planned$/.exec(r.location ?? '');
    expect(m).not.toBeNull();
    batchId = decodeURIComponent(m![1]);
    const listed = (await api.get('/api/v1/batches', t.inst)).body.items;
    expect(listed.map((b: { id: string }) => b.id)).toEqual([batchId]);
    const page = await c.get(r.location!);
    expect(page.status).toBe(200);
    expect(textOf(page.html)).toContain('认定计划已报送');
    expect(textOf(page.html)).toContain('计划已报');
    expect([...page.html.matchAll(/data-testid="candidate-id">([^<]+)</g)].map((x) => x[1])).toEqual(ids);
    expect(textOf(page.html)).toContain('监考甲、监考乙');
    // the institution has no center forms and, before the exams, no score grid
    expect(page.html).not.toContain('data-testid="batch-decision-form"');
    expect(page.html).not.toContain('data-testid="score-grid"');
    // the list links to it
    expect((await c.get('/batches')).html).toContain(`href="/batches/${encodeURIComponent(batchId)}"`);

    // the batch of 205 for the grid's pages, on the same days, acknowledged so that its exams go ahead
    const { firstExamDate } = await planFields(c);
    const big = await api.post(
      '/api/v1/batches',
      {
        filingId,
        firstExamDate,
        lastExamDate: firstExamDate,
        venues: [{ name: '一号实训车间', address: '吉林省长春市朝阳区人民大街1号' }],
        modules: [{ kind: 'theory' }, { kind: 'skill' }],
        candidates: bigIds.map((idNumber, i) => ({
          name: `大批考生${i + 1}`,
          idNumber,
          post: '车工',
          yearsInPost: 3,
          occupationCode: '6-18-01-01',
          level: 4,
          employerCreditCode: inst.institution.creditCode,
        })),
        proctors: [{ name: '监考' }],
        examiners: [{ name: '考评员' }],
        supervisors: [{ name: '内部督导' }],
      },
      t.inst,
    );
    expect([big.status, big.body.code, big.body.detail]).toEqual([201, undefined, undefined]);
    bigId = big.body.id;
    expect((await api.post(`/api/v1/batches/${bigId}/decisions`, { stage: 'plan-review', outcome: 'pass', opinion: '已收悉' }, t.center)).status).toBe(200);
  });

  it("the center's decision form appears only at its stage; a stale form is refused in plain words", async () => {
    const center = await client('center');
    const page = await center.get(`/batches/${batchId}`);
    const form = formHtml(page, 'batch-decision-form')!;
    expect(form).toContain('name="stage" value="plan-review"');
    expect(form).not.toContain('value="return"'); // plan review: confirm or reject only
    expect(textOf(form)).toContain('提交审核意见');
    expect(page.html).toContain('data-testid="audit"'); // the center may read the audit trail
    const fields = { _key: keyOf(page), stage: 'plan-review', outcome: 'pass', opinion: '计划已收悉' };
    const done = await center.post(`/batches/${batchId}/decisions`, fields);
    expect([done.status, done.location]).toEqual([303, `/batches/${batchId}?ok=decided`]);
    const after = await center.get(`/batches/${batchId}`);
    expect(after.html).not.toContain('data-testid="batch-decision-form"');
    expect(textOf(after.html)).toContain('计划已确认');
    expect(textOf(after.html)).toMatch(/计划确认：\s*确认备案 — 计划已收悉/);
    const audit = textOf(/<table data-testid="audit">[\s\S]*?<\/table>/.exec(after.html)![0]);
    expect([audit.includes('报送认定计划'), audit.includes('鉴定中心决定'), /batch\.\w/.test(audit)]).toEqual([true, true, false]);
    // the same decision again with a fresh key: the batch is no longer at that stage
    const again = await center.post(`/batches/${batchId}/decisions`, { ...fields, _key: keyOf(after) });
    expect(again.status).toBe(409);
    expect(textOf(again.html)).toContain('该事项已不在这一环节');
    // the institution never sees it
    expect((await (await client('inst')).get(`/batches/${batchId}`)).html).not.toContain('audit');
  });

  it('the center draws a supervisor, who then files a report', async () => {
    const center = await client('center');
    const page = await center.get(`/batches/${batchId}`);
    expect(formHtml(page, 'draw-form')).toContain('抽取督导员');
    const drawn = await center.post(`/batches/${batchId}/supervision`, { _key: keyOf(page), action: 'assign', count: 1 });
    expect(drawn.status).toBe(303);
    const sup = await client('sup');
    const supPage = await sup.get(`/batches/${batchId}`);
    expect(supPage.status).toBe(200);
    expect(textOf(supPage.html)).toContain('督导员：王督导');
    // a supervisor sees ID numbers masked
    expect(supPage.html).not.toContain(ids[0]);
    const report = formHtml(supPage, 'report-form')!;
    expect(report).toContain('提交督导报告');
    const filed = await sup.post(`/batches/${batchId}/supervision`, { _key: keyOf(supPage), action: 'report', severity: 'none', findings: '考场秩序良好' });
    expect(filed.status).toBe(303);
    expect(textOf((await center.get(`/batches/${batchId}`)).html)).toContain('王督导');
  });

  it('scores go in through the grid (partly, then the rest), and a bad number is refused', async () => {
    await api.post('/api/v1/admin/clock/advance', { by: 'P20D' }, t.admin);
    const c = await client('inst');
    const page = await c.get(`/batches/${batchId}`);
    expect(textOf(page.html)).toContain('评分中');
    const grid = formHtml(page, 'score-grid')!;
    expect(grid).toBeDefined();
    expect(grid.match(/type="number"/g)).toHaveLength(ids.length * 2);
    expect(grid).toContain(`name="s_${ids[0]}_theory"`);
    expect(grid).toContain('<label for="s-0-theory"');
    expect(textOf(grid)).toContain('保存成绩');

    const tooHigh = await c.post(`/batches/${batchId}/scores`, { _key: keyOf(page), [`s_${ids[0]}_theory`]: '120' });
    expect(tooHigh.status).toBe(400);
    expect(textOf(tooHigh.html)).toContain('成绩应为 0–100 的数字');
    expect(tooHigh.html).toContain('value="120"');

    // a score sheet naming someone outside the batch saves nothing and says which row
    expect(formHtml(page, 'score-upload')).toContain('上传成绩表');
    const stranger = idNumber(777, '19930303');
    const sheet = csvOf([
      ['身份证号', '姓名', '理论知识', '操作技能'],
      [ids[0], '考生1', 70, 70],
      [stranger, '路人', 60, 60],
    ]);
    const upload = await c.upload(
      `/batches/${batchId}/scores/upload`,
      { _key: keyOf(page) },
      { field: 'scores', name: '成绩.csv', type: 'text/csv', content: sheet },
    );
    expect(upload.status).toBe(422);
    expect(textOf(/<table data-testid="score-errors">[\s\S]*?<\/table>/.exec(upload.html)![0])).toContain(`第 3 行 路人 ${stranger} 不是本批次的考生`);
    expect((await api.get(`/api/v1/batches/${batchId}`, t.inst)).body.scores).toEqual({});
    const template = await c.get(`/batches/${batchId}/scores-template.csv`);
    expect(template.html).toContain(`${ids[0]},考生1,,,`);

    const first = await c.post(`/batches/${batchId}/scores`, { _key: keyOf(page), [`s_${ids[0]}_theory`]: '75', [`s_${ids[0]}_skill`]: '80' });
    expect([first.status, first.location]).toEqual([303, `/batches/${batchId}?ok=scored`]);
    const partly = await c.get(first.location!);
    expect(textOf(partly.html)).toContain('成绩已保存');
    expect(partly.html).toMatch(new RegExp(`name="s_${ids[0]}_theory"[^>]*value="75"`));
    expect((await api.get(`/api/v1/batches/${batchId}`, t.inst)).body.status).toBe('scoring');

    const rest = await c.post(`/batches/${batchId}/scores`, {
      _key: keyOf(partly),
      [`s_${ids[1]}_theory`]: '90',
      [`s_${ids[1]}_skill`]: '59.5',
      [`absent_${ids[2]}`]: '1',
    });
    expect(rest.status).toBe(303);
    const b = (await api.get(`/api/v1/batches/${batchId}`, t.inst)).body;
    expect(b.status).toBe('publicity');
    expect(b.scores[ids[1]]).toEqual({ theory: 90, skill: 59.5 });
    expect(b.scores[ids[2]]).toEqual({ absent: true });
    const shown = await c.get(`/batches/${batchId}`);
    expect(shown.html).not.toContain('data-testid="score-grid"');
    expect(textOf(shown.html)).toMatch(/考生1 .*75 80 合格/);
    expect(textOf(shown.html)).toMatch(/考生2 .*90 59.5 不合格/);
    expect(textOf(shown.html)).toMatch(/考生3 .*缺考/);
  });

  it('a batch of 205 shows its score grid 100 candidates a page, and a page posts only its own rows', async () => {
    // the API: a slice on request, everyone by default, and both parameters or neither
    const slice = (await api.get(`/api/v1/batches/${bigId}?candidatesOffset=200&candidatesLimit=100`, t.inst)).body;
    expect(slice.plan.candidates.map((x: { idNumber: string }) => x.idNumber)).toEqual(bigIds.slice(200));
    expect(slice.candidatesPage).toEqual({ offset: 200, limit: 100, total: 205 });
    const whole = (await api.get(`/api/v1/batches/${bigId}`, t.inst)).body;
    expect([whole.plan.candidates.length, whole.candidatesPage]).toEqual([205, undefined]);
    expect((await api.get(`/api/v1/batches/${bigId}?candidatesOffset=100`, t.inst)).status).toBe(400);

    const c = await client('inst');
    const first = await c.get(`/batches/${bigId}`);
    expect(first.status).toBe(200);
    expect(textOf(first.html)).toContain('考生 205 人');
    expect(textOf(first.html)).toContain('共 205 人，每页 100 人，共 3 页；本页为第 1–100 人');
    expect(textOf(first.html)).toContain('第 1 / 3 页');
    const grid1 = formHtml(first, 'score-grid')!;
    expect(grid1.match(/type="number"/g)).toHaveLength(200);
    expect(grid1).toContain(`name="s_${bigIds[99]}_theory"`);
    expect(grid1).not.toContain(bigIds[100]);
    expect(first.html).toContain(`href="/batches/${bigId}?page=2#candidates-heading"`);
    expect(first.html).toContain('for="page-jump"');

    const third = await c.get(`/batches/${bigId}?page=3`);
    const grid3 = formHtml(third, 'score-grid')!;
    expect(grid3).toContain(`action="/batches/${bigId}/scores?page=3"`);
    expect(grid3.match(/type="number"/g)).toHaveLength(10);
    expect(textOf(grid3)).toMatch(/^序号 .* 201 大批考生201/);
    expect(textOf(grid3)).toContain('保存本页成绩');
    // past the end: the last page
    expect((await c.get(`/batches/${bigId}?page=9`)).location).toBe(`/batches/${bigId}?page=3`);

    const fields: Record<string, string> = { _key: keyOf(third) };
    for (const id of bigIds.slice(200)) Object.assign(fields, { [`s_${id}_theory`]: '70', [`s_${id}_skill`]: '65' });
    const saved = await c.post(`/batches/${bigId}/scores?page=3`, fields);
    expect([saved.status, saved.location]).toEqual([303, `/batches/${bigId}?page=3&ok=scored`]);
    const after = await c.get(saved.location!);
    expect(textOf(after.html)).toContain('成绩已保存');
    expect(after.html).toMatch(new RegExp(`name="s_${bigIds[204]}_skill"[^>]*value="65"`));
    const b = (await api.get(`/api/v1/batches/${bigId}`, t.inst)).body;
    expect(Object.keys(b.scores).sort()).toEqual(bigIds.slice(200).sort());
    expect(b.status).toBe('scoring');
    // the history says it in words
    expect(textOf(after.html)).toContain('录入成绩：成绩 5 条');
    expect(textOf(after.html)).toContain('报送认定计划：考生 205 人，考核日期');
  });

  it('after the publicity the institution submits results and downloads the 结果汇总表 and 合格人员花名册; the center then reviews', async () => {
    const c = await client('inst');
    const notYet = await c.get(`/batches/${batchId}/summary.csv`);
    expect(notYet.status).toBe(409);
    expect(textOf(notYet.html)).toContain('结果尚未报送');

    // an objection during the publicity: the center resolves it on the page
    expect((await api.post(`/api/v1/batches/${batchId}/objections`, { name: '李某', contact: '13800000000', reason: '考生2成绩有误' })).status).toBe(202);
    const center = await client('center');
    const withObjection = await center.get(`/batches/${batchId}`);
    expect(textOf(withObjection.html)).toContain('考生2成绩有误');
    expect(formHtml(withObjection, 'resolution-form')).toContain('提交处理意见');
    expect((await c.get(`/batches/${batchId}`)).html).not.toContain('data-testid="resolution-form"');
    const oid = /\/objections\/([^/]+)\/resolution/.exec(withObjection.html)![1];
    const resolved = await center.post(`/batches/${batchId}/objections/${oid}/resolution`, {
      _key: keyOf(withObjection),
      upheld: 'false',
      note: '经核查成绩无误',
    });
    expect([resolved.status, resolved.location]).toEqual([303, `/batches/${batchId}?ok=resolved`]);
    expect(textOf((await center.get(`/batches/${batchId}`)).html)).toContain('处理结果：异议不成立。经核查成绩无误');

    await api.post('/api/v1/admin/clock/advance', { by: 'P9D' }, t.admin);
    const page = await c.get(`/batches/${batchId}`);
    expect(formHtml(page, 'results-form')).toContain('报送结果');
    expect((await center.get(`/batches/${batchId}`)).html).not.toContain('data-testid="batch-decision-form"');
    const sent = await c.post(`/batches/${batchId}/results`, { _key: keyOf(page), note: '' });
    expect([sent.status, sent.location]).toEqual([303, `/batches/${batchId}?ok=results`]);

    const summary = await s.app.inject({ method: 'GET', url: `/batches/${batchId}/summary.csv`, headers: { cookie: await cookieOf('inst') } });
    expect(summary.statusCode).toBe(200);
    expect(summary.headers['content-type']).toMatch(/text\/csv/);
    expect(summary.headers['content-disposition']).toMatch(/^attachment; filename="summary-/);
    expect(summary.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(summary.body).toContain('企业职业技能等级认定结果汇总表');
    expect(summary.body).toContain('6-18-01-01');
    const roster = await c.get(`/batches/${batchId}/roster.csv`);
    expect(roster.status).toBe(200);
    expect(roster.html).toContain(ids[0]);
    expect(roster.html).not.toContain(ids[1]); // failed
    expect(roster.html).not.toContain(ids[2]); // absent
    // the same two forms as Excel workbooks in the seed's layout (001 附件3, 附件4), read back
    const sheetOf = async (url: string) => {
      const res = await s.app.inject({ method: 'GET', url, headers: { cookie: await cookieOf('inst') } });
      expect([res.statusCode, res.headers['content-type']]).toEqual([200, XLSX_CONTENT_TYPE]);
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="(summary|roster)-.*\.xlsx"$/);
      const wb = new Workbook();
      await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      return wb.worksheets[0];
    };
    const summarySheet = await sheetOf(`/batches/${batchId}/summary.xlsx`);
    expect(summarySheet.getCell('A1').value).toBe('企业职业技能等级认定结果汇总表');
    expect(JSON.stringify(summarySheet.getSheetValues())).toContain('6-18-01-01');
    const rosterSheet = await sheetOf(`/batches/${batchId}/roster.xlsx`);
    expect(rosterSheet.getCell('A1').value).toBe('企业职业技能等级认定合格人员花名册');
    const rosterRows = JSON.stringify(rosterSheet.getSheetValues());
    expect(rosterRows).toContain(`"${ids[0]}"`); // the ID number as text, all 18 characters
    expect(rosterRows).not.toContain(ids[1]);
    expect(rosterRows).not.toContain(ids[2]);
    // the API gives the same workbook to a reviewer in scope; an unknown format is a 400
    const direct = await api.get(`/api/v1/batches/${batchId}/roster?format=xlsx`, t.pref);
    expect([direct.status, direct.headers['content-type']]).toEqual([200, XLSX_CONTENT_TYPE]);
    expect((await api.get(`/api/v1/batches/${batchId}/roster?format=pdf`, t.pref)).status).toBe(400);

    // without a session: sign in first
    const anon = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    expect((await anon.get(`/batches/${batchId}/summary.csv`)).status).toBe(303);
    expect((await anon.get(`/batches/${batchId}/roster.xlsx`)).status).toBe(303);

    const review = await center.get(`/batches/${batchId}`);
    const form = formHtml(review, 'batch-decision-form')!;
    expect(form).toContain('name="stage" value="results-review"');
    expect(form).toContain('value="return"');
    expect(textOf(review.html)).toContain('合格 1 人');
    const passed = await center.post(`/batches/${batchId}/decisions`, { _key: keyOf(review), stage: 'results-review', outcome: 'pass', opinion: '审核通过' });
    expect(passed.status).toBe(303);
    const done = await c.get(`/batches/${batchId}`);
    expect(textOf(done.html)).toContain('已发证');
    const numbers = [...done.html.matchAll(/href="\/certificates\/([A-Z0-9]+)"/g)].map((x) => x[1]);
    expect(numbers).toHaveLength(1);
    expect(numbers[0]).toMatch(/^Y000022\d{6}\d{2}4000001$/);
    certificate = numbers[0];
    expect(textOf(done.html)).toContain('结果审核通过，已发证');
    expect(textOf(done.html)).toContain('核发证书 1 本');
    expect(textOf(done.html)).not.toMatch(/certificates issued|candidates, exams|\bin time\b|until 20/);

    // the archive page: each part's medium and last day of keeping, from the day the batch ended
    expect(done.html).toContain(`href="/batches/${batchId}/archive"`);
    const archive = await c.get(`/batches/${batchId}/archive`);
    expect(archive.status).toBe(200);
    const text = textOf(archive.html);
    const ended = (await api.get(`/api/v1/batches/${batchId}/archive`, t.inst)).body.endedOn as string;
    const fiveYears = `${Number(ended.slice(0, 4)) + 5}`;
    expect(text).toMatch(new RegExp(`考生花名册、结果汇总表、合格人员花名册、公示名单 电子 5 年 ${ended} ${fiveYears}-\\d{2}-\\d{2} 本系统删除个人信息`));
    expect(text).toMatch(/试卷及答卷 纸质 3 年/);
    expect(text).toContain('证书数据（1 张） 电子 永久');
    expect((await consoleClient(s.app, s.settings.AUTH_JWT_SECRET!).get(`/batches/${batchId}/archive`)).status).toBe(303);
  });

  const certPath = () => `/certificates/${certificate}`;

  it("the certificate's page: its data in full for the issuer, the PDF through the user's token, and the forms each may use", async () => {
    const c = await client('inst');
    const page = await c.get(certPath());
    expect(page.status).toBe(200);
    expect(page.html).not.toMatch(/<script/);
    expect(textOf(/<dl class="facts" data-testid="certificate-data">[\s\S]*?<\/dl>/.exec(page.html)![0])).toContain(`证件号码 ${ids[0]}`);
    expect(textOf(page.html)).toMatch(/证书 Y\d+ 有效/);
    expect(textOf(page.html)).toContain('第 1 版');
    expect(page.html).toContain(`href="${certPath()}/document.pdf"`);
    for (const f of ['correction-form', 'reissue-form', 'revocation-form']) expect(formHtml(page, f)).toContain('name="_key"');
    expect(page.html).not.toContain('data-testid="correction-decision-form"');
    for (const [, id] of page.html.matchAll(/<(?:input|select|textarea) id="([^"]+)"/g)) expect(page.html).toContain(`for="${id}"`);

    const pdf = await s.app.inject({ method: 'GET', url: `${certPath()}/document.pdf`, headers: { cookie: await cookieOf('inst') } });
    expect([pdf.statusCode, pdf.headers['content-type']]).toEqual([200, 'application/pdf']);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    // the province reviewer may revoke, not correct; the prefecture reviewer only reads; the center has no document
    const prov = await (await client('prov')).get(certPath());
    expect([prov.status, !!formHtml(prov, 'revocation-form'), !!formHtml(prov, 'correction-form')]).toEqual([200, true, false]);
    const pref = await (await client('pref')).get(certPath());
    expect([pref.status, !!formHtml(pref, 'revocation-form'), pref.html.includes('document.pdf')]).toEqual([200, false, true]);
    const center = await (await client('center')).get(certPath());
    expect([center.status, center.html.includes('document.pdf'), center.html.includes(ids[0])]).toEqual([200, false, true]);
    // a supervisor has the public check only
    const sup = await (await client('sup')).get(certPath());
    expect(sup.status).toBe(403);
    expect(textOf(sup.html)).toContain('证书详情仅供发证机构及其属地审核部门、鉴定中心查看');
    expect(sup.html).not.toContain(ids[0]);
  });

  it('a correction: the institution asks, the center finds it in its queue and approves it, and the page shows old → new', async () => {
    const c = await client('inst');
    const page = await c.get(certPath());
    const form = formHtml(page, 'correction-form')!;
    expect(form).toContain('<option value="holder.name">姓名</option>');
    const noReason = await c.post(`${certPath()}/corrections`, { _key: keyOf(page), field: 'holder.name', value: '考生甲', reason: '' });
    expect([noReason.status, textOf(noReason.html).includes('请填写更正理由')]).toEqual([400, true]);
    const same = await c.post(`${certPath()}/corrections`, { _key: keyOf(page), field: 'holder.name', value: '考生1', reason: '核对' });
    expect(same.status).toBe(422);
    expect(same.html).toContain('value="考生1"');
    const asked = await c.post(`${certPath()}/corrections`, { _key: keyOf(same), field: 'holder.name', value: '考生甲', reason: '姓名录入错误' });
    expect([asked.status, asked.location]).toEqual([303, `${certPath()}?ok=correction-requested`]);

    // the request's own record is written by its workflow just after the 202
    const center = await client('center');
    let queue = await center.get('/certificates/corrections');
    for (let i = 0; i < 50 && !queue.html.includes(certificate); i++) {
      await new Promise((r) => setTimeout(r, 100));
      queue = await center.get('/certificates/corrections');
    }
    expect(queue.html).toContain('href="/certificates/corrections"'); // the center's menu
    expect(textOf(/<table data-testid="corrections">[\s\S]*?<\/table>/.exec(queue.html)![0])).toContain(`${certificate} 考生1 姓名 考生1 考生甲 姓名录入错误`);
    expect((await c.get(certPath())).html).toContain('data-testid="correction-pending"');
    expect((await c.get('/inbox')).html).not.toContain('href="/certificates/corrections"'); // the institution's menu has no queue

    const toDecide = await center.get(certPath());
    const decision = formHtml(toDecide, 'correction-decision-form')!;
    expect(textOf(decision)).toContain('提交复核意见');
    const action = /action="([^"]+)"/.exec(decision)![1];
    const empty = await center.post(action, { _key: keyOf(toDecide), outcome: 'pass', opinion: '' });
    expect([empty.status, textOf(empty.html).includes('请选择复核结论并填写复核意见')]).toEqual([400, true]);
    const decided = await center.post(action, { _key: keyOf(toDecide), outcome: 'pass', opinion: '核实无误' });
    expect([decided.status, decided.location]).toEqual([303, `${certPath()}?ok=correction-decided`]);
    const after = await c.get(certPath());
    expect(textOf(after.html)).toMatch(/证书 Y\d+ 已更正/);
    expect(textOf(after.html)).toContain('第 2 版（已更正 1 次）');
    expect(textOf(after.html)).toContain('姓名：考生1 → 考生甲（第 2 版）。理由：姓名录入错误。复核意见：核实无误');
    expect(textOf(after.html)).toContain('申请 精工机械（评价机构），复核 市鉴定中心（职业技能鉴定（指导）中心）');
    expect(formHtml(after, 'correction-form')).toBeDefined();
    expect((await center.get('/certificates/corrections')).html).toContain('没有待复核的更正申请');
    // the same decision again: decided already, in plain words
    const again = await center.post(action, { _key: keyOf(after), outcome: 'pass', opinion: '核实无误' });
    expect([again.status, textOf(again.html).includes('这一事项已经处理过了')]).toEqual([409, true]);
  });

  it('a reissue, then a revocation that must be confirmed; a revoked certificate has no forms and no document', async () => {
    const c = await client('inst');
    const page = await c.get(certPath());
    const reissued = await c.post(`${certPath()}/reissue`, { _key: keyOf(page), reason: '证书遗失' });
    expect([reissued.status, reissued.location]).toEqual([303, `${certPath()}?ok=reissued`]);
    expect(textOf((await c.get(certPath())).html)).toMatch(/补发 第 1 次补发。理由：证书遗失 精工机械（评价机构）/);

    const prov = await client('prov');
    const form = await prov.get(certPath());
    const key = keyOf({ ...form, html: formHtml(form, 'revocation-form')! });
    const unconfirmed = await prov.post(`${certPath()}/revocation`, { _key: key, reason: '违规取得' });
    expect([unconfirmed.status, textOf(unconfirmed.html).includes('请勾选确认撤销')]).toEqual([400, true]);
    expect(unconfirmed.html).toContain('违规取得</textarea>');
    const revoked = await prov.post(`${certPath()}/revocation`, { _key: key, reason: '违规取得', confirm: '1' });
    expect([revoked.status, revoked.location]).toEqual([303, `${certPath()}?ok=revoked`]);
    // the same form again (same key): the first answer, once
    expect((await prov.post(`${certPath()}/revocation`, { _key: key, reason: '违规取得', confirm: '1' })).status).toBe(303);

    const after = await c.get(certPath());
    expect(textOf(after.html)).toMatch(/证书 Y\d+ 已撤销/);
    expect(textOf(after.html)).toContain('撤销 理由：违规取得 省人社厅（省级人社部门审核员）');
    for (const f of ['correction-form', 'reissue-form', 'revocation-form']) expect(formHtml(after, f)).toBeUndefined();
    expect(after.html).not.toContain('document.pdf');
    const pdf = await c.get(`${certPath()}/document.pdf`);
    expect([pdf.status, textOf(pdf.html).includes('该证书已被撤销')]).toEqual([409, true]);
    // a stale revocation form (a fresh key): refused in plain words
    const stale = await c.post(`${certPath()}/revocation`, { _key: 'another-key-0001', reason: '重复', confirm: '1' });
    expect([stale.status, textOf(stale.html).includes('该证书已被撤销')]).toEqual([409, true]);
  });

  async function cookieOf(who: keyof typeof callers) {
    const { signToken } = await import('../../api/tokens');
    const { SESSION_COOKIE } = await import('../../console/core');
    return `${SESSION_COOKIE}=${await signToken(s.settings.AUTH_JWT_SECRET!, callers[who])}`;
  }
});
