/**
 * How a batch ends short of its certificates: rejected by the center, or cancelled — by the center
 * after a serious supervision finding, because its filing ended before the exams were over, or
 * because the filing is being terminated (004 Art.13: candidates listed for a refund).
 */
import { BATCH_TERMINAL, centerAudience, institutionAudience, type BatchStatus } from '../../domain/batch';
import type { Actor } from '../../domain/filing';
import { isoChina } from '../../domain/dates';
import { BATCH_STATUS_LABELS } from '../../domain/labels';
import { SYSTEM } from '../shared/case-record';
import { workflowNow } from '../time';
import type { BatchCase } from './context';
import type { FilingTerminatedInput } from './messages';

type By = { actor: Actor; requestId?: string };

export async function cancel(c: BatchCase, reason: string, by?: By): Promise<void> {
  const { s, record } = c;
  // no candidate of a cancelled batch was certified: each is owed a refund of the assessment fee (004 Art.13)
  s.cancellation = {
    reason,
    at: isoChina(workflowNow()),
    by: by?.actor.sub,
    refund: { count: s.plan.roster.count },
  };
  const supervisors = s.supervision.assigned.map((a) => a.userId);
  if (supervisors.length) record.notify({ role: 'supervisor', userIds: supervisors }, 'cancelled', `「${s.institution.name}」认定批次已取消`);
  await finish(c, 'cancelled', reason, by);
}

export async function finish(c: BatchCase, status: Extract<BatchStatus, 'rejected' | 'cancelled'>, reason: string, by?: By): Promise<void> {
  const { s, record } = c;
  const before = record.snapshot();
  s.status = status;
  s.stage = null;
  s.due = null;
  s.suspendedFrom = undefined;
  s.endedAt = isoChina(workflowNow());
  s.endReason = reason;
  record.log(status, by?.actor, reason);
  record.audit(`batch.${status}`, by ?? { actor: SYSTEM }, before, reason);
  record.notify(institutionAudience(s), status, `认定批次${BATCH_STATUS_LABELS[status]}：${reason}`);
  record.notify(centerAudience(s.jurisdiction), status, `「${s.institution.name}」认定批次${BATCH_STATUS_LABELS[status]}`);
  await record.flush();
}

/** 004 Art.13: the filing is being terminated; a batch not yet certified ends here. Answers with the batch's final status. */
export async function processFilingTerminated(c: BatchCase, i: FilingTerminatedInput): Promise<{ status: BatchStatus }> {
  if (!BATCH_TERMINAL.includes(c.s.status)) await cancel(c, `${i.reason}，未完成的认定批次取消`);
  return { status: c.s.status };
}
