/**
 * Signed verification links (certificates/signature.ts): the documented message bytes, Ed25519
 * sign/verify with key ids, tampering with any signed field, key settings and rotation, the
 * development key's limits, the verification URL.
 */
import { createPublicKey, generateKeyPairSync, verify as cryptoVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  CertificateSigningError,
  DEVELOPMENT_KID,
  developmentSigningKey,
  LOCAL_SIGNING_KEY_FILE,
  generateSigningKey,
  issueDateOf,
  loadCertificateSigning,
  parsePublicKeys,
  parseSigningKeys,
  parseVerifyUrl,
  rawPublicKey,
  signCertificate,
  signedMessage,
  signedVerifyUrl,
  signingKeyFromSeed,
  verifyCertificateSignature,
  verifyUrl,
  type PublicKeyEntry,
  type SigningKey,
} from '../../certificates/signature';
import { buildCertificateCode } from '../../domain/certificate-code';
import { makeIdNumber } from '../../domain/identifiers';

const NUMBER = 'Y000022000012254000001';
const ID = '220102199003074516';
const MASKED = '220***********4516';
const DATE = '2025-03-01';
const fields = { number: NUMBER, idNumber: ID, issueDate: DATE };

const seedKey = signingKeyFromSeed('jl2025', Buffer.from([...Array(32).keys()]));
const pub = (k: SigningKey): PublicKeyEntry => ({ kid: k.kid, alg: 'Ed25519', publicKey: rawPublicKey(k.privateKey) });
const keys = { keys: [pub(seedKey)] };

