/**
 * Signed verification links for electronic and printed certificates (002 Art.20: paper and
 * electronic certificates are equally valid; 000 §五(二)4: certificate data is queryable by the
 * public). The QR code on a certificate carries
 *
 *     <PUBLIC_BASE_URL>/verify/<number>?sig=<kid>.<signature>
 *
 * where `signature` is an Ed25519 signature (RFC 8032, node:crypto) by the province's issuing key,
 * base64url without padding (always 86 characters), and `kid` names the key that made it, so a
 * verifier holding several published keys picks the right one without trying them all.
 *
 * Signed message (UTF-8, fields joined by a single LF, no trailing LF):
 *
 *     skill-cert/v1\n<number>\n<maskedId>\n<issueDate>
 *
 *   number     the certificate number (SPEC §4) as printed, upper case: 22 (or 21) characters
 *   maskedId   the holder's 居民身份证 number masked by domain/identifiers `maskIdNumber`:
 *              first 3 + 11 `*` + last 4, upper-case X, e.g. `220***********001X`
 *   issueDate  the issue date as a China local date, `YYYY-MM-DD`
 *
 * Why these three: they are printed on the certificate, so whoever holds a printed copy can
 * rebuild the message and check the signature offline with the published public key. The ID
 * number is masked because the URL is public (anyone who scans the QR code reads it) and the
 * public query shows holders masked (SPEC §7); signing the masked form means verification never
 * needs the full number. `skill-cert/v1` separates this message from anything else the same key
 * might ever sign and leaves room for a v2 layout; fields contain no LF, so the join is unambiguous.
 *
 * Keys (setting CERT_SIGNING_KEYS): a list of `kid:key` entries separated by commas, semicolons or
 * newlines, where `key` is an Ed25519 PKCS#8 private key as base64 (or base64url) DER or as a PEM
 * block (`-----BEGIN PRIVATE KEY-----`, real newlines or literal `\n`). The LAST entry signs new
 * certificates; every entry verifies. Rotation: append a new key, publish, and later move the old
 * one to CERT_RETIRED_PUBLIC_KEYS (`kid:<base64url raw 32-byte public key>` entries), which keeps
 * old certificates verifiable without keeping their private key. Certificates never expire
 * (SPEC §4), so a published public key is never withdrawn unless it was compromised.
 *
 * Public keys (GET /certificates/signing-keys) are `{ keys: [{ kid, alg: 'Ed25519', publicKey }] }`
 * with `publicKey` the raw 32-byte Ed25519 public key, base64url without padding (the same bytes
 * as a JWK's `x`).
 *
 * Without CERT_SIGNING_KEYS, development and demo generate a local key once into
 * $DATA_DIR/certificate-signing-key (0600) and say so at start, as they do for the payload key,
 * so a dev stack's certificates stay verifiable across restarts; test mode uses DEVELOPMENT_KID, a
 * key derived from a published seed (like config.ts's development JWT secret). Production refuses
 * to start without a configured key, and refuses the published one even when configured.
 *
 * No personal data leaves this module in errors: messages name settings, kids and field names only.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readFileIfExists, writeFileOnce } from '../infra/write-once';
import { isValidCertificateCode } from '../domain/certificate-code';
import { chinaDateOf, isValidIsoDate } from '../domain/dates';
import { maskIdNumber } from '../domain/identifiers';

export const SIGNED_MESSAGE_PREFIX = 'skill-cert/v1';
export const SIGNING_KEYS_SETTING = 'CERT_SIGNING_KEYS';
export const RETIRED_KEYS_SETTING = 'CERT_RETIRED_PUBLIC_KEYS';
export const PUBLIC_BASE_URL_SETTING = 'PUBLIC_BASE_URL';
/** Key id of the development key; refused in production. */
export const DEVELOPMENT_KID = 'dev-insecure';

