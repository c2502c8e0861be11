/**
 * A batch's timers (SPEC §8): the exam days, the end of a publicity, and the due steps — plan
 * review, scores (from the last exam day), results (10 working days from the publicity's close,
 * 000 §五(二)3, with a reminder before), results review — each escalating when overdue.
 */
import { BATCH_TERMINAL, batchEscalationAudience, dueAudience, type DueStep } from '../../domain/batch';
import { chinaDateOf, isoChina, yearsTouchSpan } from '../../domain/dates';
import { openObjections } from '../../domain/objections';
import { DUE_STEP_LABELS } from '../../domain/labels';
import { SYSTEM } from '../shared/case-record';
import { dueFields, nextEscalationMs, raiseEscalation } from '../shared/deadlines';
import { publicityEnd } from '../shared/publicity';
import { workflowNow } from '../time';
import { acts, type BatchCase } from './context';
import { endExams, startExams } from './exams';
import { closePublicity } from './results';

/** The next instant something is due, by status. */
export function nextWakeAt(c: BatchCase): number {
  const s = c.s;
  switch (s.status) {
    case 'planned':
      return Math.min(c.examStartMs, dueTimer(c));
    case 'acknowledged':
      return c.examStartMs;
    case 'examining':
      return c.examEndMs;
    case 'publicity':
      return openObjections(s.publicity!.objections) > 0 ? Infinity : s.publicity!.endsAtMs;
    case 'scoring':
    case 'results-due':
    case 'results-review':
      return dueTimer(c);
    default:
      return Infinity;
  }
}

/** What falls due now: the exams start or end, the publicity closes, a reminder, an escalation. */
export async function onTime(c: BatchCase): Promise<void> {
  const s = c.s;
  const now = workflowNow();
  if ((s.status === 'planned' || s.status === 'acknowledged') && now >= c.examStartMs) return startExams(c);
  if (s.status === 'examining' && now >= c.examEndMs) return endExams(c);
  if (s.status === 'publicity' && now >= s.publicity!.endsAtMs && openObjections(s.publicity!.objections) === 0) return closePublicity(c);
  const d = s.due;
  if (!d) return;
  if (d.reminderAtMs !== undefined && !d.reminded && now >= d.reminderAtMs) await remind(c);
  const escalationAt = nextEscalationMs(d);
  if (escalationAt !== undefined && now >= escalationAt) await escalate(c);
}

function dueTimer(c: BatchCase): number {
  const d = c.s.due;
  if (!d) return Infinity;
  const reminder = d.reminderAtMs !== undefined && !d.reminded ? d.reminderAtMs : Infinity;
  return Math.min(reminder, nextEscalationMs(d) ?? Infinity);
}

function dueDays(c: BatchCase, step: DueStep): number {
  const p = c.policy;
  return {
    'plan-review': p.planReviewDueWorkingDays,
    scores: p.scoringDueWorkingDays,
    results: p.resultsDueWorkingDays,
    'results-review': p.resultsReviewDueWorkingDays,
  }[step];
}

/** A step is due counting from `fromMs` (default now); the results get a reminder before their deadline. */
export async function setDue(c: BatchCase, step: DueStep, fromMs = workflowNow()): Promise<void> {
  const s = c.s;
  const days = dueDays(c, step);
  const r = await acts.workingDaysDue({ fromMs, workingDays: days });
  s.due = { step, startedAt: isoChina(fromMs), ...dueFields(r), escalation: 0 };
  const before = c.policy.resultsReminderWorkingDaysBefore;
  if (step === 'results' && before > 0 && days > before) {
    const rr = await acts.workingDaysDue({ fromMs, workingDays: days - before });
    s.due.reminderAtMs = rr.dueAtMs + 1;
    s.due.reminderAt = isoChina(rr.dueAtMs + 1);
    s.due.reminded = false;
  }
}

/** An official year was loaded: recompute what an estimate decided and has not happened yet. */
export async function recomputeEstimated(c: BatchCase, years: number[]): Promise<void> {
  const { s, record } = c;
  if (BATCH_TERMINAL.includes(s.status)) return;
  const before = record.snapshot();
  const changes: string[] = [];
  const d = s.due;
  if (d && d.coverage === 'estimated' && d.escalation === 0 && yearsTouchSpan(years, chinaDateOf(Date.parse(d.startedAt)), d.dueDate)) {
    const old = d.dueDate;
    const reminded = d.reminded;
    await setDue(c, d.step, Date.parse(d.startedAt));
    if (reminded) s.due!.reminded = true;
    changes.push(`${d.step}: ${old} → ${s.due!.dueDate}`);
  }
  const p = s.publicity;
  if (s.status === 'publicity' && p && !p.closedAt && p.coverage === 'estimated' && yearsTouchSpan(years, chinaDateOf(Date.parse(p.startedAt)), p.endDate)) {
    const r = await acts.workingDaysDue({ fromMs: Date.parse(p.startedAt), workingDays: c.policy.publicityWorkingDays });
    changes.push(`publicity: ${p.endDate} → ${r.date}`);
    Object.assign(p, publicityEnd(r));
  }
  if (!changes.length) return;
  record.log('deadline-recomputed', undefined, changes.join('; '));
  record.audit('batch.deadline-recomputed', { actor: SYSTEM }, before, `official calendar loaded for ${years.join(',')}: ${changes.join('; ')}`);
  await record.flush();
}

async function remind(c: BatchCase): Promise<void> {
  const { s, record } = c;
  const d = s.due!;
  const before = record.snapshot();
  d.reminded = true;
  record.log('reminder', undefined, `${d.step} due ${d.dueDate}`);
  record.audit('batch.reminder', { actor: SYSTEM }, before, d.step);
  record.notify(dueAudience(d.step, s), 'results-reminder', `认定结果（结果汇总表、合格人员花名册）应于 ${d.dueDate} 前报送鉴定中心审核，请抓紧办理`);
  await record.flush();
}

/** An overdue step: whoever it waits on hears of it; it goes to the center (1), then the province (2). */
async function escalate(c: BatchCase): Promise<void> {
  const { s, record } = c;
  const d = s.due!;
  const before = record.snapshot();
  const level = await raiseEscalation(d, c.policy.escalationProvinceAfterWorkingDays, acts.workingDaysDue);
  s.escalations.push({ level, step: d.step, at: isoChina(workflowNow()) });
  record.log('escalated', undefined, `${d.step} → level ${level}`);
  record.audit('batch.escalate', { actor: SYSTEM }, before, `${d.step} level ${level}`);
  const msg = `「${s.institution.name}」认定批次${DUE_STEP_LABELS[d.step]}已逾期（应于 ${d.dueDate} 完成）`;
  record.notify(dueAudience(d.step, s), 'overdue', msg);
  record.notify(batchEscalationAudience(level, d.step, s), 'escalation', `${msg}，已升级${level === 1 ? '' : '至省级'}督办`);
  await record.flush();
}
