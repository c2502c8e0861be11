/**
 * China working-day calendar (工作日历): pure, deterministic date arithmetic for deadlines such as
 * "within N working days" (SPEC §6).
 *
 * - Every date is a local China date (Asia/Shanghai) written 'YYYY-MM-DD' (SPEC §6). China has used a
 *   fixed UTC+08:00 offset without daylight saving since 1992, so converting an instant to a local
 *   date is plain arithmetic here and never depends on the process time zone.
 * - A working day (工作日) is a Monday–Friday that is not a statutory holiday, or a weekend day the
 *   State Council has declared a make-up working day (调休上班).
 * - The data changes every year (the State Council publishes the next year's arrangement each
 *   November), so workflow code must not compute this itself: it asks an activity, which builds a
 *   calendar from the data loaded at that time, and records the answer in history (SPEC §8).
 *
 * Data sources, in priority order for each year:
 *   1. a year loaded by an admin (`YearCalendar` passed to the constructor or to `withYear`): official;
 *   2. a year whose complete arrangement ships with the `chinese-days` package (2004–2026 in
 *      v1.5.7; a year counts only if the package lists both its New Year's Day and National Day
 *      holidays, so a stray entry spilling over from a neighbouring year never makes it official): official;
 *   3. otherwise an estimate: weekends plus the statutory holidays of 《全国年节及纪念日放假办法》
 *      (as amended 2024, in force from 2025), computed with chinese-days' lunar calendar and solar
 *      terms, with no make-up days (and no 补假 for holidays falling on weekends): estimated.
 *      Estimates are possible for 1901–2099 only (the range of the package's lunar table and of its
 *      solar-term formula); other years throw a RangeError unless an admin loads them.
 */
import { getLunarDate, getSolarDateFromLunar, getSolarTermDate } from 'chinese-days';
import chineseDaysJson from 'chinese-days/dist/chinese-days.json';
import {
  addCalendarDays,
  addMonths,
  addYears,
  chinaDateOf,
  dateOfDayNumber,
  dayNumber,
  dayNumberOf,
  dayOfWeek,
  endOfDayIso,
  endOfDayMs,
  isValidIsoDate,
  isWeekend,
  isLeapYear,
  pad,
  parseDate,
  requireInteger,
  weekdayOfDayNumber,
} from './dates';
export { addCalendarDays, addMonths, addYears, chinaDateOf, dayOfWeek, endOfDayIso, endOfDayMs, isValidIsoDate, isWeekend };

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** One year's official arrangement. `holidays` are days off (weekend days may be listed too);
 * `workdays` are the make-up working days (调休上班), which always fall on a Saturday or Sunday. */
export type YearCalendar = { year: number; holidays: string[]; workdays: string[] };

/** 'official' when the year's arrangement is published data (admin-loaded or shipped with
 * chinese-days), 'estimated' when it was derived from the holiday rules. */
export type Coverage = 'official' | 'estimated';

export type WorkingDayResult = { date: string; coverage: Coverage };

export type DueAt = {
  /** the local China date of the N-th working day */
  date: string;
  /** epoch milliseconds of the end of that day (23:59:59.999 +08:00) */
  dueAtMs: number;
  /** the same instant as ISO 8601 with the +08:00 offset */
  dueAt: string;
  coverage: Coverage;
};