/** URL-safe and free of `.` (the separator in `sig`), `:` (the separator in the setting). */
const KID_RE = /^[A-Za-z0-9_-]{1,32}$/;
/** 64 signature bytes in base64url without padding. */
const SIG_RE = /^([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{86})$/;
/** An ISO-8601 instant: date, time and an explicit zone (a zone-less time would be read as local). */
const ISO_INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** maskIdNumber of an 18-character 居民身份证 number. */
const MASKED_ID_RE = /^\d{3}\*{11}\d{3}[\dX]$/;
/** PKCS#8 DER prefix of an Ed25519 private key (RFC 8410): the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export class CertificateSigningError extends Error {
  override name = 'CertificateSigningError';
}

// ---------------------------------------------------------------------------------------------
// The signed message
// ---------------------------------------------------------------------------------------------

export interface SignedFields {
  /** Certificate number (SPEC §4); surrounding blanks and lower case are normalised. */
  readonly number: string;
  /** The holder's ID number, full or already masked: maskIdNumber is idempotent, so both work. */
  readonly idNumber: string;
  /** Issue date, China local `YYYY-MM-DD` (see `issueDateOf` for instants). */
  readonly issueDate: string;
}

export interface CanonicalFields {
  readonly number: string;
  readonly maskedId: string;
  readonly issueDate: string;
}

/** The normalised fields, or the name of the first field that cannot be signed. */
function canonical(fields: SignedFields): { ok: true; value: CanonicalFields } | { ok: false; field: keyof SignedFields } {
  if (typeof fields?.number !== 'string') return { ok: false, field: 'number' };
  const number = fields.number.trim().toUpperCase();
  if (!isValidCertificateCode(number)) return { ok: false, field: 'number' };
  if (typeof fields.idNumber !== 'string') return { ok: false, field: 'idNumber' };
  const maskedId = maskIdNumber(fields.idNumber);
  if (!MASKED_ID_RE.test(maskedId)) return { ok: false, field: 'idNumber' };
  if (typeof fields.issueDate !== 'string' || !isValidIsoDate(fields.issueDate)) return { ok: false, field: 'issueDate' };
  return { ok: true, value: { number, maskedId, issueDate: fields.issueDate } };
}

/** Normalised fields as they enter the message. Throws CertificateSigningError naming a bad field. */
export function canonicalFields(fields: SignedFields): CanonicalFields {
  const c = canonical(fields);
  if (!c.ok) throw new CertificateSigningError(`cannot sign a certificate: invalid ${c.field}`);
  return c.value;
}

function messageOf(c: CanonicalFields): Buffer {
  return Buffer.from([SIGNED_MESSAGE_PREFIX, c.number, c.maskedId, c.issueDate].join('\n'), 'utf8');
}

/** The exact bytes that are signed (see the module comment). Throws on an invalid field. */
export function signedMessage(fields: SignedFields): Buffer {
  return messageOf(canonicalFields(fields));
}

/**
 * China local issue date of a stored certificate: `YYYY-MM-DD` passes through, an ISO instant or a
 * Date becomes its Asia/Shanghai date (CertificateDoc.issuedAt is an instant; SPEC §8).
 */
export function issueDateOf(value: string | Date): string {
  if (typeof value === 'string' && isValidIsoDate(value)) return value;
  // Date.parse alone would take 2025-02-30 for March 2: only a real date with a time and a zone
  const instant = typeof value === 'string' && ISO_INSTANT_RE.test(value) && isValidIsoDate(value.slice(0, 10));
  const ms = value instanceof Date ? value.getTime() : instant ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new CertificateSigningError('issue date must be YYYY-MM-DD, an ISO instant or a Date');
  return chinaDateOf(ms);
}

// ---------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
}

export interface PublicKeyEntry {
  readonly kid: string;
  readonly alg: 'Ed25519';
  /** Raw 32-byte Ed25519 public key, base64url without padding. */
  readonly publicKey: string;
}

export interface PublicKeySet {
  readonly keys: readonly PublicKeyEntry[];
}

/** Raw public key of a private or public Ed25519 KeyObject, base64url (a JWK's `x`). */
export function rawPublicKey(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = pub.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new CertificateSigningError('not an Ed25519 key');
  }
  return jwk.x;
}

