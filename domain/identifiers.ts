/**
 * Identifiers worth validating (SPEC §7): the resident ID number (公民身份号码, GB 11643-1999) and
 * the unified social credit code (统一社会信用代码, GB 32100-2015); plus the masking used whenever an
 * ID number, phone or name is shown to someone other than its owner's institution and the reviewing
 * department (SPEC §7, API.md `holder (masked)`).
 *
 * Validators return `{ ok: true, normalized } | { ok: false, code, reason }` and never throw on bad
 * input; boolean helpers wrap them. Generators (`makeIdNumber`, `makeCreditCode`) compute check
 * characters for tests and demo data and throw RangeError on malformed input.
 *
 * Pure functions: no Node, clock or I/O (workflow code may import this). "Today" is never read from
 * a clock here; callers that want the not-in-the-future rule pass `today` (China local date, SPEC §8).
 */
import { isProvinceCode } from './regions';

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

export type IdentifierErrorCode = 'NOT_A_STRING' | 'LENGTH' | 'FORMAT' | 'REGION' | 'BIRTH_DATE' | 'CHECK_CHAR';

export type IdentifierValidation =
  { readonly ok: true; readonly normalized: string } | { readonly ok: false; readonly code: IdentifierErrorCode; readonly reason: string };

const fail = (code: IdentifierErrorCode, reason: string): IdentifierValidation => ({ ok: false, code, reason });

/** Trims surrounding whitespace and upper-cases (so a lowercase `x` check char is accepted). */
function normalizeInput(input: string): string {
  return input.trim().toUpperCase();
}

// ---------------------------------------------------------------------------------------------
// Resident ID number — GB 11643-1999 (SPEC §7)
// ---------------------------------------------------------------------------------------------

/**
 * GB 11643-1999 §5: 18 characters =
 *   6-digit address code (GB/T 2260 region of household registration)
 *   8-digit birth date YYYYMMDD
 *   3-digit sequence (odd = male, even = female)
 *   1 check character (ISO 7064:1983 MOD 11-2).
 */
export const ID_NUMBER_LENGTH = 18;

/** ISO 7064 MOD 11-2 weights for positions 1..17: Wi = 2^(18-i) mod 11. */
export const ID_NUMBER_WEIGHTS: readonly number[] = Object.freeze([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]);

/** Check character for (sum of digit × weight) mod 11 = 0..10. */
const ID_CHECK_CHARS = '10X98765432';

/** Earliest birth year accepted (policy; the standard's own 1880 example is therefore rejected). */
export const ID_NUMBER_MIN_BIRTH_YEAR = 1900;

/**
 * Address-code prefixes accepted besides GB/T 2260 province codes: residence permits for Hong Kong,
 * Macau and Taiwan residents (港澳台居民居住证, 2018) carry 公民身份号码-format numbers with address
 * codes 810000, 820000 and 830000. 81 and 82 are GB/T 2260 codes already; 83 is not.
 */
const RESIDENCE_PERMIT_PREFIXES: readonly string[] = ['81', '82', '83'];

