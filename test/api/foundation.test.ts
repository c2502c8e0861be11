import { devStack, type DevStack } from '../harness/stack';

describe('HTTP basics on the real stack', () => {
  let s: DevStack;
  beforeAll(async () => {
    s = await devStack();
  });
  afterAll(async () => s?.close());

  it('GET /health reports Temporal, the database and a polling worker up', async () => {
    const r = await s.app.inject({ method: 'GET', url: '/health' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: 'ok', temporal: 'up', mongo: 'up', worker: 'up' });
  });

  it('serves the OpenAPI document generated from the zod schemas, and its UI', async () => {
    const r = await s.app.inject({ method: 'GET', url: '/docs/json' });
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    expect(doc.openapi).toMatch(/^3\./);
    const wd = doc.paths['/api/v1/calendar/working-days'].get;
    expect(wd.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['add', 'from']);
    expect(doc.paths['/api/v1/calendar/years/{year}'].put.requestBody).toBeDefined();
    const ui = await s.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/html/);
  });

  it('answers unknown routes with a problem document', async () => {
    const r = await s.app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(r.statusCode).toBe(404);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(r.json()).toMatchObject({ status: 404, code: 'NOT_FOUND', title: 'Not Found' });
  });

  it('computes working days across the 2026 National Day holiday', async () => {
    const r = await s.app.inject({ method: 'GET', url: '/api/v1/calendar/working-days?from=2026-09-28&add=5' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ date: '2026-10-10', coverage: 'official' });
  });

  it('rejects bad query input with 400 VALIDATION_FAILED, never a 500', async () => {
    for (const qs of ['from=2026-02-30&add=1', 'from=2026-09-28&add=-1', 'from=2026-09-28&add=1.5', 'from=x', 'add=3', 'from=2026-09-28&add=3&evil=1']) {
      const r = await s.app.inject({ method: 'GET', url: `/api/v1/calendar/working-days?${qs}` });
      expect(r.statusCode).toBe(400);
      expect(r.json().code).toBe('VALIDATION_FAILED');
    }
  });

  describe('PUT /calendar/years/:year', () => {
    it('needs a token (401) and the admin role (403)', async () => {
      const body = { holidays: ['2031-01-01'], workdays: [] };
      const anon = await s.app.inject({ method: 'PUT', url: '/api/v1/calendar/years/2031', payload: body });
      expect(anon.statusCode).toBe(401);
      expect(anon.json().code).toBe('UNAUTHORIZED');
      const bad = await s.app.inject({ method: 'PUT', url: '/api/v1/calendar/years/2031', payload: body, headers: { authorization: 'Bearer not.a.jwt' } });
      expect(bad.statusCode).toBe(401);
      const inst = await s.token({ role: 'institution', province: '22', institutionId: '91220101MA0000000X' });
      const r = await s.app.inject({ method: 'PUT', url: '/api/v1/calendar/years/2031', payload: body, headers: { authorization: `Bearer ${inst}` } });
      expect(r.statusCode).toBe(403);
      expect(r.json().code).toBe('FORBIDDEN');
    });

    it('loads an official year that replaces the estimate, and refuses dates outside the year', async () => {
      const admin = await s.token({ role: 'admin' });
      const before = await s.app.inject({ method: 'GET', url: '/api/v1/calendar/working-days?from=2031-04-28&add=1' });
      expect(before.json().coverage).toBe('estimated');
      const wrong = await s.app.inject({
        method: 'PUT',
        url: '/api/v1/calendar/years/2031',
        headers: { authorization: `Bearer ${admin}` },
        payload: { holidays: ['2032-01-01'], workdays: [] },
      });
      expect(wrong.statusCode).toBe(422);
      // an official 2031 list that makes Tuesday 29 April a holiday
      const ok = await s.app.inject({
        method: 'PUT',
        url: '/api/v1/calendar/years/2031',
        headers: { authorization: `Bearer ${admin}` },
        payload: { holidays: ['2031-01-01', '2031-04-29', '2031-05-01', '2031-05-02'], workdays: [] },
      });
      expect(ok.statusCode).toBe(200);
      const after = await s.app.inject({ method: 'GET', url: '/api/v1/calendar/working-days?from=2031-04-28&add=1' });
      expect(after.json()).toEqual({ date: '2031-04-30', coverage: 'official' });
    });

    it('gives malformed JSON a 400 problem document', async () => {
      const admin = await s.token({ role: 'admin' });
      const r = await s.app.inject({
        method: 'PUT',
        url: '/api/v1/calendar/years/2031',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        payload: '{"holidays": [',
      });
      expect(r.statusCode).toBe(400);
      expect(r.json().code).toBe('MALFORMED_JSON');
    });
  });

  it('has no demo clock outside demo mode', async () => {
    const admin = await s.token({ role: 'admin' });
    const r = await s.app.inject({ method: 'GET', url: '/api/v1/admin/clock', headers: { authorization: `Bearer ${admin}` } });
    expect(r.statusCode).toBe(404);
  });
});