function publicKeyObject(raw: string): KeyObject {
  if (!/^[A-Za-z0-9_-]{43}$/.test(raw)) throw new CertificateSigningError('an Ed25519 public key is 32 bytes, base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw }, format: 'jwk' });
}

/** Splits a key-list setting into `kid:value` entries; PEM blocks may contain the separators. */
function entries(setting: string, name: string): { kid: string; value: string }[] {
  const out: { kid: string; value: string }[] = [];
  // PEM first, so its newlines and the base64 inside it are not taken for separators. A literal
  // backslash-n counts as a newline: one-line .env files and CI secrets often write PEM that way.
  const re = /\s*([^:,;\s]+)\s*:\s*(-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----|[^,;\s\\]+)(?:\s|\\n)*(?:[,;\n]|\\n|$)/y;
  const text = setting.trim();
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new CertificateSigningError(`${name}: entry ${out.length + 1} is not kid:key`);
    if (!KID_RE.test(m[1])) {
      throw new CertificateSigningError(`${name}: entry ${out.length + 1} has a bad kid (1–32 of A–Z a–z 0–9 _ -)`);
    }
    if (out.some((e) => e.kid === m[1])) throw new CertificateSigningError(`${name}: kid ${m[1]} appears twice`);
    out.push({ kid: m[1], value: m[2] });
    at = re.lastIndex;
  }
  return out;
}

function privateKeyOf(value: string, kid: string): KeyObject {
  let key: KeyObject;
  try {
    key = value.startsWith('-----BEGIN')
      ? createPrivateKey({ key: value.replace(/\\n/g, '\n'), format: 'pem' })
      : createPrivateKey({ key: Buffer.from(value, 'base64'), format: 'der', type: 'pkcs8' }); // base64 and base64url alike
  } catch {
    // the crypto error could quote key material: say only which entry
    throw new CertificateSigningError(`${SIGNING_KEYS_SETTING}: key ${kid} is not a PKCS#8 private key (base64 DER or PEM)`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new CertificateSigningError(`${SIGNING_KEYS_SETTING}: key ${kid} is ${key.asymmetricKeyType}, not Ed25519`);
  }
  return key;
}

/** Parses CERT_SIGNING_KEYS. Throws CertificateSigningError (never quoting key material). */
export function parseSigningKeys(setting: string): SigningKey[] {
  return entries(setting, SIGNING_KEYS_SETTING).map(({ kid, value }) => ({ kid, privateKey: privateKeyOf(value, kid) }));
}

/** Parses CERT_RETIRED_PUBLIC_KEYS (`kid:<base64url raw public key>` entries). */
export function parsePublicKeys(setting: string, name = RETIRED_KEYS_SETTING): PublicKeyEntry[] {
  return entries(setting, name).map(({ kid, value }) => {
    try {
      publicKeyObject(value);
    } catch {
      throw new CertificateSigningError(`${name}: key ${kid} is not a base64url raw 32-byte Ed25519 public key`);
    }
    return { kid, alg: 'Ed25519', publicKey: value };
  });
}

/** An Ed25519 key from a 32-byte seed (tests, the development key). */
export function signingKeyFromSeed(kid: string, seed: Buffer): SigningKey {
  if (!KID_RE.test(kid)) throw new CertificateSigningError('bad kid (1–32 of A–Z a–z 0–9 _ -)');
  if (seed.length !== 32) throw new CertificateSigningError('an Ed25519 seed is 32 bytes');
  const der = Buffer.concat([ED25519_PKCS8_PREFIX, seed]);
  return { kid, privateKey: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }) };
}

/** The development key: derived from a published string, so it is no secret (module comment). */
export function developmentSigningKey(): SigningKey {
  return signingKeyFromSeed(DEVELOPMENT_KID, createHash('sha256').update('skill-cert development certificate key; not for production').digest());
}

