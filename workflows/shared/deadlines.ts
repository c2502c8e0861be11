/**
 * Due dates and escalation, as both workflows keep them (SPEC §8): a step is due a number of
 * working days after the day its cause happened; at the due date it escalates to the assignee's
 * superior (level 1), and still overdue a policy number of working days later, to the province
 * (level 2). Working-day arithmetic is an activity (`workingDaysDue`), never workflow code.
 */
import type { DueDate } from '../../activities/calendar';

export type WorkingDaysDue = (input: { fromMs: number; workingDays: number }) => Promise<DueDate>;

/** A due date's fields as a case's state keeps them. */
export function dueFields(r: DueDate) {
  return { dueDate: r.date, dueAt: r.dueAt, dueAtMs: r.dueAtMs, coverage: r.coverage };
}

interface Escalating {
  dueAtMs: number;
  escalation: 0 | 1 | 2;
  provinceAt?: string;
  provinceAtMs?: number;
}

/** The next escalation instant of a due step: its due date, then the province's, then none. */
export function nextEscalationMs(due: Escalating | null | undefined): number | undefined {
  if (!due) return undefined;
  return due.escalation === 0 ? due.dueAtMs : due.escalation === 1 ? due.provinceAtMs : undefined;
}

/**
 * One level up. Reaching level 1, the province's turn is counted from the due date (not from the
 * moment the timer fired): `provinceAfterWorkingDays` working days later.
 */
export async function raiseEscalation(due: Escalating, provinceAfterWorkingDays: number, workingDaysDue: WorkingDaysDue): Promise<1 | 2> {
  const level = (due.escalation + 1) as 1 | 2;
  due.escalation = level;
  if (level === 1) {
    const province = await workingDaysDue({ fromMs: due.dueAtMs, workingDays: provinceAfterWorkingDays });
    due.provinceAt = province.dueAt;
    due.provinceAtMs = province.dueAtMs;
  }
  return level;
}
