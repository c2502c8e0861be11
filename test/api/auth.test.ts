/**
 * Authentication (issue "Access control…", part 1): HS256 tokens with AUTH_JWT_SECRET, RS256
 * tokens from a JWKS (a local one here, served on 127.0.0.1), `npm run token`, and 401 for
 * expired, malformed and wrongly signed tokens. Plus the settings rules for the secret.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import type { FastifyInstance } from 'fastify';
import { devStack, type DevStack } from '../harness/stack';
import { buildApp } from '../../app';
import { loadSettings } from '../../config';
import type { Services } from '../../infra/services';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const claims = { sub: 'prov-1', name: '省厅审核员', role: 'province-reviewer', province: '22' };
const enc = (s: string) => new TextEncoder().encode(s);
const nowS = () => Math.floor(Date.now() / 1000);
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function hs256(secret: string, body: Record<string, unknown> = claims, times: { iat?: number; exp?: number; nbf?: number } = {}) {
  const jwt = new SignJWT({ ...body })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(times.iat ?? nowS())
    .setExpirationTime(times.exp ?? nowS() + 600);
  if (times.nbf) jwt.setNotBefore(times.nbf);
  return jwt.sign(enc(secret));
}

async function rs256(key: KeyLike, kid: string, body: Record<string, unknown> = claims, exp = nowS() + 600) {
  return new SignJWT({ ...body }).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).setIssuedAt().setExpirationTime(exp).sign(key);
}

describe('authentication', () => {
  let s: DevStack;
  let secret: string;
  const call = async (app: FastifyInstance, token?: string, url = '/api/v1/tasks') => {
    const r = await app.inject({ method: 'GET', url, headers: token === undefined ? {} : { authorization: token } });
    return { status: r.statusCode, body: r.json(), type: String(r.headers['content-type']) };
  };

  beforeAll(async () => {
    s = await devStack();
    secret = s.settings.AUTH_JWT_SECRET!;
  });
  afterAll(async () => s?.close());

  describe('HS256 with AUTH_JWT_SECRET', () => {
    it('accepts a valid token and answers 401 without one', async () => {
      expect((await call(s.app, `Bearer ${await hs256(secret)}`)).status).toBe(200);
      // the scheme is case-insensitive
      expect((await call(s.app, `bearer ${await hs256(secret)}`)).status).toBe(200);
      const anon = await call(s.app);
      expect(anon.status).toBe(401);
      expect(anon.body.code).toBe('UNAUTHORIZED');
      expect(anon.type).toMatch(/application\/problem\+json/);
    });

    it('401 for an expired token, and for one not valid yet', async () => {
      const expired = await hs256(secret, claims, { iat: nowS() - 7200, exp: nowS() - 3600 });
      const r = await call(s.app, `Bearer ${expired}`);
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
      expect((await call(s.app, `Bearer ${await hs256(secret, claims, { nbf: nowS() + 3600 })}`)).status).toBe(401);
    });

    it.each([
      ['not a JWT', 'Bearer not.a.jwt'],
      ['one segment', 'Bearer abc'],
      ['garbage segments', 'Bearer !!!.???.***'],
      ['header not JSON', `Bearer ${Buffer.from('{oops').toString('base64url')}.${b64(claims)}.c2ln`],
      ['empty bearer', 'Bearer '],
      ['no scheme', 'eyJhbGciOiJIUzI1NiJ9.e30.x'],
      ['another scheme', `Basic ${Buffer.from('admin:admin').toString('base64')}`],
      ['two tokens', 'Bearer a.b.c d.e.f'],
    ])('401 for a malformed token (%s)', async (_name, header) => {
      const r = await call(s.app, header);
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('UNAUTHORIZED');
    });

    it('401 for a wrongly signed token: another secret, a tampered payload, alg none, no signature', async () => {
      expect((await call(s.app, `Bearer ${await hs256('another-secret-another-secret-another-secret')}`)).status).toBe(401);
      const good = await hs256(secret);
      const [h, , sig] = good.split('.');
      const tampered = `${h}.${b64({ ...claims, role: 'admin', exp: nowS() + 600 })}.${sig}`;
      expect((await call(s.app, `Bearer ${tampered}`)).status).toBe(401);
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, exp: nowS() + 600 })}.`;
      expect((await call(s.app, `Bearer ${none}`)).status).toBe(401);
      expect((await call(s.app, `Bearer ${h}.${good.split('.')[1]}.`)).status).toBe(401);
    });

    it('401 for a well-signed token whose claims are not valid', async () => {
      for (const bad of [
        { sub: 'x', name: 'x' },
        { ...claims, role: 'superuser' },
        { ...claims, province: '2' },
        { ...claims, prefecture: 'abc' },
        { ...claims, sub: '' },
        { role: 'admin', name: 'no sub' },
        // a claim a role's scope is computed from may not be missing or contradict another
        { sub: 'p', name: 'p', role: 'prefecture-reviewer', province: '22' },
        { sub: 'p', name: 'p', role: 'prefecture-reviewer', province: '21', prefecture: '220100' },
        { sub: 'p', name: 'p', role: 'province-reviewer' },
        { sub: 'c', name: 'c', role: 'center' },
        { sub: 'i', name: 'i', role: 'institution', province: '22' },
      ]) {
        expect([bad, (await call(s.app, `Bearer ${await hs256(secret, bad)}`)).status]).toEqual([bad, 401]);
      }
    });

    it('a bad token is refused on public routes too, rather than treated as anonymous', async () => {
      expect((await call(s.app, undefined, '/api/v1/directory')).status).toBe(200);
      expect((await call(s.app, 'Bearer not.a.jwt', '/api/v1/directory')).status).toBe(401);
    });
  });

  describe('RS256 from a JWKS (AUTH_JWKS_URL)', () => {
    let server: Server;
    let jwksUrl: string;
    let privateKey: KeyLike;
    let strangerKey: KeyLike;
    let publicPem: string;
    let jwksApp: FastifyInstance;
    let prodApp: FastifyInstance;
    let fetches = 0;

    beforeAll(async () => {
      const pair = await generateKeyPair('RS256');
      privateKey = pair.privateKey;
      publicPem = await exportSPKI(pair.publicKey);
      strangerKey = (await generateKeyPair('RS256')).privateKey;
      const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'idp-key-1', alg: 'RS256', use: 'sig' };
      server = createServer((req, res) => {
        if (req.url !== '/.well-known/jwks.json') {
          res.writeHead(404).end();
          return;
        }
        fetches += 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
      const withSettings = (extra: Record<string, string>): Services => ({
        ...s.services,
        settings: loadSettings({ APP_MODE: 'test', LOG_LEVEL: 'silent', TEMPORAL_TASK_QUEUE: s.settings.TEMPORAL_TASK_QUEUE, ...extra }),
      });
      jwksApp = await buildApp(withSettings({ AUTH_JWKS_URL: jwksUrl }));
      prodApp = await buildApp(withSettings({ APP_MODE: 'production', AUTH_JWKS_URL: jwksUrl }));
    });
    afterAll(async () => {
      await jwksApp?.close();
      await prodApp?.close();
      await new Promise((r) => server?.close(r));
    });

    it('accepts an RS256 token signed by a key in the JWKS (fetched from the URL)', async () => {
      const r = await call(jwksApp, `Bearer ${await rs256(privateKey, 'idp-key-1')}`);
      expect(r.status).toBe(200);
      expect(fetches).toBeGreaterThan(0);
    });

    it('still accepts HS256 tokens signed with the secret beside it', async () => {
      expect((await call(jwksApp, `Bearer ${await hs256(secret)}`)).status).toBe(200);
    });

    it('401 for RS256 tokens that are expired, signed by a key not in the set, or not signed by it', async () => {
      expect((await call(jwksApp, `Bearer ${await rs256(privateKey, 'idp-key-1', claims, nowS() - 60)}`)).status).toBe(401);
      expect((await call(jwksApp, `Bearer ${await rs256(strangerKey, 'idp-key-1')}`)).status).toBe(401);
      expect((await call(jwksApp, `Bearer ${await rs256(strangerKey, 'other-kid')}`)).status).toBe(401);
      // algorithm confusion: the IdP's public key used as an HMAC secret
      expect((await call(jwksApp, `Bearer ${await hs256(publicPem)}`)).status).toBe(401);
    });

    it('in production with only a JWKS, no HS256 token is accepted (not even one signed with the development secret)', async () => {
      expect((await call(prodApp, `Bearer ${await rs256(privateKey, 'idp-key-1')}`)).status).toBe(200);
      const devSecret = loadSettings({ APP_MODE: 'development' }).AUTH_JWT_SECRET!;
      const r = await call(prodApp, `Bearer ${await hs256(devSecret)}`);
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('UNAUTHORIZED');
    });
  });

  describe('settings', () => {
    const strong = 'Zq8#x1!pL0v$N2m@R7t^W4y&K9b*C3d%';
    it('production requires AUTH_JWT_SECRET (or a JWKS URL) and refuses a weak one', () => {
      expect(() => loadSettings({ APP_MODE: 'production' })).toThrow(/AUTH_JWT_SECRET: required/);
      for (const weak of [
        'secret',
        'short-but-not-32-chars',
        'a'.repeat(64),
        'abababababababababababababababab',
        loadSettings({ APP_MODE: 'development' }).AUTH_JWT_SECRET!,
      ]) {
        expect(() => loadSettings({ APP_MODE: 'production', AUTH_JWT_SECRET: weak })).toThrow(/AUTH_JWT_SECRET: too weak/);
      }
      expect(loadSettings({ APP_MODE: 'production', AUTH_JWT_SECRET: strong }).AUTH_JWT_SECRET).toBe(strong);
      const jwksOnly = loadSettings({ APP_MODE: 'production', AUTH_JWKS_URL: 'https://idp.example.gov.cn/jwks.json' });
      expect(jwksOnly.AUTH_JWT_SECRET).toBeUndefined();
      expect(() => loadSettings({ APP_MODE: 'production', AUTH_JWKS_URL: 'not a url', AUTH_JWT_SECRET: strong })).toThrow(/AUTH_JWKS_URL/);
    });

    it('CORS_ORIGINS is a comma-separated allow-list of origins (default none); PUBLIC_RATE_LIMIT a positive count', () => {
      expect(loadSettings({ APP_MODE: 'development' }).CORS_ORIGINS).toEqual([]);
      expect(loadSettings({ APP_MODE: 'development', CORS_ORIGINS: 'https://portal.example.gov.cn, http://localhost:5173' }).CORS_ORIGINS).toEqual([
        'https://portal.example.gov.cn',
        'http://localhost:5173',
      ]);
      for (const bad of ['*', 'portal.example.gov.cn', 'https://portal.example.gov.cn/path', 'ftp://x.cn', 'https://a.cn,*']) {
        expect(() => loadSettings({ APP_MODE: 'development', CORS_ORIGINS: bad })).toThrow(/CORS_ORIGINS:/);
      }
      expect(loadSettings({ APP_MODE: 'development' }).PUBLIC_RATE_LIMIT).toBe(30);
      for (const bad of ['0', '-5', 'many', '1.5'])
        expect(() => loadSettings({ APP_MODE: 'development', PUBLIC_RATE_LIMIT: bad })).toThrow(/PUBLIC_RATE_LIMIT:/);
    });

    it('demo and development run with the development secret when none is set', () => {
      for (const mode of ['demo', 'development']) expect(loadSettings({ APP_MODE: mode }).AUTH_JWT_SECRET).toEqual(expect.any(String));
    });
  });

  describe('npm run token', () => {
    const token = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'scripts/token.ts', ...args], {
        cwd: ROOT,
        env: { ...process.env, APP_MODE: 'development', AUTH_JWT_SECRET: secret },
      });

    it('prints a token the API accepts, with the claims asked for', async () => {
      const { stdout } = await token('--role', 'prefecture-reviewer', '--prefecture', '220100', '--sub', 'pref-cli');
      const jwt = stdout.trim();
      const payload = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
      expect(payload).toMatchObject({ sub: 'pref-cli', role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
      expect((await call(s.app, `Bearer ${jwt}`, '/api/v1/filings')).status).toBe(200);
    });

    it('refuses bad claims with a usage message', async () => {
      await expect(token('--role', 'wizard')).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/usage/) });
      await expect(token('--role', 'institution')).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--institution/) });
    });
  });
});
