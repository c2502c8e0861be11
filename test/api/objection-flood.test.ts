/**
 * Hostile input must never jam a case (issue #17): 1,000 anonymous objections of 5,000 characters
 * each, from a thousand contacts and addresses, go to one filing under 公示 (on the dev server)
 * and to one batch's result publicity (in demo mode, whose clock can reach the publicity's end).
 * Afterwards a reviewer still resolves one in under 2 seconds, the case's history stays under
 * 2 MB, the publicity closes on time once the objections are dealt with, and one objector may hold
 * only OBJECTIONS_PER_OBJECTOR open objections (429 past it).
 */
import { temporal } from '@temporalio/proto';
import { devStack, timeSkippingAddress, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { application, idNumber } from '../fixtures/filing';
import { filingWorkflowId } from '../../workflows/filing/messages';
import { batchWorkflowId } from '../../workflows/batch/messages';
import { chinaDateOf } from '../../domain/dates';
import type { Caller } from '../../domain/roles';

jest.setTimeout(600_000);

const FLOOD = Number(process.env.SKILLCERT_FLOOD ?? 1000);
const REASON = '经查该单位考评员资质不符，'.repeat(400).slice(0, 5000);

async function historyBytes(s: DevStack, workflowId: string): Promise<number> {
  const h = await s.services.temporal.client.workflow.getHandle(workflowId).fetchHistory();
  return temporal.api.history.v1.History.encode(h).finish().length;
}

/** `n` objections from `n` different people and addresses, a few at a time; every one 202. */
async function flood(s: DevStack, path: string, n: number) {
  const statuses = new Map<number, number>();
  for (let i = 0; i < n; i += 10) {
    const replies = await Promise.all(
      Array.from({ length: Math.min(10, n - i) }, (_x, k) =>
        s.app.inject({
          method: 'POST',
          url: path,
          remoteAddress: `10.${Math.floor((i + k) / 250)}.${(i + k) % 250}.7`,
          payload: { name: `群众${i + k}`, contact: `139${String(10_000_000 + i + k)}`, reason: REASON },
        }),
      ),
    );
    for (const r of replies) {
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
      if (r.statusCode === 202) expect(Object.keys(r.json())).toEqual(['objectionId']);
    }
  }
  return Object.fromEntries(statuses);
}

async function tokens(s: DevStack, app: ReturnType<typeof application>) {
  const t = (sub: string, c: Omit<Caller, 'sub' | 'name'>) => s.token({ sub, name: sub, ...c });
  return {
    inst: await t('inst', { role: 'institution', province: '22', institutionId: app.institution.creditCode }),
    pref: await t('pref', { role: 'prefecture-reviewer', province: '22', prefecture: '220100' }),
    prov: await t('prov', { role: 'province-reviewer', province: '22' }),
    center: await t('center', { role: 'center', province: '22', prefecture: '220100' }),
    admin: await t('admin', { role: 'admin' }),
    ea: await t('ea', { role: 'expert', province: '22' }),
    eb: await t('eb', { role: 'expert', province: '22' }),
    ec: await t('ec', { role: 'expert', province: '22' }),
  };
}

/** Through the review to the 公示, over HTTP. */
async function toPublicity(api: ReturnType<typeof http>, t: Awaited<ReturnType<typeof tokens>>, app: ReturnType<typeof application>) {
  for (const [i, sub] of ['ea', 'eb', 'ec'].entries()) {
    expect((await api.post('/api/v1/experts', { userId: sub, name: `专家${i}`, idNumber: idNumber(700 + i), province: '22' }, t.prov)).status).toBe(201);
  }
  const id = (await api.post('/api/v1/filings', app, t.inst)).body.id as string;
  for (const [stage, e] of [
    ['preliminary-review', 'ea'],
    ['technical-assessment', 'eb'],
    ['comprehensive-review', 'ec'],
  ]) {
    expect((await api.post(`/api/v1/filings/${id}/assignments`, { stage, expertIds: [e] }, t.pref)).status).toBe(200);
  }
  for (const [stage, tk, extra] of [
    ['preliminary-review', t.ea, {}],
    ['technical-assessment', t.eb, { score: 90 }],
    ['comprehensive-review', t.ec, {}],
    ['deliberation', t.pref, {}],
  ] as const) {
    expect((await api.post(`/api/v1/filings/${id}/decisions`, { stage, outcome: 'pass', opinion: '通过', ...extra }, tk)).status).toBe(200);
  }
  return id;
}

describe('a flood of objections to a filing under 公示, on the dev server', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const app = application({ province: '22', prefecture: '220100' });
  beforeAll(async () => {
    s = await devStack({ settings: { PUBLIC_RATE_LIMIT: '1000000' } });
    api = http(s.app);
  });
  afterAll(async () => s?.close());

  it('stays small and responsive: resolution under 2 s, history under 2 MB, bounded per objector', async () => {
    const t = await tokens(s, app);
    const id = await toPublicity(api, t, app);
    const statuses = await flood(s, `/api/v1/filings/${id}/objections`, FLOOD);
    expect(statuses).toEqual({ 202: FLOOD });

    // one objector (a contact, or an address): three open objections at most, then 429, a clear answer and never a hang
    const again = { name: '群众0', contact: '13910000000', reason: '再次异议' };
    const fromSame: number[] = [];
    for (const k of [0, 1, 2])
      fromSame.push((await s.app.inject({ method: 'POST', url: `/api/v1/filings/${id}/objections`, remoteAddress: `10.9.9.${k}`, payload: again })).statusCode);
    expect(fromSame).toEqual([202, 202, 429]);
    const refused = await s.app.inject({ method: 'POST', url: `/api/v1/filings/${id}/objections`, remoteAddress: '10.9.9.5', payload: again });
    expect(refused.json()).toMatchObject({ code: 'TOO_MANY_OBJECTIONS', status: 429 });
    expect(refused.headers['retry-after']).toBeDefined();
    for (const k of [0, 1]) {
      expect(
        (
          await s.app.inject({
            method: 'POST',
            url: `/api/v1/filings/${id}/objections`,
            remoteAddress: '10.9.9.9',
            payload: { ...again, contact: `other${k}@example.com` },
          })
        ).statusCode,
      ).toBe(202);
    }
    expect(
      (
        await s.app.inject({
          method: 'POST',
          url: `/api/v1/filings/${id}/objections`,
          remoteAddress: '10.9.9.9',
          payload: { ...again, contact: 'other9@example.com' },
        })
      ).statusCode,
    ).toBe(202);
    expect(
      (
        await s.app.inject({
          method: 'POST',
          url: `/api/v1/filings/${id}/objections`,
          remoteAddress: '10.9.9.9',
          payload: { ...again, contact: 'other8@example.com' },
        })
      ).statusCode,
    ).toBe(429);

    // the reviewer resolves one, quickly, and sees the objector; the institution sees neither name nor contact
    const t0 = Date.now();
    const resolved = await api.post(`/api/v1/filings/${id}/objections/p1-17/resolution`, { upheld: false, note: '经核查不属实' }, t.pref);
    const ms = Date.now() - t0;
    expect(resolved.status).toBe(200);
    expect(ms).toBeLessThan(2000);
    expect(resolved.body.publicity).toMatchObject({ objectionCount: FLOOD + 5, openObjections: FLOOD + 4 });
    expect(resolved.body.publicity.objections[0]).toMatchObject({ id: 'p1-1', name: expect.stringMatching(/^群众\d+$/), reason: REASON });
    const seenByInstitution = await api.get(`/api/v1/filings/${id}`, t.inst);
    expect(seenByInstitution.body.publicity.objections[0]).toEqual(expect.not.objectContaining({ name: expect.anything() }));
    expect(JSON.stringify(seenByInstitution.body)).not.toContain('1391000');
    // every reply stays bounded however many objections came in
    expect(JSON.stringify(resolved.body).length).toBeLessThan(1_000_000);

    // the rest, investigated together and dismissed at once
    const dismissed = await api.post(`/api/v1/filings/${id}/objections/dismissal`, { note: '均为重复的无具体事实的异议' }, t.pref);
    expect(dismissed.status).toBe(200);
    expect(dismissed.body.publicity).toMatchObject({ openObjections: 0, objectionCount: FLOOD + 5 });
    expect(dismissed.body.status).toBe('in-review');

    const bytes = await historyBytes(s, filingWorkflowId(id));
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
    // the texts are where they belong
    expect(await s.services.models.Objection.countDocuments({ targetId: id })).toBe(FLOOD + 5);
  });
});

