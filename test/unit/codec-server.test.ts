/**
 * The codec endpoint as server.ts serves it (api/codec-server.ts): its settings, and who may use it
 * (an admin token as Bearer, or the console session cookie of an admin; nobody else).
 */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { codecOrigins, loadSettings } from '../../config';
import { codecServer } from '../../api/codec-server';
import { signToken } from '../../api/tokens';
import { SESSION_COOKIE } from '../../console/core';
import { AesGcmPayloadCodec } from '../../infra/payload-codec';
import { PayloadKey } from '../../infra/payload-keys';

const ID_NUMBER = '220102198503120013';

describe('codec endpoint settings', () => {
  it('CODEC_PORT 8234 on 127.0.0.1 by default, 0 turns it off; development refuses a non-loopback CODEC_HOST', () => {
    const s = loadSettings({ APP_MODE: 'development' });
    expect([s.CODEC_PORT, s.CODEC_HOST]).toEqual([8234, '127.0.0.1']);
    expect(loadSettings({ APP_MODE: 'development', CODEC_PORT: '0' }).CODEC_PORT).toBe(0);
    expect(() => loadSettings({ APP_MODE: 'development', CODEC_HOST: '0.0.0.0' })).toThrow(/CODEC_HOST/);
    expect(loadSettings({ APP_MODE: 'development', CODEC_HOST: '0.0.0.0', CODEC_PORT: '0' }).CODEC_PORT).toBe(0);
  });

  it('CODEC_CORS_ORIGINS defaults to the stack’s own Web UI and refuses what is not an origin', () => {
    expect(codecOrigins(loadSettings({ APP_MODE: 'development', TEMPORAL_UI_PORT: '9000' }))).toEqual(['http://127.0.0.1:9000', 'http://localhost:9000']);
    expect(codecOrigins(loadSettings({ APP_MODE: 'development', CODEC_CORS_ORIGINS: 'https://ui.example.gov.cn' }))).toEqual(['https://ui.example.gov.cn']);
    expect(() => loadSettings({ APP_MODE: 'development', CODEC_CORS_ORIGINS: 'https://ui.example.gov.cn/path' })).toThrow(/CODEC_CORS_ORIGINS/);
  });
});

describe('codec endpoint as the API process serves it', () => {
  const settings = loadSettings({ APP_MODE: 'development', TEMPORAL_UI_PORT: '8233' });
  const codec = new AesGcmPayloadCodec([new PayloadKey('k1', randomBytes(32))]);
  const secret = settings.AUTH_JWT_SECRET!;
  const body = async () => {
    const [p] = await codec.encode([defaultPayloadConverter.toPayload({ idNumber: ID_NUMBER })]);
    const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
    return { payloads: [{ metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, b64(v)])), data: b64(p.data!) }] };
  };

  it.each([
    ['an admin Bearer token', 'admin', (t: string) => ({ authorization: `Bearer ${t}` }), 200],
    ['an admin console session cookie', 'admin', (t: string) => ({ cookie: `${SESSION_COOKIE}=${t}` }), 200],
    ['a reviewer token', 'province-reviewer', (t: string) => ({ authorization: `Bearer ${t}` }), 403],
    ['a token signed with another secret', 'admin', () => ({ authorization: `Bearer ${'x'.repeat(20)}.${'y'.repeat(20)}.${'z'.repeat(20)}` }), 403],
    ['no credentials', 'admin', () => ({}), 401],
  ] as const)('%s: %d', async (_what, role, headers, status) => {
    const app = await codecServer(settings, codec);
    try {
      const token = await signToken(secret, { sub: 'u', name: 'u', role, ...(role === 'province-reviewer' ? { province: '22' } : {}) });
      const r = await app.inject({
        method: 'POST',
        url: '/codec/decode',
        headers: { 'content-type': 'application/json', 'x-namespace': 'default', origin: 'http://localhost:8233', ...headers(token) },
        payload: await body(),
      });
      expect(r.statusCode).toBe(status);
      // the answer's payload data is base64
      const data = status === 200 ? Buffer.from((r.json() as { payloads: { data: string }[] }).payloads[0].data, 'base64').toString() : r.body;
      expect(data.includes(ID_NUMBER)).toBe(status === 200);
      expect(r.headers['access-control-allow-origin']).toBe('http://localhost:8233');
    } finally {
      await app.close();
    }
  });

  it('another namespace is refused', async () => {
    const app = await codecServer(settings, codec);
    const token = await signToken(secret, { sub: 'u', name: 'u', role: 'admin' });
    const r = await app.inject({
      method: 'POST',
      url: '/codec/decode',
      headers: { 'content-type': 'application/json', 'x-namespace': 'other', authorization: `Bearer ${token}` },
      payload: await body(),
    });
    expect(r.statusCode).toBe(403);
    await app.close();
  });
});
