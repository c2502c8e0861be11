/**
 * The console's filing pages over app.inject on the real stack (dev server + FerretDB): the filing
 * form and its materials checklist, the detail page's timeline, the forms each role is offered,
 * refusals in plain words, and scope (an institution never sees another's filing).
 */
import { devStack, timeSkippingAddress, type DevStack } from '../harness/stack';
import { consoleClient, textOf } from '../harness/console';
import { http } from '../harness/http';
import { application, idNumber } from '../fixtures/filing';
import { MATERIAL_KINDS, type Application } from '../../domain/filing';
import { MATERIAL_LABELS } from '../../console/labels';
import type { Caller } from '../../domain/roles';

/** The form fields the filing form posts for an application (every material with a title unless listed as online-only or left out). */
function filingFields(a: Application, opts: { omit?: string[]; onlineOnly?: string[] } = {}) {
  const i = a.institution;
  const fields: Record<string, string | string[]> = {
    _key: `k-${Math.random()}`,
    name: i.name,
    creditCode: i.creditCode,
    kind: i.kind,
    legalRepresentative: i.legalRepresentative,
    address: i.address,
    province: i.province,
    affiliation: i.affiliation,
    prefecture: i.prefecture ?? '',
    contactName: i.contact.name,
    contactPhone: i.contact.phone,
    occRows: String(a.occupations.length),
  };
  a.occupations.forEach((o, n) => {
    fields[`occ-${n}-code`] = o.code;
    fields[`occ-${n}-name`] = o.name;
    fields[`occ-${n}-levels`] = o.levels.map(String);
    fields[`occ-${n}-basis`] = o.basis;
  });
  for (const k of MATERIAL_KINDS) {
    if (opts.omit?.includes(k)) continue;
    if (opts.onlineOnly?.includes(k)) fields[`mat-${k}-online`] = '1';
    else fields[`mat-${k}-title`] = `${k}-文件.pdf`;
  }
  return fields;
}

/** The HTML of the form with this data-testid, or undefined. */
function formOf(html: string, testid: string): string | undefined {
  const at = html.indexOf(`data-testid="${testid}"`);
  if (at < 0) return undefined;
  const start = html.lastIndexOf('<form', at);
  return html.slice(start, html.indexOf('</form>', at) + 7);
}
const keyOf = (form: string) => /name="_key" value="([^"]+)"/.exec(form)![1];

/** The stages of the timeline, in order, with their state and due date. */
function timelineOf(html: string): { stage: string; state: string; due?: string; text: string }[] {
  const start = html.indexOf('data-testid="timeline"');
  expect(start).toBeGreaterThan(0);
  const section = html.slice(start, html.indexOf('</section>', start));
  return [...section.matchAll(/<li class="[^"]*" data-stage="([^"]+)" data-state="([^"]+)"[^>]*>([\s\S]*?)<\/li>/g)].map((m) => ({
    stage: m[1],
    state: m[2],
    due: /data-testid="due">([^<]+)</.exec(m[3])?.[1],
    text: textOf(m[3]),
  }));
}

