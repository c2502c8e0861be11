/**
 * Demo mode (time-skipping server) over HTTP only: a filing reaches `active` and the directory,
 * then lives out its three years without renewal and expires.
 */
import { devStack, timeSkippingAddress, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { application, idNumber } from '../fixtures/filing';
import { addCalendarDays, addMonths, chinaDateOf, endOfDayMs } from '../../domain/calendar';
import type { Caller } from '../../domain/roles';

describe('a filing driven over HTTP in demo mode', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const t: Record<string, string> = {};
  const app = application({ province: '22', prefecture: '220100' });

  beforeAll(async () => {
    s = await devStack({ settings: { APP_MODE: 'demo' }, temporalAddress: timeSkippingAddress() });
    api = http(s.app);
    const tok = (sub: string, c: Omit<Caller, 'sub' | 'name'>) => s.token({ sub, name: sub, ...c });
    t.inst = await tok('inst', { role: 'institution', province: '22', institutionId: app.institution.creditCode });
    t.pref = await tok('pref', { role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
    t.prov = await tok('prov', { role: 'province-reviewer', province: '22' });
    t.admin = await tok('admin', { role: 'admin' });
    for (const [i, sub] of ['ea', 'eb', 'ec'].entries()) {
      t[sub] = await tok(sub, { role: 'expert', province: '22' });
      expect((await api.post('/api/v1/experts', { userId: sub, name: `专家${i}`, idNumber: idNumber(700 + i), province: '22' }, t.prov)).status).toBe(201);
    }
  });
  afterAll(async () => s?.close());

  it('reaches active and the directory, then expires after three years with a reminder at expiry − 3 months', async () => {
    const created = await api.post('/api/v1/filings', app, t.inst);
    expect(created.status).toBe(201);
    const id = created.body.id;
    const step = async (url: string, body: unknown, token: string) => {
      const r = await api.post(`/api/v1/filings/${id}${url}`, body, token);
      expect([r.status, r.body.code]).toEqual([200, undefined]);
      return r.body;
    };
    await step('/assignments', { stage: 'preliminary-review', expertIds: ['ea'] }, t.pref);
    await step('/assignments', { stage: 'technical-assessment', expertIds: ['eb'] }, t.pref);
    await step('/assignments', { stage: 'comprehensive-review', expertIds: ['ec'] }, t.pref);
    await step('/decisions', { stage: 'preliminary-review', outcome: 'pass', opinion: '材料齐全' }, t.ea);
    await step('/decisions', { stage: 'technical-assessment', outcome: 'pass', opinion: '现场评估合格', score: 88 }, t.eb);
    await step('/decisions', { stage: 'comprehensive-review', outcome: 'pass', opinion: '综合评估合格' }, t.ec);
    const pub = await step('/decisions', { stage: 'deliberation', outcome: 'pass', opinion: '审议通过' }, t.pref);
    expect(pub.stage).toBe('publicity');

    const adv = await api.post('/api/v1/admin/clock/advance', { by: 'P9D' }, t.admin);
    expect(adv.status).toBe(200);
    const atNotice = await api.get(`/api/v1/filings/${id}`, t.prov);
    expect(atNotice.body.stage).toBe('notice');
    const active = await step('/decisions', { stage: 'notice', outcome: 'pass', opinion: '准予备案' }, t.prov);
    expect(active.status).toBe('active');
    const validUntil: string = active.notice.validUntil;
    const dir = await api.get('/api/v1/directory?province=22');
    expect(dir.body.items.map((e: { creditCode: string }) => e.creditCode)).toContain(app.institution.creditCode);

    // the Jilin preset has no idle exit (004): two years and more without a batch leave it active
    await api.post('/api/v1/admin/clock/advance', { by: 'P800D' }, t.admin);
    expect((await api.get(`/api/v1/filings/${id}`, t.prov)).body.status).toBe('active');
    const now = (await s.services.clock.now()).getTime();
    // to just before the end of the last valid day: still active
    const untilEnd = endOfDayMs(validUntil) - now;
    await api.post('/api/v1/admin/clock/advance', { by: `PT${Math.floor((untilEnd - 60_000) / 1000)}S` }, t.admin);
    expect((await api.get(`/api/v1/filings/${id}`, t.prov)).body.status).toBe('active');
    await api.post('/api/v1/admin/clock/advance', { by: 'PT2M' }, t.admin);
    const ended = await api.get(`/api/v1/filings/${id}`, t.prov);
    expect(ended.body.status).toBe('expired');
    const dir2 = await api.get('/api/v1/directory?province=22');
    expect(dir2.body.items.map((e: { creditCode: string }) => e.creditCode)).not.toContain(app.institution.creditCode);

    const mail = await api.get('/api/v1/notifications?kind=renewal-reminder&limit=100', t.inst);
    const dates = mail.body.items.map((n: { at: string }) => chinaDateOf(Date.parse(n.at))).sort();
    // 30 days before the renewal deadline, on it (expiry − 3 months), then monthly until expiry
    expect(dates.slice(0, 2)).toEqual([addCalendarDays(addMonths(validUntil, -3), -30), addMonths(validUntil, -3)]);
    expect(dates.length).toBeGreaterThanOrEqual(4);
  });
});
