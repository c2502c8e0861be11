/**
 * AES-256-GCM encryption of every Temporal payload (workflow and activity arguments and results,
 * signals, updates, queries, memos, heartbeats; failure messages too with infra/failure-converter),
 * so personal data (names, ID numbers) never reaches Temporal's database, its Web UI or its
 * exports in clear. Client and worker both get `payloadCodecs: [codec]`.
 *
 * Wire format as in temporalio/samples-typescript `encryption` (so any codec server or SDK that
 * follows it reads ours): metadata `encoding: binary/encrypted`, `encryption-key-id: <kid>`; data
 * `iv(12) ‖ ciphertext ‖ tag(16)` of the whole original Payload protobuf, metadata included.
 *
 * Not covered by any codec: workflow ids, search attributes, task queue names and workflow types
 * stay in clear because the server indexes them; keep personal data out of them.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { METADATA_ENCODING_KEY, ValueError, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { decode as utf8Decode, encode as utf8Encode } from '@temporalio/common/lib/encoding';
import { temporal } from '@temporalio/proto';
import { SettingsError, type Settings } from '../config';
import { parsePayloadKeys, PayloadKey, KEY_BYTES } from './payload-keys';
import { readFileIfExists, writeFileOnce } from './write-once';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A payload this codec cannot decrypt. Thrown rather than passing the payload on, so a worker
 * fails the workflow task (and retries it once the key is back) instead of running on garbage.
 */
export class PayloadDecryptionError extends ValueError {
  override name = 'PayloadDecryptionError';
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: ReadonlyMap<string, PayloadKey>;
  private readonly current: PayloadKey;

  /** keys oldest first: the last one encrypts, every one decrypts */
  constructor(keys: readonly PayloadKey[]) {
    if (!keys.length) throw new Error('AesGcmPayloadCodec needs at least one key');
    const byId = new Map<string, PayloadKey>();
    for (const k of keys) {
      const seen = byId.get(k.id);
      if (seen && !seen.bytes.equals(k.bytes)) throw new Error(`payload key id ${k.id} is given twice with different keys`);
      byId.set(k.id, k);
    }
    this.byId = byId;
    this.current = keys[keys.length - 1];
  }

  /** the key id new payloads are written with */
  get encryptingKeyId(): string {
    return this.current.id;
  }

  get keyIds(): string[] {
    return [...this.byId.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // a random IV per payload: never reused under one key (birthday bound ~2^32 payloads per key,
      // far beyond this system's volume; rotating keys resets it)
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv, { authTagLength: TAG_BYTES });
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: utf8Encode(ENCRYPTED_ENCODING),
          [METADATA_KEY_ID]: utf8Encode(this.current.id),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      // histories written before encryption was switched on must still replay
      if (!encoding || utf8Decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const kidBytes = payload.metadata?.[METADATA_KEY_ID];
      if (!kidBytes) throw new PayloadDecryptionError(`encrypted payload without ${METADATA_KEY_ID} metadata`);
      const kid = utf8Decode(kidBytes);
      const key = this.byId.get(kid);
      if (!key) {
        throw new PayloadDecryptionError(
          `payload was encrypted with key id ${JSON.stringify(kid)}, which is not in PAYLOAD_KEYS (known: ${this.keyIds.join(', ')}); add that key back to decrypt it`,
        );
      }
      const data = payload.data;
      if (!data || data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`encrypted payload (key id ${kid}) is truncated`);
      const iv = data.subarray(0, IV_BYTES);
      const tag = data.subarray(data.length - TAG_BYTES);
      const body = data.subarray(IV_BYTES, data.length - TAG_BYTES);
      let plain: Buffer;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.bytes, iv, { authTagLength: TAG_BYTES });
        decipher.setAuthTag(tag);
        plain = Buffer.concat([decipher.update(body), decipher.final()]);
      } catch {
        throw new PayloadDecryptionError(`encrypted payload (key id ${kid}) failed authentication: altered, or the key under that id changed`);
      }
      // the decoded message as a whole, so fields this code does not name survive the round trip
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/** infra/failure-converter.ts, for `bundleWorkflowCode({ failureConverterPath })` as well */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The data converter for the client and the worker: payloads encrypted, failure messages moved
 * into (encrypted) payloads. The workflow bundle must be built with FAILURE_CONVERTER_PATH too.
 */
export function encryptedDataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH };
}

