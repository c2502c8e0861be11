/**
 * The dates of a filing's life, as rules (SPEC §2, §8): how long a notice is valid, when a renewal
 * is late, when the reminders go out, when an idle institution is deemed to have withdrawn. Pure
 * calendar-day arithmetic on local China dates; working days are not involved. Workflow code calls
 * these with dates it has recorded, never with the instant a timer happened to fire.
 */
import { addCalendarDays, addMonths, addYears, isLeapYear, parseDate } from './dates';

/**
 * Validity of a notice (004 Art.7(5), 001 §三(四): 有效期三年). The day of issue counts as the
 * first day, so the last valid day is the day before the same date `years` later: issued
 * 2025-03-01, valid through 2028-02-29. A notice issued on 29 February has no anniversary in a
 * common year; its anniversary is then 1 March (the day after 28 February), so issued
 * 2024-02-29, valid through 2027-02-28 — a full three years, never a day short.
 */
export function validityLastDay(firstDay: string, years: number): string {
  const { y, m, d } = parseDate(firstDay);
  const anniversary = m === 2 && d === 29 && !isLeapYear(y + years) ? `${String(y + years).padStart(4, '0')}-03-01` : addYears(firstDay, years);
  return addCalendarDays(anniversary, -1);
}

/**
 * A renewal notice gives another period consecutive with the last (004 Art.9): it starts the day
 * after the last valid day and is counted like a first notice.
 */
export function renewedLastDay(validUntil: string, years: number): string {
  return validityLastDay(addCalendarDays(validUntil, 1), years);
}

/**
 * 004 Art.9: 期满前三个月提出续期申请. The last day on which an application is on time: the day
 * exactly `leadMonths` months before the last valid day (validUntil 2028-02-29 → 2027-11-29;
 * a shorter month clamps: 2028-05-31 → 2028-02-29). An application through the end of that day is
 * on time; later, until expiry, it is accepted and marked late.
 */
export function renewalDeadline(validUntil: string, leadMonths: number): string {
  return addMonths(validUntil, -leadMonths);
}

export function renewalIsLate(validUntil: string, leadMonths: number, appliedOn: string): boolean {
  return appliedOn > renewalDeadline(validUntil, leadMonths);
}

export interface ReminderSchedule {
  /** days before the renewal deadline for the first reminder (default 30) */
  renewalEarlyReminderDays: number;
  renewalLeadMonths: number;
  renewalReminderEveryMonths: number;
}

/**
 * The renewal reminders, in order (SPEC §8): a first one `renewalEarlyReminderDays` before the
 * renewal deadline, so that the institution hears of it while applying is still on time; one on
 * the deadline itself (expiry − 3 months, which the users asked for); then every
 * `renewalReminderEveryMonths` months until the last valid day. Each is sent at the start of its
 * day, China time.
 */
export function renewalReminderDates(validUntil: string, p: ReminderSchedule): string[] {
  const deadline = renewalDeadline(validUntil, p.renewalLeadMonths);
  const dates: string[] = [];
  if (p.renewalEarlyReminderDays > 0) dates.push(addCalendarDays(deadline, -p.renewalEarlyReminderDays));
  dates.push(deadline);
  if (p.renewalReminderEveryMonths > 0) {
    for (let k = 1; ; k++) {
      const next = addMonths(deadline, k * p.renewalReminderEveryMonths);
      if (next > validUntil) break;
      dates.push(next);
    }
  }
  return dates;
}

/** The next reminder after the last one sent (by its scheduled date), or undefined when none is left. */
export function nextRenewalReminder(validUntil: string, p: ReminderSchedule, lastSent?: string): string | undefined {
  return renewalReminderDates(validUntil, p).find((d) => !lastSent || d > lastSent);
}

/**
 * The reminder to send when reminders fall due by `today`: the latest scheduled one not after
 * today, so that a worker that was down for weeks sends one reminder, not a burst.
 */
export function renewalReminderDueOn(validUntil: string, p: ReminderSchedule, lastSent: string | undefined, today: string): string | undefined {
  const due = renewalReminderDates(validUntil, p).filter((d) => (!lastSent || d > lastSent) && d <= today);
  return due[due.length - 1];
}

/**
 * Idle exit (001 §四(三), Xinzhou/Shanxi: 连续两年不开展职业技能等级评价工作的，视同自行退出). The
 * idle clock runs from the last exam day held (or from the first notice when none was held yet):
 * the institution is deemed to have withdrawn at the end of the day `years` later. A batch waiting
 * for the center's review has held its exams, so it does not count as idle time.
 */
export function idleExitDay(lastActivityDay: string, years: number): string {
  return addYears(lastActivityDay, years);
}