// ---------------------------------------------------------------------------------------------
// Validation of admin-loaded years
// ---------------------------------------------------------------------------------------------

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Every problem with a year's lists; an empty array means the year can be loaded. */
export function validateYearCalendar(y: YearCalendar): string[] {
  const problems: string[] = [];
  if (y === null || typeof y !== 'object') return ['the year calendar must be an object'];
  const yearOk = Number.isSafeInteger(y.year) && y.year >= 0 && y.year <= 9999;
  if (!yearOk) problems.push(`year must be an integer from 0 to 9999, got ${String(y.year)}`);

  const lists: Array<['holidays' | 'workdays', unknown]> = [
    ['holidays', y.holidays],
    ['workdays', y.workdays],
  ];
  const valid: Record<'holidays' | 'workdays', Set<string>> = { holidays: new Set(), workdays: new Set() };
  for (const [name, list] of lists) {
    if (!Array.isArray(list)) {
      problems.push(`${name} must be an array of YYYY-MM-DD dates`);
      continue;
    }
    const seen = new Set<string>();
    for (const d of list as unknown[]) {
      if (typeof d !== 'string' || !isValidIsoDate(d)) {
        problems.push(`${name}: ${JSON.stringify(d)} is not a real date as YYYY-MM-DD`);
        continue;
      }
      if (seen.has(d)) {
        problems.push(`${name}: ${d} is listed more than once`);
        continue;
      }
      seen.add(d);
      if (yearOk && Number(d.slice(0, 4)) !== y.year) {
        problems.push(`${name}: ${d} is not in ${y.year}`);
        continue;
      }
      valid[name].add(d);
      if (name === 'workdays' && !isWeekend(d)) {
        problems.push(`workdays: ${d} is a ${WEEKDAY_NAMES[dayOfWeek(d)]}, not a weekend day, so it cannot be a make-up working day`);
      }
    }
  }
  for (const d of valid.holidays) {
    if (valid.workdays.has(d)) problems.push(`${d} is listed both as a holiday and as a make-up working day`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Data shipped with chinese-days
// ---------------------------------------------------------------------------------------------

/** The package's published data file (documented in its README as dist/chinese-days.json):
 * pure strings, so unlike the package's Date-based helpers it cannot depend on the process time zone. */
const PACKAGE_DATA = chineseDaysJson as unknown as {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
};

function groupByYear(dates: string[]): Map<number, string[]> {
  const byYear = new Map<number, string[]>();
  for (const d of dates) {
    if (!isValidIsoDate(d)) continue;
    const y = Number(d.slice(0, 4));
    const list = byYear.get(y) ?? [];
    list.push(d);
    byYear.set(y, list);
  }
  return byYear;
}

const PACKAGE_YEARS: ReadonlyMap<number, YearCalendar> = (() => {
  const holidays = groupByYear(Object.keys(PACKAGE_DATA.holidays ?? {}));
  const workdays = groupByYear(Object.keys(PACKAGE_DATA.workdays ?? {}));
  const years = new Map<number, YearCalendar>();
  for (const [year, list] of holidays) {
    const set = new Set(list);
    // A complete arrangement: both the first (New Year's Day) and the last (National Day)
    // statutory holidays of the year are listed.
    if (!set.has(`${pad(year, 4)}-01-01`) || !set.has(`${pad(year, 4)}-10-01`)) continue;
    years.set(year, { year, holidays: [...list].sort(), workdays: [...(workdays.get(year) ?? [])].sort() });
  }
  return years;
})();

/** The years whose official arrangement ships with chinese-days, ascending (2004–2026 in v1.5.7). */
export function packageOfficialYears(): number[] {
  return [...PACKAGE_YEARS.keys()].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------
// Estimated statutory holidays (《全国年节及纪念日放假办法》, as amended 2024, in force 2025)
// ---------------------------------------------------------------------------------------------

/** Years for which chinese-days' lunar table (1900–2100) and solar-term formula (20th/21st century
 * coefficients) both hold; the Spring Festival Eve of 1901 is the first date in lunar year 1900. */
export const ESTIMATE_MIN_YEAR = 1901;
export const ESTIMATE_MAX_YEAR = 2099;

function requireEstimableYear(year: number): void {
  requireInteger(year, 'year');
  if (year < ESTIMATE_MIN_YEAR || year > ESTIMATE_MAX_YEAR) {
    throw new RangeError(
      `No holiday data for ${year}: it is neither loaded by an admin nor shipped with chinese-days, and ` +
        `holidays can only be estimated for ${ESTIMATE_MIN_YEAR}–${ESTIMATE_MAX_YEAR} (the range of the ` +
        `lunar calendar and solar terms in chinese-days). Load the year's official calendar.`,
    );
  }
}

/** Solar date of a lunar date (non-leap month) via chinese-days, cross-checked by converting back. */
function solarOfLunar(lunarYear: number, lunarMonth: number, lunarDay: number): string {
  // A local-time Date is what getSolarDateFromLunar reads with local getters and what its local
  // day arithmetic starts from, so this works in any process time zone (a 'YYYY-MM-DD' string
  // would be parsed as UTC and read back as the previous day west of Greenwich).
  const { date } = getSolarDateFromLunar(new Date(lunarYear, lunarMonth - 1, lunarDay));
  // getLunarDate on a 'YYYY-MM-DD' string counts days from a fixed UTC base: time-zone independent.
  const back = isValidIsoDate(date) ? getLunarDate(date) : undefined;
  if (!back || back.lunarYear !== lunarYear || back.lunarMon !== lunarMonth || back.lunarDay !== lunarDay || back.isLeap) {
    throw new RangeError(`chinese-days cannot convert lunar ${lunarYear}-${lunarMonth}-${lunarDay} to a solar date (got ${date})`);
  }
  return date;
}

/** The day of the Qingming solar term (清明) in `year`, via chinese-days. */
function qingmingOf(year: number): string {
  const raw = getSolarTermDate(year, 4, 'pure_brightness');
  // getSolarTermDate builds the day at UTC midnight but formats it with local getters, so west of
  // Greenwich it reports the previous day. Undo that: `raw` is right iff formatting UTC midnight of
  // `raw` locally gives `raw` back; otherwise the true day is the next one.
  const { y, m, d } = parseDate(raw, 'solar term date');
  const local = new Date(Date.UTC(y, m - 1, d));
  const roundTrip = `${pad(local.getFullYear(), 4)}-${pad(local.getMonth() + 1, 2)}-${pad(local.getDate(), 2)}`;
  const date = roundTrip === raw ? raw : addCalendarDays(raw, 1);
  if (!date.startsWith(`${pad(year, 4)}-04-`)) throw new RangeError(`chinese-days gave no Qingming date for ${year}`);
  return date;
}

const estimateCache = new Map<number, readonly string[]>();

/**
 * The statutory public holidays (全体公民放假的节日) of `year` under the 2025 rules, sorted:
 * 元旦 1 Jan; 春节 Spring Festival Eve (the day before lunar 1/1) through lunar 1/3 (4 days);
 * 清明 the day of the Qingming solar term; 劳动节 1–2 May; 端午 lunar 5/5; 中秋 lunar 8/15;
 * 国庆 1–3 Oct. Days on which two festivals coincide appear once. This is the basis of an
 * ESTIMATE only: the real arrangement moves days around weekends and adds make-up working days.
 * Throws a RangeError outside ESTIMATE_MIN_YEAR–ESTIMATE_MAX_YEAR.
 */
export function estimatedStatutoryHolidays(year: number): string[] {
  requireEstimableYear(year);
  let list = estimateCache.get(year);
  if (!list) {
    const y4 = pad(year, 4);
    const lunarNewYear = solarOfLunar(year, 1, 1);
    const days = new Set<string>([
      `${y4}-01-01`,
      addCalendarDays(lunarNewYear, -1),
      lunarNewYear,
      addCalendarDays(lunarNewYear, 1),
      addCalendarDays(lunarNewYear, 2),
      qingmingOf(year),
      `${y4}-05-01`,
      `${y4}-05-02`,
      solarOfLunar(year, 5, 5),
      solarOfLunar(year, 8, 15),
      `${y4}-10-01`,
      `${y4}-10-02`,
      `${y4}-10-03`,
    ]);
    list = Object.freeze([...days].sort());
    estimateCache.set(year, list);
  }
  return [...list];
}

// ---------------------------------------------------------------------------------------------
// Per-year tables
// ---------------------------------------------------------------------------------------------

/** One year, precomputed: which days are working days and running totals for O(log n) lookups. */
type YearTable = {
  year: number;
  coverage: Coverage;
  /** day number of 1 January */
  start: number;
  /** cum[i] = number of working days among day indices 0..i of the year */
  cum: Int32Array;
  /** working days in the whole year */
  total: number;
};

function buildTable(year: number, coverage: Coverage, holidays: Iterable<string>, workdays: Iterable<string>): YearTable {
  const start = dayNumberOf({ y: year, m: 1, d: 1 });
  const length = isLeapYear(year) ? 366 : 365;
  const off = new Set<number>();
  for (const d of holidays) off.add(dayNumber(d) - start);
  const on = new Set<number>();
  for (const d of workdays) on.add(dayNumber(d) - start);
  const cum = new Int32Array(length);
  let running = 0;
  for (let i = 0; i < length; i++) {
    const w = weekdayOfDayNumber(start + i);
    const working = on.has(i) || (w !== 0 && w !== 6 && !off.has(i));
    if (working) running++;
    cum[i] = running;
  }
  return { year, coverage, start, cum, total: running };
}

/** Tables for package and estimated years never change, so every calendar instance shares them. */
const sharedTables = new Map<number, YearTable>();

function sharedTable(year: number): YearTable {
  let t = sharedTables.get(year);
  if (!t) {
    const official = PACKAGE_YEARS.get(year);
    t = official ? buildTable(year, 'official', official.holidays, official.workdays) : buildTable(year, 'estimated', estimatedStatutoryHolidays(year), []);
    sharedTables.set(year, t);
  }
  return t;
}

/** First index i with cum[i] >= target (cum is non-decreasing; caller guarantees one exists). */
function firstIndexReaching(cum: Int32Array, target: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] >= target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------
// The calendar
// ---------------------------------------------------------------------------------------------

/**
 * Working-day arithmetic over admin-loaded years, chinese-days' official years and estimates.
 * Immutable: `withYear` returns a new calendar. Cheap to construct (tables are built lazily per
 * year and cached; package and estimated years are shared by all instances).
 */
export class WorkingDayCalendar {
  private readonly overrides: ReadonlyMap<number, YearCalendar>;
  private readonly overrideTables = new Map<number, YearTable>();

  /** @throws Error listing the problems if an override is invalid or a year is given twice. */
  constructor(overrides: YearCalendar[] = []) {
    const map = new Map<number, YearCalendar>();
    for (const y of overrides) {
      const problems = validateYearCalendar(y);
      if (problems.length) throw new Error(`Invalid calendar for ${String(y?.year)}: ${problems.join('; ')}`);
      if (map.has(y.year)) throw new Error(`Calendar for ${y.year} is given more than once`);
      map.set(y.year, { year: y.year, holidays: [...y.holidays], workdays: [...y.workdays] });
    }
    this.overrides = map;
  }

  /** A new calendar in which `y` replaces whatever was known about that year. */
  withYear(y: YearCalendar): WorkingDayCalendar {
    const others = [...this.overrides.values()].filter((o) => o.year !== y.year);
    return new WorkingDayCalendar([...others, y]);
  }

  /** Where `year`'s data comes from. Does not check that an estimate is possible for the year. */
  coverage(year: number): Coverage {
    requireInteger(year, 'year');
    return this.overrides.has(year) || PACKAGE_YEARS.has(year) ? 'official' : 'estimated';
  }

  /** True for Monday–Friday unless a holiday, and for weekend make-up working days. */
  isWorkingDay(date: string): boolean {
    const n = dayNumber(date);
    const t = this.table(Number(date.slice(0, 4)));
    const i = n - t.start;
    return t.cum[i] - (i > 0 ? t.cum[i - 1] : 0) === 1;
  }

  /**
   * The n-th working day AFTER `from` (`from` itself is never counted; it need not be a working day).
   * n = 0 returns `from` unchanged, even when it is not a working day.
   * `coverage` is 'estimated' if any year from `from`'s through the result's is estimated.
   * Invariant for n >= 1: workingDaysBetween(from, result.date) === n and result.date is a working day.
   * @throws RangeError if n is not a non-negative integer or the walk reaches a year without data.
   */
  addWorkingDays(from: string, n: number): WorkingDayResult {
    const start = dayNumber(from, 'from');
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${String(n)}`);
    let t = this.table(Number(from.slice(0, 4)));
    let estimated = t.coverage === 'estimated';
    if (n === 0) return { date: from, coverage: estimated ? 'estimated' : 'official' };
    let base = t.cum[start - t.start]; // working days up to and including `from` in its year
    let remaining = n;
    for (;;) {
      const available = t.total - base;
      if (remaining <= available) {
        const i = firstIndexReaching(t.cum, base + remaining);
        return { date: dateOfDayNumber(t.start + i), coverage: estimated ? 'estimated' : 'official' };
      }
      remaining -= available;
      t = this.table(t.year + 1);
      if (t.coverage === 'estimated') estimated = true;
      base = 0;
    }
  }

  /**
   * The number of working days d with from < d <= to; 0 when to <= from.
   * (So addWorkingDays(from, workingDaysBetween(from, to)) is the last working day on or before `to`
   * that is after `from`.)
   */
  workingDaysBetween(from: string, to: string): number {
    const a = dayNumber(from, 'from');
    const b = dayNumber(to, 'to');
    if (b <= a) return 0;
    const ya = Number(from.slice(0, 4));
    const yb = Number(to.slice(0, 4));
    const ta = this.table(ya);
    if (ya === yb) return ta.cum[b - ta.start] - ta.cum[a - ta.start];
    let count = ta.total - ta.cum[a - ta.start];
    for (let y = ya + 1; y < yb; y++) count += this.table(y).total;
    const tb = this.table(yb);
    return count + tb.cum[b - tb.start];
  }

  /** ISO instant (+08:00) at which the local China day `date` ends, e.g. '2026-10-10T23:59:59.999+08:00'. */
  endOfWorkingDay(date: string): string {
    return endOfDayIso(date);
  }

  /** Epoch millis of endOfWorkingDay(date). */
  endOfWorkingDayMs(date: string): number {
    return endOfDayMs(date);
  }

  /**
   * The deadline "within N working days" of an instant (SPEC §6): the end (23:59:59.999 +08:00) of the
   * N-th working day after the local China date of `fromInstantMs`. The starting day itself never
   * counts, whatever the time of day; with N = 0 the deadline is the end of the starting day.
   */
  dueAt(fromInstantMs: number, workingDays: number): DueAt {
    const r = this.addWorkingDays(chinaDateOf(fromInstantMs), workingDays);
    return { date: r.date, dueAtMs: endOfDayMs(r.date), dueAt: endOfDayIso(r.date), coverage: r.coverage };
  }

  private table(year: number): YearTable {
    const override = this.overrides.get(year);
    if (!override) return sharedTable(year);
    let t = this.overrideTables.get(year);
    if (!t) {
      t = buildTable(year, 'official', override.holidays, override.workdays);
      this.overrideTables.set(year, t);
    }
    return t;
  }
}
