/**
 * 机构评估备案: one workflow per filing, for its whole life (SPEC §2, seed 004).
 *
 *   申报 → 初评 (补正 may repeat) → 技术评估 → 综合汇总 → 审议 → 公示 (≥5 working days, objections)
 *   → 备案通知 (sequence code, valid 3 years) → active: renewal, change, termination, idle exit, expiry.
 *
 * The stages come from the filing's policy (domain/filing-policy), fixed when it starts. Every
 * stage is due a policy number of working days after it starts; when it falls due the case
 * escalates to the assignee's superior, and to the province if it stays overdue. Working-day
 * arithmetic is an activity, so a later calendar never rewrites a recorded history. The active
 * life continues as new at every renewal and change, so each run's history stays short.
 *
 * Beside this file: context.ts (the case: state, record, mailbox), handlers.ts and validators.ts
 * (Updates validated, then handed to this loop), stages.ts, publicity.ts, notice.ts, tracks.ts
 * (renewal, change, termination), deadlines.ts, endings.ts.
 */
import { workflowInfo } from '@temporalio/workflow';
import { jurisdictionAudience, jurisdictionOf, stagesOf, type Track } from '../../domain/filing';
import { workflowNow } from '../time';
import { interrupted, is, openCase, type FilingCase } from './context';
import { expiryMs, idleExitMs, idleSince, nextReminderMs, sendRenewalReminder } from './deadlines';
import { continueAsNewWhenIdle, expire, finish, finishInterrupted, terminate, type FilingResult } from './endings';
import { setFilingHandlers, takeWork } from './handlers';
import { validateWork } from './validators';
import type { FilingInput } from './messages';
import { runPublicity } from './publicity';
import { enterStage, runIntake, runReview, type StageResult } from './stages';
import { endTrack, openRequest } from './tracks';

/** continue as new well before Temporal's own suggestion, to keep each run's history short */
const HISTORY_EVENTS_PER_RUN = 1500;

export async function filing(input: FilingInput): Promise<FilingResult> {
  const c = openCase(input, validateWork);
  setFilingHandlers(c);

  if (!input.carried) {
    const { state, record } = c;
    record.log('submitted', input.submittedBy);
    record.audit('filing.submit', { actor: input.submittedBy, requestId: input.requestId }, { status: null, stage: null });
    record.notify(jurisdictionAudience(jurisdictionOf(state.application)), 'submitted', `「${state.application.institution.name}」提交了评估备案申请`);
  }

  if (c.state.status === 'in-review' || c.state.status === 'supplement-requested') {
    const result = await runTrack(c, 'application');
    if (result === 'rejected') return finish(c, 'rejected', 'rejected in review');
    if (result === 'interrupted') return finishInterrupted(c);
    await continueAsNewWhenIdle(c); // the active life starts in a fresh run
  }

  return activeLife(c);
}

/**
 * After 备案通知: the filing is in force until it expires, is withdrawn for idleness (where the
 * policy has it) or is terminated. Renewal reminders go out on their days; a request of the
 * institution runs its track; a renewal or change that passes opens a new chapter in a fresh run.
 */
async function activeLife(c: FilingCase): Promise<FilingResult> {
  const { state } = c;
  for (;;) {
    if (interrupted(c)) return finishInterrupted(c);
    const request = takeWork(c, 'request');
    if (request) {
      openRequest(c, request);
      c.requestUnderway = true;
      const result = await runTrack(c, request.track);
      c.requestUnderway = false;
      if (result === 'interrupted') return finishInterrupted(c);
      if (request.track === 'termination' && result === 'passed') return terminate(c, 'voluntary termination');
      if (request.track !== 'termination' && result === 'passed') await continueAsNewWhenIdle(c);
      continue;
    }
    if (workflowInfo().historyLength > HISTORY_EVENTS_PER_RUN || workflowInfo().continueAsNewSuggested) await continueAsNewWhenIdle(c);

    const expiresAt = expiryMs(c);
    const reminderAt = nextReminderMs(c);
    const idleAt = idleExitMs(c);
    const next = Math.min(expiresAt, idleAt ?? Infinity, reminderAt ?? Infinity);
    c.deadlineMoved = false;
    const woke = await c.mailbox.wait(() => c.mailbox.has(is('request')) || interrupted(c) || c.deadlineMoved, next - workflowNow());
    if (woke) continue;
    const now = workflowNow();
    // an ending is dated when its cause happened, not when the timer fired
    if (now >= expiresAt) return expire(c);
    if (idleAt !== undefined && now >= idleAt)
      return finish(c, 'withdrawn', `no exam held since ${idleSince(c)} for ${state.policy.idleExitYears} years (001 §四(三))`, idleAt);
    if (reminderAt !== undefined && now >= reminderAt) await sendRenewalReminder(c);
  }
}

/**
 * A track runs its stages in order (the policy's list for it), from the stage it is at when a run
 * resumes. Each stage is entered (its due date set) and then run; a stage after a publicity counts
 * from the day the publicity closed. An upheld objection may send the track back to a stage.
 */
async function runTrack(c: FilingCase, track: Track): Promise<'passed' | 'rejected' | 'interrupted'> {
  const { state } = c;
  const stages = stagesOf(state, track);
  let i =
    state.track === track && state.stage
      ? Math.max(
          0,
          stages.findIndex((s) => s.name === state.stage),
        )
      : 0;
  if (state.track !== track) {
    state.track = track;
    state.assignments = {};
  }
  let startsAt: number | undefined;
  while (i < stages.length) {
    const def = stages[i];
    const resumed = state.stage === def.name && state.due?.stage === def.name && state.due.track === track;
    if (!resumed) await enterStage(c, def, startsAt);
    startsAt = undefined;
    const r: StageResult = def.kind === 'intake' ? await runIntake(c, def) : def.kind === 'publicity' ? await runPublicity(c) : await runReview(c, def);
    if (r === 'interrupted') return 'interrupted';
    if (r === 'reject') return endTrack(c, track, 'rejected');
    if (r === 'pass') {
      if (def.kind === 'publicity' && state.publicity?.closedAt) startsAt = Date.parse(state.publicity.closedAt);
      i++;
    } else {
      i = stages.findIndex((s) => s.name === r.returnTo);
      state.stage = null;
    }
  }
  return endTrack(c, track, 'passed');
}
