/**
 * Fixed start dates for every test that works with time, so that no outcome depends on the day,
 * weekday or season on which the suite runs.
 *
 * A time-skipping server starts at the machine's real time and its clock only moves forward. So a
 * test bed first skips its server to BASE_DATE (a fixed day well after any day this suite runs
 * on), and every test then starts with `bed.begin()`: a skip to the next day of the chosen kind
 * (09:30 China time). The kind comes from SKILLCERT_TEST_START, which `npm run test:dates` sets
 * to each kind of the date matrix in turn; the default is an ordinary Wednesday. Everything after
 * that is a function of BASE_DATE, the kind and the test's own steps.
 *
 * If the machine's clock ever passes BASE_DATE, the harness says so and the dates here move on.
 */
import { addCalendarDays, chinaDateOf, dayOfWeek, estimatedStatutoryHolidays } from '../../domain/calendar';
import { CHINA_OFFSET_MS, DAY_MS, dayNumber } from '../../domain/dates';

/** The day every time-skipping test bed skips to before its first test. */
export const BASE_DATE = '2041-01-07';

export const START_KINDS = ['ordinary', 'friday', 'national-day-eve', 'spring-festival', 'new-years-eve'] as const;
export type StartKind = (typeof START_KINDS)[number];

/** The matrix the CI runs on top of the default: 'ordinary' is the default run itself. */
export const MATRIX_KINDS: StartKind[] = ['friday', 'national-day-eve', 'spring-festival', 'new-years-eve'];

export function startKind(): StartKind {
  const raw = process.env.SKILLCERT_TEST_START ?? 'ordinary';
  if (!(START_KINDS as readonly string[]).includes(raw)) throw new Error(`SKILLCERT_TEST_START must be one of ${START_KINDS.join(', ')}, got ${raw}`);
  return raw as StartKind;
}

/** Is `date` a day of this kind? Spring Festival week: from its eve (除夕) to lunar 1/3. */
export function isStartDay(date: string, kind: StartKind): boolean {
  switch (kind) {
    case 'ordinary':
      return dayOfWeek(date) === 3;
    case 'friday':
      return dayOfWeek(date) === 5;
    case 'national-day-eve':
      return date.slice(5) === '09-30';
    case 'new-years-eve':
      return date.slice(5) === '12-31';
    case 'spring-festival':
      // the first day of the holiday: every working-day count starting here crosses the whole week
      return estimatedStatutoryHolidays(Number(date.slice(0, 4)))[1] === date;
  }
}

/** 09:30 China time on the first day of `kind` strictly after the China date of `afterMs`. */
export function nextStart(afterMs: number, kind: StartKind = startKind()): number {
  let date = addCalendarDays(chinaDateOf(afterMs), 1);
  for (let i = 0; i < 800 && !isStartDay(date, kind); i++) date = addCalendarDays(date, 1);
  if (!isStartDay(date, kind)) throw new Error(`no ${kind} day within 800 days of ${chinaDateOf(afterMs)}`);
  return atChinaTime(date, 9, 30);
}

export function atChinaTime(date: string, hours: number, minutes = 0): number {
  return dayNumber(date) * DAY_MS - CHINA_OFFSET_MS + (hours * 60 + minutes) * 60_000;
}

/** 00:00 China time of BASE_DATE; a clear failure when the machine's clock is already past it. */
export function baseInstant(serverNowMs: number): number {
  const base = atChinaTime(BASE_DATE, 0);
  if (serverNowMs > base) {
    throw new Error(
      `The time-skipping server starts at ${new Date(serverNowMs).toISOString()}, after the suite's fixed BASE_DATE ${BASE_DATE}: move BASE_DATE in test/harness/start-dates.ts forward.`,
    );
  }
  return base;
}

/**
 * The date matrix reruns the workflow tests on each kind of start day; a test whose outcome no start
 * day can change (authority, validation, numbering, replay, or dates it fixes itself) runs only in the
 * default run, through these, so the matrix spends its time where the start day matters.
 */
export const inDateMatrix = process.env.SKILLCERT_TEST_START !== undefined;
export const itOnce: jest.It = inDateMatrix ? it.skip : it;
export const describeOnce: jest.Describe = inDateMatrix ? describe.skip : describe;