describe("a flood of objections to a batch's result publicity, in demo mode", () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const app = application({ province: '22', prefecture: '220100' });
  beforeAll(async () => {
    s = await devStack({ settings: { APP_MODE: 'demo', PUBLIC_RATE_LIMIT: '1000000' }, temporalAddress: timeSkippingAddress() });
    api = http(s.app);
  });
  afterAll(async () => s?.close());

  it('stays small and responsive, and the publicity closes on time once they are dealt with', async () => {
    const t = await tokens(s, app);
    const filingId = await toPublicity(api, t, app);
    await api.post('/api/v1/admin/clock/advance', { by: 'P9D' }, t.admin);
    expect((await api.post(`/api/v1/filings/${filingId}/decisions`, { stage: 'notice', outcome: 'pass', opinion: '准予备案' }, t.prov)).body.status).toBe(
      'active',
    );
    const now = (await api.get('/api/v1/admin/clock', t.admin)).body.now;
    const first = (await api.get(`/api/v1/calendar/working-days?from=${chinaDateOf(Date.parse(now))}&add=10`)).body.date;
    const candidates = [1, 2, 3].map((i) => ({
      name: `考生${i}`,
      idNumber: idNumber(900 + i, '19920101'),
      sex: i % 2 ? 'M' : 'F',
      post: '车工',
      yearsInPost: 3,
      occupationCode: '6-18-01-01',
      level: 4,
      employerCreditCode: app.institution.creditCode,
    }));
    const created = await api.post(
      '/api/v1/batches',
      {
        filingId,
        firstExamDate: first,
        lastExamDate: first,
        venues: [{ name: '一号实训车间', address: '吉林省长春市朝阳区人民大街1号' }],
        modules: [{ kind: 'theory' }, { kind: 'skill' }],
        candidates,
        proctors: [{ name: '监考' }],
        examiners: [{ name: '考评员' }],
        supervisors: [{ name: '内部督导' }],
      },
      t.inst,
    );
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await api.post('/api/v1/admin/clock/advance', { by: 'P20D' }, t.admin);
    const scored = await api.post(`/api/v1/batches/${id}/scores`, { scores: candidates.map((c) => ({ idNumber: c.idNumber, theory: 80, skill: 80 })) }, t.inst);
    expect(scored.body.status).toBe('publicity');
    const endsAt = scored.body.publicity.endsAt as string;

    expect(await flood(s, `/api/v1/batches/${id}/objections`, FLOOD)).toEqual({ 202: FLOOD });
    const t0 = Date.now();
    const resolved = await api.post(`/api/v1/batches/${id}/objections/p1-500/resolution`, { upheld: false, note: '经核查成绩无误' }, t.center);
    expect(resolved.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(resolved.body.publicity).toMatchObject({ objectionCount: FLOOD, openObjections: FLOOD - 1 });
    expect((await api.post(`/api/v1/batches/${id}/objections/dismissal`, { note: '重复异议，经核查不成立' }, t.center)).body.publicity.openObjections).toBe(0);

    // to just past the publicity's end: it closed on time, and the results are due from that day
    await api.post(
      '/api/v1/admin/clock/advance',
      { by: `PT${Math.ceil((Date.parse(endsAt) - Date.parse((await api.get('/api/v1/admin/clock', t.admin)).body.now)) / 1000) + 60}S` },
      t.admin,
    );
    let after = await api.get(`/api/v1/batches/${id}`, t.center);
    for (let i = 0; i < 100 && after.body.status !== 'results-due'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await api.get(`/api/v1/batches/${id}`, t.center);
    }
    expect(after.body.status).toBe('results-due');
    expect(after.body.publicity.closedAt).toBe(endsAt);
    expect(await historyBytes(s, batchWorkflowId(id))).toBeLessThan(2 * 1024 * 1024);
  });
});
