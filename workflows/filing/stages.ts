/**
 * A stage of a filing (SPEC §2): entering it (its due date counts from the day it started), and
 * waiting in it — for an expert group at an intake, for a decision at a review or notice (补正
 * returns the stage to the applicant and then runs it again) — escalating as its deadlines pass.
 */
import type { StageDef } from '../../domain/filing-policy';
import { audienceOf, stageDef, type Decision } from '../../domain/filing';
import { isoChina } from '../../domain/dates';
import { emptyLedger } from '../../domain/objections';
import { FILING_STAGE_LABELS, OUTCOME_LABELS, label } from '../../domain/labels';
import { SYSTEM } from '../shared/case-record';
import { dueFields, nextEscalationMs } from '../shared/deadlines';
import { workflowNow } from '../time';
import { acts, institutionOf, interrupted, is, type FilingCase } from './context';
import { escalate, expiryDuringRequest, recomputeIfCalendarChanged } from './deadlines';
import { takeWork } from './handlers';
import { issueNotice } from './notice';
import type { AssignInput, DecideInput, SupplementInput } from './messages';

export type StageResult = 'pass' | 'reject' | 'interrupted' | { returnTo: string };

/** Enters a stage that started at `startMs` (default now): its due date counts from that day. */
export async function enterStage(c: FilingCase, def: StageDef, startMs = workflowNow()): Promise<void> {
  const { state, record } = c;
  const before = record.snapshot();
  // the deadline first: a query between the two must not see the new stage with the old due date
  const days = def.kind === 'publicity' ? state.policy.publicityWorkingDays : def.dueWorkingDays;
  const due = await acts.workingDaysDue({ fromMs: startMs, workingDays: days });
  state.stage = def.name;
  // renewal-pending and change-pending stay; a voluntary termination is evaluated while the
  // filing is still in force, so it stays active (and in the directory) until it ends
  if (state.track === 'application') state.status = 'in-review';
  if (def.kind === 'publicity') {
    state.due = null;
    const round = (state.publicity?.round ?? 0) + 1;
    state.publicity = {
      track: state.track,
      round,
      startedAt: isoChina(startMs),
      endDate: due.date,
      endsAt: due.dueAt,
      endsAtMs: due.dueAtMs,
      coverage: due.coverage,
      objections: emptyLedger(),
    };
    record.log('publicity-started', undefined, `until ${due.date}`);
  } else {
    state.due = { track: state.track, stage: def.name, startedAt: isoChina(startMs), ...dueFields(due), escalation: 0 };
    record.log('stage-entered', undefined, def.name);
  }
  record.audit('filing.transition', { actor: SYSTEM }, before);
  record.notify(audienceOf(def, state), 'task', `「${state.application.institution.name}」进入${def.label}阶段`);
  await record.flush();
}

/**
 * An intake waits for a reviewer to form the next stage's expert group. When the next stage is
 * decided by a body itself (Shanxi 2020: the prefecture center's first review), there is no
 * group to form: that body receives the application at its own stage.
 */
export async function runIntake(c: FilingCase, def: StageDef): Promise<StageResult> {
  if (!def.assigns || stageDef(c.state, def.assigns)?.decider !== 'assigned-experts') return 'pass';
  const assigned = () => (c.state.assignments[def.assigns!]?.length ?? 0) > 0;
  return (await awaitStep(c, def, assigned)) === 'interrupted' ? 'interrupted' : 'pass';
}

/** A review or notice stage: a decision of pass or reject ends it; 补正 waits for the applicant, then runs the stage again. */
export async function runReview(c: FilingCase, def: StageDef): Promise<StageResult> {
  for (;;) {
    if ((await awaitStep(c, def, () => c.mailbox.has(is('decide')))) === 'interrupted') return 'interrupted';
    const work = takeWork(c, 'decide');
    if (!work) continue;
    const outcome = await recordDecision(c, def, work.input);
    if (outcome !== 'supplement') return outcome;
    const supplement = await awaitSupplement(c);
    if (!supplement) return 'interrupted';
    recordSupplement(c, supplement);
    await enterStage(c, def);
  }
}

/**
 * Waits until `ready()` or an interruption, recording expert groups formed meanwhile, and
 * escalating as deadlines pass: at the due date to the assignee's superior, and after the policy
 * delay to the province (SPEC §8). During a renewal or change the filing still expires.
 */
