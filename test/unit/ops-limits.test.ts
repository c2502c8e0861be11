/**
 * Issue #14 part 4 (limits), without servers: the settings of the Temporal call deadline, the
 * worker's shutdown grace time, token issuer and audience, and TRUST_PROXY; what failureOf makes
 * of an outage; and tokens checked for iss and aud.
 */
import { decodeJwt, SignJWT } from 'jose';
import { msToNumber } from '@temporalio/common/lib/time';
import { loadSettings } from '../../config';
import { createTokenVerifier, signToken, tokenAddressing } from '../../api/tokens';
import { failureOf, TemporalCallTimeout } from '../../api/cases';
import { toProblem, refused } from '../../api/problems';
import { workerSettings } from '../../worker';
import type { Caller } from '../../domain/roles';

const dev = (env: Record<string, string> = {}) => loadSettings({ APP_MODE: 'development', ...env });

describe('settings of part 4', () => {
  it('defaults: a 10 s Temporal deadline, 30 s of shutdown grace, no issuer or audience, no trusted proxy', () => {
    const s = dev();
    expect(s.TEMPORAL_CALL_TIMEOUT_MS).toBe(10_000);
    expect(s.WORKER_SHUTDOWN_GRACE_TIME).toBe('30s');
    expect(s.AUTH_JWT_ISSUER).toBeUndefined();
    expect(s.AUTH_JWT_AUDIENCE).toBeUndefined();
    expect(s.TRUST_PROXY).toBe(false);
  });

  it.each([
    ['false', false],
    ['true', true],
    ['10.0.0.0/8', ['10.0.0.0/8']],
    ['127.0.0.1, 10.1.2.3/32,::1,fd00::/8', ['127.0.0.1', '10.1.2.3/32', '::1', 'fd00::/8']],
    ['loopback,uniquelocal', ['loopback', 'uniquelocal']],
  ])('TRUST_PROXY=%p is %p', (raw, parsed) => expect(dev({ TRUST_PROXY: raw }).TRUST_PROXY).toEqual(parsed));

  it.each([
    ['TRUST_PROXY', '2'],
    ['TRUST_PROXY', 'proxy.example'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', '10.0.0.1,*'],
    ['TEMPORAL_CALL_TIMEOUT_MS', '0'],
    ['TEMPORAL_CALL_TIMEOUT_MS', 'soon'],
    ['WORKER_SHUTDOWN_GRACE_TIME', 'a while'],
    ['WORKER_SHUTDOWN_GRACE_TIME', '-5s'],
  ])('a bad %s (%p) stops the start with a message naming it', (name, value) => {
    expect(() => dev({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });

  it('the worker is built with the grace time, in a form the SDK reads', () => {
    expect(workerSettings(dev()).shutdownGraceTime).toBe('30s');
    expect(msToNumber(workerSettings(dev()).shutdownGraceTime!)).toBe(30_000);
    expect(msToNumber(workerSettings(dev({ WORKER_SHUTDOWN_GRACE_TIME: '2m' })).shutdownGraceTime!)).toBe(120_000);
    expect(msToNumber(workerSettings(dev({ WORKER_SHUTDOWN_GRACE_TIME: '1500' })).shutdownGraceTime!)).toBe(1500);
  });
});

describe('an outage of Temporal is a 503, not a 500', () => {
  const grpc = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });

  it.each([
    [14, 'UNAVAILABLE'],
    [4, 'DEADLINE_EXCEEDED'],
    [8, 'RESOURCE_EXHAUSTED'],
  ])('gRPC status %p (%s), also wrapped, is TEMPORAL_UNAVAILABLE with a time to retry', (code, name) => {
    const wrapped = Object.assign(new Error('Workflow Update failed'), { name: 'ServiceError', cause: grpc(code, 'x') });
    for (const err of [grpc(code, 'x'), wrapped]) {
      const f = failureOf(err);
      expect(f).toMatchObject({ code: 'TEMPORAL_UNAVAILABLE', details: { retryAfterSeconds: expect.any(Number) } });
      expect(f!.message).toContain(name);
      const p = toProblem(refused(f!, err));
      expect([p.status, p.title, p.code]).toEqual([503, 'Service Unavailable', 'TEMPORAL_UNAVAILABLE']);
    }
  });

  it('an Update no worker took before the deadline, and the last-resort timer, are TEMPORAL_UNAVAILABLE', () => {
    const updateTimeout = Object.assign(new Error('Workflow update call timeout or cancelled'), {
      name: 'WorkflowUpdateRPCTimeoutOrCancelledError',
      cause: grpc(4, 'Deadline exceeded'),
    });
    expect(failureOf(updateTimeout)?.code).toBe('TEMPORAL_UNAVAILABLE');
    expect(failureOf(new TemporalCallTimeout(10_000))?.code).toBe('TEMPORAL_UNAVAILABLE');
  });

  it('other gRPC statuses are not an outage (NOT_FOUND is the case gone; INVALID_ARGUMENT a bug: 500)', () => {
    expect(failureOf(grpc(3, 'bad request'))).toBeUndefined();
    expect(failureOf(grpc(13, 'internal'))).toBeUndefined();
  });
});

describe('tokens checked for iss and aud', () => {
  const secret = 'a-test-secret-with-enough-variety-0123456789';
  const caller: Caller = { sub: 'u1', name: '测试', role: 'admin' };
  const raw = (claims: Record<string, unknown>) =>
    new SignJWT({ ...caller, ...claims }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(secret));

  it('without AUTH_JWT_ISSUER/AUDIENCE, iss and aud are neither required nor checked', async () => {
    const verify = createTokenVerifier({ secret });
    await expect(verify(await raw({}))).resolves.toMatchObject({ sub: 'u1' });
    await expect(verify(await raw({ iss: 'anyone', aud: 'anything' }))).resolves.toMatchObject({ sub: 'u1' });
  });

  it('with AUTH_JWT_ISSUER, a token without iss or with another is refused', async () => {
    const verify = createTokenVerifier({ secret, issuer: 'https://idp.hrss.example.gov.cn' });
    await expect(verify(await raw({}))).rejects.toThrow(/iss/);
    await expect(verify(await raw({ iss: 'https://elsewhere.example' }))).rejects.toThrow(/iss/);
    await expect(verify(await raw({ iss: 'https://idp.hrss.example.gov.cn' }))).resolves.toMatchObject({ sub: 'u1' });
  });

  it('with AUTH_JWT_AUDIENCE, a token without aud or for another audience is refused; a list naming it passes', async () => {
    const verify = createTokenVerifier({ secret, audience: 'skillcert-api' });
    await expect(verify(await raw({}))).rejects.toThrow(/aud/);
    await expect(verify(await raw({ aud: 'other-api' }))).rejects.toThrow(/aud/);
    await expect(verify(await raw({ aud: 'skillcert-api' }))).resolves.toMatchObject({ sub: 'u1' });
    await expect(verify(await raw({ aud: ['other-api', 'skillcert-api'] }))).resolves.toMatchObject({ sub: 'u1' });
  });

  it('tokens minted with the settings carry iss and aud, and pass the verifier built from the same settings', async () => {
    const s = dev({ AUTH_JWT_SECRET: secret, AUTH_JWT_ISSUER: 'skillcert-22', AUTH_JWT_AUDIENCE: 'skillcert-api' });
    const token = await signToken(secret, caller, '1h', tokenAddressing(s));
    expect(decodeJwt(token)).toMatchObject({ iss: 'skillcert-22', aud: 'skillcert-api' });
    await expect(createTokenVerifier({ secret, ...tokenAddressing(s) })(token)).resolves.toMatchObject({ sub: 'u1' });
    // and without the settings, none
    const plain = decodeJwt(await signToken(secret, caller, '1h', tokenAddressing(dev())));
    expect(plain.iss).toBeUndefined();
    expect(plain.aud).toBeUndefined();
  });
});
