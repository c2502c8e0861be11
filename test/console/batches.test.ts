/**
 * The console's batch pages on the real stack in demo mode (time-skipping server): the plan form
 * with its 花名册 upload (a bad row is shown per row and nothing is sent; the fixed file creates the
 * batch), API refusals in plain words, the center's forms only at their stage, supervision, the
 * score grid, results, and the CSV downloads proxied with the user's own token.
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
  };
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
    const numbers = [...done.html.matchAll(/href="\/verify\?number=([A-Z0-9]+)"/g)].map((x) => x[1]);
    expect(numbers).toHaveLength(1);
    expect(numbers[0]).toMatch(/^Y000022\d{6}\d{2}4000001$/);
  });

  async function cookieOf(who: keyof typeof callers) {
    const { signToken } = await import('../../api/tokens');
    const { SESSION_COOKIE } = await import('../../console/core');
    return `${SESSION_COOKIE}=${await signToken(s.settings.AUTH_JWT_SECRET!, callers[who])}`;
  }
});
