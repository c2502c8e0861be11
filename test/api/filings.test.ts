/**
 * The filing routes against the real stack: the Temporal dev server (updates) and FerretDB.
 * The full path through the publicity runs in demo mode (filings-demo.test.ts).
 */
import { devStack, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { application, idNumber, newCreditCode } from '../fixtures/filing';
import type { Caller } from '../../domain/roles';

describe('filings over HTTP on the dev server', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const tokens: Record<string, string> = {};
  const app1 = application({ province: '22', prefecture: '220100' });
  const app2 = application({ province: '22', prefecture: '220200' });
  app1.institution.contact.email = 'lihong@jingong.example.cn';

  beforeAll(async () => {
    s = await devStack();
    api = http(s.app);
    const t = (sub: string, c: Omit<Caller, 'sub' | 'name'>) => s.token({ sub, name: sub, ...c });
    tokens.inst1 = await t('inst-1', { role: 'institution', province: '22', institutionId: app1.institution.creditCode });
    tokens.inst2 = await t('inst-2', { role: 'institution', province: '22', institutionId: app2.institution.creditCode });
    tokens.prefA = await t('pref-a', { role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
    tokens.prefB = await t('pref-b', { role: 'prefecture-reviewer', province: '22', prefecture: '220200' });
    tokens.prov = await t('prov-1', { role: 'province-reviewer', province: '22' });
    tokens.expertA = await t('expert-a', { role: 'expert', province: '22' });
    tokens.expertB = await t('expert-b', { role: 'expert', province: '22' });
    tokens.admin = await t('admin-1', { role: 'admin' });
    for (const [i, sub] of ['expert-a', 'expert-b'].entries()) {
      const r = await api.post(
        '/api/v1/experts',
        { userId: sub, name: `专家${i}`, idNumber: idNumber(500 + i), province: '22', email: `${sub}@experts.example.cn` },
        tokens.prov,
      );
      expect(r.status).toBe(201);
      expect(r.body.idNumber).toMatch(/\*{4}/);
      expect(r.body.email).toBe(`${sub}@experts.example.cn`);
    }
  });
  afterAll(async () => s?.close());

  let id1: string;

  it('POST /filings starts a filing: 201 with id, status and stage', async () => {
    const r = await api.post('/api/v1/filings', app1, tokens.inst1);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'in-review', stage: 'submitted' });
    id1 = r.body.id;
    const got = await api.get(`/api/v1/filings/${id1}`, tokens.inst1);
    expect(got.status).toBe(200);
    expect(got.body.policy.id).toBe('jilin-2025');
    expect(got.body.due.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // the owner sees its own contact phone and e-mail in full
    expect(got.body.application.institution.contact.phone).toBe('13912345678');
    expect(got.body.application.institution.contact.email).toBe('lihong@jingong.example.cn');
  });

  it("a registered expert's e-mail: whole for the province that keeps the registry, masked for other readers, 400 when not an address", async () => {
    const byProvince = await api.get('/api/v1/experts', tokens.prov);
    expect(byProvince.body.items.find((e: { userId: string }) => e.userId === 'expert-a').email).toBe('expert-a@experts.example.cn');
    const byPrefecture = await api.get('/api/v1/experts', tokens.prefA);
    expect(byPrefecture.body.items.find((e: { userId: string }) => e.userId === 'expert-a').email).toBe('e***@experts.example.cn');
    const bad = await api.post(
      '/api/v1/experts',
      { userId: 'expert-z', name: '专家', idNumber: idNumber(509), province: '22', email: 'not an address' },
      tokens.prov,
    );
    expect(bad.status).toBe(400);
    // a change without an address keeps it; null removes it
    const put = (email?: string | null) =>
      api.put('/api/v1/experts/expert-b', { name: '专家1', idNumber: idNumber(501), province: '22', ...(email === undefined ? {} : { email }) }, tokens.prov);
    expect((await put()).body.email).toBe('expert-b@experts.example.cn');
    expect((await put(null)).body.email).toBeNull();
  });

  it("the reviewers' address book: kept by the province and shown whole to it, closed to another province, the region checked, audited without the address", async () => {
    const add = (body: Record<string, unknown>, token = tokens.prov) => api.post('/api/v1/reviewers', body, token);
    const ok = await add({
      userId: 'pref-a',
      name: '长春审核员',
      role: 'prefecture-reviewer',
      province: '22',
      prefecture: '220100',
      email: 'pref-a@hrss.example.cn',
    });
    expect([ok.status, ok.body.email]).toEqual([201, 'pref-a@hrss.example.cn']);
    expect((await add({ userId: 'pref-a', name: '重复', role: 'center', province: '22', email: 'x@hrss.example.cn' })).body.code).toBe('ALREADY_REGISTERED');
    for (const bad of [
      { userId: 'r1', name: '无地市', role: 'prefecture-reviewer', province: '22', email: 'r1@hrss.example.cn' },
      { userId: 'r2', name: '省厅', role: 'province-reviewer', province: '22', prefecture: '220100', email: 'r2@hrss.example.cn' },
      { userId: 'r3', name: '外省地市', role: 'center', province: '22', prefecture: '210100', email: 'r3@hrss.example.cn' },
      { userId: 'r4', name: '专家', role: 'expert', province: '22', email: 'r4@hrss.example.cn' },
      { userId: 'r5', name: '无地址', role: 'center', province: '22' },
    ])
      expect([bad.userId, (await add(bad)).status]).toEqual([bad.userId, 400]);
    // another province's reviewer neither adds nor sees nor changes province 22's entries
    const prov21 = await s.token({ sub: 'prov-21', name: 'prov-21', role: 'province-reviewer', province: '21' });
    expect((await add({ userId: 'c21', name: '中心', role: 'center', province: '22', email: 'c@x.cn' }, prov21)).status).toBe(403);
    expect((await api.get('/api/v1/reviewers', prov21)).body.items).toEqual([]);
    expect((await api.put('/api/v1/reviewers/pref-a', { name: 'x', role: 'center', province: '21', email: 'c@x.cn' }, prov21)).status).toBe(404);
    expect((await api.get('/api/v1/reviewers', tokens.prefA)).status).toBe(403);
    // set inactive: kept, and said so
    const off = await api.put(
      '/api/v1/reviewers/pref-a',
      { name: '长春审核员', role: 'prefecture-reviewer', province: '22', prefecture: '220100', email: 'pref-a@hrss.example.cn', active: false },
      tokens.prov,
    );
    expect([off.status, off.body.active]).toEqual([200, false]);
    const audit = await s.services.models.Audit.find({ targetType: 'reviewer', targetId: 'pref-a' }).lean();
    expect(audit.map((a) => a.action).sort()).toEqual(['registry.register-reviewer', 'registry.update-reviewer']);
    expect(JSON.stringify(audit)).not.toContain('pref-a@hrss.example.cn');
  });

  it('400 on a malformed body, with the failing fields named', async () => {
    const bad = structuredClone(app2) as any;
    const cc: string = app2.institution.creditCode;
    bad.institution.creditCode = cc.slice(0, 17) + (cc[17] === '0' ? '1' : '0'); // wrong check character
    bad.occupations[0].levels = [7];
    const r = await api.post('/api/v1/filings', bad, tokens.inst2);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(r.body.errors)).toMatch(/creditCode/);
  });

  it('400 when the declared province is not where the credit code is registered (characters 3–8)', async () => {
    const elsewhere = structuredClone(app2);
    elsewhere.institution.creditCode = newCreditCode('140102');
    const r = await api.post(
      '/api/v1/filings',
      elsewhere,
      await s.token({ role: 'institution', province: '22', institutionId: elsewhere.institution.creditCode }),
    );
    expect([r.status, r.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(r.body.errors).toEqual([expect.objectContaining({ path: 'body/institution/province', message: expect.stringContaining('140102') })]);
  });

  it('422 MATERIALS_INCOMPLETE names the missing kinds; verifiedOnline waives one', async () => {
    const short = { ...app2, materials: app2.materials.filter((m) => m.kind !== 'emergency-plan' && m.kind !== 'hr-rules') };
    const r = await api.post('/api/v1/filings', short, tokens.inst2);
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('MATERIALS_INCOMPLETE');
    expect(r.body.missing.sort()).toEqual(['emergency-plan', 'hr-rules']);
  });

  it('401 without a token, 403 for the wrong role or another institution', async () => {
    expect((await api.post('/api/v1/filings', app2)).status).toBe(401);
    expect((await api.post('/api/v1/filings', app2, tokens.prefA)).status).toBe(403);
    const other = await api.post('/api/v1/filings', app2, tokens.inst1);
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('FORBIDDEN');
  });

  it('404 for filings out of scope: another prefecture, another institution, an unassigned expert', async () => {
    expect((await api.get(`/api/v1/filings/${id1}`, tokens.prefB)).status).toBe(404);
    expect((await api.get(`/api/v1/filings/${id1}`, tokens.inst2)).status).toBe(404);
    expect((await api.get(`/api/v1/filings/${id1}`, tokens.expertA)).status).toBe(404);
    expect((await api.get('/api/v1/filings/FL22-nope', tokens.prov)).status).toBe(404);
    const list = await api.get('/api/v1/filings', tokens.prefB);
    expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(id1);
    // and prefecture B cannot act on it either
    const act = await api.post(`/api/v1/filings/${id1}/assignments`, { stage: 'preliminary-review', expertIds: ['expert-a'] }, tokens.prefB);
    expect(act.status).toBe(404);
  });

  it('409 STAGE_MISMATCH for a decision at the wrong stage, and the state does not change', async () => {
    const before = await api.get(`/api/v1/filings/${id1}`, tokens.prefA);
    const r = await api.post(`/api/v1/filings/${id1}/decisions`, { stage: 'deliberation', outcome: 'pass', opinion: '同意' }, tokens.prefA);
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('STAGE_MISMATCH');
    const after = await api.get(`/api/v1/filings/${id1}`, tokens.prefA);
    expect(after.body.stage).toBe(before.body.stage);
    expect(after.body.decisions).toEqual(before.body.decisions);
    expect(after.body.history.length).toBe(before.body.history.length);
  });

  it('assigns registered experts only; then an assigned expert decides and sees the filing masked', async () => {
    const unknown = await api.post(`/api/v1/filings/${id1}/assignments`, { stage: 'preliminary-review', expertIds: ['nobody'] }, tokens.prefA);
    expect(unknown.status).toBe(422);
    const r = await api.post(`/api/v1/filings/${id1}/assignments`, { stage: 'preliminary-review', expertIds: ['expert-a'] }, tokens.prefA);
    expect(r.status).toBe(200);
    expect(r.body.stage).toBe('preliminary-review');
    const notMine = await api.post(`/api/v1/filings/${id1}/decisions`, { stage: 'preliminary-review', outcome: 'pass', opinion: '好' }, tokens.expertB);
    expect(notMine.status).toBe(404); // expert B is not assigned: the filing does not exist for them
    const seen = await api.get(`/api/v1/filings/${id1}`, tokens.expertA);
    expect(seen.status).toBe(200);
    expect(seen.body.application.institution.contact.phone).toBe('139****5678');
    expect(seen.body.application.institution.contact.email).toBe('l***@jingong.example.cn');
    const tasks = await api.get('/api/v1/tasks', tokens.expertA);
    expect(tasks.body.items).toEqual([expect.objectContaining({ id: id1, action: 'decide:preliminary-review', overdue: false })]);
  });

  it('a repeated Idempotency-Key is a no-op that returns the first answer; a different body gets 422', async () => {
    const key = { 'idempotency-key': 'decide-prelim-1' };
    const body = { stage: 'preliminary-review', outcome: 'supplement', opinion: '请补充应急预案', items: ['突发事件应急预案'] };
    const first = await api.post(`/api/v1/filings/${id1}/decisions`, body, tokens.expertA, key);
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('supplement-requested');
    const again = await api.post(`/api/v1/filings/${id1}/decisions`, body, tokens.expertA, key);
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const st = await api.get(`/api/v1/filings/${id1}`, tokens.prefA);
    expect(st.body.decisions).toHaveLength(1);
    const other = await api.post(`/api/v1/filings/${id1}/decisions`, { ...body, opinion: '别的' }, tokens.expertA, key);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('the applicant answers the 补正 and the stage runs again', async () => {
    const r = await api.post(
      `/api/v1/filings/${id1}/supplements`,
      { note: '已补充', materials: [{ kind: 'emergency-plan', title: '应急预案v2.pdf' }] },
      tokens.inst1,
    );
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('in-review');
    expect(r.body.stage).toBe('preliminary-review');
    const inbox = await api.get('/api/v1/notifications', tokens.inst1);
    expect(inbox.body.items.map((n: { kind: string }) => n.kind)).toContain('supplement-requested');
  });

  it('objections outside the publicity get 409 NOT_IN_PUBLICITY', async () => {
    const r = await api.post(`/api/v1/filings/${id1}/objections`, { name: '张三', contact: '13800000000', reason: '场地不符' });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('NOT_IN_PUBLICITY');
  });

  it('lists with cursor pagination, newest first, in scope only', async () => {
    const more = [application({ province: '22', prefecture: '220100' }), application({ province: '22', prefecture: '220100' })];
    for (const a of more) {
      const tok = await s.token({
        sub: `i-${a.institution.creditCode}`,
        name: 'x',
        role: 'institution',
        province: '22',
        institutionId: a.institution.creditCode,
      });
      expect((await api.post('/api/v1/filings', a, tok)).status).toBe(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: any } = await api.get(`/api/v1/filings?limit=2${cursor ? `&cursor=${cursor}` : ''}`, tokens.prefA);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((i: { id: string }) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(3);
    expect(seen).toContain(id1);
    expect((await api.get('/api/v1/filings?cursor=garbage', tokens.prefA)).status).toBe(400);
    const own = await api.get('/api/v1/filings', tokens.inst1);
    expect(own.body.items.map((i: { id: string }) => i.id)).toEqual([id1]);
  });

  it('a second filing while one is under review is refused with 409', async () => {
    const r = await api.post('/api/v1/filings', app1, tokens.inst1);
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('ALREADY_EXISTS');
  });

  it('the audit trail records who did what, for in-scope reviewers only', async () => {
    const r = await api.get(`/api/v1/filings/${id1}/audit`, tokens.prefA);
    expect(r.status).toBe(200);
    const actions = r.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['filing.submit', 'filing.assign', 'filing.decide', 'filing.supplement']));
    const decide = r.body.items.find((e: { action: string }) => e.action === 'filing.decide');
    expect(decide).toMatchObject({ actor: 'expert-a', role: 'expert', before: { stage: 'preliminary-review' }, after: { status: 'supplement-requested' } });
    expect(decide.requestId).toBeTruthy();
    expect((await api.get(`/api/v1/filings/${id1}/audit`, tokens.inst1)).status).toBe(403);
    expect((await api.get(`/api/v1/filings/${id1}/audit`, tokens.prefB)).status).toBe(404);
  });
});
