/**
 * A filing's deadlines (SPEC §8; domain/filing-dates for the dates of its life): escalation of an
 * overdue stage, recomputation when an official calendar is loaded, the end of validity during a
 * renewal or change, the renewal reminders and the idle exit of the active life.
 */
import type { StageDef } from '../../domain/filing-policy';
import { audienceOf, escalationAudience, stageDef } from '../../domain/filing';
import { chinaDateOf, endOfDayMs, isoChina, startOfDayMs, yearsTouchSpan } from '../../domain/dates';
import { idleExitDay, nextRenewalReminder, renewalDeadline, renewalReminderDueOn } from '../../domain/filing-dates';
import { SYSTEM } from '../shared/case-record';
import { dueFields, raiseEscalation } from '../shared/deadlines';
import { publicityEnd } from '../shared/publicity';
import { workflowNow } from '../time';
import { acts, institutionOf, type FilingCase } from './context';

/** An overdue stage: the assignee hears of it, and the case goes to their superior (1), then to the province (2). */
export async function escalate(c: FilingCase, def: StageDef): Promise<void> {
  const { state, record } = c;
  const due = state.due!;
  const before = record.snapshot();
  const level = await raiseEscalation(due, state.policy.escalation.provinceAfterWorkingDays, acts.workingDaysDue);
  state.escalations.push({ level, to: level === 1 ? 'superior' : 'province', stage: def.name, at: isoChina(workflowNow()) });
  record.log('escalated', undefined, `${def.name} → ${level === 1 ? 'superior' : 'province'}`);
  record.audit('filing.escalate', { actor: SYSTEM }, before, `${def.name} level ${level}`);
  const msg = `「${state.application.institution.name}」${def.label}已逾期（应于 ${due.dueDate} 完成）`;
  record.notify(audienceOf(def, state), 'overdue', msg);
  record.notify(escalationAudience(level, def, state), 'escalation', `${msg}，已升级${level === 1 ? '至上级' : '至省级'}`);
  await record.flush();
}

/** Calendar loaded: recompute a due date or publicity end that was estimated. Recorded in history and audit. */
export async function recomputeIfCalendarChanged(c: FilingCase): Promise<boolean> {
  const { state, record } = c;
  if (!c.calendarYears.length) return false;
  const years = c.calendarYears.splice(0);
  const before = record.snapshot();
  let changed = false;
  const due = state.due;
  if (due && due.coverage === 'estimated' && yearsTouchSpan(years, chinaDateOf(Date.parse(due.startedAt)), due.dueDate)) {
    const def = stageDef(state, due.stage)!;
    const r = await acts.workingDaysDue({ fromMs: Date.parse(due.startedAt), workingDays: def.dueWorkingDays });
    record.log('deadline-recomputed', undefined, `${due.stage}: ${due.dueDate} → ${r.date}`);
    Object.assign(due, dueFields(r));
    changed = true;
  }
  const p = state.publicity;
  if (p && !p.closedAt && p.coverage === 'estimated' && yearsTouchSpan(years, chinaDateOf(Date.parse(p.startedAt)), p.endDate)) {
    const r = await acts.workingDaysDue({ fromMs: Date.parse(p.startedAt), workingDays: state.policy.publicityWorkingDays });
    record.log('deadline-recomputed', undefined, `publicity: ${p.endDate} → ${r.date}`);
    Object.assign(p, publicityEnd(r));
    changed = true;
  }
  if (changed) {
    record.audit('filing.deadline-recomputed', { actor: SYSTEM }, before, `official calendar loaded for ${years.join(',')}`);
    await record.flush();
  }
  return changed;
}

/** During a renewal or change the filing still expires at the end of its last valid day. */
export function expiryDuringRequest(c: FilingCase): number | undefined {
  const { state } = c;
  return state.notice && state.track !== 'application' ? endOfDayMs(state.notice.validUntil) : undefined;
}

/** The end of the last valid day (004 Art.7(5): three years; domain/filing-dates validityLastDay). */
export function expiryMs(c: FilingCase): number {
  return endOfDayMs(c.state.notice!.validUntil);
}

/** The next renewal reminder (domain/filing-dates: 30 days before the deadline, on it, then monthly), at the start of its day. */
export function nextReminderMs(c: FilingCase): number | undefined {
  const { state } = c;
  if (state.renewal || !state.notice) return undefined;
  const at = nextRenewalReminder(state.notice.validUntil, state.policy, state.reminders?.lastFor);
  return at === undefined ? undefined : startOfDayMs(at);
}

/** The idle clock runs from the last exam day held, or from the first notice (001 §四(三)). */
export function idleSince(c: FilingCase): string {
  return c.state.lastExamDate ?? chinaDateOf(Date.parse(c.state.notice!.firstIssuedAt));
}

/** 001 §四(三), where the policy has it: withdrawn at the end of the day two years after the last exam day held. */
export function idleExitMs(c: FilingCase): number | undefined {
  const years = c.state.policy.idleExitYears;
  return years == null ? undefined : endOfDayMs(idleExitDay(idleSince(c), years));
}

/** 004 Art.9: the renewal reminder due today (one, not a burst, after an outage). */
export async function sendRenewalReminder(c: FilingCase): Promise<void> {
  const { state, record } = c;
  const before = record.snapshot();
  const notice = state.notice!;
  const lastFor = renewalReminderDueOn(notice.validUntil, state.policy, state.reminders?.lastFor, chinaDateOf(workflowNow()));
  if (!lastFor) return;
  state.reminders = { lastFor, sent: (state.reminders?.sent ?? 0) + 1, lastAt: isoChina(workflowNow()) };
  const deadline = renewalDeadline(notice.validUntil, state.policy.renewalLeadMonths);
  const late = lastFor > deadline;
  record.log('renewal-reminder', undefined, `expires ${notice.validUntil}; on time until ${deadline}`);
  record.audit('filing.renewal-reminder', { actor: SYSTEM }, before, lastFor);
  record.notify(
    institutionOf(c),
    'renewal-reminder',
    late
      ? `备案将于 ${notice.validUntil} 到期，续期申请已逾期（应于 ${deadline} 前提出），请尽快申请（吉人社规〔2025〕1号第九条）`
      : `备案将于 ${notice.validUntil} 到期，请于 ${deadline} 前提出续期申请（吉人社规〔2025〕1号第九条：期满前三个月）`,
  );
  await record.flush();
}