/**
 * A new random key and the setting entry that configures it (for an operator's provisioning
 * script; the entry contains the private key and belongs in a secret store, not in a log).
 */
export function generateSigningKey(kid: string): { key: SigningKey; settingEntry: string; publicKey: PublicKeyEntry } {
  if (!KID_RE.test(kid)) throw new CertificateSigningError('bad kid (1–32 of A–Z a–z 0–9 _ -)');
  const { privateKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return {
    key: { kid, privateKey },
    settingEntry: `${kid}:${der.toString('base64')}`,
    publicKey: { kid, alg: 'Ed25519', publicKey: rawPublicKey(privateKey) },
  };
}

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

export interface CertificateSigning {
  /** The key that signs new certificates: the last entry of CERT_SIGNING_KEYS. */
  readonly signer: SigningKey;
  /** Everything published by GET /certificates/signing-keys (active keys, then retired ones). */
  readonly publicKeys: PublicKeySet;
  /** True when running on a key nobody configured (the published development key or a local one). */
  readonly development: boolean;
  /** Base of the verification URL, without a trailing slash. */
  readonly publicBaseUrl: string;
}

/** The parsed settings (config.ts declares and validates them; loadCertificateSigning parses an environment). */
export interface SigningSettings {
  readonly APP_MODE: 'production' | 'development' | 'demo' | 'test';
  readonly PORT: number;
  /** where development and demo keep their local key; absent: the published development key */
  readonly dataDir?: string;
  /** the settings' text: `kid:key` entries (parseSigningKeys), '' for none */
  readonly CERT_SIGNING_KEYS: string;
  /** `kid:publicKey` entries (parsePublicKeys), '' for none */
  readonly CERT_RETIRED_PUBLIC_KEYS: string;
  readonly PUBLIC_BASE_URL?: string;
}

export interface SigningLoadOptions {
  /** where to say which local key is used (default console.log); never given key material */
  log?: (line: string) => void;
}

/** File in $DATA_DIR holding the local signing key of development and demo (`kid:base64 PKCS#8`). */
export const LOCAL_SIGNING_KEY_FILE = 'certificate-signing-key';

/**
 * The signing keys and base URL of these settings.
 * - production: CERT_SIGNING_KEYS and an https PUBLIC_BASE_URL are required, and the published
 *   development key is refused under any kid;
 * - development and demo without CERT_SIGNING_KEYS: a key generated once into
 *   $DATA_DIR/certificate-signing-key (0600) and reused at every start, so printed test
 *   certificates stay verifiable; the start says so, as it does for the payload key;
 * - test (and whenever no data directory is given): the published development key, no file.
 * Throws CertificateSigningError naming the setting, never quoting key material.
 */
export function certificateSigningFor(s: SigningSettings, opts: SigningLoadOptions = {}): CertificateSigning {
  const production = s.APP_MODE === 'production';
  let active: SigningKey[];
  let development = false;
  if (s.CERT_SIGNING_KEYS.trim()) {
    active = parseSigningKeys(s.CERT_SIGNING_KEYS);
  } else if (production) {
    throw new CertificateSigningError(`${SIGNING_KEYS_SETTING}: required in production (kid:base64-PKCS#8 Ed25519 key, e.g. from npm run signing-key)`);
  } else {
    development = true;
    const log = opts.log ?? ((line: string) => console.log(line));
    active = [s.APP_MODE !== 'test' && s.dataDir ? localSigningKey(join(s.dataDir, LOCAL_SIGNING_KEY_FILE), log) : developmentSigningKey()];
  }
  const retired = s.CERT_RETIRED_PUBLIC_KEYS.trim() ? parsePublicKeys(s.CERT_RETIRED_PUBLIC_KEYS) : [];
  const activePublic: PublicKeyEntry[] = active.map((k) => ({ kid: k.kid, alg: 'Ed25519', publicKey: rawPublicKey(k.privateKey) }));
  const devPublic = rawPublicKey(developmentSigningKey().privateKey);
  if (production && [...activePublic, ...retired].some((k) => k.kid === DEVELOPMENT_KID || k.publicKey === devPublic)) {
    throw new CertificateSigningError(`${SIGNING_KEYS_SETTING}: the development key is public and cannot be used in production`);
  }
  for (const r of retired) {
    if (activePublic.some((a) => a.kid === r.kid)) {
      throw new CertificateSigningError(`${RETIRED_KEYS_SETTING}: kid ${r.kid} is also in ${SIGNING_KEYS_SETTING}`);
    }
  }
  return {
    signer: active[active.length - 1],
    publicKeys: { keys: [...activePublic, ...retired] },
    development,
    publicBaseUrl: publicBaseUrlOf(s.PUBLIC_BASE_URL, production, s.PORT),
  };
}

/**
 * The same from an environment (scripts, tests): APP_MODE defaults to production as in config.ts,
 * DATA_DIR is used as given (no local key without it).
 */
export function loadCertificateSigning(env: NodeJS.ProcessEnv = process.env, opts: SigningLoadOptions = {}): CertificateSigning {
  const mode = env.APP_MODE || 'production';
  if (mode !== 'production' && mode !== 'development' && mode !== 'demo' && mode !== 'test')
    throw new CertificateSigningError(`APP_MODE: unknown mode ${mode}`);
  return certificateSigningFor(
    {
      APP_MODE: mode,
      PORT: Number(env.PORT || 3000),
      dataDir: env.DATA_DIR || undefined,
      CERT_SIGNING_KEYS: env[SIGNING_KEYS_SETTING] ?? '',
      CERT_RETIRED_PUBLIC_KEYS: env[RETIRED_KEYS_SETTING] ?? '',
      PUBLIC_BASE_URL: (env[PUBLIC_BASE_URL_SETTING] ?? '').trim() || undefined,
    },
    opts,
  );
}

/**
 * PUBLIC_BASE_URL as the verification URL starts: http(s)://host[/path], no query or fragment, no
 * trailing slash. Throws CertificateSigningError naming the setting.
 */
export function parsePublicBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new CertificateSigningError(`${PUBLIC_BASE_URL_SETTING}: not a URL`);
  }
  if (url.search || url.hash || (url.protocol !== 'https:' && url.protocol !== 'http:') || raw.includes('?') || raw.includes('#')) {
    throw new CertificateSigningError(`${PUBLIC_BASE_URL_SETTING}: expected http(s)://host[/path] without query or fragment`);
  }
  return url.href.replace(/\/+$/, '');
}

