import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { decode as utf8 } from '@temporalio/common/lib/encoding';
import { loadSettings, SettingsError } from '../../config';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, LOCAL_KEY_FILE, loadPayloadKeys, METADATA_KEY_ID, PayloadDecryptionError } from '../../infra/payload-codec';
import { parsePayloadKeys, PayloadKey } from '../../infra/payload-keys';

const ID_NUMBER = '220102198503120013';
const key = (id: string) => new PayloadKey(id, randomBytes(32));
const person = { name: '张三', idNumber: ID_NUMBER };
const plain = () => defaultPayloadConverter.toPayload(person);
const text = (p: Payload) =>
  Buffer.from(p.data ?? []).toString('latin1') + JSON.stringify(Object.values(p.metadata ?? {}).map((v) => Buffer.from(v).toString('latin1')));

describe('AesGcmPayloadCodec', () => {
  it('round trip: the encoded payload carries no clear text and decodes to the original', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const [enc] = await codec.encode([plain()]);
    expect(utf8(enc.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(utf8(enc.metadata![METADATA_KEY_ID])).toBe('k1');
    expect(text(enc)).not.toContain(ID_NUMBER);
    expect(text(enc)).not.toContain('json/plain'); // the original metadata is inside the ciphertext too
    const [dec] = await codec.decode([enc]);
    expect(utf8(dec.metadata!.encoding)).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(dec)).toEqual(person);
  });

  it('uses a fresh IV for each payload', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const [a, b] = await codec.encode([plain(), plain()]);
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
    expect(Buffer.from(a.data!).subarray(0, 12).equals(Buffer.from(b.data!).subarray(0, 12))).toBe(false);
  });

  it('rotation: an old payload still decrypts after a new key is appended; new payloads use the new key', async () => {
    const k1 = key('k2025');
    const k2 = key('k2026');
    const [old] = await new AesGcmPayloadCodec([k1]).encode([plain()]);
    const rotated = new AesGcmPayloadCodec([k1, k2]);
    expect(rotated.encryptingKeyId).toBe('k2026');
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old]))[0])).toEqual(person);
    const [fresh] = await rotated.encode([plain()]);
    expect(utf8(fresh.metadata![METADATA_KEY_ID])).toBe('k2026');
    // once k2025 is dropped, k2026 payloads still read
    expect(defaultPayloadConverter.fromPayload((await new AesGcmPayloadCodec([k2]).decode([fresh]))[0])).toEqual(person);
  });

  it.each([
    ['the IV', (d: Buffer) => (d[0] ^= 1)],
    ['the ciphertext', (d: Buffer) => (d[20] ^= 1)],
    ['the tag', (d: Buffer) => (d[d.length - 1] ^= 1)],
  ])('tampering with %s fails, never returns garbage', async (_what, flip) => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const [enc] = await codec.encode([plain()]);
    const data = Buffer.from(enc.data!);
    flip(data);
    await expect(codec.decode([{ ...enc, data }])).rejects.toThrow(/failed authentication/);
  });

  it('a truncated payload fails', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const [enc] = await codec.encode([plain()]);
    await expect(codec.decode([{ ...enc, data: enc.data!.subarray(0, 20) }])).rejects.toThrow(PayloadDecryptionError);
  });

  it('a payload relabelled with another known key id fails', async () => {
    const k1 = key('k1');
    const k2 = key('k2');
    const [enc] = await new AesGcmPayloadCodec([k1]).encode([plain()]);
    const relabelled = { ...enc, metadata: { ...enc.metadata, [METADATA_KEY_ID]: Buffer.from('k2') } };
    await expect(new AesGcmPayloadCodec([k1, k2]).decode([relabelled])).rejects.toThrow(/key id k2.*failed authentication/);
  });

  it('an unknown key id fails with a message naming it and PAYLOAD_KEYS', async () => {
    const [enc] = await new AesGcmPayloadCodec([key('gone')]).encode([plain()]);
    const err = await new AesGcmPayloadCodec([key('k1')]).decode([enc]).catch((e) => e);
    expect(err).toBeInstanceOf(PayloadDecryptionError);
    expect(err.message).toMatch(/key id "gone", which is not in PAYLOAD_KEYS \(known: k1\)/);
  });

  it('an encrypted payload without a key id fails', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const [enc] = await codec.encode([plain()]);
    const { [METADATA_KEY_ID]: _kid, ...rest } = enc.metadata!;
    await expect(codec.decode([{ ...enc, metadata: rest }])).rejects.toThrow(/without encryption-key-id/);
  });

  it('plain payloads (histories from before encryption) pass through decode unchanged', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const p = plain();
    const noMetadata: Payload = { data: Buffer.from('x') };
    const [a, b] = await codec.decode([p, noMetadata]);
    expect(a).toBe(p);
    expect(b).toBe(noMetadata);
  });

  it('round-trips empty and binary payloads', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const payloads = [defaultPayloadConverter.toPayload(undefined), defaultPayloadConverter.toPayload(new Uint8Array([0, 1, 255]))];
    const back = await codec.decode(await codec.encode(payloads));
    expect(back.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([undefined, new Uint8Array([0, 1, 255])]);
  });

  it('refuses an empty key list and one id with two keys', () => {
    expect(() => new AesGcmPayloadCodec([])).toThrow(/at least one key/);
    expect(() => new AesGcmPayloadCodec([key('a'), key('a')])).toThrow(/twice/);
  });
});

