/**
 * Vocational skill level certificate code (职业技能等级证书编码), SPEC §4 and seed 001 附件5.
 *
 * Default (national practice) = 1 letter + 21 digits = 22 characters:
 *
 * | positions | field          | meaning                                                           |
 * |-----------|----------------|-------------------------------------------------------------------|
 * | 1         | kind           | Y employer (用人单位), S social training & evaluation organisation  |
 * | 2–5       | route          | filing route; `0000` = filed with a provincial HR department      |
 * | 6–7       | province       | GB/T 2260 province code of the institution (14 Shanxi, 22 Jilin)  |
 * | 8–13      | institution    | institution sequence, assigned by the province at filing          |
 * | 14–15     | year           | issue year, last two digits                                       |
 * | 16        | level          | 5 初级工, 4 中级工, 3 高级工, 2 技师, 1 高级技师                  |
 * | 17–22     | serial         | 000001–999999, consecutive per institution, per year, per level   |
 *
 * Seed 001 (忻人社发〔2020〕14号 附件5) says "1 letter and 21 digits" but its table ends at position 21
 * and its sample `Y00001400000119300001` has a 5-digit serial (21 characters): the seed lost a
 * digit. Field widths therefore live in ONE place, a `CertificateLayout`; the seed's layout differs
 * from the default only in the serial width, and which layout new certificates get is the one-line
 * policy `ISSUING_LAYOUT`. The parser recognises every layout in `KNOWN_LAYOUTS` (by length).
 *
 * Serials are consecutive and never reused: serial 0 and serials beyond `maxSerial(layout)` are
 * errors (RangeError; overflow carries code `SERIAL_EXHAUSTED`), never a wrap-around (SPEC §4).
 * Certificates do not expire.
 *
 * Pure functions: no Node, clock or I/O (workflow code may import this).
 */
import { isMainlandProvinceCode } from './regions';
import { LEVEL_LABELS } from './labels';

// ---------------------------------------------------------------------------------------------
// Layouts
// ---------------------------------------------------------------------------------------------

/** The fields of a certificate code, in the order they appear. */
export const CERTIFICATE_FIELDS = ['kind', 'route', 'province', 'institution', 'year', 'level', 'serial'] as const;
export type CertificateField = (typeof CERTIFICATE_FIELDS)[number];

export interface CertificateLayout {
  /** Stable identifier, e.g. stored with a policy. */
  readonly id: string;
  readonly description: string;
  /** Width in characters of each field; the code's length is their sum. */
  readonly widths: Readonly<Record<CertificateField, number>>;
}

/** SPEC §4 default: 1 letter + 21 digits = 22 characters, 6-digit serial (national practice). */
export const DEFAULT_LAYOUT: CertificateLayout = Object.freeze({
  id: 'national-22',
  description: '1 letter + 21 digits (22 characters), 6-digit serial 000001–999999',
  widths: Object.freeze({ kind: 1, route: 4, province: 2, institution: 6, year: 2, level: 1, serial: 6 }),
});

/** Seed 001 (Shanxi/Xinzhou 2020) as printed: 21 characters, 5-digit serial 00001–99999. */
export const SHANXI_2020_LAYOUT: CertificateLayout = Object.freeze({
  id: 'shanxi-2020-21',
  description: 'seed 001 附件5 as printed: 21 characters, 5-digit serial 00001–99999',
  widths: Object.freeze({ ...DEFAULT_LAYOUT.widths, serial: 5 }),
});

/** POLICY: the layout given to newly issued certificates. Switch to SHANXI_2020_LAYOUT here. */
export const ISSUING_LAYOUT: CertificateLayout = DEFAULT_LAYOUT;

/** Layouts the parser recognises, tried in this order (they are told apart by length). */
export const KNOWN_LAYOUTS: readonly CertificateLayout[] = Object.freeze([DEFAULT_LAYOUT, SHANXI_2020_LAYOUT]);

