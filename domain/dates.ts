/**
 * Plain date arithmetic on local China dates ('YYYY-MM-DD', Asia/Shanghai = UTC+08:00, no DST).
 * Pure and data-free, so workflow code may use it: it knows nothing of holidays (that is
 * domain/calendar.ts, which only activities and the API call; SPEC §6).
 */
// ---------------------------------------------------------------------------------------------
// Plain date arithmetic on 'YYYY-MM-DD' (proleptic Gregorian, years 0000–9999)
// ---------------------------------------------------------------------------------------------

export const DAY_MS = 86_400_000;
/** Asia/Shanghai: UTC+08:00, no daylight saving. */
export const CHINA_OFFSET_MS = 8 * 3_600_000;
const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

export const daysInMonth = (y: number, m: number): number => (m === 2 ? (isLeapYear(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);

export const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Strict check: exactly 'YYYY-MM-DD' and a date that exists (no 2026-02-29, no 2026-13-01). */
export function isValidIsoDate(s: string): boolean {
  if (typeof s !== 'string') return false;
  const m = ISO_DATE_RE.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

export type Ymd = { y: number; m: number; d: number };

export function parseDate(s: string, what = 'date'): Ymd {
  if (!isValidIsoDate(s)) throw new RangeError(`Invalid ${what} ${JSON.stringify(s)}: expected a real date as YYYY-MM-DD`);
  return { y: Number(s.slice(0, 4)), m: Number(s.slice(5, 7)), d: Number(s.slice(8, 10)) };
}

/** Days since 1970-01-01 (can be negative). setUTCFullYear avoids Date.UTC's 0–99 → 19xx mapping. */
export function dayNumberOf({ y, m, d }: Ymd): number {
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return Math.round(t.getTime() / DAY_MS);
}

export function dateOfDayNumber(n: number): string {
  const t = new Date(n * DAY_MS);
  const y = t.getUTCFullYear();
  if (!Number.isFinite(y) || y < 0 || y > 9999) {
    throw new RangeError(`Date out of range: only years 0000–9999 can be written as YYYY-MM-DD`);
  }
  return `${pad(y, 4)}-${pad(t.getUTCMonth() + 1, 2)}-${pad(t.getUTCDate(), 2)}`;
}

export const dayNumber = (s: string, what?: string): number => dayNumberOf(parseDate(s, what));

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export const weekdayOfDayNumber = (n: number): number => (((n + 4) % 7) + 7) % 7;

export function requireInteger(n: number, what: string): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} must be an integer, got ${String(n)}`);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: string): number {
  return weekdayOfDayNumber(dayNumber(date));
}

export function isWeekend(date: string): boolean {
  const w = dayOfWeek(date);
  return w === 0 || w === 6;
}

/** `date` plus `n` calendar days (n may be negative). */
export function addCalendarDays(date: string, n: number): string {
  requireInteger(n, 'n');
  return dateOfDayNumber(dayNumber(date) + n);
}

/** `date` plus `n` months (n may be negative), clamped to the end of a shorter month:
 * 2026-11-30 + 3 months = 2027-02-28; 2024-01-31 + 1 month = 2024-02-29. */
export function addMonths(date: string, n: number): string {
  requireInteger(n, 'n');
  const { y, m, d } = parseDate(date);
  const total = y * 12 + (m - 1) + n;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  if (ny < 0 || ny > 9999) throw new RangeError(`Date out of range: ${date} + ${n} months`);
  return `${pad(ny, 4)}-${pad(nm, 2)}-${pad(Math.min(d, daysInMonth(ny, nm)), 2)}`;
}

/** `date` plus `n` years; 29 February becomes 28 February in a common year. */
export function addYears(date: string, n: number): string {
  requireInteger(n, 'n');
  return addMonths(date, n * 12);
}

/** The local China date (Asia/Shanghai, fixed UTC+08:00) of an instant given in epoch millis. */
export function chinaDateOf(epochMs: number): string {
  if (typeof epochMs !== 'number' || !Number.isFinite(epochMs)) {
    throw new RangeError(`Invalid instant ${String(epochMs)}: expected finite epoch milliseconds`);
  }
  return dateOfDayNumber(Math.floor((epochMs + CHINA_OFFSET_MS) / DAY_MS));
}

/** Epoch millis of the last millisecond (23:59:59.999 +08:00) of the local China day `date`. */
export function endOfDayMs(date: string): number {
  return (dayNumber(date) + 1) * DAY_MS - CHINA_OFFSET_MS - 1;
}

/** ISO instant with the +08:00 offset at which the local China day `date` ends. */
export function endOfDayIso(date: string): string {
  parseDate(date);
  return `${date}T23:59:59.999+08:00`;
}

/** An instant as ISO-8601 with the China offset, e.g. 2026-10-10T09:30:00.000+08:00. */
export function isoChina(epochMs: number): string {
  const local = new Date(epochMs + CHINA_OFFSET_MS).toISOString();
  return `${local.slice(0, 23)}+08:00`;
}

/** Epoch millis of the first millisecond (00:00 +08:00) of the local China day `date`. */
export function startOfDayMs(date: string): number {
  return dayNumber(date) * DAY_MS - CHINA_OFFSET_MS;
}

/**
 * Does loading the official calendar of `years` change a span of working days from `fromDate` to
 * `toDate`? Only when one of those years lies between their years (SPEC §6: a due date computed
 * from an estimated year is computed again when that year's official calendar is loaded).
 */
export function yearsTouchSpan(years: number[], fromDate: string, toDate: string): boolean {
  return years.some((y) => y >= Number(fromDate.slice(0, 4)) && y <= Number(toDate.slice(0, 4)));
}