async function awaitStep(c: FilingCase, def: StageDef, ready: () => boolean): Promise<'done' | 'interrupted'> {
  for (;;) {
    await takeAssignments(c, def);
    if (interrupted(c)) return 'interrupted';
    if (ready()) return 'done';
    c.deadlineMoved = false;
    await recomputeIfCalendarChanged(c);
    const due = c.state.due;
    const escalationAt = nextEscalationMs(due);
    const expiresAt = expiryDuringRequest(c);
    const wakeAt = Math.min(escalationAt ?? Infinity, expiresAt ?? Infinity);
    const woke = await c.mailbox.wait(() => ready() || interrupted(c) || c.deadlineMoved || c.mailbox.has(is('assign')), wakeAt - workflowNow());
    if (woke) continue;
    if (expiresAt !== undefined && workflowNow() >= expiresAt) {
      c.expired = true;
      return 'interrupted';
    }
    if (due && escalationAt !== undefined && workflowNow() >= escalationAt) await escalate(c, def);
  }
}

/** 补正: waits for the applicant's materials (expert groups formed meanwhile are recorded). Null when interrupted. */
async function awaitSupplement(c: FilingCase): Promise<SupplementInput | null> {
  for (;;) {
    await takeAssignments(c);
    if (interrupted(c)) return null;
    const work = takeWork(c, 'supplement');
    if (work) return work.input;
    await c.mailbox.wait(() => interrupted(c) || c.mailbox.has(is('supplement', 'assign')));
  }
}

/** Expert groups formed by a reviewer; at an intake, the group it waits for moves the filing on (written with the next stage). */
async function takeAssignments(c: FilingCase, current?: StageDef): Promise<void> {
  for (let work = takeWork(c, 'assign'); work; work = takeWork(c, 'assign')) {
    recordAssignment(c, work.input);
    const movesOn = current?.kind === 'intake' && current.assigns === work.input.stage;
    if (!movesOn) await c.record.flush();
  }
}

function recordAssignment(c: FilingCase, a: AssignInput): void {
  const { state, record } = c;
  const before = record.snapshot();
  state.assignments[a.stage] = a.experts.map((e) => ({ userId: e.userId, name: e.name }));
  for (const e of a.experts) if (!state.assignedExperts.includes(e.userId)) state.assignedExperts.push(e.userId);
  record.log('experts-assigned', a.actor, `${a.stage}: ${a.experts.map((e) => e.name).join('、')}`);
  record.audit('filing.assign', a, before, `${a.stage}: ${a.experts.map((e) => e.userId).join(',')}`);
  record.notify(
    { userIds: a.experts.map((e) => e.userId), role: 'expert' },
    'assignment',
    `您被指派参加「${state.application.institution.name}」的${label(FILING_STAGE_LABELS, a.stage)}`,
  );
}

/** A stage's decision (004 Art.7): recorded with its opinion; a notice that passes is issued (notice.ts). */
async function recordDecision(c: FilingCase, def: StageDef, d: DecideInput): Promise<'pass' | 'reject' | 'supplement'> {
  const { state, record } = c;
  const before = record.snapshot();
  const decision: Decision = {
    track: state.track,
    stage: def.name,
    outcome: d.outcome,
    opinion: d.opinion,
    score: d.score,
    items: d.items,
    actor: d.actor,
    at: isoChina(workflowNow()),
  };
  state.decisions.push(decision);
  record.log(`decided:${d.outcome}`, d.actor, `${def.name}: ${d.opinion.slice(0, 200)}`);
  if (d.outcome === 'pass' && def.kind === 'notice') await issueNotice(c, d);
  if (d.outcome === 'supplement') {
    if (state.track === 'application') state.status = 'supplement-requested';
    state.supplements.push({ requestedAt: isoChina(workflowNow()), items: d.items ?? [], stage: def.name });
    record.notify(institutionOf(c), 'supplement-requested', `请补正材料：${(d.items ?? []).join('；') || d.opinion}`);
  } else if (d.outcome === 'reject' && state.track === 'application') {
    state.status = 'rejected';
  }
  record.audit('filing.decide', d, before, `${def.name}: ${d.outcome}`);
  record.notify(institutionOf(c), 'decision', `${def.label}：${label(OUTCOME_LABELS, d.outcome)}`);
  if (d.outcome === 'supplement') {
    await record.flush();
    return 'supplement';
  }
  // the next stage (or the end of the track) records this decision with its own transition: one
  // write instead of two; a notice writes the directory now
  if (def.kind === 'notice' && d.outcome === 'pass') await record.flush('upsert');
  return d.outcome;
}

/** The applicant's materials replace those of the same kind; the audit names who supplemented, with its request id. */
function recordSupplement(c: FilingCase, s: SupplementInput): void {
  const { state, record } = c;
  const open = state.supplements[state.supplements.length - 1];
  open.answeredAt = isoChina(workflowNow());
  open.note = s.note;
  open.materials = s.materials;
  for (const m of s.materials) {
    const i = state.application.materials.findIndex((x) => x.kind === m.kind);
    if (i >= 0) state.application.materials[i] = m;
    else state.application.materials.push(m);
  }
  const before = record.snapshot();
  if (state.track === 'application') state.status = 'in-review';
  record.log('supplemented', s.actor);
  record.audit('filing.supplement', s, before);
}
