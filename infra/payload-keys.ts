/**
 * The PAYLOAD_KEYS format, `kid:base64key[,kid:base64key…]`, oldest first: the LAST key encrypts,
 * every listed key decrypts. Appending a key rotates; a key is removed only once no history that
 * may still be read (open workflows, retention period, replay fixtures) was written with it.
 *
 * Kept free of other project imports because config.ts validates the setting with it.
 */
import { inspect } from 'node:util';

export const KEY_BYTES = 32;
/** What a key id may be: it travels in clear in every payload's metadata, so it is a name, never a secret. */
export const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** One AES-256 key. Its bytes stay out of JSON (pino) and util.inspect (console.log), which print only the id. */
export class PayloadKey {
  readonly #key: Buffer;
  constructor(
    readonly id: string,
    key: Buffer,
  ) {
    if (!KID_PATTERN.test(id)) throw new Error(`payload key id ${JSON.stringify(id)} must match ${KID_PATTERN}`);
    if (key.length !== KEY_BYTES) throw new Error(`payload key ${id}: ${key.length} bytes, expected ${KEY_BYTES}`);
    this.#key = Buffer.from(key);
  }
  /** the raw key bytes, for node:crypto */
  get bytes(): Buffer {
    return this.#key;
  }
  toJSON() {
    return { id: this.id };
  }
  [inspect.custom]() {
    return `PayloadKey(${this.id})`;
  }
  /** `kid:base64` as PAYLOAD_KEYS and $DATA_DIR/payload-key hold it */
  serialize(): string {
    return `${this.id}:${this.#key.toString('base64')}`;
  }
}

/**
 * Parses PAYLOAD_KEYS. Problems are described by position and key id only, so that an error
 * message (printed at start, kept in logs) never carries key material.
 */
export function parsePayloadKeys(text: string): { keys: PayloadKey[]; problems: string[] } {
  const keys: PayloadKey[] = [];
  const problems: string[] = [];
  const entries = text.split(',').map((e) => e.trim());
  if (entries.length === 1 && entries[0] === '') return { keys, problems };
  entries.forEach((entry, i) => {
    const where = `entry ${i + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) return problems.push(`${where}: expected kid:base64key`);
    const id = entry.slice(0, colon).trim();
    const b64 = entry.slice(colon + 1).trim();
    if (!KID_PATTERN.test(id)) return problems.push(`${where}: key id must be 1–64 of A-Z a-z 0-9 . _ -`);
    // Buffer.from(…, 'base64') silently skips junk, so the alphabet is checked first
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(b64)) return problems.push(`${where} (${id}): the key is not base64`);
    const key = Buffer.from(b64, 'base64');
    if (key.length !== KEY_BYTES)
      return problems.push(`${where} (${id}): the key is ${key.length} bytes, expected ${KEY_BYTES} (e.g. openssl rand -base64 32)`);
    if (keys.some((k) => k.id === id)) return problems.push(`${where}: key id ${id} is listed twice`);
    keys.push(new PayloadKey(id, key));
  });
  return { keys: problems.length ? [] : keys, problems };
}
