import { devStack, timeSkippingAddress, type DevStack } from '../harness/stack';

describe('demo mode clock on the time-skipping server', () => {
  let s: DevStack;
  let admin: string;
  beforeAll(async () => {
    s = await devStack({ settings: { APP_MODE: 'demo' }, temporalAddress: timeSkippingAddress() });
    admin = await s.token({ role: 'admin' });
  });
  afterAll(async () => s?.close());

  it('reads the server clock and advances it by an ISO-8601 duration', async () => {
    const auth = { authorization: `Bearer ${admin}` };
    const before = await s.app.inject({ method: 'GET', url: '/api/v1/admin/clock', headers: auth });
    expect(before.statusCode).toBe(200);
    const t0 = Date.parse(before.json().now);
    const adv = await s.app.inject({ method: 'POST', url: '/api/v1/admin/clock/advance', headers: auth, payload: { by: 'P8D' } });
    expect(adv.statusCode).toBe(200);
    const t1 = Date.parse(adv.json().now);
    expect(t1 - t0).toBeGreaterThanOrEqual(8 * 86_400_000);
    expect(t1 - t0).toBeLessThan(8 * 86_400_000 + 60_000);
    // the API's one clock follows the server
    expect(Math.abs((await s.services.clock.now()).getTime() - t1)).toBeLessThan(60_000);
  });

  it('refuses a bad duration and non-admins', async () => {
    const bad = await s.app.inject({
      method: 'POST',
      url: '/api/v1/admin/clock/advance',
      headers: { authorization: `Bearer ${admin}` },
      payload: { by: '8 days' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
    const reviewer = await s.token({ role: 'province-reviewer', province: '22' });
    const r = await s.app.inject({
      method: 'POST',
      url: '/api/v1/admin/clock/advance',
      headers: { authorization: `Bearer ${reviewer}` },
      payload: { by: 'P1D' },
    });
    expect(r.statusCode).toBe(403);
  });
});
