/**
 * The exam days (000 §五(二)2): at 00:00 of the first the filing is read again and the exams start
 * (an unacknowledged plan still goes ahead unless the policy says otherwise); at the end of the
 * last the filing is read again, scores fall due from that day, and the filing hears that exams
 * were held (its idle-exit clock, 001 §四(三)).
 */
import { getExternalWorkflowHandle } from '@temporalio/workflow';
import { centerAudience, filingEndedBefore, filingRefusal, institutionAudience } from '../../domain/batch';
import { FILING_STATUS_LABELS, label } from '../../domain/labels';
import { SYSTEM } from '../shared/case-record';
import { examsHeldSignal, filingWorkflowId } from '../filing/messages';
import { acts, type BatchCase } from './context';
import { setDue } from './deadlines';
import { cancel } from './endings';

/** "备案已到期", "备案已终止", … as the vocabulary says it (a filing never found: 已失效). */
export const filingEnded = (status?: string) => `备案${status ? label(FILING_STATUS_LABELS, status) : '已失效'}`;

export async function startExams(c: BatchCase): Promise<void> {
  const { s, record } = c;
  const before = record.snapshot();
  const f = await acts.batchFilingSnapshot({ filingId: s.filingId });
  const r = filingRefusal(f, s.plan.firstExamDate, s.plan.lastExamDate);
  if (r) return cancel(c, `${filingEnded(f.status)}，认定批次取消（${r.message}）`);
  if (s.status === 'planned' && c.policy.examsRequireAcknowledgement) return cancel(c, '鉴定中心未在首个考核日前确认批次计划');
  if (s.status === 'planned') {
    record.log('exams-start-unacknowledged');
    record.notify(centerAudience(s.jurisdiction), 'plan-unacknowledged', `「${s.institution.name}」认定批次已开考，批次计划尚未确认`);
  }
  s.status = 'examining';
  s.stage = null;
  s.due = null;
  record.log('examining');
  record.audit('batch.exams-start', { actor: SYSTEM }, before);
  const supervisors = s.supervision.assigned.map((a) => a.userId);
  if (supervisors.length)
    record.notify(
      { role: 'supervisor', userIds: supervisors },
      'exams-start',
      `「${s.institution.name}」认定考核开始（${s.plan.firstExamDate} 至 ${s.plan.lastExamDate}）`,
    );
  await record.flush();
}

export async function endExams(c: BatchCase): Promise<void> {
  const { s, record } = c;
  const before = record.snapshot();
  const f = await acts.batchFilingSnapshot({ filingId: s.filingId });
  if (filingEndedBefore(f, c.examEndMs)) return cancel(c, `${filingEnded(f.status)}，考核期间备案失效，认定批次取消`);
  s.status = 'scoring';
  record.log('scoring');
  record.audit('batch.exams-end', { actor: SYSTEM }, before);
  // scores are due counting from the last exam day, not from when this timer fired
  await setDue(c, 'scores', c.examEndMs);
  await reportExamsHeld(c);
  record.notify(institutionAudience(s), 'scores-due', `考核已结束，请于 ${s.due!.dueDate} 前录入各模块成绩`);
  await record.flush();
}

/** The filing's idle-exit clock restarts from the last exam day held (001 §四(三)); a filing that no longer runs is not told. */
async function reportExamsHeld(c: BatchCase): Promise<void> {
  const { s, record } = c;
  try {
    await getExternalWorkflowHandle(filingWorkflowId(s.filingId)).signal(examsHeldSignal, { batchId: s.id, lastExamDate: s.plan.lastExamDate });
    record.log('filing-notified');
  } catch (err) {
    record.log('filing-not-notified', undefined, String((err as Error)?.message ?? err).slice(0, 200));
  }
}