/** Total length of a code in this layout. */
export function layoutLength(layout: CertificateLayout): number {
  return CERTIFICATE_FIELDS.reduce((n, f) => n + layout.widths[f], 0);
}

/** Largest serial the layout can carry: 999999 for 6 digits, 99999 for 5. */
export function maxSerial(layout: CertificateLayout = ISSUING_LAYOUT): number {
  return 10 ** layout.widths.serial - 1;
}

// ---------------------------------------------------------------------------------------------
// Parts and errors
// ---------------------------------------------------------------------------------------------

/** Y = employer (用人单位), S = social training & evaluation organisation (SPEC §1, §4 pos 1). */
export type InstitutionKind = 'Y' | 'S';
/** National levels (SPEC §5): 5 初级工, 4 中级工, 3 高级工, 2 技师, 1 高级技师. */
export type CertificateLevel = 1 | 2 | 3 | 4 | 5;

/** The level names are the one vocabulary's (domain/labels.ts). */
export const CERTIFICATE_LEVEL_NAMES: Readonly<Record<CertificateLevel, string>> = LEVEL_LABELS;

/** The filing route of institutions filed with a provincial HR department (SPEC §4 pos 2–5). */
export const PROVINCIAL_ROUTE = '0000';

export interface CertificateCodeParts {
  readonly kind: InstitutionKind;
  /** 4 digits; `0000` (default) = filed with a provincial HR department, else ministry-assigned. */
  readonly route?: string;
  /** 2-digit GB/T 2260 mainland province code. */
  readonly province: string;
  /** Institution sequence assigned at filing, 1..999999 (6 digits in the code). */
  readonly institutionSequence: number;
  /** Full issue year, 2000..2099 (the code keeps its last two digits). */
  readonly issueYear: number;
  readonly level: CertificateLevel;
  /** 1..maxSerial(layout). */
  readonly serial: number;
}

/** Parts as read back from a code: `route` is always present. */
export interface ParsedCertificateParts extends CertificateCodeParts {
  readonly route: string;
}

export type CertificateCodeErrorCode = 'INVALID_PART' | 'SERIAL_OUT_OF_RANGE' | 'SERIAL_EXHAUSTED' | 'INVALID_CODE';

