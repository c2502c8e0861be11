/**
 * The holes an attacker's probe found (issue #17), each closed: registries cannot be taken over
 * across provinces, idempotency keys cannot be borrowed, tokens must expire and not come from the
 * future, forged cursors are 400, answers with personal data are never cached, trickled bodies are
 * cut off, ids and names refuse what would mislead a reader, certificate look-ups share one budget,
 * and the admin neither revokes certificates nor reads personal data.
 */
import { connect } from 'node:net';
import { SignJWT } from 'jose';
import { devStack, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { application, idNumber } from '../fixtures/filing';
import type { Caller } from '../../domain/roles';

describe('hostile input and safe defaults', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const t: Record<string, string> = {};
  const app = application({ province: '22', prefecture: '220100', staffIdNumbers: [idNumber(601)] });
  let filingId: string;

  beforeAll(async () => {
    s = await devStack({ settings: { PUBLIC_RATE_LIMIT: '4', REQUEST_TIMEOUT_MS: '2000' } });
    api = http(s.app);
    const tok = (sub: string, c: Omit<Caller, 'sub' | 'name'>) => s.token({ sub, name: sub, ...c });
    t.prov22 = await tok('prov-22', { role: 'province-reviewer', province: '22' });
    t.prov11 = await tok('prov-11', { role: 'province-reviewer', province: '11' });
    t.admin = await tok('admin', { role: 'admin' });
    t.inst = await tok('inst-shared', { role: 'institution', province: '22', institutionId: app.institution.creditCode });
    t.pref = await tok('pref', { role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
    filingId = (await api.post('/api/v1/filings', app, t.inst)).body.id;
  });
  afterAll(async () => s?.close());

  it('a registered user id is never taken over from another province (409); its owner changes it with PUT, audited', async () => {
    const reg = { userId: 'expert-4', name: '吉林专家', idNumber: idNumber(602), province: '22' };
    expect((await api.post('/api/v1/experts', reg, t.prov22)).status).toBe(201);
    const takeover = await api.post('/api/v1/experts', { ...reg, name: '北京专家', province: '11' }, t.prov11);
    expect([takeover.status, takeover.body.code]).toEqual([409, 'ALREADY_REGISTERED']);
    expect((await api.post('/api/v1/experts', reg, t.prov22)).status).toBe(409);
    expect((await api.get('/api/v1/experts', t.prov22)).body.items.map((e: { userId: string; name: string }) => [e.userId, e.name])).toContainEqual([
      'expert-4',
      '吉林专家',
    ]);
    // another province's registration does not exist for it
    expect((await api.put('/api/v1/experts/expert-4', { name: '改名', idNumber: idNumber(602), province: '11' }, t.prov11)).status).toBe(404);
    const changed = await api.put(
      '/api/v1/experts/expert-4',
      { name: '吉林专家（高级）', idNumber: idNumber(602), province: '22', prefecture: '220100' },
      t.prov22,
    );
    expect([changed.status, changed.body.name, changed.body.prefecture]).toEqual([200, '吉林专家（高级）', '220100']);
    expect((await api.put('/api/v1/experts/expert-4', { name: 'x', idNumber: idNumber(602), province: '11' }, t.prov22)).status).toBe(403);
    const audit = await s.services.models.Audit.find({ targetId: 'expert-4' }).sort({ at: 1 }).lean();
    expect(audit.map((a) => a.action)).toEqual(['registry.register-expert', 'registry.update-expert']);
    expect(audit[1]).toMatchObject({
      actor: 'prov-22',
      before: expect.objectContaining({ name: '吉林专家' }),
      after: expect.objectContaining({ name: '吉林专家（高级）' }),
    });
  });

  it('registry ids take a safe character set; names refuse bidi controls and unpaired surrogates', async () => {
    for (const userId of ['a\nb', ' ', '$where', '../x', 'x'.repeat(65)]) {
      expect([userId, (await api.post('/api/v1/experts', { userId, name: '专家', idNumber: idNumber(603), province: '22' }, t.prov22)).status]).toEqual([
        userId,
        400,
      ]);
    }
    for (const name of ['张\u202e三', '李\u2066四', '王\ud800五']) {
      const r = await s.app.inject({
        method: 'POST',
        url: '/api/v1/experts',
        headers: { authorization: `Bearer ${t.prov22}`, 'content-type': 'application/json' },
        payload: `{"userId":"n-${name.length}","name":${JSON.stringify(name)},"idNumber":"${idNumber(604)}","province":"22"}`,
      });
      expect([name, r.statusCode]).toEqual([name, 400]);
    }
    expect((await api.post('/api/v1/experts', { userId: 'zhang.san@jl', name: '张三', idNumber: idNumber(605), province: '22' }, t.prov22)).status).toBe(201);
  });

  it('an anonymous Idempotency-Key is bound to its body: a second person reusing it gets 422, never the first answer', async () => {
    // no publicity: both answers are refusals, but the refusal is the first caller's, kept under the key
    const key = { 'idempotency-key': 'same-key-for-two-people' };
    const a = await s.app.inject({
      method: 'POST',
      url: `/api/v1/filings/${filingId}/objections`,
      remoteAddress: '10.1.1.1',
      headers: key,
      payload: { name: '甲', contact: '13800000001', reason: '甲的异议' },
    });
    const b = await s.app.inject({
      method: 'POST',
      url: `/api/v1/filings/${filingId}/objections`,
      remoteAddress: '10.2.2.2',
      headers: key,
      payload: { name: '乙', contact: '13800000002', reason: '乙的异议' },
    });
    expect(a.json().code).toBe('NOT_IN_PUBLICITY');
    expect([b.statusCode, b.json().code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
  });

  it("a token with the same sub and another institution's claims never replays that institution's answer", async () => {
    const key = { 'idempotency-key': 'inst-supplement-1' };
    const first = await api.post(`/api/v1/filings/${filingId}/supplements`, { materials: [{ kind: 'emergency-plan', title: '预案.pdf' }] }, t.inst, key);
    expect(first.status).toBe(409); // no 补正 requested; the answer is stored under the key
    const other = application({ province: '22', prefecture: '220100' });
    const impostor = await s.token({ sub: 'inst-shared', name: 'x', role: 'institution', province: '22', institutionId: other.institution.creditCode });
    const replay = await api.post(`/api/v1/filings/${filingId}/supplements`, { materials: [{ kind: 'emergency-plan', title: '预案.pdf' }] }, impostor, key);
    expect(replay.headers['idempotent-replayed']).toBeUndefined();
    expect(replay.status).toBe(404);
  });

  it('refuses tokens without an expiry, issued in the future, or living longer than the limit', async () => {
    const secret = new TextEncoder().encode(s.settings.AUTH_JWT_SECRET!);
    const claims = { sub: 'p', name: 'p', role: 'province-reviewer', province: '22' };
    const now = Math.floor(Date.now() / 1000);
    const sign = (f: (j: SignJWT) => SignJWT) => f(new SignJWT(claims).setProtectedHeader({ alg: 'HS256' })).sign(secret);
    const noExp = await sign((j) => j.setIssuedAt());
    const future = await sign((j) => j.setIssuedAt(now + 3600).setExpirationTime(now + 7200));
    const longLived = await sign((j) => j.setIssuedAt().setExpirationTime(now + 90 * 86_400));
    const fine = await sign((j) => j.setIssuedAt().setExpirationTime('1h'));
    for (const tok of [noExp, future, longLived]) expect((await api.get('/api/v1/experts', tok)).status).toBe(401);
    expect((await api.get('/api/v1/experts', fine)).status).toBe(200);
  });

  it('a forged list cursor is 400, not 500', async () => {
    for (const path of ['/api/v1/filings', '/api/v1/batches']) {
      const r = await api.get(`${path}?cursor=eyJ0Ijo5MDAwMDAwMDAwMDAwMDAwLCJpZCI6InoifQ`, t.prov22);
      expect([path, r.status, r.body.code]).toEqual([path, 400, 'VALIDATION_FAILED']);
    }
  });

  it('answers to signed-in callers are never stored by a cache (ID numbers, rosters)', async () => {
    const r = await api.get(`/api/v1/filings/${filingId}`, t.inst);
    expect(r.headers['cache-control']).toBe('no-store');
    expect((await api.get('/api/v1/batches', t.inst)).headers['cache-control']).toBe('no-store');
  });

  it('the admin runs the system, not the cases: ID numbers and phones masked, no revocation', async () => {
    const r = await api.get(`/api/v1/filings/${filingId}`, t.admin);
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body)).not.toContain(idNumber(601));
    expect(r.body.application.institution.contact.phone).toContain('*');
    expect((await api.post('/api/v1/certificates/Y000022000001264000001/revocation', { reason: 'x' }, t.admin)).status).toBe(403);
  });

  it("one client's certificate look-ups share one budget across look-up by number and by person", async () => {
    const hit = (url: string) => s.app.inject({ method: 'GET', url, remoteAddress: '10.7.7.7' });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await hit('/api/v1/certificates/Y000022000001264000001')).statusCode);
    for (let i = 0; i < 3; i++) statuses.push((await hit(`/api/v1/certificates?idNumber=${idNumber(606)}&name=x`)).statusCode);
    expect(statuses.slice(0, 4).every((c) => c !== 429)).toBe(true);
    expect(statuses.slice(4)).toEqual([429, 429]);
  });

  it('a body trickled one byte at a time is cut off (REQUEST_TIMEOUT_MS), not held open', async () => {
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (s.app.server.address() as { port: number }).port;
    const started = Date.now();
    const closed = await new Promise<number>((resolve) => {
      const sock = connect(port, '127.0.0.1', () => {
        sock.write(`POST /api/v1/filings/${filingId}/objections HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`);
        const drip = setInterval(() => sock.write(' '), 500);
        sock.on('close', () => {
          clearInterval(drip);
          resolve(Date.now() - started);
        });
      });
      sock.on('error', () => undefined);
    });
    expect(closed).toBeLessThan(15_000);
  });
});