function publicBaseUrlOf(raw: string | undefined, production: boolean, port: number): string {
  if (!raw?.trim()) {
    if (production) throw new CertificateSigningError(`${PUBLIC_BASE_URL_SETTING}: required in production (https://…)`);
    return `http://127.0.0.1:${port}`;
  }
  const url = parsePublicBaseUrl(raw);
  if (production && !url.startsWith('https:')) throw new CertificateSigningError(`${PUBLIC_BASE_URL_SETTING}: must be https in production`);
  return url;
}

function localSigningKey(file: string, log: (line: string) => void): SigningKey {
  const existing = readLocalSigningKey(file, log);
  if (existing) return existing;
  const kid = `local-${randomBytes(4).toString('hex')}`;
  const { settingEntry } = generateSigningKey(kid);
  if (!writeFileOnce(file, `${settingEntry}\n`)) return readLocalSigningKey(file, log)!; // another process made it first
  log(`certificate signing: generated local key ${kid} in ${file} (development only; production needs ${SIGNING_KEYS_SETTING})`);
  return parseSigningKeys(settingEntry)[0];
}

function readLocalSigningKey(file: string, log: (line: string) => void): SigningKey | undefined {
  const text = readFileIfExists(file);
  if (text === undefined) return undefined;
  let keys: SigningKey[];
  try {
    keys = parseSigningKeys(text.trim());
  } catch {
    keys = [];
  }
  if (keys.length !== 1)
    throw new CertificateSigningError(`${SIGNING_KEYS_SETTING}: the local key file ${file} is damaged (expected one kid:key); delete it to make a new one`);
  if (statSync(file).mode & 0o077) chmodSync(file, 0o600);
  log(`certificate signing: local key ${keys[0].kid} from ${file} (development only; production needs ${SIGNING_KEYS_SETTING})`);
  return keys[0];
}