/** The MOD 11-2 check character for the first 17 digits of an ID number. Throws RangeError. */
export function idNumberCheckChar(first17: string): string {
  if (typeof first17 !== 'string' || !/^\d{17}$/.test(first17)) {
    throw new RangeError(`an ID number body must be 17 digits, got ${JSON.stringify(first17)}`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_NUMBER_WEIGHTS[i];
  return ID_CHECK_CHARS[sum % 11];
}

export interface IdNumberOptions {
  /**
   * The current China-local date (SPEC §8): a `Date` (read as Asia/Shanghai, UTC+8, no DST) or a
   * `YYYY-MM-DD` / `YYYYMMDD` string. When given, a birth date after it is rejected. When omitted,
   * the future-date rule is not applied (this module never reads a clock).
   */
  readonly today?: Date | string;
  /** Require the address code to start with a known province (default true). */
  readonly checkRegion?: boolean;
}

/** China-local calendar date as YYYYMMDD. Asia/Shanghai has been UTC+8 without DST since 1991. */
function chinaDateKey(today: Date | string): string {
  if (typeof today === 'string') {
    const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(today.trim());
    if (!m) throw new RangeError(`today must be YYYY-MM-DD, got ${JSON.stringify(today)}`);
    return m[1] + m[2] + m[3];
  }
  const t = today.getTime();
  if (!Number.isFinite(t)) throw new RangeError('today is an invalid Date');
  const shifted = new Date(t + 8 * 3_600_000);
  const y = shifted.getUTCFullYear();
  const mo = shifted.getUTCMonth() + 1;
  const d = shifted.getUTCDate();
  return String(y).padStart(4, '0') + String(mo).padStart(2, '0') + String(d).padStart(2, '0');
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

/** Why an 8-digit YYYYMMDD is not an acceptable birth date, or null when it is. */
function birthDateProblem(yyyymmdd: string, today?: Date | string): string | null {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < ID_NUMBER_MIN_BIRTH_YEAR) return `birth year ${y} is before ${ID_NUMBER_MIN_BIRTH_YEAR}`;
  if (m < 1 || m > 12) return `birth month ${yyyymmdd.slice(4, 6)} does not exist`;
  if (d < 1 || d > daysInMonth(y, m)) return `birth date ${yyyymmdd} does not exist`;
  if (today !== undefined && yyyymmdd > chinaDateKey(today)) return `birth date ${yyyymmdd} is in the future`;
  return null;
}

/**
 * Validates a resident ID number (GB 11643-1999, SPEC §7). Accepts surrounding whitespace and a
 * lowercase `x`; `normalized` is the trimmed, upper-cased number. Rules, in order:
 *   length 18 (15-digit first-generation numbers are refused: ask for the 18-digit number);
 *   17 digits + a digit or X;
 *   address code starts with a GB/T 2260 province (or 83, Taiwan residence permits) unless
 *     `checkRegion: false`;
 *   birth date is a real date, year ≥ 1900, not after `today` when given;
 *   check character per ISO 7064 MOD 11-2.
 * The second argument may be the `today` value itself or an options object.
 */
export function validateIdNumber(input: unknown, options?: IdNumberOptions | Date | string): IdentifierValidation {
  const opts: IdNumberOptions = options instanceof Date || typeof options === 'string' ? { today: options } : (options ?? {});
  if (typeof input !== 'string') return fail('NOT_A_STRING', 'the ID number must be a string');
  const id = normalizeInput(input);
  if (id.length !== ID_NUMBER_LENGTH) {
    const hint = /^\d{15}$/.test(id) ? ' (15-digit first-generation numbers are not accepted)' : '';
    return fail('LENGTH', `an ID number has 18 characters, got ${id.length}${hint}`);
  }
  if (!/^\d{17}[\dX]$/.test(id)) {
    return fail('FORMAT', 'an ID number is 17 digits followed by a digit or X');
  }
  if (opts.checkRegion !== false) {
    const p = id.slice(0, 2);
    if (!isProvinceCode(p) && !RESIDENCE_PERMIT_PREFIXES.includes(p)) {
      return fail('REGION', `address code ${id.slice(0, 6)} does not start with a GB/T 2260 province code`);
    }
  }
  const dateProblem = birthDateProblem(id.slice(6, 14), opts.today);
  if (dateProblem) return fail('BIRTH_DATE', dateProblem);
  const expected = idNumberCheckChar(id.slice(0, 17));
  if (id[17] !== expected) {
    return fail('CHECK_CHAR', `check character ${id[17]} is wrong (MOD 11-2 gives ${expected})`);
  }
  return { ok: true, normalized: id };
}

/** Boolean form of `validateIdNumber`. */
export function isValidIdNumber(input: unknown, options?: IdNumberOptions | Date | string): boolean {
  return validateIdNumber(input, options).ok;
}

/** The normalized ID number, or null when invalid. */
export function normalizeIdNumber(input: unknown, options?: IdNumberOptions | Date | string): string | null {
  const r = validateIdNumber(input, options);
  return r.ok ? r.normalized : null;
}

/**
 * Builds an ID number from its fields and appends the MOD 11-2 check character (tests, demo data).
 * Only the shape is checked (6, 8 and 3 digits; `seq3` may be a number 0..999), not the calendar or
 * region, so tests can also build well-checksummed numbers with impossible dates.
 */
export function makeIdNumber(region6: string, birthYYYYMMDD: string, seq3: string | number): string {
  const seq = typeof seq3 === 'number' ? String(seq3).padStart(3, '0') : seq3;
  if (!/^\d{6}$/.test(region6)) throw new RangeError(`region code must be 6 digits, got ${JSON.stringify(region6)}`);
  if (!/^\d{8}$/.test(birthYYYYMMDD)) {
    throw new RangeError(`birth date must be 8 digits YYYYMMDD, got ${JSON.stringify(birthYYYYMMDD)}`);
  }
  if (!/^\d{3}$/.test(seq)) throw new RangeError(`sequence must be 3 digits (0..999), got ${JSON.stringify(seq3)}`);
  const body = region6 + birthYYYYMMDD + seq;
  return body + idNumberCheckChar(body);
}

/** GB 11643-1999: the sequence's last digit (position 17) is odd for men, even for women. */
export function sexFromIdNumber(input: unknown): 'M' | 'F' | null {
  const r = validateIdNumber(input);
  if (!r.ok) return null;
  return Number(r.normalized[16]) % 2 === 1 ? 'M' : 'F';
}

/** The birth date (positions 7–14) as `YYYY-MM-DD`, or null when the number is invalid. */
export function birthDateFromIdNumber(input: unknown): string | null {
  const r = validateIdNumber(input);
  if (!r.ok) return null;
  const d = r.normalized.slice(6, 14);
  return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
}

// ---------------------------------------------------------------------------------------------
// Unified social credit code — GB 32100-2015 (SPEC §2 step 1, §7)
// ---------------------------------------------------------------------------------------------

/**
 * GB 32100-2015 §4: 18 characters from 31 symbols (digits and upper-case letters without I, O, Z,
 * S, V). The index of a symbol in this string is its value in the check computation.
 */
export const CREDIT_CODE_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

export const CREDIT_CODE_LENGTH = 18;

/** GB 32100-2015 weights for positions 1..17: Wi = 3^(i-1) mod 31. */
export const CREDIT_CODE_WEIGHTS: readonly number[] = Object.freeze([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]);

const CREDIT_VALUE: ReadonlyMap<string, number> = new Map([...CREDIT_CODE_CHARSET].map((c, i) => [c, i]));

/**
 * GB 32100-2015 structure:
 *   pos 1     登记管理部门码 registration authority (e.g. 1 机构编制, 5 民政, 9 市场监管/工商, Y 其他)
 *   pos 2     机构类别码 organisation type within that authority
 *   pos 3–8   登记管理机关行政区划码 region code (GB/T 2260 digits; central bodies use 100000)
 *   pos 9–17  主体标识码 organisation code (GB 11714)
 *   pos 18    check character.
 * Positions 1 and 2 are only checked against the charset: the authority tables have grown since
 * 2015 and are not this system's business to police.
 */
const CREDIT_CODE_SHAPE = new RegExp(`^[${CREDIT_CODE_CHARSET}]{2}\\d{6}[${CREDIT_CODE_CHARSET}]{10}$`);

/**
 * GB 32100-2015 check character for the first 17 characters:
 * C18 = 31 − (Σ Ci×Wi mod 31), with 31 written as `0`. Throws RangeError on malformed input.
 */
export function creditCodeCheckChar(first17: string): string {
  if (typeof first17 !== 'string' || first17.length !== 17) {
    throw new RangeError(`a credit code body must be 17 characters, got ${JSON.stringify(first17)}`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_VALUE.get(first17[i]);
    if (v === undefined) {
      throw new RangeError(`character ${JSON.stringify(first17[i])} at position ${i + 1} is not in the GB 32100 charset`);
    }
    sum += v * CREDIT_CODE_WEIGHTS[i];
  }
  const c = 31 - (sum % 31);
  return CREDIT_CODE_CHARSET[c === 31 ? 0 : c];
}

/**
 * Validates a unified social credit code (GB 32100-2015, SPEC §7). Accepts surrounding whitespace
 * and lowercase letters; `normalized` is trimmed and upper-cased. Rules, in order: length 18; every
 * character from the 31-symbol charset (no I, O, Z, S, V); positions 3–8 digits; check character.
 */
export function validateCreditCode(input: unknown): IdentifierValidation {
  if (typeof input !== 'string') return fail('NOT_A_STRING', 'the credit code must be a string');
  const code = normalizeInput(input);
  if (code.length !== CREDIT_CODE_LENGTH) {
    return fail('LENGTH', `a unified social credit code has 18 characters, got ${code.length}`);
  }
  for (let i = 0; i < code.length; i++) {
    if (!CREDIT_VALUE.has(code[i])) {
      return fail('FORMAT', `character ${JSON.stringify(code[i])} at position ${i + 1} is not allowed (digits and letters except I, O, Z, S, V)`);
    }
  }
  if (!CREDIT_CODE_SHAPE.test(code)) {
    return fail('FORMAT', 'positions 3–8 of a credit code are the region code and must be digits');
  }
  const expected = creditCodeCheckChar(code.slice(0, 17));
  if (code[17] !== expected) {
    return fail('CHECK_CHAR', `check character ${code[17]} is wrong (GB 32100 gives ${expected})`);
  }
  return { ok: true, normalized: code };
}

/** Boolean form of `validateCreditCode`. */
export function isValidCreditCode(input: unknown): boolean {
  return validateCreditCode(input).ok;
}

/** The normalized credit code, or null when invalid. */
export function normalizeCreditCode(input: unknown): string | null {
  const r = validateCreditCode(input);
  return r.ok ? r.normalized : null;
}

/**
 * Appends the GB 32100 check character to 17 characters (tests, demo data). Throws RangeError when
 * the body has the wrong length or shape (charset, digits in positions 3–8).
 */
export function makeCreditCode(first17: string): string {
  const body = typeof first17 === 'string' ? first17.toUpperCase() : first17;
  const check = creditCodeCheckChar(body);
  const code = body + check;
  if (!CREDIT_CODE_SHAPE.test(code)) {
    throw new RangeError(`positions 3–8 of a credit code must be digits, got ${JSON.stringify(first17)}`);
  }
  return code;
}

// ---------------------------------------------------------------------------------------------
// Masking (SPEC §7: ID numbers are shown masked to anyone but the owner's institution and the
// reviewing department; the public certificate query shows a masked holder, API.md)
// ---------------------------------------------------------------------------------------------

/** Keeps `head` leading and `tail` trailing code points, replacing the rest with `*` (same length). */
function maskMiddle(chars: string[], head: number, tail: number): string {
  if (chars.length <= head + tail) return '*'.repeat(chars.length);
  return chars.slice(0, head).join('') + '*'.repeat(chars.length - head - tail) + chars.slice(chars.length - tail).join('');
}

/**
 * Masks an ID-like string, keeping the first 3 and the last 4 characters: `220***********001X`. This
 * hides the prefecture/county and the whole birth date while still letting a person recognise their
 * own number. Strings shorter than 8 keep only the last 2; 2 characters or fewer become all stars.
 * A lowercase x is shown upper-cased.
 */
export function maskIdNumber(input: string): string {
  const chars = Array.from(normalizeInput(input));
  if (chars.length >= 8) return maskMiddle(chars, 3, 4);
  if (chars.length > 2) return maskMiddle(chars, 0, 2);
  return '*'.repeat(chars.length);
}

/**
 * Masks a phone number: an 11-digit mobile becomes `138****5678`; generally the first 3 and last 4
 * characters stay when the number has 8 or more characters, else only the last 2 (2 or fewer: all
 * stars). Spaces and dashes inside are dropped first.
 */
export function maskPhone(input: string): string {
  const chars = Array.from(input.trim().replace(/[\s-]/g, ''));
  if (chars.length >= 8) return maskMiddle(chars, 3, 4);
  if (chars.length > 2) return maskMiddle(chars, 0, 2);
  return '*'.repeat(chars.length);
}

/**
 * Masks an e-mail address: the first character of the mailbox and the whole domain stay, so its
 * owner recognises it (`l***@example.com`); anything that is not `local@domain` becomes all stars.
 */
export function maskEmail(input: string): string {
  const at = input.lastIndexOf('@');
  if (at < 1) return '*'.repeat(Math.min(Array.from(input).length, 8));
  return `${Array.from(input)[0]}***${input.slice(at)}`;
}

/**
 * Masks a personal name for the public certificate query: 2 characters → `张*`; 3 or more keep the
 * first and last (`张*明`, `欧**锋`); 1 character → `*`. Works on code points, so rare characters
 * outside the BMP count as one.
 */
export function maskName(input: string): string {
  const chars = Array.from(input.trim());
  if (chars.length <= 1) return '*'.repeat(chars.length);
  if (chars.length === 2) return chars[0] + '*';
  return maskMiddle(chars, 1, 1);
}