describe('console: filing pages', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const app1 = application({ province: '22', prefecture: '220100' });
  const app2 = application({ province: '22', prefecture: '220100' });
  const who: Record<string, Caller> = {};
  const tokens: Record<string, string> = {};
  const client = async (name: string) => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    await c.signInAs(who[name]);
    return c;
  };

  beforeAll(async () => {
    s = await devStack({ settings: { APP_MODE: 'development' } });
    api = http(s.app);
    Object.assign(who, {
      inst1: { sub: 'inst-1', name: '机构一', role: 'institution', province: '22', institutionId: app1.institution.creditCode },
      inst2: { sub: 'inst-2', name: '机构二', role: 'institution', province: '22', institutionId: app2.institution.creditCode },
      pref: { sub: 'pref-1', name: '市局审核员', role: 'prefecture-reviewer', province: '22', prefecture: '220100' },
      prov: { sub: 'prov-1', name: '省厅审核员', role: 'province-reviewer', province: '22' },
      ea: { sub: 'ea', name: '专家甲', role: 'expert', province: '22' },
      eb: { sub: 'eb', name: '专家乙', role: 'expert', province: '22' },
      ec: { sub: 'ec', name: '专家丙', role: 'expert', province: '22' },
      ed: { sub: 'ed', name: '专家丁', role: 'expert', province: '22' },
    } satisfies Record<string, Caller>);
    for (const [k, c] of Object.entries(who)) tokens[k] = await s.token(c);
    for (const [n, sub] of ['ea', 'eb', 'ec', 'ed'].entries()) {
      const r = await api.post('/api/v1/experts', { userId: sub, name: who[sub].name, idNumber: idNumber(600 + n), province: '22' }, tokens.prov);
      expect(r.status).toBe(201);
    }
  });
  afterAll(async () => s?.close());

  let id1: string;

  it('the filing form lists every material, refuses a missing one and keeps all input', async () => {
    const c = await client('inst1');
    const form = await c.get('/filings/new');
    expect(form.status).toBe(200);
    const f = formOf(form.html, 'filing-form')!;
    expect(f).toContain(`id="creditCode" name="creditCode" required minlength="18" maxlength="18" value="${app1.institution.creditCode}"`);
    for (const k of MATERIAL_KINDS) {
      expect(f).toContain(`<label for="mat-${k}-title">${MATERIAL_LABELS[k]}</label>`);
      expect(f).toContain(`id="mat-${k}-online" name="mat-${k}-online"`);
    }
    expect(f).toMatch(/name="_key" value="[0-9a-f-]{36}"/);

    // emergency plan left out; HR rules verified online (waived): only the first is missing
    const fields = filingFields(app1, { omit: ['emergency-plan'], onlineOnly: ['hr-rules'] });
    const r = await c.post('/filings/new', fields);
    expect(r.status).toBe(422);
    const text = textOf(r.html);
    expect(text).toContain(`缺少：${MATERIAL_LABELS['emergency-plan']}`);
    expect(text).not.toContain(`缺少：${MATERIAL_LABELS['hr-rules']}`);
    expect(r.html).toContain('data-missing="emergency-plan"');
    expect(r.html).not.toContain('data-missing="hr-rules"');
    // everything typed is still there
    expect(r.html).toContain(`value="${app1.institution.name}"`);
    expect(r.html).toContain(`value="${app1.institution.address}"`);
    expect(r.html).toContain('name="occ-0-code" value="6-18-01-01"');
    expect(r.html).toMatch(/id="occ-0-level-4" name="occ-0-levels" value="4" checked/);
    expect(r.html).not.toMatch(/id="occ-0-level-1" name="occ-0-levels" value="1" checked/);
    expect(r.html).toContain('name="mat-work-plan-title" maxlength="200" value="work-plan-文件.pdf"');
    expect(r.html).toMatch(/id="mat-hr-rules-online" name="mat-hr-rules-online" value="1" checked/);
    // and nothing was filed
    expect((await api.get('/api/v1/filings', tokens.inst1)).body.items).toEqual([]);

    // "add a row" keeps the input too and adds an empty occupation row
    const more = await c.post('/filings/new', { ...fields, action: 'add-occupation' });
    expect(more.status).toBe(200);
    expect(more.html).toContain('name="occRows" value="2"');
    expect(more.html).toContain('name="occ-1-code" value=""');
    expect(more.html).toContain('name="occ-0-code" value="6-18-01-01"');
    expect(more.html).not.toContain('data-testid="problem"');
  });

  it("a half-filled occupation row is named, and another institution's credit code is refused by the API in plain words", async () => {
    const c = await client('inst1');
    const half = await c.post('/filings/new', { ...filingFields(app1), occRows: '2', 'occ-1-name': '铣工' });
    expect(half.status).toBe(400);
    expect(textOf(half.html)).toContain('第2个职业（工种）须填写职业编码、名称，并至少选择一个等级');
    const other = await c.post('/filings/new', { ...filingFields(app1), creditCode: app2.institution.creditCode });
    expect(other.status).toBe(403);
    expect(textOf(other.html)).toContain('您的角色无权进行此项操作');
    expect(other.html).toContain(`value="${app2.institution.creditCode}"`);
    // a reviewer gets no filing form
    expect((await (await client('pref')).get('/filings/new')).status).toBe(403);
  });

  it('a complete form creates the filing and redirects to it; online-verified items are recorded as such', async () => {
    const c = await client('inst1');
    // 003 §三: the enterprise's own grades, written as the form asks
    const r = await c.post('/filings/new', { ...filingFields(app1, { onlineOnly: ['hr-rules'] }), 'occ-0-grades': '学徒工=5；中级技工：4' });
    expect(r.status).toBe(303);
    const m = /^\/filings\/(FL22-[^?]+)\?ok=submitted$/.exec(r.location ?? '');
    expect(m).not.toBeNull();
    id1 = decodeURIComponent(m![1]);
    const got = await api.get(`/api/v1/filings/${id1}`, tokens.inst1);
    expect(got.status).toBe(200);
    expect(got.body.application.occupations).toEqual([
      {
        code: '6-18-01-01',
        name: '车工',
        levels: [5, 4, 3],
        basis: 'national-standard',
        gradeMapping: [
          { grade: '学徒工', level: 5 },
          { grade: '中级技工', level: 4 },
        ],
      },
    ]);
    expect(got.body.application.materials.find((x: { kind: string }) => x.kind === 'hr-rules')).toMatchObject({ verifiedOnline: true });
    const page = await c.get(r.location!);
    expect(page.status).toBe(200);
    const text = textOf(page.html);
    expect(text).toContain('企业等级：学徒工→五级/初级工；中级技工→四级/中级工');
    expect(text).toContain('已提交。');
    expect(text).toContain('审核中');
    expect(page.html).toContain('网上核验');
    // the institution is offered no decision or assignment form, and no audit trail
    expect(formOf(page.html, 'decision-form')).toBeUndefined();
    expect(formOf(page.html, 'assign-form')).toBeUndefined();
    expect(page.html).not.toContain('data-testid="audit"');
  });

  it('the list shows the institution its own filing with Chinese labels; filters go to the API', async () => {
    const c = await client('inst1');
    const list = await c.get('/filings');
    expect(list.status).toBe(200);
    expect(list.html).toContain(`href="/filings/${encodeURIComponent(id1)}"`);
    expect(list.html).toContain('href="/filings/new"');
    expect(textOf(list.html)).toContain('审核中');
    expect(textOf(list.html)).toContain('申报');
    const none = await c.get('/filings?status=active');
    expect(none.html).not.toContain(`href="/filings/${encodeURIComponent(id1)}"`);
    expect(none.html).toContain('<option value="active" selected>');
    const atStage = await c.get('/filings?stage=submitted&overdue=false');
    expect(atStage.html).toContain(`href="/filings/${encodeURIComponent(id1)}"`);
    const p = await (await client('pref')).get('/filings');
    expect(p.html).not.toContain('href="/filings/new"');
    expect(p.html).toContain(`href="/filings/${encodeURIComponent(id1)}"`);
  });

  it("an institution cannot see another institution's filing (404), and a visitor is sent to sign in", async () => {
    const other = await (await client('inst2')).get(`/filings/${encodeURIComponent(id1)}`);
    expect(other.status).toBe(404);
    expect(textOf(other.html)).toContain('未找到该记录，或您无权查看');
    expect(other.html).not.toContain(app1.institution.name);
    const list = await (await client('inst2')).get('/filings');
    expect(list.html).not.toContain(encodeURIComponent(id1));
    // nor act on it
    const act = await (await client('inst2')).post(`/filings/${encodeURIComponent(id1)}/termination`, { _key: 'x1', reason: '不想做了', confirm: '1' });
    expect(act.status).toBe(404);
    const anon = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    const r = await anon.get(`/filings/${encodeURIComponent(id1)}`);
    expect(r.status).toBe(303);
    expect(r.location).toBe(`/signin?next=${encodeURIComponent(`/filings/${encodeURIComponent(id1)}`)}`);
  });

  it('the timeline shows every stage of the policy in order, the current one highlighted, with its due date', async () => {
    const c = await client('pref');
    const page = await c.get(`/filings/${encodeURIComponent(id1)}`);
    expect(page.status).toBe(200);
    const st = (await api.get(`/api/v1/filings/${id1}`, tokens.pref)).body;
    const tl = timelineOf(page.html);
    expect(tl.map((x) => x.stage)).toEqual(st.policy.stages.map((d: { name: string }) => d.name));
    expect(tl.map((x) => x.stage)).toEqual([
      'submitted',
      'preliminary-review',
      'technical-assessment',
      'comprehensive-review',
      'deliberation',
      'publicity',
      'notice',
    ]);
    expect(tl[0]).toMatchObject({ state: 'current', due: st.due.dueDate });
    expect(page.html).toMatch(/data-stage="submitted" data-state="current" aria-current="step"/);
    expect(tl.slice(1).every((x) => x.state === 'pending')).toBe(true);
    expect(tl[1].text).toContain('时限：10 个工作日');
    expect(tl[5].text).toContain('时限：5 个工作日');
    // reviewers see the audit trail (domain/policy: filing.audit)
    expect(page.html).toContain('data-testid="audit"');
    expect(textOf(page.html)).toContain('提交申请');
  });

  it('a reviewer is offered the assignment form (not a decision); experts only the decision of the stage they are assigned to', async () => {
    const pref = await client('pref');
    const before = await pref.get(`/filings/${encodeURIComponent(id1)}`);
    const assign = formOf(before.html, 'assign-form')!;
    expect(assign).toBeDefined();
    expect(formOf(before.html, 'decision-form')).toBeUndefined();
    expect(assign).toContain('<option value="preliminary-review" selected>');
    for (const e of ['ea', 'eb', 'ec', 'ed']) expect(assign).toContain(`name="expertIds" value="${e}"`);
    expect(assign).toContain('组成专家组');
    expect(assign).toMatch(/<label class="check" for="expert-0">/);

    const none = await pref.post(`/filings/${encodeURIComponent(id1)}/assign`, { _key: keyOf(assign), stage: 'preliminary-review' });
    expect(none.status).toBe(400);
    expect(textOf(none.html)).toContain('请至少选择一位评估专家');

    const r = await pref.post(`/filings/${encodeURIComponent(id1)}/assign`, { _key: keyOf(assign), stage: 'preliminary-review', expertIds: ['ea', 'eb'] });
    expect(r.status).toBe(303);
    expect(r.location).toBe(`/filings/${encodeURIComponent(id1)}?ok=assigned`);
    const r2 = await pref.post(`/filings/${encodeURIComponent(id1)}/assign`, { _key: 'assign-tech-1', stage: 'technical-assessment', expertIds: ['ec'] });
    expect(r2.status).toBe(303);

    const ea = await (await client('ea')).get(`/filings/${encodeURIComponent(id1)}`);
    expect(ea.status).toBe(200);
    const decide = formOf(ea.html, 'decision-form')!;
    expect(decide).toContain('name="stage" value="preliminary-review"');
    expect(decide).toContain('value="pass"');
    expect(decide).toContain('value="supplement"'); // 初评 allows 补正
    expect(decide).toContain('<label for="opinion">');
    expect(decide).toContain('提交决定');
    expect(decide).not.toContain('name="score"');
    expect(formOf(ea.html, 'assign-form')).toBeUndefined();
    // assigned to a later stage only: may read, may not decide now
    const ec = await (await client('ec')).get(`/filings/${encodeURIComponent(id1)}`);
    expect(ec.status).toBe(200);
    expect(formOf(ec.html, 'decision-form')).toBeUndefined();
    // not assigned at all: the filing does not exist for them
    expect((await (await client('ed')).get(`/filings/${encodeURIComponent(id1)}`)).status).toBe(404);
    // the reviewer, at an expert stage, still decides nothing
    const after = await pref.get(`/filings/${encodeURIComponent(id1)}`);
    expect(formOf(after.html, 'decision-form')).toBeUndefined();
    expect(timelineOf(after.html)[1]).toMatchObject({ stage: 'preliminary-review', state: 'current' });
    expect(timelineOf(after.html)[1].text).toContain('专家组：专家甲、专家乙');
  });

  it('a decision is refused in plain words when the form is incomplete or stale (409 STAGE_MISMATCH)', async () => {
    const ea = await client('ea');
    const eb = await client('eb');
    const pageA = await ea.get(`/filings/${encodeURIComponent(id1)}`);
    const pageB = await eb.get(`/filings/${encodeURIComponent(id1)}`);
    const keyA = keyOf(formOf(pageA.html, 'decision-form')!);
    const keyB = keyOf(formOf(pageB.html, 'decision-form')!);

    const noItems = await ea.post(`/filings/${encodeURIComponent(id1)}/decision`, {
      _key: keyA,
      stage: 'preliminary-review',
      outcome: 'supplement',
      opinion: '请补充',
    });
    expect(noItems.status).toBe(400);
    expect(textOf(noItems.html)).toContain('请逐行列出需补正的材料或事项');
    expect(formOf(noItems.html, 'decision-form')).toContain('请补充</textarea>');

    const ok = await ea.post(`/filings/${encodeURIComponent(id1)}/decision`, { _key: keyA, stage: 'preliminary-review', outcome: 'pass', opinion: '材料齐全' });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe(`/filings/${encodeURIComponent(id1)}?ok=decided`);

    // expert B still has the page from before: the filing has moved on
    const stale = await eb.post(`/filings/${encodeURIComponent(id1)}/decision`, {
      _key: keyB,
      stage: 'preliminary-review',
      outcome: 'reject',
      opinion: '不同意',
    });
    expect(stale.status).toBe(409);
    expect(stale.html).toContain('data-testid="problem"');
    expect(textOf(stale.html)).toContain('该事项已不在这一环节（可能已有人处理），请刷新后查看当前环节');
    expect(formOf(stale.html, 'decision-form')).toBeUndefined();
    const st = (await api.get(`/api/v1/filings/${id1}`, tokens.pref)).body;
    expect(st.stage).toBe('technical-assessment');
    expect(st.decisions).toHaveLength(1);

    // the timeline: 初评 done with its decision and a due date, 技术评估 current with the scored form for expert C
    const pref = await (await client('pref')).get(`/filings/${encodeURIComponent(id1)}`);
    const tl = timelineOf(pref.html);
    expect(tl[1]).toMatchObject({ stage: 'preliminary-review', state: 'done' });
    expect(tl[1].due).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(tl[1].text).toContain('通过');
    expect(tl[1].text).toContain('专家甲');
    expect(tl[1].text).toContain('材料齐全');
    expect(tl[2]).toMatchObject({ stage: 'technical-assessment', state: 'current', due: st.due.dueDate });
    const ec = await (await client('ec')).get(`/filings/${encodeURIComponent(id1)}`);
    const decide = formOf(ec.html, 'decision-form')!;
    expect(decide).toContain('name="stage" value="technical-assessment"');
    expect(decide).toContain('name="score"');
    expect(decide).not.toContain('value="supplement"'); // 技术评估 allows no 补正
  });

  it('a 补正 requested through the decision form is answered through the supplement page', async () => {
    const app3 = application({ province: '22', prefecture: '220100' });
    who.inst3 = { sub: 'inst-3', name: '机构三', role: 'institution', province: '22', institutionId: app3.institution.creditCode };
    tokens.inst3 = await s.token(who.inst3);
    const created = await api.post('/api/v1/filings', app3, tokens.inst3);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await api.post(`/api/v1/filings/${id}/assignments`, { stage: 'preliminary-review', expertIds: ['ed'] }, tokens.pref)).status).toBe(200);

    const ed = await client('ed');
    const form = formOf((await ed.get(`/filings/${encodeURIComponent(id)}`)).html, 'decision-form')!;
    const asked = await ed.post(`/filings/${encodeURIComponent(id)}/decision`, {
      _key: keyOf(form),
      stage: 'preliminary-review',
      outcome: 'supplement',
      opinion: '应急预案不完整',
      items: '突发事件应急预案\n视频监控说明',
    });
    expect(asked.status).toBe(303);

    const inst = await client('inst3');
    const detail = await inst.get(`/filings/${encodeURIComponent(id)}`);
    expect(textOf(detail.html)).toContain('待补正');
    expect(detail.html).toContain(`href="/filings/${encodeURIComponent(id)}/supplement"`);
    expect(textOf(detail.html)).toContain('突发事件应急预案');
    const page = await inst.get(`/filings/${encodeURIComponent(id)}/supplement`);
    const sform = formOf(page.html, 'supplement-form')!;
    expect(sform).toContain('提交补正材料');
    const empty = await inst.post(`/filings/${encodeURIComponent(id)}/supplement`, { _key: keyOf(sform), note: '见附件' });
    expect(empty.status).toBe(400);
    expect(empty.html).toContain('见附件</textarea>');
    const r = await inst.post(`/filings/${encodeURIComponent(id)}/supplement`, {
      _key: keyOf(sform),
      note: '已补充',
      'mat-emergency-plan-title': '应急预案v2.pdf',
    });
    expect(r.status).toBe(303);
    expect(r.location).toBe(`/filings/${encodeURIComponent(id)}?ok=supplemented`);
    const st = (await api.get(`/api/v1/filings/${id}`, tokens.inst3)).body;
    expect(st.status).toBe('in-review');
    expect(st.application.materials.find((m: { kind: string }) => m.kind === 'emergency-plan').title).toBe('应急预案v2.pdf');
    // another institution cannot open the supplement page
    expect((await (await client('inst2')).get(`/filings/${encodeURIComponent(id)}/supplement`)).status).toBe(404);
  });

  it("the filing form sends a material's file with the application; the detail page lists it and takes more; the expert's decision form links each", async () => {
    const app4 = application({ province: '22', prefecture: '220100' });
    who.inst4 = { sub: 'inst-4', name: '机构四', role: 'institution', province: '22', institutionId: app4.institution.creditCode };
    const inst = await client('inst4');
    const fields = filingFields(app4, { omit: ['work-plan'] });
    const report = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(5000, 1)]);
    // the work plan has no title: its file names it
    const r = await inst.upload('/filings/new', fields, { field: 'mat-work-plan-file', name: '认定工作方案.pdf', type: 'application/pdf', content: report });
    expect(r.status).toBe(303);
    const id = decodeURIComponent(/^\/filings\/(FL22-[^?]+)\?ok=submitted$/.exec(r.location ?? '')![1]);
    const detail = await inst.get(`/filings/${encodeURIComponent(id)}`);
    const table = detail.html.slice(detail.html.indexOf('data-testid="documents"'));
    expect(textOf(table.slice(0, table.indexOf('</table>')))).toContain('职业技能等级认定工作方案 认定工作方案.pdf');
    // a second document through the detail page's form; a text file is refused in plain words
    const form = formOf(detail.html, 'document-form')!;
    expect(form).toContain('enctype="multipart/form-data"');
    const refused = await inst.upload(
      `/filings/${encodeURIComponent(id)}/documents`,
      { _key: keyOf(form), kind: 'emergency-plan' },
      { field: 'file', name: '预案.pdf', type: 'application/pdf', content: 'not a pdf' },
    );
    expect(refused.status).toBe(415);
    expect(textOf(refused.html)).toContain('只接受 PDF、JPEG 或 PNG 格式的文件');
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100)]);
    // the page answered with a fresh form: its refused Idempotency-Key would replay the refusal
    const again = formOf(refused.html, 'document-form')!;
    const ok = await inst.upload(
      `/filings/${encodeURIComponent(id)}/documents`,
      { _key: keyOf(again), kind: 'venue-equipment-proof' },
      { field: 'file', name: '场地照片.png', type: 'image/png', content: png },
    );
    expect([ok.status, ok.location]).toEqual([303, `/filings/${encodeURIComponent(id)}?ok=document`]);
    const docs: { documentId: string; filename: string }[] = (await api.get(`/api/v1/filings/${id}`, await s.token(who.inst4))).body.documents;
    expect(docs.map((d) => d.filename)).toEqual(['认定工作方案.pdf', '场地照片.png']);

    expect((await api.post(`/api/v1/filings/${id}/assignments`, { stage: 'preliminary-review', expertIds: ['ea'] }, tokens.pref)).status).toBe(200);
    const ea = await client('ea');
    const page = await ea.get(`/filings/${encodeURIComponent(id)}`);
    const decide = formOf(page.html, 'decision-form')!;
    for (const d of docs) expect(decide).toContain(`href="/filings/${encodeURIComponent(id)}/documents/${d.documentId}"`);
    expect(formOf(page.html, 'document-form')).toBeUndefined();
    const file = await ea.get(`/filings/${encodeURIComponent(id)}/documents/${docs[0].documentId}`);
    expect([file.status, file.headers['content-type']]).toEqual([200, 'application/pdf']);
    expect(file.html).toBe(report.toString()); // ASCII bytes: the text is the file
    // an expert not assigned to it finds nothing
    expect((await (await client('ed')).get(`/filings/${encodeURIComponent(id)}/documents/${docs[0].documentId}`)).status).toBe(404);
  });
});