// ---------------------------------------------------------------------------------------------
// Sign and verify
// ---------------------------------------------------------------------------------------------

/** `<kid>.<base64url Ed25519 signature>` over `signedMessage(fields)`. Throws on an invalid field. */
export function signCertificate(fields: SignedFields, key: SigningKey): string {
  if (!KID_RE.test(key.kid)) throw new CertificateSigningError('bad kid (1–32 of A–Z a–z 0–9 _ -)');
  const sig = sign(null, signedMessage(fields), key.privateKey);
  return `${key.kid}.${sig.toString('base64url')}`;
}

export type VerifyFailure = 'MALFORMED_SIGNATURE' | 'INVALID_FIELDS' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE';

export type VerifyResult = { readonly valid: true; readonly kid: string } | { readonly valid: false; readonly reason: VerifyFailure };

/**
 * Checks `sig` (as found in the verification URL) against the number, the holder's ID number (full
 * or masked) and the issue date printed on a certificate, with the published keys. Never throws:
 * every argument may come from a stranger.
 */
export function verifyCertificateSignature(
  number: string,
  idNumber: string,
  issueDate: string,
  sig: string,
  publicKeys: PublicKeySet | readonly PublicKeyEntry[],
): VerifyResult {
  const m = typeof sig === 'string' ? SIG_RE.exec(sig) : null;
  if (!m) return { valid: false, reason: 'MALFORMED_SIGNATURE' };
  const c = canonical({ number, idNumber, issueDate });
  if (!c.ok) return { valid: false, reason: 'INVALID_FIELDS' };
  const list = Array.isArray(publicKeys) ? publicKeys : ((publicKeys as PublicKeySet)?.keys ?? []);
  const entry = list.find((k) => k.kid === m[1] && k.alg === 'Ed25519');
  if (!entry) return { valid: false, reason: 'UNKNOWN_KEY' };
  try {
    const ok = verify(null, messageOf(c.value), publicKeyObject(entry.publicKey), Buffer.from(m[2], 'base64url'));
    return ok ? { valid: true, kid: entry.kid } : { valid: false, reason: 'BAD_SIGNATURE' };
  } catch {
    // a malformed published key is the publisher's fault, but to the caller it is just "not valid"
    return { valid: false, reason: 'UNKNOWN_KEY' };
  }
}

// ---------------------------------------------------------------------------------------------
// The verification URL
// ---------------------------------------------------------------------------------------------

/** `<base>/verify/<number>?sig=<sig>` (the number is upper-cased; sig is URL-safe as it is). */
export function verifyUrl(publicBaseUrl: string, number: string, sig: string): string {
  if (!SIG_RE.test(sig)) throw new CertificateSigningError('sig is not <kid>.<base64url signature>');
  return `${publicBaseUrl.replace(/\/+$/, '')}/verify/${encodeURIComponent(number.trim().toUpperCase())}?sig=${sig}`;
}

/** Signs the certificate and returns its verification URL (what the QR code carries). */
export function signedVerifyUrl(fields: SignedFields, signing: Pick<CertificateSigning, 'signer' | 'publicBaseUrl'>): string {
  return verifyUrl(signing.publicBaseUrl, fields.number, signCertificate(fields, signing.signer));
}

/** Number and sig from a verification URL (e.g. a scanned QR code), or null when it is not one. */
export function parseVerifyUrl(url: string): { number: string; sig: string } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const m = /\/verify\/([^/]+)$/.exec(u.pathname);
  const sig = u.searchParams.get('sig');
  if (!m || !sig) return null;
  let number: string;
  try {
    number = decodeURIComponent(m[1]);
  } catch {
    return null;
  }
  return { number, sig };
}
