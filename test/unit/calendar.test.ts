/**
 * Unit tests of the China working-day calendar (domain/calendar.ts; SPEC §6: local China dates,
 * "within N working days"; SPEC §8: calendar data changes yearly and is computed outside workflows).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { getLunarDate, isWorkday as packageIsWorkday } from 'chinese-days';
import {
  ESTIMATE_MAX_YEAR,
  ESTIMATE_MIN_YEAR,
  WorkingDayCalendar,
  addCalendarDays,
  addMonths,
  addYears,
  chinaDateOf,
  dayOfWeek,
  estimatedStatutoryHolidays,
  isValidIsoDate,
  isWeekend,
  packageOfficialYears,
  validateYearCalendar,
  type YearCalendar,
} from '../../domain/calendar';

const cal = new WorkingDayCalendar();

/** Every date from `from` to `to` inclusive. */
function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addCalendarDays(d, 1)) out.push(d);
  return out;
}

/** Naive reference implementations, one day at a time. */
function naiveAdd(c: WorkingDayCalendar, from: string, n: number): string {
  let d = from;
  for (let left = n; left > 0;) {
    d = addCalendarDays(d, 1);
    if (c.isWorkingDay(d)) left--;
  }
  return d;
}
function naiveBetween(c: WorkingDayCalendar, from: string, to: string): number {
  let count = 0;
  for (let d = addCalendarDays(from, 1); d <= to; d = addCalendarDays(d, 1)) if (c.isWorkingDay(d)) count++;
  return count;
}

const years = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

// ---------------------------------------------------------------------------------------------
describe('isValidIsoDate', () => {
  it.each(['2026-01-01', '2024-02-29', '2000-02-29', '2026-12-31', '0001-01-01', '9999-12-31', '2026-04-30'])('accepts %s', (s) =>
    expect(isValidIsoDate(s)).toBe(true),
  );
  it.each([
    '2026-02-29', // not a leap year
    '2100-02-29', // century, not a leap year
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-01-00',
    '2026-1-01',
    '2026-01-1',
    '26-01-01',
    ' 2026-01-01',
    '2026-01-01 ',
    '2026-01-01T00:00:00Z',
    '2026/01/01',
    '２０２６-01-01',
    '',
  ])('rejects %j', (s) => expect(isValidIsoDate(s)).toBe(false));
  it('rejects non-strings', () => {
    expect(isValidIsoDate(20260101 as unknown as string)).toBe(false);
    expect(isValidIsoDate(undefined as unknown as string)).toBe(false);
    expect(isValidIsoDate(null as unknown as string)).toBe(false);
  });
});

describe('chinaDateOf (Asia/Shanghai, fixed UTC+08:00)', () => {
  it('switches date at 16:00 UTC', () => {
    expect(chinaDateOf(Date.parse('2026-09-27T15:59:59.999Z'))).toBe('2026-09-27');
    expect(chinaDateOf(Date.parse('2026-09-27T16:00:00.000Z'))).toBe('2026-09-28');
    expect(chinaDateOf(Date.parse('2026-09-28T00:00:00+08:00'))).toBe('2026-09-28');
    expect(chinaDateOf(Date.parse('2026-09-28T23:59:59.999+08:00'))).toBe('2026-09-28');
  });
  it('handles the epoch, years and negative instants', () => {
    expect(chinaDateOf(0)).toBe('1970-01-01');
    expect(chinaDateOf(Date.UTC(1969, 11, 31, 15, 59, 59, 999))).toBe('1969-12-31');
    expect(chinaDateOf(Date.UTC(1969, 11, 31, 16))).toBe('1970-01-01');
    expect(chinaDateOf(Date.parse('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
    expect(chinaDateOf(Date.parse('2024-02-28T16:00:00Z'))).toBe('2024-02-29');
  });
  it('rejects non-finite input', () => {
    expect(() => chinaDateOf(NaN)).toThrow(RangeError);
    expect(() => chinaDateOf(Infinity)).toThrow(RangeError);
    expect(() => chinaDateOf('0' as unknown as number)).toThrow(RangeError);
  });
  it('agrees with Intl for Asia/Shanghai from 1992 on (China has no DST since 1991)', () => {
    const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1992, 0, 1), max: Date.UTC(2099, 11, 31) }), (ms) => {
        expect(chinaDateOf(ms)).toBe(fmt.format(ms));
      }),
      { numRuns: 500, seed: 42 },
    );
  });
});