export const LOCAL_KEY_FILE = 'payload-key';

export interface LoadKeysOptions {
  /** where to say that a local key was generated or reused (default console.log); never given key material */
  log?: (line: string) => void;
}

/**
 * The keys the codec uses, oldest first.
 * - production: PAYLOAD_KEYS, required (SettingsError naming it otherwise).
 * - development, demo, test: a key generated once into $DATA_DIR/payload-key (mode 0600) and
 *   reused at every start, so the histories kept in $DATA_DIR/temporal.db stay readable. When
 *   PAYLOAD_KEYS is set too, its keys come after the local one: the last of PAYLOAD_KEYS encrypts
 *   and histories written with the local key still decrypt.
 */
export function loadPayloadKeys(settings: Pick<Settings, 'APP_MODE' | 'dataDir' | 'PAYLOAD_KEYS'>, opts: LoadKeysOptions = {}): PayloadKey[] {
  const log = opts.log ?? ((line: string) => console.log(line));
  const configured = settings.PAYLOAD_KEYS;
  if (settings.APP_MODE === 'production') {
    if (!configured.length) {
      throw new SettingsError(
        'Invalid settings:\n  PAYLOAD_KEYS: required in production (kid:base64key, 32 random bytes each, e.g. k2026a:$(openssl rand -base64 32))',
      );
    }
    return [...configured];
  }
  const file = join(settings.dataDir, LOCAL_KEY_FILE);
  const local = configured.length ? readLocalKey(file, log) : (readLocalKey(file, log) ?? createLocalKey(file, log));
  if (local && configured.some((k) => k.id === local.id && !k.bytes.equals(local.bytes))) {
    throw new SettingsError(`Invalid settings:\n  PAYLOAD_KEYS: key id ${local.id} is also the id of the local key in ${file}, with another key`);
  }
  return [...(local && !configured.some((k) => k.id === local.id) ? [local] : []), ...configured];
}

/**
 * The keys to read with, for tools that only decode (npm run replay): PAYLOAD_KEYS and the local
 * key of $DATA_DIR when there is one, whatever APP_MODE says; never generates a key. [] when neither.
 */
export function payloadKeysForReading(settings: Pick<Settings, 'dataDir' | 'PAYLOAD_KEYS'>, opts: LoadKeysOptions = {}): PayloadKey[] {
  const log = opts.log ?? ((line: string) => console.log(line));
  const configured = settings.PAYLOAD_KEYS;
  const local = readLocalKey(join(settings.dataDir, LOCAL_KEY_FILE), log);
  return [...(local && !configured.some((k) => k.id === local.id) ? [local] : []), ...configured];
}

/** A codec on the keys loadPayloadKeys finds for these settings. */
export function createPayloadCodec(settings: Pick<Settings, 'APP_MODE' | 'dataDir' | 'PAYLOAD_KEYS'>, opts: LoadKeysOptions = {}): AesGcmPayloadCodec {
  return new AesGcmPayloadCodec(loadPayloadKeys(settings, opts));
}

function readLocalKey(file: string, log: (line: string) => void): PayloadKey | undefined {
  const text = readFileIfExists(file);
  if (text === undefined) return undefined;
  const { keys, problems } = parsePayloadKeys(text.trim());
  if (problems.length || keys.length !== 1) {
    throw new SettingsError(
      `Invalid settings:\n  PAYLOAD_KEYS: the local key file ${file} is damaged (${problems.join('; ') || 'expected one kid:base64key'}); histories written with it cannot be read without it`,
    );
  }
  if (statSync(file).mode & 0o077) {
    chmodSync(file, 0o600);
    log(`payload encryption: ${file} was readable by others; now 0600`);
  }
  log(`payload encryption: local key ${keys[0].id} from ${file} (development only; production needs PAYLOAD_KEYS)`);
  return keys[0];
}

function createLocalKey(file: string, log: (line: string) => void): PayloadKey {
  const key = new PayloadKey(`local-${randomBytes(4).toString('hex')}`, randomBytes(KEY_BYTES));
  if (!writeFileOnce(file, key.serialize() + '\n')) return readLocalKey(file, log)!; // another process made it first
  log(
    `payload encryption: generated local key ${key.id} in ${file} (development only; keep the file to read existing histories; production needs PAYLOAD_KEYS)`,
  );
  return key;
}