describe('PAYLOAD_KEYS', () => {
  const b64 = () => randomBytes(32).toString('base64');

  it('parses kid:base64 entries, oldest first, standard or URL-safe base64', () => {
    const { keys, problems } = parsePayloadKeys(` a:${b64()} , b.2026-01:${randomBytes(32).toString('base64url')}`);
    expect(problems).toEqual([]);
    expect(keys.map((k) => k.id)).toEqual(['a', 'b.2026-01']);
  });

  it.each([
    ['nokey', /entry 1: expected kid:base64key/],
    [`bad id:${randomBytes(32).toString('base64')}`, /entry 1: key id/],
    ['k:c2hvcnQ=', /entry 1 \(k\): the key is 5 bytes, expected 32/],
    ['k:###', /not base64/],
    [`k:${randomBytes(32).toString('base64')},k:${randomBytes(32).toString('base64')}`, /entry 2: key id k is listed twice/],
  ])('%p is refused', (value, message) => {
    expect(parsePayloadKeys(value).problems.join('\n')).toMatch(message);
  });

  it('key bytes never show in JSON or inspect output', () => {
    const k = key('k1');
    const b = k.bytes.toString('base64');
    expect(JSON.stringify({ k })).not.toContain(b);
    expect(inspect({ k })).not.toContain(b);
    expect(inspect({ k })).toContain('k1');
  });
});