/** The error a function throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('the signed message', () => {
  test('is skill-cert/v1, number, masked ID and date joined by LF', () => {
    expect(signedMessage(fields).toString('utf8')).toBe(`skill-cert/v1\n${NUMBER}\n${MASKED}\n${DATE}`);
  });

  test('normalises the number and accepts the ID number full or masked, lower-case x too', () => {
    expect(signedMessage({ number: ` ${NUMBER.toLowerCase()} `, idNumber: MASKED, issueDate: DATE })).toEqual(signedMessage(fields));
    const withX = '11010519491231002X';
    expect(signedMessage({ number: NUMBER, idNumber: withX.toLowerCase(), issueDate: DATE }).toString()).toContain('\n110***********002X\n');
  });

  test.each([
    ['number', { ...fields, number: 'Y00002200001225400000A' }],
    ['number', { ...fields, number: `${NUMBER}\n` + 'x' }],
    ['idNumber', { ...fields, idNumber: '12345' }],
    ['idNumber', { ...fields, idNumber: `220102199003\n074516` }],
    ['issueDate', { ...fields, issueDate: '2025-02-30' }],
    ['issueDate', { ...fields, issueDate: '2025-03-01T00:00:00Z' }],
  ])('refuses to sign a bad %s', (field, bad) => {
    const e = thrown(() => signCertificate(bad, seedKey));
    expect(e).toBeInstanceOf(CertificateSigningError);
    expect(e.message).toBe(`cannot sign a certificate: invalid ${field}`);
  });
});

describe('sign and verify', () => {
  test('key derivation matches RFC 8032 test 1, so published keys are the standard raw form', () => {
    const rfc = signingKeyFromSeed('rfc', Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'));
    expect(Buffer.from(rawPublicKey(rfc.privateKey), 'base64url').toString('hex')).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  });

  test('the signature is kid.base64url(64 bytes), deterministic, and checks with plain node:crypto over the documented bytes', () => {
    const sig = signCertificate(fields, seedKey);
    // Ed25519 is deterministic: this pins the message format (a change here breaks every printed QR code)
    expect(sig).toBe('jl2025.O-xQXfBZBiTagptvH9SkHszot2AsRZV41N8psknz65B12hCJFlVIWOpkGNOq50lILfY3y1rjhdG4nHBZ-VQsDQ');
    const [kid, b64] = sig.split('.');
    expect(kid).toBe('jl2025');
    expect(Buffer.from(b64, 'base64url')).toHaveLength(64);
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: keys.keys[0].publicKey }, format: 'jwk' });
    const message = Buffer.from(`skill-cert/v1\n${NUMBER}\n${MASKED}\n${DATE}`, 'utf8');
    expect(cryptoVerify(null, message, publicKey, Buffer.from(b64, 'base64url'))).toBe(true);
  });

  test('verifies with the published key, from the full or the masked ID number', () => {
    const sig = signCertificate(fields, seedKey);
    expect(verifyCertificateSignature(NUMBER, MASKED, DATE, sig, keys)).toEqual({ valid: true, kid: 'jl2025' });
    expect(verifyCertificateSignature(NUMBER, ID, DATE, sig, keys.keys)).toEqual({ valid: true, kid: 'jl2025' });
  });

  test.each([
    ['number (serial + 1)', 'Y000022000012254000002', MASKED, DATE],
    ['number (level)', 'Y000022000012253000001', MASKED, DATE],
    ['masked ID (last digits)', NUMBER, '220***********4517', DATE],
    ['masked ID (region)', NUMBER, '221***********4516', DATE],
    ['date (next day)', NUMBER, MASKED, '2025-03-02'],
    ['date (year)', NUMBER, MASKED, '2024-03-01'],
  ])('fails after tampering with the %s', (_what, number, maskedId, date) => {
    const sig = signCertificate(fields, seedKey);
    expect(verifyCertificateSignature(number, maskedId, date, sig, keys)).toEqual({ valid: false, reason: 'BAD_SIGNATURE' });
  });

  test('fails with another key under the same kid, and with a kid nobody published', () => {
    const sig = signCertificate(fields, seedKey);
    const impostor = generateSigningKey('jl2025').key;
    expect(verifyCertificateSignature(NUMBER, MASKED, DATE, sig, [pub(impostor)])).toEqual({ valid: false, reason: 'BAD_SIGNATURE' });
    const forged = signCertificate(fields, impostor);
    expect(verifyCertificateSignature(NUMBER, MASKED, DATE, forged, keys)).toEqual({ valid: false, reason: 'BAD_SIGNATURE' });
    const other = signCertificate(fields, signingKeyFromSeed('other', Buffer.alloc(32, 7)));
    expect(verifyCertificateSignature(NUMBER, MASKED, DATE, other, keys)).toEqual({ valid: false, reason: 'UNKNOWN_KEY' });
  });

  test('fails on a changed signature byte or kid, and never throws on junk', () => {
    const sig = signCertificate(fields, seedKey);
    const b64 = sig.split('.')[1];
    const flipped = `jl2025.${b64[0] === 'A' ? 'B' : 'A'}${b64.slice(1)}`;
    expect(verifyCertificateSignature(NUMBER, MASKED, DATE, flipped, keys)).toEqual({ valid: false, reason: 'BAD_SIGNATURE' });
    expect(verifyCertificateSignature(NUMBER, MASKED, DATE, `jl2026.${b64}`, keys)).toEqual({ valid: false, reason: 'UNKNOWN_KEY' });
    for (const junk of ['', b64, `jl2025.${b64}=`, `jl.2025.${b64}`, `jl2025.${b64.slice(1)}`, undefined, null, 42]) {
      expect(verifyCertificateSignature(NUMBER, MASKED, DATE, junk as string, keys)).toEqual({ valid: false, reason: 'MALFORMED_SIGNATURE' });
    }
    expect(verifyCertificateSignature(undefined as unknown as string, MASKED, DATE, sig, keys)).toEqual({ valid: false, reason: 'INVALID_FIELDS' });
    expect(verifyCertificateSignature(NUMBER, MASKED, 'soon', sig, keys)).toEqual({ valid: false, reason: 'INVALID_FIELDS' });
    expect(verifyCertificateSignature(NUMBER, MASKED, DATE, sig, null as unknown as PublicKeyEntry[])).toEqual({ valid: false, reason: 'UNKNOWN_KEY' });
    const brokenKey = [{ kid: 'jl2025', alg: 'Ed25519' as const, publicKey: 'not-a-key' }];
    expect(verifyCertificateSignature(NUMBER, MASKED, DATE, sig, brokenKey)).toEqual({ valid: false, reason: 'UNKNOWN_KEY' });
  });

  test('property: any certificate verifies, and changing any one signed field breaks it', () => {
    const arbFields = fc.record({
      kind: fc.constantFrom<'Y' | 'S'>('Y', 'S'),
      institutionSequence: fc.integer({ min: 1, max: 999_999 }),
      issueYear: fc.integer({ min: 2020, max: 2099 }),
      level: fc.constantFrom<1 | 2 | 3 | 4 | 5>(1, 2, 3, 4, 5),
      serial: fc.integer({ min: 1, max: 999_998 }),
      seq: fc.integer({ min: 0, max: 998 }),
      day: fc.integer({ min: 1, max: 27 }),
    });
    fc.assert(
      fc.property(arbFields, (f) => {
        const number = buildCertificateCode({
          kind: f.kind,
          province: '22',
          institutionSequence: f.institutionSequence,
          issueYear: f.issueYear,
          level: f.level,
          serial: f.serial,
        });
        const idNumber = makeIdNumber('220102', '19900307', f.seq);
        const issueDate = `${f.issueYear}-03-${String(f.day).padStart(2, '0')}`;
        const sig = signCertificate({ number, idNumber, issueDate }, seedKey);
        expect(verifyCertificateSignature(number, idNumber, issueDate, sig, keys).valid).toBe(true);
        const nextNumber = buildCertificateCode({
          kind: f.kind,
          province: '22',
          institutionSequence: f.institutionSequence,
          issueYear: f.issueYear,
          level: f.level,
          serial: f.serial + 1,
        });
        const otherId = makeIdNumber('220102', '19900307', f.seq + 1);
        const nextDay = `${f.issueYear}-03-${String(f.day + 1).padStart(2, '0')}`;
        expect(verifyCertificateSignature(nextNumber, idNumber, issueDate, sig, keys).valid).toBe(false);
        expect(verifyCertificateSignature(number, otherId, issueDate, sig, keys).valid).toBe(false);
        expect(verifyCertificateSignature(number, idNumber, nextDay, sig, keys).valid).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});

describe('key settings', () => {
  const a = generateSigningKey('2025a');
  const b = generateSigningKey('2026a');
  const pemOf = (k: SigningKey) => k.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;

  test('kid:base64 PKCS#8 entries, comma or newline separated; base64url and PEM (real or \\n newlines) too', () => {
    const derB64url = Buffer.from(b.settingEntry.split(':')[1], 'base64').toString('base64url');
    for (const setting of [
      `${a.settingEntry},${b.settingEntry}`,
      ` ${a.settingEntry} ;\n ${b.settingEntry}\n`,
      `${a.settingEntry}\n2026a:${derB64url}`,
      `2025a:${pemOf(a.key)}\n2026a:${pemOf(b.key)}`,
      `2025a:${pemOf(a.key).replace(/\n/g, '\\n')},2026a:${pemOf(b.key).replace(/\n/g, '\\n')}`,
    ]) {
      const parsed = parseSigningKeys(setting);
      expect(parsed.map((k) => k.kid)).toEqual(['2025a', '2026a']);
      expect(parsed.map((k) => rawPublicKey(k.privateKey))).toEqual([a.publicKey.publicKey, b.publicKey.publicKey]);
    }
  });

  test('rotation: the last key signs, every key verifies, and a retired public key keeps old certificates valid', () => {
    const before = loadCertificateSigning({ APP_MODE: 'test', CERT_SIGNING_KEYS: a.settingEntry });
    const oldSig = signCertificate(fields, before.signer);
    const during = loadCertificateSigning({ APP_MODE: 'test', CERT_SIGNING_KEYS: `${a.settingEntry},${b.settingEntry}` });
    expect(during.signer.kid).toBe('2026a');
    expect(during.publicKeys.keys.map((k) => k.kid)).toEqual(['2025a', '2026a']);
    expect(verifyCertificateSignature(NUMBER, MASKED, DATE, oldSig, during.publicKeys)).toEqual({ valid: true, kid: '2025a' });
    const newSig = signCertificate(fields, during.signer);
    expect(newSig.startsWith('2026a.')).toBe(true);
    // private key of 2025a destroyed; only its public key stays published
    const after = loadCertificateSigning({
      APP_MODE: 'test',
      CERT_SIGNING_KEYS: b.settingEntry,
      CERT_RETIRED_PUBLIC_KEYS: `2025a:${a.publicKey.publicKey}`,
    });
    expect(after.publicKeys).toEqual({ keys: [b.publicKey, a.publicKey] });
    expect(verifyCertificateSignature(NUMBER, MASKED, DATE, oldSig, after.publicKeys)).toEqual({ valid: true, kid: '2025a' });
    expect(verifyCertificateSignature(NUMBER, MASKED, DATE, newSig, after.publicKeys)).toEqual({ valid: true, kid: '2026a' });
    expect(
      verifyCertificateSignature(NUMBER, MASKED, DATE, oldSig, loadCertificateSigning({ APP_MODE: 'test', CERT_SIGNING_KEYS: b.settingEntry }).publicKeys)
        .valid,
    ).toBe(false);
  });

  test('published keys are the raw 32 public bytes, base64url (the tail of the SPKI DER)', () => {
    const { publicKeys } = loadCertificateSigning({ APP_MODE: 'test', CERT_SIGNING_KEYS: a.settingEntry });
    const spki = createPublicKey(a.key.privateKey).export({ format: 'der', type: 'spki' });
    expect(publicKeys.keys).toEqual([{ kid: '2025a', alg: 'Ed25519', publicKey: spki.subarray(spki.length - 32).toString('base64url') }]);
    expect(publicKeys.keys[0].publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test.each([
    ['not kid:key', 'justakey', /entry 1 is not kid:key/],
    ['a bad kid', 'a.b:MC4CAQAwBQYDK2VwBCIEIA', /entry 1 has a bad kid/],
    ['a duplicate kid', 'k1:AAAA,k1:BBBB', /kid k1 appears twice/],
    ['no key', 'k1:', /entry 1 is not kid:key/],
    ['space-separated entries', 'k1:AAAA k2:BBBB', /entry 1 is not kid:key/],
  ])('rejects %s', (_what, setting, message) => {
    const e = thrown(() => parseSigningKeys(setting));
    expect(e).toBeInstanceOf(CertificateSigningError);
    expect(e.message).toMatch(message);
  });

  test('rejects non-Ed25519 and undecodable keys without quoting them', () => {
    const x = generateKeyPairSync('x25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    expect(thrown(() => parseSigningKeys(`k1:${x}`)).message).toBe('CERT_SIGNING_KEYS: key k1 is x25519, not Ed25519');
    const secretish = 'c2VjcmV0LXNob3VsZC1ub3QtbGVhaw';
    const e = thrown(() => parseSigningKeys(`k1:${secretish}`));
    expect(e.message).toBe('CERT_SIGNING_KEYS: key k1 is not a PKCS#8 private key (base64 DER or PEM)');
    expect(e.message).not.toContain(secretish);
    expect(thrown(() => parsePublicKeys('old:abc')).message).toMatch(/CERT_RETIRED_PUBLIC_KEYS: key old is not a base64url raw/);
    expect(
      thrown(() => loadCertificateSigning({ APP_MODE: 'test', CERT_SIGNING_KEYS: a.settingEntry, CERT_RETIRED_PUBLIC_KEYS: `2025a:${a.publicKey.publicKey}` }))
        .message,
    ).toMatch(/kid 2025a is also in CERT_SIGNING_KEYS/);
  });

  test('tests run on the published development key; development and demo generate a local key once and say so', () => {
    const test = loadCertificateSigning({ APP_MODE: 'test' });
    expect(test.development).toBe(true);
    expect(test.signer.kid).toBe(DEVELOPMENT_KID);
    expect(test.publicBaseUrl).toBe('http://127.0.0.1:3000');
    expect(rawPublicKey(developmentSigningKey().privateKey)).toBe(test.publicKeys.keys[0].publicKey);

    const dir = mkdtempSync(join(tmpdir(), 'signing-'));
    try {
      const said: string[] = [];
      const env = { APP_MODE: 'development', DATA_DIR: dir, PORT: '8080' };
      const first = loadCertificateSigning(env, { log: (l) => said.push(l) });
      expect(first.development).toBe(true);
      expect(first.signer.kid).toMatch(/^local-[0-9a-f]{8}$/);
      expect(first.publicBaseUrl).toBe('http://127.0.0.1:8080');
      const file = join(dir, LOCAL_SIGNING_KEY_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(said).toEqual([
        expect.stringMatching(new RegExp(`generated local key ${first.signer.kid} in .*development only; production needs CERT_SIGNING_KEYS`)),
      ]);
      // kept across restarts (a printed test certificate stays verifiable), demo included
      const again = loadCertificateSigning({ ...env, APP_MODE: 'demo' }, { log: (l) => said.push(l) });
      expect(again.publicKeys).toEqual(first.publicKeys);
      expect(said[1]).toMatch(new RegExp(`local key ${first.signer.kid} from `));
      // no key material in what is said
      expect(said.join('\n')).not.toContain(readFileSync(file, 'utf8').split(':')[1].trim());
      // a configured key wins over the local one
      expect(loadCertificateSigning({ ...env, CERT_SIGNING_KEYS: a.settingEntry }, { log: () => undefined }).signer.kid).toBe('2025a');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const prod = { APP_MODE: 'production', PUBLIC_BASE_URL: 'https://zs.rst.jl.gov.cn/' };
    expect(thrown(() => loadCertificateSigning(prod)).message).toMatch(/CERT_SIGNING_KEYS: required in production/);
    const devEntry = `${DEVELOPMENT_KID}:${developmentSigningKey().privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')}`;
    expect(thrown(() => loadCertificateSigning({ ...prod, CERT_SIGNING_KEYS: devEntry })).message).toMatch(/development key is public/);
    // the same key under another kid is refused as well
    expect(thrown(() => loadCertificateSigning({ ...prod, CERT_SIGNING_KEYS: devEntry.replace(DEVELOPMENT_KID, 'renamed') })).message).toMatch(
      /development key is public/,
    );
    expect(thrown(() => loadCertificateSigning({ APP_MODE: 'production', CERT_SIGNING_KEYS: a.settingEntry })).message).toMatch(/PUBLIC_BASE_URL: required/);
    expect(thrown(() => loadCertificateSigning({ ...prod, PUBLIC_BASE_URL: 'http://zs.example', CERT_SIGNING_KEYS: a.settingEntry })).message).toMatch(
      /must be https/,
    );
    expect(thrown(() => loadCertificateSigning({ APP_MODE: 'test', PUBLIC_BASE_URL: 'https://x.example/?a=1' })).message).toMatch(/without query/);

    const ok = loadCertificateSigning({ ...prod, CERT_SIGNING_KEYS: a.settingEntry });
    expect(ok.development).toBe(false);
    expect(ok.publicBaseUrl).toBe('https://zs.rst.jl.gov.cn');
  });
});

describe('the verification URL', () => {
  test('is <base>/verify/<number>?sig=<kid>.<sig> and parses back', () => {
    const url = signedVerifyUrl({ ...fields, number: NUMBER.toLowerCase() }, { signer: seedKey, publicBaseUrl: 'https://zs.example.gov.cn/cert/' });
    const sig = signCertificate(fields, seedKey);
    expect(url).toBe(`https://zs.example.gov.cn/cert/verify/${NUMBER}?sig=${sig}`);
    expect(parseVerifyUrl(url)).toEqual({ number: NUMBER, sig });
    expect(verifyUrl('https://zs.example.gov.cn', NUMBER, sig)).toBe(`https://zs.example.gov.cn/verify/${NUMBER}?sig=${sig}`);
    expect(() => verifyUrl('https://zs.example.gov.cn', NUMBER, 'nope')).toThrow(CertificateSigningError);
    expect(parseVerifyUrl('https://zs.example.gov.cn/verify/')).toBeNull();
    expect(parseVerifyUrl(`https://zs.example.gov.cn/verify/${NUMBER}`)).toBeNull();
    expect(parseVerifyUrl('not a url')).toBeNull();
  });

  test('issue dates are China local dates', () => {
    expect(issueDateOf('2025-03-01')).toBe('2025-03-01');
    expect(issueDateOf(new Date('2025-02-28T16:30:00Z'))).toBe('2025-03-01');
    expect(issueDateOf('2025-02-28T15:59:59Z')).toBe('2025-02-28');
    expect(() => issueDateOf('2025-02-30')).toThrow(CertificateSigningError);
    expect(() => issueDateOf(new Date(NaN))).toThrow(CertificateSigningError);
  });
});