describe('console: a filing through publicity, notice and its active life (demo mode)', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const app1 = application({ province: '22', prefecture: '220100' });
  const who: Record<string, Caller> = {
    inst: { sub: 'inst', name: '机构', role: 'institution', province: '22', institutionId: app1.institution.creditCode },
    pref: { sub: 'pref', name: '市局审核员', role: 'prefecture-reviewer', province: '22', prefecture: '220100' },
    prov: { sub: 'prov', name: '省厅审核员', role: 'province-reviewer', province: '22' },
    admin: { sub: 'admin', name: '管理员', role: 'admin' },
    ea: { sub: 'ea', name: '专家甲', role: 'expert', province: '22' },
    eb: { sub: 'eb', name: '专家乙', role: 'expert', province: '22' },
    ec: { sub: 'ec', name: '专家丙', role: 'expert', province: '22' },
  };
  const tokens: Record<string, string> = {};
  const client = async (name: string) => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    await c.signInAs(who[name]);
    return c;
  };
  let id: string;
  const url = (rest = '') => `/filings/${encodeURIComponent(id)}${rest}`;

  beforeAll(async () => {
    s = await devStack({ settings: { APP_MODE: 'demo' }, temporalAddress: timeSkippingAddress() });
    api = http(s.app);
    for (const [k, c] of Object.entries(who)) tokens[k] = await s.token(c);
    for (const [n, sub] of ['ea', 'eb', 'ec'].entries()) {
      expect((await api.post('/api/v1/experts', { userId: sub, name: who[sub].name, idNumber: idNumber(800 + n), province: '22' }, tokens.prov)).status).toBe(
        201,
      );
    }
    const created = await api.post('/api/v1/filings', app1, tokens.inst);
    expect(created.status).toBe(201);
    id = created.body.id;
    const step = async (path: string, body: unknown, token: string) => expect((await api.post(`/api/v1/filings/${id}${path}`, body, token)).status).toBe(200);
    await step('/assignments', { stage: 'preliminary-review', expertIds: ['ea'] }, tokens.pref);
    await step('/assignments', { stage: 'technical-assessment', expertIds: ['eb'] }, tokens.pref);
    await step('/assignments', { stage: 'comprehensive-review', expertIds: ['ec'] }, tokens.pref);
    await step('/decisions', { stage: 'preliminary-review', outcome: 'pass', opinion: '材料齐全' }, tokens.ea);
    await step('/decisions', { stage: 'technical-assessment', outcome: 'pass', opinion: '现场评估合格', score: 88 }, tokens.eb);
    await step('/decisions', { stage: 'comprehensive-review', outcome: 'pass', opinion: '综合评估合格' }, tokens.ec);
  });
  afterAll(async () => s?.close());

  it('the jurisdiction reviewer deliberates through the decision form; objections get resolution forms', async () => {
    const pref = await client('pref');
    const page = await pref.get(url());
    const form = formOf(page.html, 'decision-form')!;
    expect(form).toContain('name="stage" value="deliberation"');
    expect(form).not.toContain('value="supplement"');
    // the province reviewer is not the deliberating body of a prefecture filing
    expect(formOf((await (await client('prov')).get(url())).html, 'decision-form')).toBeUndefined();
    const r = await pref.post(url('/decision'), { _key: keyOf(form), stage: 'deliberation', outcome: 'pass', opinion: '审议通过' });
    expect(r.status).toBe(303);

    const objected = await api.post(`/api/v1/filings/${id}/objections`, { name: '张三', contact: '13800000000', reason: '场地与申报不符' });
    expect(objected.status).toBe(202);
    const pub = await pref.get(url());
    const st = (await api.get(`/api/v1/filings/${id}`, tokens.pref)).body;
    const tl = timelineOf(pub.html);
    expect(tl.find((x) => x.stage === 'publicity')).toMatchObject({ state: 'current', due: st.publicity.endDate });
    expect(tl.find((x) => x.stage === 'deliberation')?.text).toContain('审议通过');
    const resolve = formOf(pub.html, 'resolve-form')!;
    expect(textOf(pub.html)).toContain('场地与申报不符');
    expect(resolve).toContain('提交处理意见');
    // the institution sees the objection (contact masked) but no form to resolve it
    const inst = await (await client('inst')).get(url());
    expect(formOf(inst.html, 'resolve-form')).toBeUndefined();
    expect(inst.html).not.toContain('13800000000');
    const action = /action="([^"]+)"/.exec(resolve)![1];
    const noNote = await pref.post(action, { _key: keyOf(resolve), upheld: 'false' });
    expect(noNote.status).toBe(400);
    expect(textOf(noNote.html)).toContain('请填写核查意见');
    const done = await pref.post(action, { _key: keyOf(resolve), upheld: 'false', note: '经核查场地相符' });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${url()}?ok=resolved`);
    expect(textOf((await pref.get(url())).html)).toContain('异议不成立');
  });

  it('after the publicity only the province reviewer issues the notice, and the notice is shown', async () => {
    expect((await api.post('/api/v1/admin/clock/advance', { by: 'P9D' }, tokens.admin)).status).toBe(200);
    expect((await api.get(`/api/v1/filings/${id}`, tokens.prov)).body.stage).toBe('notice');
    expect(formOf((await (await client('pref')).get(url())).html, 'decision-form')).toBeUndefined();
    const prov = await client('prov');
    const form = formOf((await prov.get(url())).html, 'decision-form')!;
    expect(form).toContain('name="stage" value="notice"');
    expect(form).toContain('准予备案');
    expect(form).not.toContain('value="supplement"');
    const r = await prov.post(url('/decision'), { _key: keyOf(form), stage: 'notice', outcome: 'pass', opinion: '准予备案' });
    expect(r.status).toBe(303);
    const st = (await api.get(`/api/v1/filings/${id}`, tokens.prov)).body;
    expect(st.status).toBe('active');
    const page = await prov.get(url());
    expect(page.html).toContain(`data-testid="notice-number">${st.notice.number}<`);
    expect(page.html).toContain(`data-testid="valid-until">${st.notice.validUntil}<`);
    expect(timelineOf(page.html).every((x) => x.state === 'done')).toBe(true);
    expect(formOf(page.html, 'decision-form')).toBeUndefined();
    expect(formOf(page.html, 'assign-form')).toBeUndefined();
    // the province may order termination; the institution may renew, change or terminate
    expect(formOf(page.html, 'termination-form')).toContain('责令终止备案');
    const inst = (await (await client('inst')).get(url())).html;
    expect(formOf(inst, 'renewal-form')).toContain('申请续期');
    expect(formOf(inst, 'termination-form')).toContain('申请终止备案');
    expect(inst).toContain(`href="${url('/change')}"`);
  });

  it('a change is applied for on its own page and re-runs the assessment; an ordered termination needs confirming', async () => {
    const inst = await client('inst');
    const page = await inst.get(url('/change'));
    const form = formOf(page.html, 'change-form')!;
    expect(form).toContain('name="occ-0-code" value="6-18-01-01"');
    const empty = await inst.post(url('/change'), { _key: keyOf(form), reason: '搬迁' });
    expect(empty.status).toBe(400);
    expect(textOf(empty.html)).toContain('请至少填写一项变更内容');
    expect(empty.html).toContain('搬迁</textarea>');
    const r = await inst.post(url('/change'), { _key: keyOf(form), address: '吉林省长春市南关区新址2号', reason: '搬迁' });
    expect(r.status).toBe(303);
    expect(r.location).toBe(`${url()}?ok=change`);
    const st = (await api.get(`/api/v1/filings/${id}`, tokens.pref)).body;
    expect(st.status).toBe('change-pending');
    const pref = (await (await client('pref')).get(url())).html;
    expect(pref).toContain('<h3>变更</h3>');
    expect(
      timelineOf(pref)
        .filter((x) => x.state === 'current')
        .map((x) => x.stage),
    ).toEqual(['technical-assessment']);
    expect(formOf(pref, 'assign-form')).toContain('<option value="technical-assessment" selected>');
    // a second change while one is pending: refused in plain words
    const again = await inst.post(url('/change'), { _key: 'change-2', address: '别处' });
    expect(again.status).toBe(409);
    expect(textOf(again.html)).toContain('当前的状态不允许这项操作');

    const prov = await client('prov');
    const tform = formOf((await prov.get(url())).html, 'termination-form')!;
    const unconfirmed = await prov.post(url('/termination'), { _key: keyOf(tform), reason: '严重违规' });
    expect(unconfirmed.status).toBe(400);
    expect(textOf(unconfirmed.html)).toContain('请勾选确认');
    expect(unconfirmed.html).toContain('严重违规</textarea>');
    const t = await prov.post(url('/termination'), { _key: keyOf(tform), reason: '严重违规', confirm: '1' });
    expect(t.status).toBe(303);
    expect((await api.get(`/api/v1/filings/${id}`, tokens.prov)).body.status).toBe('terminated');
    const after = (await prov.get(url())).html;
    expect(textOf(after)).toContain('已终止');
    expect(formOf(after, 'termination-form')).toBeUndefined();
  });
});
