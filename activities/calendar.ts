import type { CalendarStore } from '../infra/calendar-store';

export interface DueDate {
  /** the local date of the N-th working day */
  date: string;
  /** the instant that working day ends, epoch ms */
  dueAtMs: number;
  dueAt: string;
  coverage: 'official' | 'estimated';
}

/**
 * Working-day arithmetic runs here, never in workflow code: the calendar changes every year, and
 * a recorded history must not depend on data loaded later (SPEC §6). The answer is recorded in
 * the workflow's history as this activity's result.
 */
export function createCalendarActivities(calendars: CalendarStore) {
  return {
    /** End of the N-th working day after the local date of `fromMs` (SPEC §8). */
    async workingDaysDue(input: { fromMs: number; workingDays: number }): Promise<DueDate> {
      const cal = await calendars.calendar();
      const r = cal.dueAt(input.fromMs, input.workingDays);
      return { date: r.date, dueAtMs: r.dueAtMs, dueAt: r.dueAt, coverage: r.coverage };
    },
    /** The first local date that is at least N working days after the local date of `fromMs`. */
    async addWorkingDays(input: { from: string; workingDays: number }): Promise<{ date: string; coverage: 'official' | 'estimated' }> {
      const cal = await calendars.calendar();
      return cal.addWorkingDays(input.from, input.workingDays);
    },
  };
}