describe('calendar-day, month and year arithmetic', () => {
  it('addCalendarDays crosses months, years and leap days', () => {
    expect(addCalendarDays('2026-09-28', 0)).toBe('2026-09-28');
    expect(addCalendarDays('2026-09-28', 5)).toBe('2026-10-03');
    expect(addCalendarDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addCalendarDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addCalendarDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addCalendarDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addCalendarDays('2100-02-28', 1)).toBe('2100-03-01');
    expect(addCalendarDays('2000-02-28', 1)).toBe('2000-02-29');
    expect(addCalendarDays('2026-01-01', 365)).toBe('2027-01-01');
    expect(addCalendarDays('2024-01-01', 366)).toBe('2025-01-01');
    expect(addCalendarDays('0001-01-01', -1)).toBe('0000-12-31');
    expect(addCalendarDays('0050-03-01', -1)).toBe('0050-02-28');
  });
  it('addCalendarDays rejects bad input and years beyond 9999', () => {
    expect(() => addCalendarDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => addCalendarDays('2026-01-01', 1.5)).toThrow(RangeError);
    expect(() => addCalendarDays('2026-01-01', NaN)).toThrow(RangeError);
    expect(() => addCalendarDays('9999-12-31', 1)).toThrow(RangeError);
  });
  it('addMonths clamps to the end of shorter months', () => {
    expect(addMonths('2026-11-30', 3)).toBe('2027-02-28');
    expect(addMonths('2027-11-30', 3)).toBe('2028-02-29');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-03-31', 1)).toBe('2026-04-30');
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
    expect(addMonths('2026-01-31', 13)).toBe('2027-02-28');
    expect(addMonths('2026-12-15', 1)).toBe('2027-01-15');
    expect(addMonths('2026-01-15', -1)).toBe('2025-12-15');
    expect(addMonths('2026-05-31', -12)).toBe('2025-05-31');
    expect(addMonths('2026-08-31', 0)).toBe('2026-08-31');
    expect(addMonths('2026-08-31', 1)).toBe('2026-09-30');
    expect(addMonths('2026-01-01', 120)).toBe('2036-01-01');
  });
  it('addMonths does not drift when chained vs. added at once (clamping is not associative)', () => {
    expect(addMonths(addMonths('2026-01-31', 1), 1)).toBe('2026-03-28');
    expect(addMonths('2026-01-31', 2)).toBe('2026-03-31');
  });
  it('addYears turns 29 February into 28 February in common years', () => {
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('2024-02-29', -4)).toBe('2020-02-29');
    expect(addYears('2024-02-29', -1)).toBe('2023-02-28');
    expect(addYears('2000-02-29', 100)).toBe('2100-02-28');
    expect(addYears('2026-09-28', 2)).toBe('2028-09-28');
    expect(addYears('2026-12-31', 1)).toBe('2027-12-31');
  });
  it('month/year arithmetic rejects bad input and out-of-range results', () => {
    expect(() => addMonths('2026-01-01', 0.5)).toThrow(RangeError);
    expect(() => addMonths('2026-1-1', 1)).toThrow(RangeError);
    expect(() => addMonths('9999-12-01', 1)).toThrow(RangeError);
    expect(() => addYears('2026-01-01', 1.5)).toThrow(RangeError);
    expect(() => addYears('0001-01-01', -2)).toThrow(RangeError);
  });
  it('dayOfWeek / isWeekend', () => {
    expect(dayOfWeek('2026-09-28')).toBe(1); // Monday
    expect(dayOfWeek('2026-10-10')).toBe(6); // Saturday
    expect(dayOfWeek('2026-09-20')).toBe(0); // Sunday
    expect(dayOfWeek('1970-01-01')).toBe(4);
    expect(dayOfWeek('1969-12-31')).toBe(3);
    expect(isWeekend('2026-10-10')).toBe(true);
    expect(isWeekend('2026-10-09')).toBe(false);
    fc.assert(
      fc.property(fc.integer({ min: -30000, max: 50000 }), (n) => {
        const d = addCalendarDays('1970-01-01', n);
        expect(dayOfWeek(d)).toBe(new Date(`${d}T00:00:00Z`).getUTCDay());
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
describe('validateYearCalendar', () => {
  it('accepts the official 2026 arrangement', () => {
    expect(
      validateYearCalendar({
        year: 2026,
        holidays: ['2026-01-01', '2026-01-02', '2026-01-03', '2026-10-01'],
        workdays: ['2026-01-04', '2026-09-20', '2026-10-10'],
      }),
    ).toEqual([]);
    expect(validateYearCalendar({ year: 2031, holidays: [], workdays: [] })).toEqual([]);
  });
  it('reports every problem', () => {
    const problems = validateYearCalendar({
      year: 2026,
      holidays: ['2026-10-01', '2027-01-01', '2026-02-30', '2026-10-01', '2026-10-10', 'x'],
      workdays: ['2026-10-10', '2026-10-09', '2025-12-27'],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/holidays: 2027-01-01 is not in 2026/),
        expect.stringMatching(/holidays: "2026-02-30" is not a real date/),
        expect.stringMatching(/holidays: 2026-10-01 is listed more than once/),
        expect.stringMatching(/holidays: "x" is not a real date/),
        expect.stringMatching(/workdays: 2026-10-09 is a Friday, not a weekend day/),
        expect.stringMatching(/workdays: 2025-12-27 is not in 2026/),
        expect.stringMatching(/2026-10-10 is listed both as a holiday and as a make-up working day/),
      ]),
    );
    expect(problems).toHaveLength(7);
  });
  it('rejects a bad year and non-array lists', () => {
    expect(validateYearCalendar({ year: 2026.5, holidays: [], workdays: [] })).toEqual([expect.stringMatching(/year must be an integer/)]);
    expect(validateYearCalendar({ year: 2026, holidays: 'x' as unknown as string[], workdays: [] })).toEqual([
      expect.stringMatching(/holidays must be an array/),
    ]);
    expect(validateYearCalendar(null as unknown as YearCalendar)).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
describe('official data from chinese-days', () => {
  it('covers exactly the years whose arrangement the package ships (2004–2026 in v1.5.7)', () => {
    expect(packageOfficialYears()).toEqual(years(2004, 2026));
    expect(cal.coverage(2004)).toBe('official');
    expect(cal.coverage(2026)).toBe('official');
    expect(cal.coverage(2003)).toBe('estimated');
    expect(cal.coverage(2027)).toBe('estimated');
    expect(() => cal.coverage(2026.5)).toThrow(RangeError);
  });

  it('agrees with chinese-days isWorkday on every day of 2004–2026', () => {
    const mismatches: string[] = [];
    for (const d of datesBetween('2004-01-01', '2026-12-31')) {
      const [y, m, day] = d.split('-').map(Number);
      // a local-time Date: the package reads dates with local getters
      if (packageIsWorkday(new Date(y, m - 1, day)) !== cal.isWorkingDay(d)) mismatches.push(d);
    }
    expect(mismatches).toEqual([]);
  });

  it('follows the 2026 State Council notice (gov.cn/zhengce/zhengceku/202511/content_7047091.htm)', () => {
    const off = [
      ...datesBetween('2026-01-01', '2026-01-03'), // 元旦
      ...datesBetween('2026-02-15', '2026-02-23'), // 春节
      ...datesBetween('2026-04-04', '2026-04-06'), // 清明
      ...datesBetween('2026-05-01', '2026-05-05'), // 劳动节
      ...datesBetween('2026-06-19', '2026-06-21'), // 端午
      ...datesBetween('2026-09-25', '2026-09-27'), // 中秋
      ...datesBetween('2026-10-01', '2026-10-07'), // 国庆
    ];
    for (const d of off) expect([d, cal.isWorkingDay(d)]).toEqual([d, false]);
    const makeUp = ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'];
    for (const d of makeUp) {
      expect(isWeekend(d)).toBe(true);
      expect([d, cal.isWorkingDay(d)]).toEqual([d, true]);
    }
    // Ordinary weekends and weekdays around them.
    expect(cal.isWorkingDay('2026-09-19')).toBe(false); // Saturday
    expect(cal.isWorkingDay('2026-10-11')).toBe(false); // Sunday after the make-up Saturday
    expect(cal.isWorkingDay('2026-09-28')).toBe(true);
    expect(cal.isWorkingDay('2026-10-08')).toBe(true);
    // 365 days − 104 weekend days − 19 weekday holidays + 6 make-up days
    expect(cal.workingDaysBetween('2025-12-31', '2026-12-31')).toBe(248);
  });

  it('adds 5 working days to 2026-09-28 across National Day: 2026-10-10 (make-up Saturday)', () => {
    // 09-29 (1), 09-30 (2), 10-01..10-07 off, 10-08 (3), 10-09 (4), 10-10 Saturday make-up (5)
    expect(cal.addWorkingDays('2026-09-28', 5)).toEqual({ date: '2026-10-10', coverage: 'official' });
    expect(cal.addWorkingDays('2026-09-28', 6)).toEqual({ date: '2026-10-12', coverage: 'official' });
    expect(cal.addWorkingDays('2026-09-28', 2)).toEqual({ date: '2026-09-30', coverage: 'official' });
    expect(cal.addWorkingDays('2026-09-28', 3)).toEqual({ date: '2026-10-08', coverage: 'official' });
    // The Sunday make-up day 2026-09-20 counts.
    expect(cal.addWorkingDays('2026-09-18', 1)).toEqual({ date: '2026-09-20', coverage: 'official' });
    expect(cal.addWorkingDays('2026-09-19', 1).date).toBe('2026-09-20');
    expect(cal.workingDaysBetween('2026-09-30', '2026-10-08')).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
describe('estimated years', () => {
  it('estimates 2031 from the statutory rules (lunar new year 2031-01-23)', () => {
    expect(cal.coverage(2031)).toBe('estimated');
    expect(estimatedStatutoryHolidays(2031)).toEqual([
      '2031-01-01', // 元旦
      '2031-01-22', // 除夕 (last day of lunar 12th month)
      '2031-01-23', // 春节 lunar 1/1
      '2031-01-24',
      '2031-01-25', // lunar 1/3
      '2031-04-05', // 清明
      '2031-05-01',
      '2031-05-02',
      '2031-06-24', // 端午 lunar 5/5
      '2031-10-01', // 中秋 lunar 8/15 coincides with 国庆
      '2031-10-02',
      '2031-10-03',
    ]);
    const lny = getLunarDate('2031-01-23');
    expect([lny.lunarYear, lny.lunarMon, lny.lunarDay, lny.isLeap]).toEqual([2031, 1, 1, false]);
    const eve = getLunarDate('2031-01-22');
    expect([eve.lunarYear, eve.lunarMon]).toEqual([2030, 12]);

    for (const d of ['2031-01-01', '2031-01-22', '2031-01-23', '2031-01-24', '2031-01-25']) {
      expect([d, cal.isWorkingDay(d)]).toEqual([d, false]);
    }
    expect(cal.isWorkingDay('2031-01-21')).toBe(true); // Tuesday
    expect(cal.isWorkingDay('2031-01-27')).toBe(true); // Monday
    expect(cal.isWorkingDay('2031-01-26')).toBe(false); // Sunday: no make-up days in an estimate
    expect(cal.addWorkingDays('2031-01-21', 1)).toEqual({ date: '2031-01-27', coverage: 'estimated' });
    expect(cal.addWorkingDays('2030-12-31', 1)).toEqual({ date: '2031-01-02', coverage: 'estimated' });
  });

  it('matches known lunar festivals and solar terms beyond the package data', () => {
    const has = (y: number, ...ds: string[]) => expect(estimatedStatutoryHolidays(y)).toEqual(expect.arrayContaining(ds));
    has(2027, '2027-02-05', '2027-02-06', '2027-02-08', '2027-04-05', '2027-06-09', '2027-09-15');
    has(2028, '2028-01-25', '2028-01-26', '2028-04-04', '2028-05-28', '2028-10-03');
    has(2030, '2030-02-02', '2030-02-03', '2030-04-05', '2030-06-05', '2030-09-12');
    has(2040, '2040-02-11', '2040-02-12', '2040-04-04');
    has(2050, '2050-01-22', '2050-01-23');
  });

  it('never treats New Year or the Spring Festival as working days in any estimated year', () => {
    for (let y = 2027; y <= ESTIMATE_MAX_YEAR; y++) {
      expect(cal.coverage(y)).toBe('estimated');
      const list = estimatedStatutoryHolidays(y);
      expect(list.every((d) => d.startsWith(`${y}-`))).toBe(true);
      expect(new Set(list).size).toBe(list.length);
      expect(list.length === 13 || list.length === 12).toBe(true); // 12 when two festivals coincide
      for (const d of list) expect([d, cal.isWorkingDay(d)]).toEqual([d, false]);
      expect(cal.isWorkingDay(`${y}-01-01`)).toBe(false);
      // Spring Festival: the eve and lunar 1/1..1/3
      const lny = list.find((d) => {
        const l = getLunarDate(d);
        return l.lunarMon === 1 && l.lunarDay === 1 && !l.isLeap;
      });
      expect(lny).toBeDefined();
      const eve = addCalendarDays(lny!, -1);
      const evel = getLunarDate(eve);
      expect([evel.lunarYear, evel.lunarMon, evel.isLeap]).toEqual([y - 1, 12, false]);
      expect(getLunarDate(addCalendarDays(lny!, 2)).lunarDay).toBe(3);
      for (const d of [eve, lny!, addCalendarDays(lny!, 1), addCalendarDays(lny!, 2)]) {
        expect(list).toContain(d);
        expect(cal.isWorkingDay(d)).toBe(false);
      }
      // Dragon Boat and Mid-Autumn are on regular (non-leap) lunar 5/5 and 8/15
      const lunar = list.map((d) => getLunarDate(d));
      expect(lunar.some((l) => l.lunarMon === 5 && l.lunarDay === 5 && !l.isLeap)).toBe(true);
      expect(lunar.some((l) => l.lunarMon === 8 && l.lunarDay === 15 && !l.isLeap)).toBe(true);
    }
  });

  it('reproduces the official statutory days of 2008–2026 (the rules then in force)', () => {
    // Qingming, Dragon Boat and Mid-Autumn became holidays in 2008; the eve and 2 May only in 2025.
    for (let y = 2008; y <= 2026; y++) {
      const list = estimatedStatutoryHolidays(y);
      const eve = list[1]; // sorted: 01-01, eve, lunar 1/1, ...
      expect(getLunarDate(addCalendarDays(eve, 1)).lunarDay).toBe(1);
      const applicable = list.filter((d) => y >= 2025 || (d !== eve && d !== `${y}-05-02`));
      const working = applicable.filter((d) => cal.isWorkingDay(d));
      expect([y, working]).toEqual([y, []]);
    }
  });

  it('throws a clear error outside the years chinese-days can compute', () => {
    expect(ESTIMATE_MIN_YEAR).toBe(1901);
    expect(ESTIMATE_MAX_YEAR).toBe(2099);
    expect(estimatedStatutoryHolidays(1901)).toHaveLength(13);
    expect(() => estimatedStatutoryHolidays(2100)).toThrow(RangeError);
    expect(() => estimatedStatutoryHolidays(2100)).toThrow(/2100.*1901–2099.*Load the year's official calendar/);
    expect(() => estimatedStatutoryHolidays(1900)).toThrow(RangeError);
    expect(() => estimatedStatutoryHolidays(2031.5)).toThrow(RangeError);
    expect(() => cal.isWorkingDay('2100-03-01')).toThrow(/No holiday data for 2100/);
    expect(() => cal.addWorkingDays('2099-12-30', 5)).toThrow(/No holiday data for 2100/);
    expect(() => cal.workingDaysBetween('2099-12-01', '2100-01-05')).toThrow(RangeError);
    expect(cal.coverage(2100)).toBe('estimated'); // the source it would be, were it computable
    // An admin can still load such a year.
    const loaded = cal.withYear({ year: 2100, holidays: ['2100-01-01'], workdays: [] });
    expect(loaded.coverage(2100)).toBe('official');
    expect(loaded.addWorkingDays('2099-12-30', 3)).toEqual({ date: '2100-01-05', coverage: 'estimated' });
  });

  it('returns copies (the cache cannot be mutated by callers)', () => {
    const a = estimatedStatutoryHolidays(2031);
    a.push('2031-07-01');
    expect(estimatedStatutoryHolidays(2031)).not.toContain('2031-07-01');
    expect(cal.isWorkingDay('2031-07-01')).toBe(true);
  });

  it('does not depend on the process time zone', () => {
    // chinese-days' own helpers read dates with local getters, so run the module in processes whose
    // TZ lies west and east of Greenwich (jest's sandboxed process.env cannot switch the zone).
    const script = `
      const c = require(${JSON.stringify(path.resolve(__dirname, '../../domain/calendar.ts'))});
      const cal = new c.WorkingDayCalendar();
      console.log(JSON.stringify({
        offset: new Date(2026, 0, 1).getTimezoneOffset(),
        estimates: [2027, 2031, 2040, 2077].map((y) => c.estimatedStatutoryHolidays(y)),
        add: cal.addWorkingDays('2026-09-28', 5).date,
        china: c.chinaDateOf(Date.parse('2026-09-27T16:00:00Z')),
        due: cal.dueAt(Date.parse('2031-01-21T10:00:00+08:00'), 1).dueAt,
      }));`;
    const expected = {
      estimates: [2027, 2031, 2040, 2077].map((y) => estimatedStatutoryHolidays(y)),
      add: '2026-10-10',
      china: '2026-09-28',
      due: '2031-01-27T23:59:59.999+08:00',
    };
    for (const tz of ['America/Los_Angeles', 'Pacific/Pago_Pago', 'Pacific/Kiritimati', 'Asia/Shanghai']) {
      const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
        cwd: path.resolve(__dirname, '../..'),
        env: { ...process.env, TZ: tz },
        encoding: 'utf8',
      });
      const { offset, ...got } = JSON.parse(out) as { offset: number } & typeof expected;
      expect(offset).not.toBe(0); // the zone really is not UTC
      expect([tz, got]).toEqual([tz, expected]);
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('admin overrides', () => {
  const reduced2026: YearCalendar = {
    year: 2026,
    holidays: ['2026-01-01', '2026-10-01', '2026-10-02', '2026-10-03'],
    workdays: [],
  };

  it('replace the package data for that year, which stays official', () => {
    const c = new WorkingDayCalendar([reduced2026]);
    expect(c.coverage(2026)).toBe('official');
    expect(c.isWorkingDay('2026-10-10')).toBe(false); // no longer a make-up day
    expect(c.isWorkingDay('2026-09-20')).toBe(false);
    expect(c.isWorkingDay('2026-10-05')).toBe(true); // no longer a holiday
    expect(c.isWorkingDay('2026-02-17')).toBe(true);
    // 09-29 (1), 09-30 (2), 10-01..10-04 off, 10-05 (3), 10-06 (4), 10-07 (5)
    expect(c.addWorkingDays('2026-09-28', 5)).toEqual({ date: '2026-10-07', coverage: 'official' });
    // the default calendar is untouched
    expect(cal.addWorkingDays('2026-09-28', 5).date).toBe('2026-10-10');
    // other years still come from the package
    expect(c.isWorkingDay('2025-10-08')).toBe(false);
  });

  it('make an estimated year official', () => {
    const y2031: YearCalendar = {
      year: 2031,
      holidays: datesBetween('2031-01-01', '2031-01-01').concat(datesBetween('2031-01-22', '2031-01-29')),
      workdays: ['2031-01-19', '2031-02-08'], // a Sunday and a Saturday
    };
    expect(validateYearCalendar(y2031)).toEqual([]);
    const c = cal.withYear(y2031);
    expect(cal.coverage(2031)).toBe('estimated');
    expect(c.coverage(2031)).toBe('official');
    expect(c.isWorkingDay('2031-01-19')).toBe(true);
    expect(c.isWorkingDay('2031-01-27')).toBe(false);
    expect(c.isWorkingDay('2031-10-01')).toBe(true); // not in the loaded list
    expect(c.addWorkingDays('2031-01-21', 1)).toEqual({ date: '2031-01-30', coverage: 'official' });
    expect(cal.addWorkingDays('2031-01-21', 1)).toEqual({ date: '2031-01-27', coverage: 'estimated' });
  });

  it('withYear replaces an earlier override of the same year and keeps the others', () => {
    const a = new WorkingDayCalendar([reduced2026, { year: 2027, holidays: ['2027-01-01'], workdays: [] }]);
    const b = a.withYear({ year: 2026, holidays: ['2026-10-05'], workdays: ['2026-10-10'] });
    expect(a.isWorkingDay('2026-10-05')).toBe(true);
    expect(b.isWorkingDay('2026-10-05')).toBe(false);
    expect(b.isWorkingDay('2026-10-01')).toBe(true);
    expect(b.isWorkingDay('2026-10-10')).toBe(true);
    expect(b.coverage(2027)).toBe('official');
    expect(b.isWorkingDay('2027-01-01')).toBe(false);
  });

  it('are validated and copied', () => {
    expect(() => new WorkingDayCalendar([{ year: 2026, holidays: ['2027-01-01'], workdays: [] }])).toThrow(/Invalid calendar for 2026/);
    expect(() => new WorkingDayCalendar([{ year: 2026, holidays: [], workdays: ['2026-10-09'] }])).toThrow(/not a weekend day/);
    expect(() => new WorkingDayCalendar([reduced2026, reduced2026])).toThrow(/more than once/);
    expect(() => cal.withYear({ year: 2031, holidays: ['2031-02-30'], workdays: [] })).toThrow(/not a real date/);
    const input: YearCalendar = { year: 2032, holidays: ['2032-01-01'], workdays: [] };
    const c = new WorkingDayCalendar([input]);
    input.holidays.push('2032-01-02');
    expect(c.isWorkingDay('2032-01-02')).toBe(true);
  });

  it('make the walk official only if every year touched is official', () => {
    expect(cal.addWorkingDays('2026-12-01', 3).coverage).toBe('official');
    expect(cal.addWorkingDays('2026-12-25', 10)).toEqual({ date: '2027-01-11', coverage: 'estimated' });
    const with2027 = cal.withYear({ year: 2027, holidays: ['2027-01-01'], workdays: [] });
    expect(with2027.addWorkingDays('2026-12-25', 10)).toEqual({ date: '2027-01-11', coverage: 'official' });
    // a walk from an estimated year into an official one stays estimated
    expect(cal.addWorkingDays('2003-12-20', 10).coverage).toBe('estimated');
    // a walk through an estimated year between two official ones is estimated
    const gap = cal.withYear({ year: 2028, holidays: [], workdays: [] });
    expect(gap.addWorkingDays('2026-12-30', 300).coverage).toBe('estimated');
    expect(gap.addWorkingDays('2026-12-30', 300).date.startsWith('2028-')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
describe('addWorkingDays / workingDaysBetween', () => {
  it('n = 0 returns `from` itself, even on a holiday', () => {
    expect(cal.addWorkingDays('2026-10-01', 0)).toEqual({ date: '2026-10-01', coverage: 'official' });
    expect(cal.addWorkingDays('2031-01-23', 0)).toEqual({ date: '2031-01-23', coverage: 'estimated' });
  });

  it('never counts `from`, whether or not it is a working day', () => {
    expect(cal.addWorkingDays('2026-09-29', 1).date).toBe('2026-09-30');
    expect(cal.addWorkingDays('2026-10-03', 1).date).toBe('2026-10-08');
    expect(cal.addWorkingDays('2026-10-09', 1).date).toBe('2026-10-10');
  });

  it('rejects bad n and bad dates', () => {
    for (const n of [-1, 1.5, NaN, Infinity, -0.5, Number.MAX_SAFE_INTEGER + 2]) {
      expect(() => cal.addWorkingDays('2026-09-28', n)).toThrow(RangeError);
    }
    expect(() => cal.addWorkingDays('2026-9-28', 1)).toThrow(RangeError);
    expect(() => cal.isWorkingDay('2026-02-29')).toThrow(RangeError);
    expect(() => cal.workingDaysBetween('2026-01-01', 'tomorrow')).toThrow(RangeError);
  });

  it('workingDaysBetween counts from < d <= to, and is 0 when to <= from', () => {
    expect(cal.workingDaysBetween('2026-09-28', '2026-10-10')).toBe(5);
    expect(cal.workingDaysBetween('2026-09-28', '2026-10-09')).toBe(4);
    expect(cal.workingDaysBetween('2026-09-28', '2026-09-28')).toBe(0);
    expect(cal.workingDaysBetween('2026-10-10', '2026-09-28')).toBe(0);
    expect(cal.workingDaysBetween('2026-10-01', '2026-10-07')).toBe(0);
    expect(cal.workingDaysBetween('2026-09-27', '2026-09-28')).toBe(1);
    expect(cal.workingDaysBetween('2025-12-31', '2027-01-01')).toBe(248);
  });

  it('agree with each other and with a day-by-day walk (property test)', () => {
    const base = '2003-06-01';
    const span = 365 * 33; // to 2036
    fc.assert(
      fc.property(fc.integer({ min: 0, max: span }), fc.integer({ min: 0, max: 700 }), (offset, n) => {
        const from = addCalendarDays(base, offset);
        const r = cal.addWorkingDays(from, n);
        expect(r.date).toBe(naiveAdd(cal, from, n));
        expect(cal.workingDaysBetween(from, r.date)).toBe(n);
        if (n > 0) {
          expect(cal.isWorkingDay(r.date)).toBe(true);
          expect(cal.workingDaysBetween(from, addCalendarDays(r.date, -1))).toBe(n - 1);
        }
        const fromYear = Number(from.slice(0, 4));
        const toYear = Number(r.date.slice(0, 4));
        const anyEstimated = years(fromYear, toYear).some((y) => cal.coverage(y) === 'estimated');
        expect(r.coverage).toBe(anyEstimated ? 'estimated' : 'official');
      }),
      { numRuns: 400, seed: 20260928 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: span }), fc.integer({ min: -30, max: 900 }), (offset, len) => {
        const from = addCalendarDays(base, offset);
        const to = addCalendarDays(from, len);
        const k = cal.workingDaysBetween(from, to);
        expect(k).toBe(len <= 0 ? 0 : naiveBetween(cal, from, to));
        // the k-th working day after `from` is on or before `to`, the (k+1)-th is after it
        if (len > 0) {
          expect(cal.addWorkingDays(from, k).date <= to).toBe(true);
          expect(cal.addWorkingDays(from, k + 1).date > to).toBe(true);
        }
      }),
      { numRuns: 400, seed: 8 },
    );
  });

  it('exhaustively matches the walk for every start date of 2025–2027 (n = 1..25)', () => {
    for (const from of datesBetween('2024-12-15', '2027-12-31')) {
      let d = from;
      for (let n = 1; n <= 25; n++) {
        d = addCalendarDays(d, 1);
        while (!cal.isWorkingDay(d)) d = addCalendarDays(d, 1);
        const r = cal.addWorkingDays(from, n);
        if (r.date !== d) throw new Error(`addWorkingDays(${from}, ${n}) = ${r.date}, expected ${d}`);
      }
    }
  });

  it('is additive: adding a + b equals adding a then b', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 * 20 }), fc.nat(300), fc.nat(300), (offset, a, b) => {
        const from = addCalendarDays('2010-01-01', offset);
        const once = cal.addWorkingDays(from, a + b).date;
        const twice = a === 0 ? cal.addWorkingDays(from, b).date : cal.addWorkingDays(cal.addWorkingDays(from, a).date, b).date;
        expect(once).toBe(twice);
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  // speed is the bench's business (no timed assertions in tests); this checks the long spans agree both ways
  it('adds and counts across 20,000 working days of estimated years consistently', () => {
    const fresh = new WorkingDayCalendar([{ year: 2030, holidays: ['2030-01-01'], workdays: [] }]);
    const far = fresh.addWorkingDays('2004-01-01', 20000);
    expect(far.coverage).toBe('estimated');
    expect(fresh.workingDaysBetween('2004-01-01', far.date)).toBe(20000);
    for (let i = 0; i < 2000; i += 37) {
      const from = addCalendarDays('2020-01-01', i);
      const n = 1000 + (i % 500);
      expect(fresh.workingDaysBetween(from, fresh.addWorkingDays(from, n).date)).toBe(n);
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('end of a working day and deadlines (+08:00)', () => {
  it('endOfWorkingDay is the last millisecond of the local China day, with a +08:00 offset', () => {
    expect(cal.endOfWorkingDay('2026-10-10')).toBe('2026-10-10T23:59:59.999+08:00');
    expect(cal.endOfWorkingDayMs('2026-10-10')).toBe(Date.parse('2026-10-10T15:59:59.999Z'));
    expect(() => cal.endOfWorkingDay('2026-10-32')).toThrow(RangeError);
    expect(() => cal.endOfWorkingDayMs('20261010')).toThrow(RangeError);
    for (const d of datesBetween('2026-12-25', '2027-01-05').concat(['2024-02-29', '1970-01-01', '1969-12-31'])) {
      const iso = cal.endOfWorkingDay(d);
      expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}T23:59:59\.999\+08:00$/);
      const ms = cal.endOfWorkingDayMs(d);
      expect(Date.parse(iso)).toBe(ms);
      expect(chinaDateOf(ms)).toBe(d);
      expect(chinaDateOf(ms + 1)).toBe(addCalendarDays(d, 1));
    }
  });

  it('dueAt: N working days after the local China date of the instant, at the end of that day', () => {
    // 2026-09-28 00:30 in China (still 27 September in UTC)
    expect(cal.dueAt(Date.parse('2026-09-27T16:30:00Z'), 5)).toEqual({
      date: '2026-10-10',
      dueAtMs: Date.parse('2026-10-10T23:59:59.999+08:00'),
      dueAt: '2026-10-10T23:59:59.999+08:00',
      coverage: 'official',
    });
    // 23:59:59.999 on 2026-09-28 in China is still the 28th
    expect(cal.dueAt(Date.parse('2026-09-28T23:59:59.999+08:00'), 5).date).toBe('2026-10-10');
    // one millisecond later it is the 29th: 09-30, 10-08, 10-09, 10-10, 10-12
    expect(cal.dueAt(Date.parse('2026-09-29T00:00:00+08:00'), 5).date).toBe('2026-10-12');
    // N = 0: the end of the starting day
    expect(cal.dueAt(Date.parse('2026-10-01T09:00:00+08:00'), 0).dueAt).toBe('2026-10-01T23:59:59.999+08:00');
    // an estimated year
    expect(cal.dueAt(Date.parse('2031-01-21T10:00:00+08:00'), 1)).toMatchObject({
      date: '2031-01-27',
      dueAt: '2031-01-27T23:59:59.999+08:00',
      coverage: 'estimated',
    });
    expect(() => cal.dueAt(NaN, 5)).toThrow(RangeError);
    expect(() => cal.dueAt(Date.now(), -1)).toThrow(RangeError);
  });

  it('dueAt is consistent with chinaDateOf and addWorkingDays (property test)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2004, 0, 1), max: Date.UTC(2035, 0, 1) }), fc.nat(60), (ms, n) => {
        const due = cal.dueAt(ms, n);
        expect(due.date).toBe(cal.addWorkingDays(chinaDateOf(ms), n).date);
        expect(due.dueAtMs).toBeGreaterThan(ms);
        expect(chinaDateOf(due.dueAtMs)).toBe(due.date);
        expect(chinaDateOf(due.dueAtMs + 1)).toBe(addCalendarDays(due.date, 1));
        expect(new Date(due.dueAtMs).toISOString()).toBe(new Date(Date.parse(due.dueAt)).toISOString());
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});
