/**
 * A complaint's deadline (SPEC §8, domain/complaints.ts): due a policy number of working days
 * after the day of receipt, a reminder some working days before, then the two-level escalation of
 * filing stages (workflows/shared/deadlines.ts): the superior at the due date, the province later.
 */
import { complaintAudience, complaintEscalationAudience } from '../../domain/complaints';
import { isoChina } from '../../domain/dates';
import { SYSTEM } from '../shared/case-record';
import { dueFields, nextEscalationMs, raiseEscalation } from '../shared/deadlines';
import { workflowNow } from '../time';
import { acts, type ComplaintCase } from './context';

/** Due counted from the receipt (`receivedAt`), never from when a timer fired. */
export async function setDue(c: ComplaintCase): Promise<void> {
  const { s } = c;
  const fromMs = Date.parse(s.receivedAt);
  const days = s.policy.handleWorkingDays;
  const r = await acts.workingDaysDue({ fromMs, workingDays: days });
  s.due = { startedAt: s.receivedAt, ...dueFields(r), escalation: 0 };
  const before = s.policy.reminderWorkingDaysBefore;
  if (before > 0 && days > before) {
    const rr = await acts.workingDaysDue({ fromMs, workingDays: days - before });
    // the morning after the (days − before)-th working day ends: `before` working days remain
    s.due.reminderAtMs = rr.dueAtMs + 1;
    s.due.reminderAt = isoChina(rr.dueAtMs + 1);
    s.due.reminded = false;
  }
}

/** The next instant something falls due: the reminder, then the escalations. */
export function nextWakeAt(c: ComplaintCase): number {
  const d = c.s.due;
  if (!d || c.s.status !== 'open') return Infinity;
  const reminder = d.reminderAtMs !== undefined && !d.reminded ? d.reminderAtMs : Infinity;
  return Math.min(reminder, nextEscalationMs(d) ?? Infinity);
}

export async function onTime(c: ComplaintCase): Promise<void> {
  const d = c.s.due;
  if (!d) return;
  const now = workflowNow();
  if (d.reminderAtMs !== undefined && !d.reminded && now >= d.reminderAtMs) await remind(c);
  const escalationAt = nextEscalationMs(d);
  if (escalationAt !== undefined && now >= escalationAt) await escalate(c);
}

async function remind(c: ComplaintCase): Promise<void> {
  const { s, record } = c;
  const d = s.due!;
  const before = record.snapshot();
  d.reminded = true;
  record.log('reminder', undefined, `due ${d.dueDate}`);
  record.audit('complaint.reminder', { actor: SYSTEM }, before, d.dueDate);
  record.notify(
    complaintAudience(s.jurisdiction),
    'complaint-reminder',
    `关于「${s.institution.name}」的投诉举报应于 ${d.dueDate} 前调查核实处理完毕，请抓紧办理`,
  );
  await record.flush();
}

async function escalate(c: ComplaintCase): Promise<void> {
  const { s, record } = c;
  const d = s.due!;
  const before = record.snapshot();
  const level = await raiseEscalation(d, s.policy.provinceAfterWorkingDays, acts.workingDaysDue);
  s.escalations.push({ level, at: isoChina(workflowNow()) });
  record.log('escalated', undefined, `level ${level}`);
  record.audit('complaint.escalate', { actor: SYSTEM }, before, `level ${level}`);
  const msg = `关于「${s.institution.name}」的投诉举报已逾期未处理（应于 ${d.dueDate} 前处理完毕）`;
  record.notify(complaintAudience(s.jurisdiction), 'overdue', msg);
  record.notify(complaintEscalationAudience(level, s.jurisdiction), 'escalation', `${msg}，已升级${level === 1 ? '至上级' : '至省级'}督办`);
  await record.flush();
}
