/**
 * How a filing's run ends: the filing itself ends (rejected, expired, withdrawn, terminated), or
 * the run continues as new with the state carried over (after the review, each renewal and
 * change, and when the history grows long).
 */
import { allHandlersFinished, condition, continueAsNew, patched } from '@temporalio/workflow';
import { jurisdictionAudience, jurisdictionOf, type FilingStatus } from '../../domain/filing';
import { isoChina } from '../../domain/dates';
import { FILING_STATUS_LABELS, label } from '../../domain/labels';
import { SYSTEM } from '../shared/case-record';
import { failure } from '../shared/failure';
import { workflowNow } from '../time';
import { acts, institutionOf, interrupted, is, type FilingCase } from './context';
import { expiryMs } from './deadlines';
import { takeWork } from './handlers';
import { orderTermination } from './tracks';
import type { filing } from './workflow';

export interface FilingResult {
  status: FilingStatus;
  reason?: string;
}

/** The filing ends: recorded, told, out of the directory; work handed over and not done is refused. */
export async function finish(c: FilingCase, status: FilingStatus, reason: string, endedAtMs = workflowNow()): Promise<FilingResult> {
  const { state, record } = c;
  const before = record.snapshot();
  state.status = status;
  state.due = null;
  state.endedAt = isoChina(endedAtMs);
  state.endReason = reason;
  record.log(status, undefined, reason);
  record.audit(`filing.${status}`, { actor: state.termination?.by ?? SYSTEM }, before, reason);
  const inst = state.application.institution;
  if (status !== 'rejected') {
    record.notify(institutionOf(c), status, `备案${label(FILING_STATUS_LABELS, status)}：${reason}`);
    record.notify(jurisdictionAudience(jurisdictionOf(state.application)), status, `「${inst.name}」备案${label(FILING_STATUS_LABELS, status)}`);
  }
  await record.flush(state.notice ? 'remove' : undefined);
  c.mailbox.close(() => failure('INVALID_STATE', `The filing is ${status}`));
  await condition(allHandlersFinished);
  return { status, reason };
}

/** An ordered termination (004 Art.11), or the end of validity reached during a renewal or change. */
export async function finishInterrupted(c: FilingCase): Promise<FilingResult> {
  const order = takeWork(c, 'ordered-termination');
  if (order) {
    orderTermination(c, order.input);
    return terminate(c, `ordered: ${order.input.reason}`);
  }
  return expire(c);
}

/**
 * The filing was not renewed: it expires at the end of its last valid day (004 Art.9), dated then.
 *
 * Patch `expiry-ends-batches` (release 0.3): an expired institution may no longer certify (004
 * Art.13, as after a termination), so its unfinished batches are ended first, each with its refund
 * list, instead of being left to fail when they come to issue. Runs that expired before the patch
 * replay the old path (test/replay/histories/0.2.0/filing/expiry).
 */
export async function expire(c: FilingCase): Promise<FilingResult> {
  const { state, record } = c;
  const notice = state.notice;
  const endedAt = notice ? expiryMs(c) : workflowNow();
  if (patched('expiry-ends-batches')) {
    const { cancelled } = await acts.endBatchesOfFiling({ filingId: state.id, reason: `备案有效期届满未续期（有效期至${notice?.validUntil}）` });
    if (cancelled.length) record.log('batches-cancelled', undefined, cancelled.join(', ').slice(0, 500));
  }
  return finish(c, 'expired', `valid until ${notice?.validUntil}; not renewed`, endedAt);
}

/**
 * 004 Art.10–13: termination ends the institution's unfinished work first. Every batch not yet
 * certified is cancelled (its candidates listed for a refund) before the termination instant is
 * recorded, so no certificate is issued after it. Certificates already issued stay valid.
 */
export async function terminate(c: FilingCase, reason: string): Promise<FilingResult> {
  const { state, record } = c;
  const t = state.termination;
  const { cancelled } = await acts.endBatchesOfFiling({
    filingId: state.id,
    reason: `备案${t?.kind === 'ordered' ? '被责令' : ''}终止：${t?.reason ?? reason}`,
  });
  if (cancelled.length) record.log('batches-cancelled', undefined, cancelled.join(', ').slice(0, 500));
  state.termination!.at = isoChina(workflowNow());
  return finish(c, 'terminated', reason);
}

/**
 * Continues as new once every handler is done. A renewal, change or termination handed over in
 * the meantime (their validators pass as soon as the filing is active with no stage) is not left
 * behind: this returns instead, the active life takes it, and continues as new later.
 */
export async function continueAsNewWhenIdle(c: FilingCase): Promise<void> {
  const workWaits = () => interrupted(c) || c.mailbox.has(is('request'));
  if (workWaits()) return;
  await c.mailbox.wait(() => allHandlersFinished() || workWaits());
  if (workWaits()) return;
  c.state.runs += 1;
  await continueAsNew<typeof filing>({ ...c.input, carried: c.state });
}
