/**
 * 认定批次: one workflow per assessment batch, `batch/<batchId>` (SPEC §3, 000 §五(二), 001 §三(五)–(七)).
 *
 *   plan check (nothing is written for a refused plan)
 *   → planned (center: plan-review pass | reject) → acknowledged
 *   → examining (00:00 of the first exam day; the filing is read again) → scoring (end of the last
 *     exam day; the filing is read again; the institution posts module scores)
 *   → publicity (≥5 working days; public objections; upheld → back to scoring)
 *   → results-due (within 10 working days of the close; reminder 2 working days before; overdue
 *     escalates to the center, then the provincial center)
 *   → results-review (center: pass → certificates, certified | return → results-due | reject)
 *   Any time before the end: a supervisor's serious finding → suspended, until the center resumes
 *   or cancels. The filing ending before the last exam day → cancelled.
 *
 * After the plan check the batch is driven by what happens to it: the main loop does one piece of
 * work handed over by an Update (the mailbox, workflows/shared/mailbox.ts), or the next timer
 * that fell due, one at a time; each transition is one `recordBatch` activity. Working-day
 * arithmetic, the filing's state, the supervisor draw and certificate issuing are activities, so
 * their answers are part of the history and a replay gives the same result.
 *
 * Filing end: the workflow reads the filing (its `stateQuery`, through an activity) at plan check,
 * at 00:00 of the first exam day, at the end of the last and before issuing certificates. A filing
 * that expired or was withdrawn before the end of the last exam day cancels the batch; one that
 * ends later does not. A filing being terminated tells its batches itself (`filingTerminatedUpdate`)
 * before it records the termination: every batch not yet certified is cancelled and its candidates
 * are listed for a refund (004 Art.13), so no certificate is issued after the termination.
 *
 * Deadlines count from the day their cause happened (SPEC §8): scores from the last exam day, the
 * results from the publicity's end date, never from the moment a timer fired.
 *
 * Beside this file: context.ts (the case), handlers.ts (Updates validated by domain/batch rules,
 * then handed over), plan.ts, exams.ts, supervision.ts, results.ts (scores, publicity, results),
 * decisions.ts (the center's, and the certificates), deadlines.ts, endings.ts.
 */
import { allHandlersFinished, condition } from '@temporalio/workflow';
import { BATCH_TERMINAL, centerAudience } from '../../domain/batch';
import { failure, refusalFailure, businessFailure } from '../shared/failure';
import { workflowNow } from '../time';
import { BatchCase, type BatchWork } from './context';
import { nextWakeAt, onTime, recomputeEstimated, setDue } from './deadlines';
import { processDecision } from './decisions';
import { processFilingTerminated } from './endings';
import { setBatchHandlers } from './handlers';
import { validateWork } from './validators';
import type { BatchInput, BatchResult } from './messages';
import { checkPlan } from './plan';
import { processDismissal, processResolution, processResults, processScores, tellOfObjections } from './results';
import { processSupervision } from './supervision';

/** how long a refused plan's workflow waits for the submitPlan update to collect the refusal */
const PLAN_ANSWER_GRACE_MS = 10 * 60_000;

export async function batch(input: BatchInput): Promise<BatchResult> {
  const c = new BatchCase(input, validateWork);
  setBatchHandlers(c);

  // the plan: refused, nothing is written; accepted, the batch is planned and the center told
  const checked = await checkPlan(c);
  if ('refusal' in checked) {
    c.plan.refusal = refusalFailure(checked.refusal);
    c.plan.settled = true;
    await condition(() => c.plan.answered, PLAN_ANSWER_GRACE_MS);
    await condition(allHandlersFinished);
    return { status: 'plan-refused', reason: checked.refusal.message, refusal: checked.refusal };
  }
  const s = (c.state = checked.state);
  c.record.log('planned', input.submittedBy, `${s.plan.roster.count} candidates, exams ${s.plan.firstExamDate} – ${s.plan.lastExamDate}`);
  c.record.audit('batch.plan', { actor: input.submittedBy, requestId: input.requestId }, { status: null, stage: null });
  c.record.notify(
    centerAudience(s.jurisdiction),
    'batch-planned',
    `「${s.institution.name}」报备认定批次计划：${s.plan.firstExamDate} 至 ${s.plan.lastExamDate}，${s.plan.roster.count} 人`,
  );
  await setDue(c, 'plan-review');
  await c.record.flush();
  c.plan.settled = true;

  // until it is certified, rejected or cancelled: one piece of work, or one timer, at a time
  while (!BATCH_TERMINAL.includes(s.status)) {
    const work = c.mailbox.take();
    if (work) {
      await runWork(c, work);
      continue;
    }
    const wakeAt = nextWakeAt(c);
    if (wakeAt <= workflowNow()) {
      await onTime(c);
      continue;
    }
    const woke = await c.mailbox.wait(() => c.mailbox.has(), wakeAt - workflowNow());
    if (!woke) await onTime(c);
  }
  c.mailbox.close(() => failure('INVALID_STATE', `The batch is ${s.status}`));
  await condition(allHandlersFinished);
  return { status: s.status, reason: s.endReason };
}

/** Work handed over (the mailbox validated it again); a business refusal, an activity's too, goes back to the caller. */
async function runWork(c: BatchCase, work: BatchWork): Promise<void> {
  try {
    const answer = await process(c, work);
    if (answer !== undefined) c.mailbox.answer(work, answer);
  } catch (err) {
    const refusal = businessFailure(err);
    if (!refusal) throw err;
    c.mailbox.refuse(work, refusal);
  }
}

function process(c: BatchCase, w: BatchWork): Promise<unknown> {
  switch (w.kind) {
    case 'decide':
      return processDecision(c, w.input);
    case 'supervise':
      return processSupervision(c, w.input);
    case 'scores':
      return processScores(c, w.input);
    case 'resolve':
      return processResolution(c, w.input);
    case 'dismiss':
      return processDismissal(c, w.input);
    case 'results':
      return processResults(c, w.input);
    case 'filing-terminated':
      return processFilingTerminated(c, w.input);
    case 'tell-objections':
      return tellOfObjections(c);
    case 'calendar':
      return recomputeEstimated(c, w.years);
  }
}
