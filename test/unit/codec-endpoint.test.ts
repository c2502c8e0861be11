import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { buildCodecServer } from '../../api/plugins/codec-endpoint';
import { AesGcmPayloadCodec } from '../../infra/payload-codec';
import { PayloadKey } from '../../infra/payload-keys';

const ID_NUMBER = '220102198503120013';
const UI = 'http://127.0.0.1:8233';
const ADMIN = 'Bearer admin-token';
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const valueOf = (j: { metadata: Record<string, string>; data?: string }) =>
  defaultPayloadConverter.fromPayload({
    metadata: Object.fromEntries(Object.entries(j.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(j.data ?? '', 'base64'),
  });
/** what `temporal … --codec-endpoint … --codec-auth 'Bearer …'` sends (no Origin) */
const cli = { authorization: ADMIN, 'x-namespace': 'default' };
/** the headers the Web UI's codeServerRequest sends */
const uiHeaders = { 'content-type': 'application/json', 'x-namespace': 'default', origin: UI };

describe('codec endpoint (Temporal remote codec protocol)', () => {
  const codec = new AesGcmPayloadCodec([new PayloadKey('k1', randomBytes(32))]);
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildCodecServer({
      codec,
      uiOrigin: UI,
      namespaces: ['default'],
      // the project's real check (an admin bearer token) is plugged in by the caller
      authorize: async (req) => req.headers.authorization === ADMIN,
    });
  });
  afterAll(() => app.close());

  const encrypted = async () => toJson((await codec.encode([defaultPayloadConverter.toPayload({ idNumber: ID_NUMBER })]))[0]);

  it('decodes an encrypted payload for an administrator (as the CLI sends it: no Origin)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/codec/decode',
      headers: { ...cli, 'content-type': 'application/json' },
      payload: { payloads: [await encrypted()] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(Buffer.from(body.payloads[0].metadata.encoding, 'base64').toString()).toBe('json/plain');
    expect(valueOf(body.payloads[0])).toEqual({ idNumber: ID_NUMBER });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('encodes, and what it encodes decodes; plain payloads pass through decode', async () => {
    const plain = toJson(defaultPayloadConverter.toPayload('公开信息'));
    const enc = await app.inject({ method: 'POST', url: '/codec/encode', headers: cli, payload: { payloads: [plain] } });
    expect(enc.statusCode).toBe(200);
    const encoded = enc.json().payloads[0];
    expect(Buffer.from(encoded.metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    const dec = await app.inject({ method: 'POST', url: '/codec/decode', headers: cli, payload: { payloads: [encoded, plain] } });
    expect(dec.json().payloads.map(valueOf)).toEqual(['公开信息', '公开信息']);
  });

  it('accepts payloads without data or metadata and an empty list', async () => {
    const res = await app.inject({ method: 'POST', url: '/codec/decode', headers: cli, payload: { payloads: [{}, { metadata: {} }] } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ payloads: [{ metadata: {} }, { metadata: {} }] });
    const empty = await app.inject({ method: 'POST', url: '/codec/decode', headers: cli, payload: { payloads: [] } });
    expect(empty.json()).toEqual({ payloads: [] });
  });

  it('401 without a token, 403 for a caller who is not an administrator; nothing decoded', async () => {
    const payload = { payloads: [await encrypted()] };
    const none = await app.inject({ method: 'POST', url: '/codec/decode', payload });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.body).not.toContain(ID_NUMBER);
    const other = await app.inject({ method: 'POST', url: '/codec/decode', headers: { authorization: 'Bearer reviewer-token' }, payload });
    expect(other.statusCode).toBe(403);
    expect(other.json().code).toBe('FORBIDDEN');
    expect(other.body).not.toContain(ID_NUMBER);
    const encode = await app.inject({ method: 'POST', url: '/codec/encode', payload: { payloads: [] } });
    expect(encode.statusCode).toBe(401);
  });

  it('400 for a body that is not Payloads JSON, and for a payload it cannot decrypt', async () => {
    for (const payload of [{}, { payloads: 'x' }, { payloads: [1] }, { payloads: [{ data: '***' }] }, { payloads: [{ metadata: { encoding: 5 } }] }]) {
      const res = await app.inject({ method: 'POST', url: '/codec/decode', headers: cli, payload });
      expect({ payload, status: res.statusCode }).toEqual({ payload, status: 400 });
    }
    const bad = await app.inject({ method: 'POST', url: '/codec/decode', headers: { ...cli, 'content-type': 'application/json' }, payload: '{"payloads": [' });
    expect(bad.statusCode).toBe(400);
    const foreign = toJson(
      (await new AesGcmPayloadCodec([new PayloadKey('other', randomBytes(32))]).encode([defaultPayloadConverter.toPayload(ID_NUMBER)]))[0],
    );
    const res = await app.inject({ method: 'POST', url: '/codec/decode', headers: cli, payload: { payloads: [foreign] } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'CODEC_FAILED', detail: expect.stringMatching(/key id "other"/) });
  });

  it('refuses a namespace this codec does not serve', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/codec/decode',
      headers: { authorization: ADMIN, 'x-namespace': 'someone-else' },
      payload: { payloads: [] },
    });
    expect(res.statusCode).toBe(403);
    const missing = await app.inject({ method: 'POST', url: '/codec/decode', headers: { authorization: ADMIN, 'x-namespace': '' }, payload: { payloads: [] } });
    expect(missing.statusCode).toBe(403);
  });

  describe('CORS: the Web UI origin only', () => {
    it('answers the preflight the Web UI sends (content-type, x-namespace, authorization)', async () => {
      const res = await app.inject({
        method: 'OPTIONS',
        url: '/codec/decode',
        headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
      });
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(UI);
      expect(res.headers['access-control-allow-methods']).toBe('POST');
      expect(String(res.headers['access-control-allow-headers']).split(', ')).toEqual(expect.arrayContaining(['content-type', 'x-namespace', 'authorization']));
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(res.headers.vary).toMatch(/Origin/);
    });

    it('the actual call from the UI origin carries the CORS headers, refusals included', async () => {
      const ok = await app.inject({
        method: 'POST',
        url: '/codec/decode',
        headers: { ...uiHeaders, authorization: ADMIN },
        payload: JSON.stringify({ payloads: [await encrypted()] }),
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['access-control-allow-origin']).toBe(UI);
      expect(valueOf(ok.json().payloads[0])).toEqual({ idNumber: ID_NUMBER });
      // the UI can read why it was refused
      const refused = await app.inject({ method: 'POST', url: '/codec/decode', headers: uiHeaders, payload: JSON.stringify({ payloads: [] }) });
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['access-control-allow-origin']).toBe(UI);
    });

    it('refuses a preflight and a call from any other origin, without CORS headers', async () => {
      for (const origin of ['https://evil.example', 'http://127.0.0.1:8234', 'null']) {
        const pre = await app.inject({
          method: 'OPTIONS',
          url: '/codec/decode',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
        });
        expect(pre.statusCode).toBe(403);
        expect(pre.headers['access-control-allow-origin']).toBeUndefined();
        const call = await app.inject({
          method: 'POST',
          url: '/codec/decode',
          headers: { ...uiHeaders, origin, authorization: ADMIN },
          payload: JSON.stringify({ payloads: [await encrypted()] }),
        });
        expect(call.statusCode).toBe(403);
        expect(call.headers['access-control-allow-origin']).toBeUndefined();
        expect(call.body).not.toContain(ID_NUMBER);
      }
    });

    it('refuses preflights for other methods or headers, and ones without an Origin', async () => {
      const put = await app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: UI, 'access-control-request-method': 'PUT' } });
      expect(put.statusCode).toBe(403);
      const header = await app.inject({
        method: 'OPTIONS',
        url: '/codec/encode',
        headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-evil' },
      });
      expect(header.statusCode).toBe(403);
      const noOrigin = await app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { 'access-control-request-method': 'POST' } });
      expect(noOrigin.statusCode).toBe(403);
    });

    it('without uiOrigin no browser origin is allowed', async () => {
      const closed = await buildCodecServer({ codec, authorize: async () => true });
      try {
        const pre = await closed.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: UI, 'access-control-request-method': 'POST' } });
        expect(pre.statusCode).toBe(403);
        const cli = await closed.inject({ method: 'POST', url: '/codec/decode', payload: { payloads: [] } });
        expect(cli.statusCode).toBe(200);
      } finally {
        await closed.close();
      }
    });
  });
});