/** A RangeError with a stable machine-readable code (SERIAL_EXHAUSTED: a year/level ran out). */
export class CertificateCodeError extends RangeError {
  override name = 'CertificateCodeError';
  constructor(
    readonly code: CertificateCodeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const LEVELS: readonly number[] = [1, 2, 3, 4, 5];

/**
 * Checks a serial against the layout: 0 (or a non-integer) → SERIAL_OUT_OF_RANGE, above
 * maxSerial → SERIAL_EXHAUSTED. Both are RangeErrors; never wraps.
 */
export function assertSerial(serial: number, layout: CertificateLayout = ISSUING_LAYOUT): void {
  const max = maxSerial(layout);
  if (!Number.isSafeInteger(serial) || serial < 1) {
    throw new CertificateCodeError('SERIAL_OUT_OF_RANGE', `certificate serial must be an integer from 1 to ${max}, got ${serial}`);
  }
  if (serial > max) {
    throw new CertificateCodeError(
      'SERIAL_EXHAUSTED',
      `certificate serial ${serial} exceeds the maximum ${max} of layout ${layout.id}: serials for this institution, year and level are exhausted (serials never wrap)`,
    );
  }
}

/**
 * The serial after `lastIssued` (0 when none was issued yet in this institution/year/level).
 * Throws SERIAL_EXHAUSTED when `lastIssued` already is the maximum.
 */
export function nextSerial(lastIssued: number, layout: CertificateLayout = ISSUING_LAYOUT): number {
  if (!Number.isSafeInteger(lastIssued) || lastIssued < 0) {
    throw new CertificateCodeError('SERIAL_OUT_OF_RANGE', `last issued serial must be an integer ≥ 0, got ${lastIssued}`);
  }
  const next = lastIssued + 1;
  assertSerial(next, layout);
  return next;
}

/** Institution sequence as the 6-digit string positions 8–13 carry (1..999999). Throws RangeError. */
export function formatInstitutionSequence(n: number, layout: CertificateLayout = ISSUING_LAYOUT): string {
  const width = layout.widths.institution;
  const max = 10 ** width - 1;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new CertificateCodeError('INVALID_PART', `institution sequence must be an integer from 1 to ${max}, got ${n}`);
  }
  return String(n).padStart(width, '0');
}

// ---------------------------------------------------------------------------------------------
// Build
// ---------------------------------------------------------------------------------------------

const digits = (width: number) => new RegExp(`^\\d{${width}}$`);

/**
 * Builds a certificate code from its parts in `layout` (default ISSUING_LAYOUT, 22 characters).
 * Throws CertificateCodeError (a RangeError): INVALID_PART for a bad field, SERIAL_OUT_OF_RANGE for
 * serial < 1, SERIAL_EXHAUSTED for serial > maxSerial(layout).
 */
export function buildCertificateCode(parts: CertificateCodeParts, layout: CertificateLayout = ISSUING_LAYOUT): string {
  const w = layout.widths;
  const bad = (msg: string) => new CertificateCodeError('INVALID_PART', msg);
  if (parts.kind !== 'Y' && parts.kind !== 'S') throw bad(`kind must be Y or S, got ${JSON.stringify(parts.kind)}`);
  const route = parts.route ?? PROVINCIAL_ROUTE;
  if (!digits(w.route).test(route)) throw bad(`route must be ${w.route} digits, got ${JSON.stringify(route)}`);
  if (!digits(w.province).test(parts.province) || !isMainlandProvinceCode(parts.province)) {
    throw bad(`province must be a mainland GB/T 2260 province code, got ${JSON.stringify(parts.province)}`);
  }
  const institution = formatInstitutionSequence(parts.institutionSequence, layout);
  if (!Number.isSafeInteger(parts.issueYear) || parts.issueYear < 2000 || parts.issueYear > 2099) {
    throw bad(`issue year must be a full year from 2000 to 2099, got ${parts.issueYear}`);
  }
  if (!LEVELS.includes(parts.level)) throw bad(`level must be 1..5, got ${parts.level}`);
  assertSerial(parts.serial, layout);
  const code =
    parts.kind +
    route +
    parts.province +
    institution +
    String(parts.issueYear % 100).padStart(w.year, '0') +
    String(parts.level) +
    String(parts.serial).padStart(w.serial, '0');
  if (code.length !== layoutLength(layout)) {
    throw bad(`layout ${layout.id} does not fit the fields (built ${code.length} characters)`);
  }
  return code;
}

// ---------------------------------------------------------------------------------------------
// Parse
// ---------------------------------------------------------------------------------------------

export interface ParsedCertificateCode {
  /** The trimmed, upper-cased code. */
  readonly code: string;
  readonly layout: CertificateLayout;
  readonly parts: ParsedCertificateParts;
}

export type CertificateCodeValidation = ({ readonly ok: true } & ParsedCertificateCode) | { readonly ok: false; readonly errors: readonly string[] };

/** Splits `code` by the layout's widths (caller has checked the length). */
function slice(code: string, layout: CertificateLayout): Record<CertificateField, string> {
  const out = {} as Record<CertificateField, string>;
  let at = 0;
  for (const f of CERTIFICATE_FIELDS) {
    out[f] = code.slice(at, at + layout.widths[f]);
    at += layout.widths[f];
  }
  return out;
}

function parseIn(code: string, layout: CertificateLayout): CertificateCodeValidation {
  const f = slice(code, layout);
  const errors: string[] = [];
  if (f.kind !== 'Y' && f.kind !== 'S') errors.push(`position 1 must be Y or S, got ${JSON.stringify(f.kind)}`);
  if (!digits(layout.widths.route).test(f.route)) errors.push(`filing route ${JSON.stringify(f.route)} must be digits`);
  if (!isMainlandProvinceCode(f.province)) {
    errors.push(`province ${JSON.stringify(f.province)} is not a mainland GB/T 2260 province code`);
  }
  if (!digits(layout.widths.institution).test(f.institution) || Number(f.institution) === 0) {
    errors.push(`institution sequence ${JSON.stringify(f.institution)} must be digits from 1 up`);
  }
  if (!digits(layout.widths.year).test(f.year)) errors.push(`issue year ${JSON.stringify(f.year)} must be digits`);
  if (!/^[1-5]$/.test(f.level)) errors.push(`level ${JSON.stringify(f.level)} must be 1..5`);
  if (!digits(layout.widths.serial).test(f.serial) || Number(f.serial) === 0) {
    errors.push(`serial ${JSON.stringify(f.serial)} must be digits from 1 up`);
  }
  if (errors.length > 0) return { ok: false, errors: errors.map((e) => `${layout.id}: ${e}`) };
  return {
    ok: true,
    code,
    layout,
    parts: {
      kind: f.kind as InstitutionKind,
      route: f.route,
      province: f.province,
      institutionSequence: Number(f.institution),
      issueYear: 2000 + Number(f.year),
      level: Number(f.level) as CertificateLevel,
      serial: Number(f.serial),
    },
  };
}

/**
 * Parses and checks a code against every layout in `layouts` (default KNOWN_LAYOUTS: the 22- and the
 * 21-character layouts). Accepts surrounding whitespace and a lowercase letter. Returns the parts
 * and the layout that matched, or every error found.
 */
export function validateCertificateCode(input: unknown, layouts: readonly CertificateLayout[] = KNOWN_LAYOUTS): CertificateCodeValidation {
  if (typeof input !== 'string') return { ok: false, errors: ['a certificate code must be a string'] };
  const code = input.trim().toUpperCase();
  const candidates = layouts.filter((l) => layoutLength(l) === code.length);
  if (candidates.length === 0) {
    const lengths = [...new Set(layouts.map(layoutLength))].join(' or ');
    return { ok: false, errors: [`a certificate code has ${lengths} characters, got ${code.length}`] };
  }
  const errors: string[] = [];
  for (const layout of candidates) {
    const r = parseIn(code, layout);
    if (r.ok) return r;
    errors.push(...r.errors);
  }
  return { ok: false, errors };
}

/** Alias of `validateCertificateCode`: the result object with parts or errors. */
export const parse = validateCertificateCode;

/** The parsed code (parts + layout), or null when it is not a valid code in any known layout. */
export function parseCertificateCode(input: unknown, layouts: readonly CertificateLayout[] = KNOWN_LAYOUTS): ParsedCertificateCode | null {
  const r = validateCertificateCode(input, layouts);
  return r.ok ? { code: r.code, layout: r.layout, parts: r.parts } : null;
}

/** Like `parseCertificateCode` but throws CertificateCodeError `INVALID_CODE` listing the errors. */
export function parseCertificateCodeOrThrow(input: unknown, layouts: readonly CertificateLayout[] = KNOWN_LAYOUTS): ParsedCertificateCode {
  const r = validateCertificateCode(input, layouts);
  if (!r.ok) throw new CertificateCodeError('INVALID_CODE', `invalid certificate code: ${r.errors.join('; ')}`);
  return { code: r.code, layout: r.layout, parts: r.parts };
}

/** True when the code is valid in one of `layouts` (default: both known layouts). */
export function isValidCertificateCode(input: unknown, layouts: readonly CertificateLayout[] = KNOWN_LAYOUTS): boolean {
  return validateCertificateCode(input, layouts).ok;
}
