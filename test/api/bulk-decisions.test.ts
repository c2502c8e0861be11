/**
 * POST /tasks/decisions (API.md "Added: day-to-day use"; #16 §2): a reviewer's or expert's many
 * tasks of one stage decided at once. Each item goes through the same role rule, scope look-up,
 * validators and Update as a single decision, so one refusal never blocks the others, and a
 * request repeated with its Idempotency-Key decides nothing twice.
 */
import { devStack, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { consoleClient } from '../harness/console';
import { application, idNumber } from '../fixtures/filing';
import type { Caller } from '../../domain/roles';

describe('bulk decisions over HTTP', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const t: Record<string, string> = {};
  const ids: string[] = [];

  beforeAll(async () => {
    s = await devStack();
    api = http(s.app);
    const tok = (sub: string, c: Omit<Caller, 'sub' | 'name'>) => s.token({ sub, name: sub, ...c });
    t.pref = await tok('bulk-pref', { role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
    t.prov = await tok('bulk-prov', { role: 'province-reviewer', province: '22' });
    t.expert = await tok('bulk-expert', { role: 'expert', province: '22' });
    t.other = await tok('bulk-other', { role: 'expert', province: '22' });
    t.center = await tok('bulk-center', { role: 'center', province: '22', prefecture: '220100' });
    for (const [i, sub] of ['bulk-expert', 'bulk-other'].entries())
      expect((await api.post('/api/v1/experts', { userId: sub, name: `专家${i}`, idNumber: idNumber(700 + i), province: '22' }, t.prov)).status).toBe(201);
    // four filings at 初评: three with our expert assigned, one with another expert
    for (let i = 0; i < 4; i++) {
      const app = application({ province: '22', prefecture: '220100' });
      const inst = await tok(`bulk-inst-${i}`, { role: 'institution', province: '22', institutionId: app.institution.creditCode });
      const created = await api.post('/api/v1/filings', app, inst);
      expect(created.status).toBe(201);
      ids.push(created.body.id);
      const expert = i < 3 ? 'bulk-expert' : 'bulk-other';
      expect((await api.post(`/api/v1/filings/${created.body.id}/assignments`, { stage: 'preliminary-review', expertIds: [expert] }, t.pref)).status).toBe(200);
    }
  });
  afterAll(async () => s?.close());

  const item = (id: string, stage = 'preliminary-review') => ({ type: 'filing' as const, id, stage, outcome: 'pass' as const, opinion: '材料齐全，同意' });

  it('decides each item on its own: the allowed ones pass, each refusal is answered with its code and blocks nothing', async () => {
    const body = {
      items: [
        item(ids[0]),
        item(ids[1], 'technical-assessment'), // the filing is at preliminary-review: 409 STAGE_MISMATCH
        item(ids[3]), // another expert's task: hidden from this expert, as from its single route
        { type: 'batch' as const, id: 'B000000-nope', stage: 'plan-review', outcome: 'pass' as const, opinion: '同意' }, // experts do not decide batches
        item(ids[2]),
      ],
    };
    const r = await api.post('/api/v1/tasks/decisions', body, t.expert, { 'idempotency-key': 'bulk-1' });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: { id: string; status: number; code?: string }) => [x.id, x.status, x.code])).toEqual([
      [ids[0], 200, undefined],
      [ids[1], 409, 'STAGE_MISMATCH'],
      [ids[3], 404, 'NOT_FOUND'],
      ['B000000-nope', 403, 'FORBIDDEN'],
      [ids[2], 200, undefined],
    ]);
    expect(r.body.results[0]).toMatchObject({ caseStatus: 'in-review', stage: 'technical-assessment' });
    // what a single decision would have done, and nothing to the refused ones
    for (const [id, stage] of [
      [ids[0], 'technical-assessment'],
      [ids[1], 'preliminary-review'],
      [ids[2], 'technical-assessment'],
      [ids[3], 'preliminary-review'],
    ])
      expect((await api.get(`/api/v1/filings/${id}`, t.pref)).body.stage).toBe(stage);
  });

  it('the same request again (same Idempotency-Key) gives the same answers and decides nothing twice', async () => {
    const body = { items: [item(ids[0]), item(ids[2])] };
    const first = await api.post('/api/v1/tasks/decisions', body, t.expert, { 'idempotency-key': 'bulk-2' });
    // both were decided by bulk-1: now they are at technical-assessment, so a new key is refused per item
    expect(first.body.results.map((x: { status: number; code?: string }) => x.code)).toEqual(['STAGE_MISMATCH', 'STAGE_MISMATCH']);
    const again = await api.post('/api/v1/tasks/decisions', { items: [item(ids[1])] }, t.expert, { 'idempotency-key': 'bulk-3' });
    expect(again.body.results[0].status).toBe(200);
    const replay = await api.post('/api/v1/tasks/decisions', { items: [item(ids[1])] }, t.expert, { 'idempotency-key': 'bulk-3' });
    expect(replay.status).toBe(200);
    expect(replay.body.results).toEqual(again.body.results);
    const audit = await api.get(`/api/v1/filings/${ids[1]}/audit`, t.pref);
    expect(audit.body.items.filter((e: { action: string }) => e.action === 'filing.decide')).toHaveLength(1);
  });

  it('the console inbox: the expert ticks decision tasks of one stage, decides them together and sees each result', async () => {
    // two more filings at 初评 for our expert
    const more: string[] = [];
    for (let i = 0; i < 2; i++) {
      const app = application({ province: '22', prefecture: '220100' });
      const inst = await s.token({ sub: `bulk-inst-c${i}`, name: 'c', role: 'institution', province: '22', institutionId: app.institution.creditCode });
      const created = await api.post('/api/v1/filings', app, inst);
      more.push(created.body.id);
      await api.post(`/api/v1/filings/${created.body.id}/assignments`, { stage: 'preliminary-review', expertIds: ['bulk-expert'] }, t.pref);
    }
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    await c.signInAs({ sub: 'bulk-expert', name: 'bulk-expert', role: 'expert', province: '22' });
    const inbox = await c.get('/inbox');
    expect(inbox.status).toBe(200);
    for (const id of more) expect(inbox.html).toContain(`value="filing|${id}|preliminary-review"`);
    expect(inbox.html).toContain('data-testid="bulk-form"');
    // two stages at once are refused before anything is sent
    const mixed = await c.post('/inbox/decisions', {
      task: [`filing|${more[0]}|preliminary-review`, `filing|${more[1]}|technical-assessment`],
      outcome: 'pass',
      opinion: '同意',
    });
    expect(mixed.status).toBe(400);
    expect(mixed.html).toContain('同一环节');
    const done = await c.post('/inbox/decisions', {
      task: more.map((id) => `filing|${id}|preliminary-review`),
      outcome: 'pass',
      opinion: '材料齐全，同意',
      _key: 'console-bulk-1',
    });
    expect(done.status).toBe(200);
    for (const id of more) expect(done.html).toMatch(new RegExp(`data-id="${id}" data-status="200"`));
    for (const id of more) expect((await api.get(`/api/v1/filings/${id}`, t.pref)).body.stage).toBe('technical-assessment');
    // decided: they have left this expert's inbox
    for (const id of more) expect(done.html).not.toContain(`value="filing|${id}|preliminary-review"`);
  });

  it('refuses a malformed request as a whole (400), and callers whose role decides nothing (403)', async () => {
    expect((await api.post('/api/v1/tasks/decisions', { items: [] }, t.expert)).status).toBe(400);
    const tooMany = { items: Array.from({ length: 101 }, () => item(ids[0])) };
    expect((await api.post('/api/v1/tasks/decisions', tooMany, t.expert)).status).toBe(400);
    expect((await api.post('/api/v1/tasks/decisions', { items: [{ ...item(ids[0]), outcome: 'maybe' }] }, t.expert)).status).toBe(400);
    const inst = await s.token({ sub: 'bulk-inst-x', name: 'x', role: 'institution', province: '22', institutionId: '91220101MA0000000X' });
    expect((await api.post('/api/v1/tasks/decisions', { items: [item(ids[0])] }, inst)).status).toBe(403);
    expect((await api.post('/api/v1/tasks/decisions', { items: [item(ids[0])] })).status).toBe(401);
  });
});