describe('loadPayloadKeys', () => {
  let dir: string;
  let lines: string[];
  const log = (l: string) => lines.push(l);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'payload-keys-'));
    lines = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const settings = (env: Record<string, string>) =>
    loadSettings({ APP_MODE: 'development', DATA_DIR: dir, AUTH_JWT_SECRET: 'Zq8#x1!pL0v$N2m@R7t^W4y&K9b*C3d%', ...env });

  it('production refuses to start without PAYLOAD_KEYS, naming it', () => {
    const s = settings({ APP_MODE: 'production' });
    expect(() => loadPayloadKeys(s, { log })).toThrow(SettingsError);
    expect(() => loadPayloadKeys(s, { log })).toThrow(/PAYLOAD_KEYS: required in production/);
    expect(() => statSync(join(dir, LOCAL_KEY_FILE))).toThrow(); // and writes no local key
  });

  it('production uses PAYLOAD_KEYS only', () => {
    const keys = loadPayloadKeys(
      settings({ APP_MODE: 'production', PAYLOAD_KEYS: `a:${randomBytes(32).toString('base64')},b:${randomBytes(32).toString('base64')}` }),
      { log },
    );
    expect(keys.map((k) => k.id)).toEqual(['a', 'b']);
    expect(lines).toEqual([]);
  });

  it.each(['development', 'demo', 'test'])('%s generates a local key once (mode 0600), says so, and reuses it', (mode) => {
    const first = loadPayloadKeys(settings({ APP_MODE: mode }), { log });
    const file = join(dir, LOCAL_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(lines.join('\n')).toMatch(/generated local key local-[0-9a-f]{8} in .*payload-key/);
    expect(lines.join('\n')).not.toContain(first[0].bytes.toString('base64'));
    lines = [];
    const second = loadPayloadKeys(settings({ APP_MODE: mode }), { log });
    expect(second).toHaveLength(1);
    expect(second[0].id).toBe(first[0].id);
    expect(second[0].bytes.equals(first[0].bytes)).toBe(true);
    expect(lines.join('\n')).toMatch(/local key local-.* from .*payload-key/);
  });

  it('a payload written with the local key still decrypts after restarting with the same DATA_DIR', async () => {
    const [enc] = await new AesGcmPayloadCodec(loadPayloadKeys(settings({}), { log })).encode([plain()]);
    const restarted = new AesGcmPayloadCodec(loadPayloadKeys(settings({}), { log }));
    expect(defaultPayloadConverter.fromPayload((await restarted.decode([enc]))[0])).toEqual(person);
  });

  it('development with PAYLOAD_KEYS keeps the local key for decryption only', () => {
    const local = loadPayloadKeys(settings({}), { log })[0];
    const keys = loadPayloadKeys(settings({ PAYLOAD_KEYS: `team:${randomBytes(32).toString('base64')}` }), { log });
    expect(keys.map((k) => k.id)).toEqual([local.id, 'team']);
    expect(new AesGcmPayloadCodec(keys).encryptingKeyId).toBe('team');
  });

  it('development with PAYLOAD_KEYS and no local key creates none', () => {
    const keys = loadPayloadKeys(settings({ PAYLOAD_KEYS: `team:${randomBytes(32).toString('base64')}` }), { log });
    expect(keys.map((k) => k.id)).toEqual(['team']);
    expect(() => statSync(join(dir, LOCAL_KEY_FILE))).toThrow();
  });

  it('a damaged local key file stops the start rather than replacing the key', () => {
    writeFileSync(join(dir, LOCAL_KEY_FILE), 'local-1:tooshort\n', { mode: 0o600 });
    expect(() => loadPayloadKeys(settings({}), { log })).toThrow(/PAYLOAD_KEYS: the local key file .* is damaged/);
    expect(readFileSync(join(dir, LOCAL_KEY_FILE), 'utf8')).toBe('local-1:tooshort\n');
  });

  it('a local key file readable by others is narrowed to 0600', () => {
    const k = key('local-x');
    writeFileSync(join(dir, LOCAL_KEY_FILE), k.serialize(), { mode: 0o644 });
    expect(loadPayloadKeys(settings({}), { log })[0].id).toBe('local-x');
    expect(statSync(join(dir, LOCAL_KEY_FILE)).mode & 0o777).toBe(0o600);
  });
});

describe('the local key when the API and the worker start together', () => {
  it('several processes creating it at once all end up with the one same key', async () => {
    const { execFile } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'payload-keys-race-'));
    try {
      const script = `const { loadPayloadKeys } = require('./infra/payload-codec'); const { loadSettings } = require('./config');
        const [k] = loadPayloadKeys(loadSettings({ APP_MODE: 'development', DATA_DIR: ${JSON.stringify(dir)} }), { log() {} });
        process.stdout.write(k.serialize());`;
      const run = () =>
        new Promise<string>((ok, fail) =>
          execFile(process.execPath, ['--import', 'tsx', '-e', script], { cwd: join(__dirname, '../..') }, (err, out) => (err ? fail(err) : ok(out))),
        );
      const outs = await Promise.all([run(), run(), run(), run()]);
      expect(new Set(outs).size).toBe(1);
      expect(readFileSync(join(dir, LOCAL_KEY_FILE), 'utf8').trim()).toBe(outs[0]);
      expect(readdirSync(dir)).toEqual([LOCAL_KEY_FILE]); // no temporary file left behind
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
