/**
 * Random inspections over HTTP (双随机、一公开, 000 §六(三), 002 Art.25), on the real dev server and
 * FerretDB: a provincial department draws (the `inspection-draw/<id>` workflow records the draw
 * with its seed and eligible lists), refusals, the public list (no inspectors' names), an
 * inspector's findings with a termination proposal that reaches the province's reviewers, and the
 * console pages. The directory and the registry are written as their writers write them; the
 * suspension of batches runs through real batch workflows in test/workflows/inspections.test.ts.
 */
import { createHash } from 'node:crypto';
import { devStack, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { consoleClient, textOf } from '../harness/console';
import { idNumber, newCreditCode } from '../fixtures/filing';
import { registerSupervisors } from '../fixtures/batch';
import { drawInspections, inspectionPoolDigestInput } from '../../domain/inspections';
import type { Caller } from '../../domain/roles';

describe('random inspections (双随机、一公开)', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const t: Record<string, string> = {};
  const codes = [newCreditCode('220102'), newCreditCode('220102'), newCreditCode('220203')];
  const staffId = idNumber(777);

  beforeAll(async () => {
    s = await devStack();
    api = http(s.app);
    const tok = (sub: string, c: Omit<Caller, 'sub' | 'name'>) => s.token({ sub, name: sub, ...c });
    t.prov = await tok('prov', { role: 'province-reviewer', province: '22' });
    t.prov21 = await tok('prov21', { role: 'province-reviewer', province: '21' });
    t.center = await tok('center', { role: 'center', province: '22', prefecture: '220100' });
    t.inst = await tok('inst', { role: 'institution', province: '22', institutionId: codes[0] });
    for (const u of ['insp-a', 'insp-b', 'insp-c']) t[u] = await tok(u, { role: 'supervisor', province: '22' });
    const { Directory, Filing } = s.services.models;
    for (const [i, code] of codes.entries()) {
      const prefecture = i < 2 ? '220100' : '220200';
      await Directory.create({
        _id: code,
        filingId: `F-${i}`,
        name: `抽查机构${i}`,
        province: '22',
        prefecture,
        occupations: [],
        occupationCodes: [],
        contact: {},
      });
      // insp-c is on the staff of the first: never sent there
      const staff = i === 0 ? { fullTime: [{ name: '丙', idNumber: staffId }] } : {};
      await Filing.create({
        _id: `F-${i}`,
        version: 1,
        status: 'active',
        province: '22',
        prefecture,
        institutionId: code,
        state: JSON.stringify({ application: { staff } }),
      });
    }
    await registerSupervisors(s.services.models, [
      { userId: 'insp-a', name: '督导甲', province: '22' },
      { userId: 'insp-b', name: '督导乙', province: '22', prefecture: '220100' },
      { userId: 'insp-c', name: '督导丙', province: '22', idNumber: staffId },
      { userId: 'insp-21', name: '外省督导', province: '21' },
    ]);
  });
  afterAll(async () => s?.close());

  let draw: any;

  it('refuses a count above the institutions in force, too many inspectors, bad input and the wrong roles', async () => {
    expect((await api.post('/api/v1/inspections/draws', { year: 2026, count: 4, inspectorsPerInspection: 1 }, t.prov)).body).toMatchObject({
      status: 422,
      code: 'RULE_VIOLATION',
    });
    expect((await api.post('/api/v1/inspections/draws', { year: 2026, count: 1, inspectorsPerInspection: 4 }, t.prov)).body).toMatchObject({
      status: 422,
      code: 'NOT_ENOUGH_SUPERVISORS',
    });
    expect((await api.post('/api/v1/inspections/draws', { year: 2026, count: 1, inspectorsPerInspection: 1 }, t.prov21)).body.code).toBe('RULE_VIOLATION');
    expect((await api.post('/api/v1/inspections/draws', { year: 2026, count: 0, inspectorsPerInspection: 1 }, t.prov)).status).toBe(400);
    expect((await api.post('/api/v1/inspections/draws', { year: 2026, count: 1, inspectorsPerInspection: 1, seed: 1 }, t.prov)).status).toBe(400);
    expect((await api.post('/api/v1/inspections/draws', { year: 2026, count: 1, inspectorsPerInspection: 1 }, t.inst)).status).toBe(403);
    expect((await api.post('/api/v1/inspections/draws', { year: 2026, count: 1, inspectorsPerInspection: 1 })).status).toBe(401);
    // nothing was recorded by a refused draw
    expect(await s.services.models.Inspection.countDocuments()).toBe(0);
  });

  it('draws institutions and inspectors at random, records what an auditor needs to draw again, and answers a retry the same', async () => {
    const body = { year: 2026, count: 3, inspectorsPerInspection: 2 };
    const r = await api.post('/api/v1/inspections/draws', body, t.prov, { 'idempotency-key': 'draw-1' });
    expect(r.status).toBe(201);
    draw = r.body;
    expect(draw.inspections.map((x: any) => x.institution.creditCode).sort()).toEqual([...codes].sort());
    for (const x of draw.inspections) {
      expect(x.inspectors).toHaveLength(2);
      if (x.institution.creditCode === codes[0]) expect(x.inspectors.map((p: any) => p.userId)).not.toContain('insp-c');
      expect(x.inspectors.map((p: any) => p.userId)).not.toContain('insp-21');
    }
    // the recorded seed and lists draw the same again, and the lists match their hash
    const rec = (await s.services.models.InspectionDraw.findById(draw.id).lean())!;
    expect(rec.seed).toBe(draw.seed);
    const sups = await s.services.models.Supervisor.find({ _id: { $in: rec.eligible.inspectors } }).lean();
    const pools = {
      institutions: rec.eligible.institutions.map((c: string) => ({ creditCode: c, name: '', filingId: '', province: '22', prefecture: null })),
      inspectors: rec.eligible.inspectors.map((u: string) => ({ userId: u, name: sups.find((x) => x._id === u)!.name })),
      conflicts: rec.eligible.conflicts.map((x: { institution: string; inspector: string }) => [x.institution, x.inspector] as [string, string]),
    };
    expect(pools.conflicts).toEqual([[codes[0], 'insp-c']]);
    expect(createHash('sha256').update(inspectionPoolDigestInput(pools)).digest('hex')).toBe(rec.eligible.hash);
    const again = drawInspections({ ...pools, hash: rec.eligible.hash }, 3, 2, rec.seed);
    expect(again.map((x) => [x.institution.creditCode, x.inspectors.map((p) => p.userId)])).toEqual(
      draw.inspections.map((x: any) => [x.institution.creditCode, x.inspectors.map((p: any) => p.userId)]),
    );
    const retry = await api.post('/api/v1/inspections/draws', body, t.prov, { 'idempotency-key': 'draw-1' });
    expect(retry.body).toEqual(draw);
    expect(await s.services.models.InspectionDraw.countDocuments()).toBe(1);
    // the drawn inspectors are told
    const n = await api.get('/api/v1/notifications?kind=inspection-assignment', t[draw.inspections[0].inspectors[0].userId]);
    expect(n.body.items.length).toBeGreaterThan(0);
  });

  it('publishes what was inspected and the outcome, never who inspects', async () => {
    const r = await api.get('/api/v1/inspections?year=2026&province=22');
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(3);
    expect(r.body.items[0]).toMatchObject({
      year: 2026,
      province: '22',
      drawnBy: 'province-reviewer',
      inspectors: 2,
      status: 'in-progress',
      outcome: null,
      measures: [],
    });
    const text = JSON.stringify(r.body);
    for (const who of ['insp-a', 'insp-b', 'insp-c', '督导甲', '督导乙', '督导丙']) expect(text).not.toContain(who);
    expect((await api.get('/api/v1/inspections?year=2025')).body.items).toEqual([]);
    expect((await api.get('/api/v1/inspections?province=99')).status).toBe(400);
  });

  it('an inspector files findings once; a serious one proposes termination to the province’s reviewers; the inspection concludes', async () => {
    const x = draw.inspections.find((i: any) => i.institution.creditCode === codes[1]);
    const [first, second] = x.inspectors.map((p: any) => p.userId);
    const outsider = ['insp-a', 'insp-b', 'insp-c'].find((u) => !x.inspectors.some((p: any) => p.userId === u))!;
    const url = `/api/v1/inspections/${x.id}/findings`;
    expect((await api.post(url, { severity: 'minor', text: '台账' }, t[outsider])).body.code).toBe('NOT_ASSIGNED');
    expect((await api.post(url, { severity: 'minor', text: '台账', order: 'propose-termination' }, t[first])).status).toBe(422);
    expect((await api.post(url, { severity: 'bad', text: '台账' }, t[first])).status).toBe(400);
    expect((await api.post(url, { severity: 'minor', text: '台账' }, t.center)).status).toBe(403);
    expect((await api.post('/api/v1/inspections/D2026-none-001/findings', { severity: 'minor', text: '台账' }, t[first])).status).toBe(404);

    const mine = await api.get('/api/v1/inspections/mine', t[first]);
    expect(mine.body.items.map((i: any) => i.id)).toContain(x.id);
    expect(mine.body.items.find((i: any) => i.id === x.id).filedByMe).toBe(false);

    const a = await api.post(url, { severity: 'serious', text: '考评人员不在备案名单中', order: 'propose-termination' }, t[first]);
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ status: 'in-progress', outcome: 'serious', measures: ['propose-termination'] });
    expect((await api.post(url, { severity: 'none', text: '再次' }, t[first])).body.code).toBe('ALREADY_DECIDED');
    const b = await api.post(url, { severity: 'minor', text: '档案管理不规范' }, t[second]);
    expect(b.body).toMatchObject({ status: 'concluded', outcome: 'serious' });

    // the province's reviewers see the open proposal, with the findings, and are told
    const work = await api.get('/api/v1/inspections/mine', t.prov);
    const p = work.body.items.find((i: any) => i.id === x.id);
    expect(p.proposal).toMatchObject({ open: true, by: { userId: first } });
    expect(p.findings.map((f: any) => f.severity)).toEqual(['serious', 'minor']);
    const n = await api.get('/api/v1/notifications?kind=termination-proposal', t.prov);
    expect(n.body.items[0].message).toContain('抽查机构1');
    // public: the outcome and the measure, not the findings' text
    const pub = await api.get('/api/v1/inspections?year=2026');
    expect(pub.body.items.find((i: any) => i.id === x.id)).toMatchObject({ status: 'concluded', outcome: 'serious', measures: ['propose-termination'] });
    expect(JSON.stringify(pub.body)).not.toContain('考评人员不在备案名单中');
    // the serious finding is in the institution's public credit file; the minor one is not, nor any text or inspector
    const credit = await api.get(`/api/v1/institutions/${codes[1]}/credit`);
    expect(credit.body.items).toEqual([
      {
        kind: 'inspection-serious',
        date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        decidedBy: '吉林省人力资源和社会保障厅（双随机抽查）',
        summary: `双随机抽查（${x.id}）发现严重问题，建议终止其备案`,
      },
    ]);
    expect(JSON.stringify(credit.body)).not.toMatch(/考评人员|档案管理|insp-|督导/);

    // a provincial reviewer of the province closes the proposal: "terminated" only once the filing's termination is ordered
    const decide = (body: object, tk: string) => api.post(`/api/v1/inspections/${x.id}/proposal-decision`, body, tk);
    expect((await decide({ decision: 'terminated', note: '已责令终止' }, t.prov)).body).toMatchObject({ status: 409, code: 'INVALID_STATE' });
    expect((await decide({ decision: 'declined', note: '整改' }, t.prov21)).status).toBe(404);
    expect((await decide({ decision: 'declined', note: '整改' }, t.center)).status).toBe(403);
    expect((await decide({ decision: 'declined' }, t.prov)).status).toBe(400);
    // from the console: the reviewer's list offers the form, and then shows the decision
    const reviewer = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    await reviewer.signInAs({ sub: 'prov', name: 'prov', role: 'province-reviewer', province: '22' });
    const listed = await reviewer.get('/inspections/mine');
    const form = new RegExp(`action="/inspections/${x.id}/proposal-decision"[\\s\\S]*?name="_key" value="([^"]+)"`).exec(listed.html);
    expect(form).not.toBeNull();
    const posted = await reviewer.post(`/inspections/${x.id}/proposal-decision`, { _key: form![1], decision: 'declined', note: '情节较轻，责令限期整改' });
    expect([posted.status, posted.location]).toEqual([303, '/inspections/mine?ok=proposal-decided']);
    const after = await reviewer.get('/inspections/mine');
    expect(textOf(after.html)).toContain('不予终止（prov');
    expect(after.html).not.toContain(`action="/inspections/${x.id}/proposal-decision"`);
    expect((await decide({ decision: 'declined', note: '再次' }, t.prov)).body.code).toBe('ALREADY_DECIDED');
    const closed = (await api.get('/api/v1/inspections/mine', t.prov)).body.items.find((i: any) => i.id === x.id);
    expect(closed.proposal).toMatchObject({ open: false, decision: { decision: 'declined', note: '情节较轻，责令限期整改' } });
    // the workflow ended with its last inspection... of this one; the others keep it running
    expect((await s.services.models.Audit.find({ targetId: draw.id }).lean()).map((e) => e.action).sort()).toEqual([
      'inspection.draw',
      'inspection.finding',
      'inspection.finding',
    ]);
  });

  it('console: the center draws from a page, an inspector files from theirs, the public page lists the results', async () => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    await c.signInAs({ sub: 'center', name: '鉴定中心', role: 'center', province: '22', prefecture: '220100' });
    const form = await c.get('/inspections/draw');
    expect(form.status).toBe(200);
    const drawn = await c.post('/inspections/draw', { year: 2027, count: 1, inspectorsPerInspection: 1, _key: 'k-console-1' });
    expect(drawn.status).toBe(201);
    expect(textOf(drawn.html)).toMatch(/抽查机构[01]/);
    const id = /data-testid="drawn" data-id="([^"]+)"/.exec(drawn.html)![1];
    const rec = (await s.services.models.Inspection.findById(id).lean())!;
    await c.signInAs({ sub: rec.inspectorIds[0], name: '督导', role: 'supervisor', province: '22' });
    const mine = await c.get('/inspections/mine');
    expect(mine.html).toContain(`/inspections/${id}/findings`);
    const filed = await c.post(`/inspections/${id}/findings`, { severity: 'none', text: '未发现问题', _key: 'k-console-2' });
    expect(filed.status).toBe(303);
    c.signOut();
    const pub = await c.get('/inspections?year=2027');
    expect(pub.status).toBe(200);
    expect(textOf(pub.html)).toContain('未发现问题');
    expect((await c.get('/directory')).html).toContain('href="/inspections"');
  });
});
