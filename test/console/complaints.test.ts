/**
 * The console's complaint pages and the credit file, over app.inject on the real stack (demo mode on
 * this file's time-skipping server, so the due date rests on the suite's fixed date): the public
 * form shows the tracking code once, on the answer to its POST; the code is sent back by POST to
 * follow the complaint (a wrong one is "not found"); the reviewer in scope opens it from the inbox
 * and decides it; the published credit file shows the entry without the complainant.
 */
import { devStack, timeSkippingAddress, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { consoleClient, textOf } from '../harness/console';
import { application } from '../fixtures/filing';
import type { Caller } from '../../domain/roles';
import { OPEN_COMPLAINTS_PER_COMPLAINANT } from '../../domain/complaints';
import { complaintWorkflowId } from '../../workflows/complaint/messages';
import { filingWorkflowId } from '../../workflows/filing/messages';

jest.setTimeout(60_000);

/** The inner HTML of the element carrying data-testid (first match; same-tag nesting not handled). */
function testId(html: string, id: string): string | undefined {
  const m = new RegExp(`<(\\w+)[^>]*data-testid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  return m?.[2];
}

const X = application({ province: '22', prefecture: '220100' });
const CODE = X.institution.creditCode;
const NAME = '王举报';
const CONTACT = '13700002222';
const CONTENT = '该机构考评员未持证上岗，请核查。';

describe('console: complaints and the credit file', () => {
  let s: DevStack;
  const started: string[] = [];
  let filingId = '';
  const who: Record<string, Caller> = {
    inst: { sub: 'inst-1', name: '机构一', role: 'institution', province: '22', institutionId: CODE },
    prefA: { sub: 'pref-a', name: '长春审核员', role: 'prefecture-reviewer', province: '22', prefecture: '220100' },
    prefB: { sub: 'pref-b', name: '吉林市审核员', role: 'prefecture-reviewer', province: '22', prefecture: '220200' },
  };
  const visitor = () => consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
  const as = async (k: keyof typeof who) => {
    const c = visitor();
    await c.signInAs(who[k]);
    return c;
  };
  /** the form's idempotency key, as the page minted it */
  const keyOf = (html: string) => /name="_key" value="([^"]+)"/.exec(html)![1];
  let id = '';
  let trackingCode = '';

  beforeAll(async () => {
    s = await devStack({ settings: { APP_MODE: 'demo' }, temporalAddress: timeSkippingAddress() });
    const f = await http(s.app).post('/api/v1/filings', X, await s.token(who.inst));
    expect(f.status).toBe(201);
    filingId = f.body.id;
    // a directory entry as the filing's notice would write it (the directory page links each entry's credit file)
    await s.services.models.Directory.create({
      _id: CODE,
      filingId,
      name: X.institution.name,
      province: '22',
      prefecture: '220100',
      occupations: [],
      occupationCodes: [],
      contact: { name: '联系人', phone: '0431-00000000' },
    });
  });
  afterAll(async () => {
    const client = s?.services.temporal.client;
    for (const wf of [filingWorkflowId(filingId), ...started.map(complaintWorkflowId)]) {
      await client?.workflow
        .getHandle(wf)
        .terminate('test over')
        .catch(() => undefined);
    }
    await s?.close();
  });

  it('links the form from the home page and the directory entry, with the subject filled in', async () => {
    const c = visitor();
    expect((await c.get('/')).html).toContain('href="/complaints/new"');
    const dir = await c.get('/directory');
    expect(dir.html).toContain(`href="/institutions/${CODE}/credit"`);
    expect(dir.html).toContain(`href="/complaints/new?type=institution&amp;id=${CODE}"`);
    const form = await c.get(`/complaints/new?type=institution&id=${CODE.toLowerCase()}`);
    expect(form.status).toBe(200);
    expect(form.html).toContain('<option value="institution" selected>');
    expect(form.html).toContain(`value="${CODE}"`);
    for (const field of ['type', 'id', 'name', 'contact', 'content']) expect(form.html).toContain(`<label for="${field}">`);
    expect((await c.get('/complaints/new?type=certificate&id=abc')).html).toContain('<option value="certificate" selected>');
  });

  it('refuses an incomplete complaint and an unknown subject in plain words, keeping what was typed', async () => {
    const c = visitor();
    const key = keyOf((await c.get('/complaints/new')).html);
    const missing = await c.post('/complaints/new', { _key: key, type: 'institution', id: CODE, name: NAME, contact: CONTACT, content: ' ' });
    expect(missing.status).toBe(400);
    expect(textOf(missing.html)).toContain('请填写：投诉举报内容。');
    expect(missing.html).toContain(`value="${NAME}"`);
    const unknown = await c.post('/complaints/new', { _key: key, type: 'batch', id: 'B-none', name: NAME, contact: CONTACT, content: CONTENT });
    expect(unknown.status).toBe(404);
    expect(textOf(unknown.html)).toContain('未找到该认定批次（B-none）');
    const badId = await c.post('/complaints/new', { _key: key, type: 'certificate', id: 'no such!', name: NAME, contact: CONTACT, content: CONTENT });
    expect(badId.status).toBe(400);
    expect(textOf(badId.html)).toContain('投诉对象编号填写有误');
    expect((await c.post('/complaints/new', { type: 'filing', id: 'x', name: NAME, contact: CONTACT, content: CONTENT })).status).toBe(400);
  });

  it('files a complaint and shows its id and tracking code once, on the answer to the POST', async () => {
    const c = visitor();
    const key = keyOf((await c.get(`/complaints/new?type=institution&id=${CODE}`)).html);
    const fields = { _key: key, type: 'institution', id: CODE, name: NAME, contact: CONTACT, content: CONTENT };
    const r = await c.post('/complaints/new', fields);
    expect(r.status).toBe(200);
    expect(r.location).toBeUndefined();
    expect(r.headers['cache-control']).toBe('no-store');
    id = testId(r.html, 'complaint-id')!;
    trackingCode = testId(r.html, 'tracking-code')!;
    started.push(id);
    expect(id).toMatch(/^cp-[0-9a-f]{12}$/);
    expect(trackingCode).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(textOf(r.html)).toContain('查询码只在本页显示这一次');
    expect(textOf(r.html)).toMatch(/办理期限至 \d{4}-\d{2}-\d{2}/);
    // the page's only link onward carries the id, never the code
    expect(r.html).toContain(`href="/complaints/track?id=${id}"`);
    expect(r.html.split(trackingCode)).toHaveLength(2);
    // the same form sent again (a reload) files nothing twice and shows the same code
    const again = await c.post('/complaints/new', fields);
    expect([testId(again.html, 'complaint-id'), testId(again.html, 'tracking-code')]).toEqual([id, trackingCode]);
  });

  it('follows the complaint with the code sent by POST; a wrong code, even a reviewer’s, is not found', async () => {
    const c = visitor();
    const form = await c.get(`/complaints/track?id=${id}`);
    expect(form.html).toContain('<form method="post" action="/complaints/track"');
    expect(form.html).toContain(`value="${id}"`);
    const mine = await c.post('/complaints/track', { id, trackingCode });
    expect(mine.status).toBe(200);
    const progress = textOf(testId(mine.html, 'complaint-progress') ?? '');
    expect(progress).toContain('调查核实中');
    expect(progress).toMatch(/办理期限 \d{4}-\d{2}-\d{2}/);
    expect(mine.html).not.toMatch(new RegExp(`${NAME}|${CONTACT}|${trackingCode}`));
    const prefA = await as('prefA');
    for (const [client, code] of [
      [c, 'A'.repeat(22)],
      [c, 'short'],
      [prefA, 'A'.repeat(22)],
    ] as const) {
      const wrong = await client.post('/complaints/track', { id, trackingCode: code });
      expect([code, wrong.status]).toEqual([code, 404]);
      expect(textOf(wrong.html)).toContain('未查到该投诉举报');
      expect(wrong.html).not.toContain(CONTENT);
    }
    expect((await c.post('/complaints/track', { id: 'cp-000000000000', trackingCode })).status).toBe(404);
    expect((await c.post('/complaints/track', { id })).status).toBe(400);
  });

  it('the reviewer in scope opens it from the inbox and decides it upheld; others see nothing', async () => {
    const prefA = await as('prefA');
    const inbox = await prefA.get('/inbox');
    expect(testId(inbox.html, 'inbox')).toContain(`href="/complaints/${id}"`);
    const page = await prefA.get(`/complaints/${id}`);
    expect(page.status).toBe(200);
    const facts = textOf(testId(page.html, 'complaint') ?? '');
    expect(facts).toContain('调查核实中');
    expect(facts).toContain(NAME);
    expect(facts).toContain(CONTACT);
    expect(facts).toContain(CONTENT);
    expect(testId(page.html, 'subject')).toContain(`href="/institutions/${CODE}/credit"`);
    expect(textOf(testId(page.html, 'history') ?? '')).toContain('受理');
    expect(page.html).toContain('data-testid="decision-form"');

    // nobody else: another prefecture, the institution complained about, a visitor (sent to sign in)
    for (const k of ['prefB', 'inst'] as const) {
      const other = await (await as(k)).get(`/complaints/${id}`);
      expect([k, other.status]).toEqual([k, 404]);
      expect(other.html).not.toContain(NAME);
    }
    expect((await visitor().get(`/complaints/${id}`)).location).toBe(`/signin?next=${encodeURIComponent(`/complaints/${id}`)}`);
    expect((await prefA.get('/complaints/not-an-id')).status).toBe(404);

    const key = keyOf(page.html);
    const noOutcome = await prefA.post(`/complaints/${id}/decision`, { _key: key, note: '经核查' });
    expect(noOutcome.status).toBe(400);
    expect(textOf(noOutcome.html)).toContain('请选择处理结果');
    const note = `经现场核查，投诉属实（${NAME} 反映的考评员无证问题）。`;
    const decided = await prefA.post(`/complaints/${id}/decision`, { _key: key, outcome: 'upheld', note });
    expect([decided.status, decided.location]).toEqual([303, `/complaints/${id}?ok=complaint-decided`]);
    const after = await prefA.get(decided.location!);
    expect(textOf(after.html)).toContain('投诉举报已作出处理决定。');
    expect(textOf(testId(after.html, 'complaint-status') ?? '')).toBe('投诉成立');
    expect(textOf(testId(after.html, 'outcome') ?? '')).toContain('经现场核查');
    expect(after.html).not.toContain('data-testid="decision-form"');
    // a second decision (another form, another key) is refused in words
    const twice = await prefA.post(`/complaints/${id}/decision`, { _key: 'another-key', outcome: 'dismissed', note: '再议' });
    expect(twice.status).toBe(409);
    expect(textOf(twice.html)).toContain('这一事项已经处理过了');

    // the complainant sees the outcome with the code
    const tracked = await visitor().post('/complaints/track', { id, trackingCode });
    expect(textOf(testId(tracked.html, 'outcome') ?? '')).toContain('投诉成立');
  });

  it('publishes the credit entry on the institution’s credit page without the complainant', async () => {
    const c = visitor();
    const page = await c.get(`/institutions/${CODE}/credit`);
    expect(page.status).toBe(200);
    const table = testId(page.html, 'credit') ?? '';
    expect(table).toContain('<th scope="col">类别</th>');
    const row = textOf(testId(page.html, 'credit-entry') ?? '');
    expect(row).toContain('投诉举报经核实成立');
    expect(row).toContain('长春市人力资源和社会保障局');
    expect(row).toContain('经现场核查');
    expect(row).toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(page.html).not.toMatch(new RegExp(`${NAME}|${CONTACT}`));
    const bad = await c.get('/institutions/NOT-A-CODE/credit');
    expect(bad.status).toBe(400);
    expect(textOf(bad.html)).toContain('不是有效的统一社会信用代码');
  });

  it('says in plain words when one complainant has too many complaints open', async () => {
    const c = visitor();
    const contact = 'flood@example.com';
    for (let i = 0; i < OPEN_COMPLAINTS_PER_COMPLAINANT; i++) {
      const key = keyOf((await c.get('/complaints/new')).html);
      const r = await c.post('/complaints/new', { _key: key, type: 'institution', id: CODE, name: '某人', contact, content: `第${i}件` });
      expect(r.status).toBe(200);
      started.push(testId(r.html, 'complaint-id')!);
    }
    const key = keyOf((await c.get('/complaints/new')).html);
    const refused = await c.post('/complaints/new', { _key: key, type: 'institution', id: CODE, name: '某人', contact, content: '再一件' });
    expect(refused.status).toBe(429);
    expect(textOf(refused.html)).toContain('您提交的投诉举报尚有多件正在处理');
    expect(refused.html).toContain('再一件');
  });
});
