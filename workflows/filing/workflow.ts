/**
 * 机构评估备案: one workflow per filing, for its whole life (SPEC §2, seed 004).
 *
 *   申报 → 初评 (补正 may repeat) → 技术评估 → 综合汇总 → 审议 → 公示 (≥5 working days, objections)
 *   → 备案通知 (sequence code, valid 3 years) → active: renewal, change, termination, idle exit, expiry.
 *
 * Every stage is due a policy number of working days after it starts; when it falls due the case
 * escalates to the assignee's superior, and to the province if it stays overdue. Working-day
 * arithmetic is an activity, so a later calendar never rewrites a recorded history. The active
 * life continues as new at every renewal and change, so each run's history stays short.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activityTypes from '../../activities';
import {
  audienceOf,
  changeTrack,
  openSupplement,
  conflictOfInterest,
  decisionRefusal,
  escalationAudience,
  isJurisdictionReviewer,
  jurisdictionAudience,
  jurisdictionOf,
  stageDef,
  stagesOf,
  TERMINAL_STATUSES,
  type Actor,
  type Audience,
  type Decision,
  type FilingState,
  type FilingStatus,
  type Track,
} from '../../domain/filing';
import { outcomesOf, type StageDef } from '../../domain/filing-policy';
import { emptyLedger, lastResolutionMs, objectionIdOf, openObjections, resolutionRefusal, upheldObjection } from '../../domain/objections';
import { idleExitDay, nextRenewalReminder, renewalDeadline, renewalIsLate, renewalReminderDueOn, renewedLastDay, validityLastDay } from '../../domain/filing-dates';
import type { AuditDraft, NotificationDraft } from '../../activities/records';
import {
  assignExpertsUpdate,
  calendarUpdatedSignal,
  changeUpdate,
  decideUpdate,
  dismissObjectionsUpdate,
  examsHeldSignal,
  objectionUpdate,
  renewalUpdate,
  resolveObjectionUpdate,
  stateQuery,
  supplementUpdate,
  terminationUpdate,
  type DecideInput,
  type Envelope,
  type FilingInput,
} from './messages';
import { chinaDate, endOfChinaDayMs, iso, nowMs } from '../time';

const acts = proxyActivities<activityTypes.Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['SERIAL_EXHAUSTED'] },
});
/**
 * Calendar arithmetic is an ordinary activity (its result recorded in history, so a later
 * calendar never rewrites it). Not a local activity: demo-mode workers run without a workflow
 * cache (see worker.ts), and a local activity's result cannot reach an evicted workflow.
 */
const calendar = acts;

const SYSTEM: Actor = { sub: 'system', name: '系统', role: 'admin' };
const HISTORY_LIMIT = 300;
/** continue as new well before Temporal's own suggestion, to keep each run's history short */
const HISTORY_EVENTS_PER_RUN = 1500;

type Interrupt = { kind: 'ordered-termination' } | { kind: 'expired' } | null;

export async function filing(input: FilingInput): Promise<{ status: FilingStatus; reason?: string }> {
  const state: FilingState = input.carried ?? initialState(input);
  let pendingDecision: DecideInput | null = null;
  let supplemented = false;
  let supplementedBy: Envelope | null = null;
  let dueMoved = false;
  let interrupt: Interrupt = null;
  let queuedRequest: { track: Track; actor: Actor; requestId?: string } | null = null;
  let tickets = 0;
  let processed = 0;
  const audit: AuditDraft[] = [];
  const notes: NotificationDraft[] = [];

  // ——— messages ———

  setHandler(stateQuery, () => state);

  setHandler(
    decideUpdate,
    async (d) => {
      refuseIfDecisionInvalid(d);
      if (pendingDecision) throw failure('STAGE_MISMATCH', 'Another decision on this stage is being recorded');
      pendingDecision = d;
      await untilProcessed();
      return state;
    },
    { validator: (d) => refuseIfDecisionInvalid(d) },
  );

  setHandler(
    assignExpertsUpdate,
    async (a) => {
      validateAssignment(a);
      const before = snapshot();
      state.assignments[a.stage] = a.experts.map((e) => ({ userId: e.userId, name: e.name }));
      for (const e of a.experts) if (!state.assignedExperts.includes(e.userId)) state.assignedExperts.push(e.userId);
      log('experts-assigned', a.actor, `${a.stage}: ${a.experts.map((e) => e.name).join('、')}`);
      auditEntry('filing.assign', a, before, { note: `${a.stage}: ${a.experts.map((e) => e.userId).join(',')}` });
      notify({ userIds: a.experts.map((e) => e.userId), role: 'expert' }, 'assignment', `您被指派参加「${state.application.institution.name}」的${labelOf(a.stage)}`);
      const def = state.stage ? stageDef(state, state.stage) : undefined;
      // at intake the assignment moves the filing on: answer once it has
      if (def?.kind === 'intake' && def.assigns === a.stage) await untilProcessed();
      else await flush();
      return state;
    },
    { validator: (a) => validateAssignment(a) },
  );

  setHandler(
    supplementUpdate,
    async (s) => {
      validateSupplement(s);
      const open = state.supplements[state.supplements.length - 1];
      open.answeredAt = iso(nowMs());
      open.note = s.note;
      open.materials = s.materials;
      for (const m of s.materials) {
        const i = state.application.materials.findIndex((x) => x.kind === m.kind);
        if (i >= 0) state.application.materials[i] = m;
        else state.application.materials.push(m);
      }
      supplemented = true;
      supplementedBy = { actor: s.actor, requestId: s.requestId };
      await untilProcessed();
      return state;
    },
    { validator: (s) => validateSupplement(s) },
  );

  // An objection is counted, nothing more: its text is in the objections collection, so a flood of
  // them never grows this state, the reply or a history event (domain/objections.ts).
  setHandler(
    objectionUpdate,
    (_o) => {
      validateObjection();
      const p = state.publicity!;
      p.objections.received += 1;
      return { objectionId: objectionIdOf(p.round, p.objections.received) };
    },
    { validator: (_o) => validateObjection() },
  );

  setHandler(
    resolveObjectionUpdate,
    async (r) => {
      validateResolution(r);
      const before = snapshot();
      state.publicity!.objections.resolutions.push({ objectionId: r.objectionId, upheld: r.upheld, note: r.note, returnTo: r.returnTo, by: r.actor, at: iso(nowMs()) });
      ledgerVersion += 1;
      log(r.upheld ? 'objection-upheld' : 'objection-dismissed', r.actor, `${r.objectionId}: ${r.note.slice(0, 200)}`);
      auditEntry('filing.resolve-objection', r, before, { note: `${r.objectionId}: ${r.upheld ? 'upheld' : 'dismissed'}` });
      await untilProcessed();
      return state;
    },
    { validator: (r) => validateResolution(r) },
  );

  setHandler(
    dismissObjectionsUpdate,
    async (d) => {
      validateDismissal(d);
      const before = snapshot();
      const l = state.publicity!.objections;
      const open = openObjections(l);
      l.dismissedThrough = { through: l.received, note: d.note, by: d.actor, at: iso(nowMs()) };
      ledgerVersion += 1;
      log('objections-dismissed', d.actor, `${open} through #${l.received}: ${d.note.slice(0, 200)}`);
      auditEntry('filing.dismiss-objections', d, before, { note: `${open} open objections through #${l.received}` });
      await untilProcessed();
      return state;
    },
    { validator: (d) => validateDismissal(d) },
  );

  setHandler(
    renewalUpdate,
    async (r) => {
      validateRequest('renewal', r);
      return queueRequest('renewal', r);
    },
    { validator: (r) => validateRequest('renewal', r) },
  );
  setHandler(
    changeUpdate,
    async (c) => {
      validateRequest('change', c);
      state.change = { ...c.change, appliedAt: iso(nowMs()) };
      return queueRequest(changeTrack(state.application.occupations, c.change), c);
    },
    { validator: (c) => validateRequest('change', c) },
  );
  setHandler(
    terminationUpdate,
    async (t) => {
      validateTermination(t);
      const ordered = t.actor.role === 'province-reviewer';
      state.termination = { kind: ordered ? 'ordered' : 'voluntary', reason: t.reason, requestedAt: iso(nowMs()), by: t.actor };
      if (ordered) {
        interrupt = { kind: 'ordered-termination' };
        await untilProcessed();
        return state;
      }
      return queueRequest('termination', t);
    },
    { validator: (t) => validateTermination(t) },
  );

  setHandler(examsHeldSignal, ({ batchId, lastExamDate }) => {
    if (!state.lastExamDate || lastExamDate > state.lastExamDate) state.lastExamDate = lastExamDate;
    log('exams-held', undefined, `${batchId}: ${lastExamDate}`);
    dueMoved = true; // the idle-exit deadline moved
  });

  setHandler(calendarUpdatedSignal, ({ years }) => {
    calendarYears.push(...years);
    dueMoved = true;
  });
  const calendarYears: number[] = [];
  /** bumped by every resolution, so the publicity's loop wakes for it */
  let ledgerVersion = 0;

  // ——— the story ———

  if (!input.carried) {
    log('submitted', input.submittedBy);
    auditEntry('filing.submit', { actor: input.submittedBy, requestId: input.requestId }, { status: null, stage: null });
    notify(jurisdictionAudience(jurisdictionOf(state.application)), 'submitted', `「${state.application.institution.name}」提交了评估备案申请`);
  }

  if (state.status === 'in-review' || state.status === 'supplement-requested') {
    const result = await runTrack('application');
    if (result === 'rejected') return finish('rejected', 'rejected in review');
    if (result === 'interrupted') return finishInterrupted();
    await continueAsNewWith(); // the active life starts in a fresh run
  }

  return await activeLife();

  // ——— the active life (after 备案通知) ———

  async function activeLife(): Promise<{ status: FilingStatus; reason?: string }> {
    for (;;) {
      if (interrupt) return finishInterrupted();
      if (queuedRequest) {
        const req = queuedRequest;
        const result = await runTrack(req.track);
        queuedRequest = null;
        if (result === 'interrupted') return finishInterrupted();
        if (req.track === 'termination' && result === 'passed') return terminate('voluntary termination');
        if (result === 'passed' && req.track !== 'termination') {
          await continueAsNewWith(); // a renewal or change opens a new chapter: start a fresh run
        }
        continue;
      }
      if (workflowInfo().historyLength > HISTORY_EVENTS_PER_RUN || workflowInfo().continueAsNewSuggested) await continueAsNewWith();

      const expiresAtMs = endOfChinaDayMs(state.notice!.validUntil);
      const reminderAtMs = nextReminderMs();
      const idleAtMs = idleExitMs();
      const next = Math.min(expiresAtMs, idleAtMs ?? Infinity, reminderAtMs ?? Infinity);
      dueMoved = false;
      const woke = await waitFor(() => !!queuedRequest || !!interrupt || dueMoved, next - nowMs());
      if (woke) continue;
      const now = nowMs();
      // an ending is dated when its cause happened, not when the timer fired
      if (now >= expiresAtMs) return finish('expired', `valid until ${state.notice!.validUntil}; not renewed`, expiresAtMs);
      if (idleAtMs !== undefined && now >= idleAtMs) return finish('withdrawn', `no exam held since ${idleSince()} for ${state.policy.idleExitYears} years (001 §四(三))`, idleAtMs);
      if (reminderAtMs !== undefined && now >= reminderAtMs) await sendRenewalReminder();
    }
  }

  /** The next renewal reminder (domain/filing-dates: 30 days before the deadline, on it, then monthly), at the start of its day. */
  function nextReminderMs(): number | undefined {
    if (state.renewal || !state.notice) return undefined;
    const at = nextRenewalReminder(state.notice.validUntil, state.policy, state.reminders?.lastFor);
    return at === undefined ? undefined : endOfChinaDayMs(at) - 86_400_000 + 1;
  }

  function idleSince(): string {
    return state.lastExamDate ?? chinaDate(Date.parse(state.notice!.firstIssuedAt));
  }

  /** 001 §四(三), where the policy has it: withdrawn at the end of the day two years after the last exam day held. */
  function idleExitMs(): number | undefined {
    if (state.policy.idleExitYears == null) return undefined;
    return endOfChinaDayMs(idleExitDay(idleSince(), state.policy.idleExitYears));
  }

  async function sendRenewalReminder() {
    const before = snapshot();
    const notice = state.notice!;
    const lastFor = renewalReminderDueOn(notice.validUntil, state.policy, state.reminders?.lastFor, chinaDate(nowMs()));
    if (!lastFor) return;
    state.reminders = { lastFor, sent: (state.reminders?.sent ?? 0) + 1, lastAt: iso(nowMs()) };
    const deadline = renewalDeadline(notice.validUntil, state.policy.renewalLeadMonths);
    const late = lastFor > deadline;
    log('renewal-reminder', undefined, `expires ${notice.validUntil}; on time until ${deadline}`);
    auditEntry('filing.renewal-reminder', { actor: SYSTEM }, before, { note: lastFor });
    notify({ role: 'institution', institutionId: state.application.institution.creditCode }, 'renewal-reminder',
      late
        ? `备案将于 ${notice.validUntil} 到期，续期申请已逾期（应于 ${deadline} 前提出），请尽快申请（吉人社规〔2025〕1号第九条）`
        : `备案将于 ${notice.validUntil} 到期，请于 ${deadline} 前提出续期申请（吉人社规〔2025〕1号第九条：期满前三个月）`);
    await flush();
  }

  // ——— tracks and stages ———

  async function runTrack(track: Track): Promise<'passed' | 'rejected' | 'interrupted'> {
    const stages = stagesOf(state, track);
    let i = state.track === track && state.stage ? Math.max(0, stages.findIndex((s) => s.name === state.stage)) : 0;
    if (state.track !== track) {
      state.track = track;
      state.assignments = {};
    }
    // when the next stage starts: now, unless the step before ended at a moment of its own (a publicity's end)
    let startsAt: number | undefined;
    while (i < stages.length) {
      const def = stages[i];
      const resumed = state.stage === def.name && state.due?.stage === def.name && state.due.track === track;
      if (!resumed) await enterStage(def, startsAt);
      startsAt = undefined;
      const r = await runStage(def);
      if (r === 'pass' && def.kind === 'publicity' && state.publicity?.closedAt) startsAt = Date.parse(state.publicity.closedAt);
      if (r === 'pass') i++;
      else if (r === 'reject') return endTrack(track, 'rejected');
      else if (r === 'interrupted') return 'interrupted';
      else {
        i = stages.findIndex((s) => s.name === r.returnTo);
        state.stage = null;
      }
    }
    return endTrack(track, 'passed');
  }

  async function endTrack(track: Track, result: 'passed' | 'rejected'): Promise<'passed' | 'rejected'> {
    const before = snapshot();
    state.due = null;
    state.stage = null;
    if (track === 'application' && result === 'passed') {
      log('filed', undefined);
      await flush();
    } else if (track !== 'application') {
      // a scope change took effect with its notice (issueNotice)
      if (track === 'change' && result === 'passed') applyChange();
      if (track === 'renewal' && result === 'rejected') state.renewal = null;
      if (track === 'change' || track === 'scope-change') state.change = null;
      if (track === 'termination' && result === 'rejected') state.termination = null;
      state.track = 'application';
      if (!(track === 'termination' && result === 'passed')) state.status = 'active';
      log(`${track}-${result}`, undefined);
      auditEntry(`filing.${track}-${result}`, { actor: SYSTEM }, before);
      notify({ role: 'institution', institutionId: state.application.institution.creditCode }, 'decision',
        `${trackLabel(track)}${result === 'passed' ? '已通过' : '未通过'}`);
      await flush((track === 'change' || track === 'scope-change' || track === 'renewal') && result === 'passed' ? 'upsert' : undefined);
    }
    return result;
  }

  /** Enters a stage that started at `startMs` (default now): its due date counts from that day. */
  async function enterStage(def: StageDef, startMs = nowMs()) {
    const before = snapshot();
    // the deadline first: a query between the two must not see the new stage with the old due date
    const days = def.kind === 'publicity' ? state.policy.publicityWorkingDays : def.dueWorkingDays;
    const due = await calendar.workingDaysDue({ fromMs: startMs, workingDays: days });
    state.stage = def.name;
    // renewal-pending and change-pending stay; a voluntary termination is evaluated while the
    // filing is still in force, so it stays active (and in the directory) until it ends
    if (state.track === 'application') state.status = 'in-review';
    if (def.kind === 'publicity') {
      state.due = null;
      const round = (state.publicity?.round ?? 0) + 1;
      state.publicity = { track: state.track, round, startedAt: iso(startMs), endDate: due.date, endsAt: due.dueAt, endsAtMs: due.dueAtMs, coverage: due.coverage, objections: emptyLedger() };
      log('publicity-started', undefined, `until ${due.date}`);
    } else {
      state.due = { track: state.track, stage: def.name, startedAt: iso(startMs), dueDate: due.date, dueAt: due.dueAt, dueAtMs: due.dueAtMs, coverage: due.coverage, escalation: 0 };
      log('stage-entered', undefined, def.name);
    }
    auditEntry('filing.transition', { actor: SYSTEM }, before);
    notify(audienceOf(def, state), 'task', `「${state.application.institution.name}」进入${def.label}阶段`);
    await flush();
  }

  async function runStage(def: StageDef): Promise<'pass' | 'reject' | 'interrupted' | { returnTo: string }> {
    switch (def.kind) {
      case 'intake': {
        // An intake waits for a reviewer to form the next stage's expert group. When the next
        // stage is decided by a body itself (Shanxi 2020: the prefecture center's first review),
        // there is no group to form: that body receives the application at its own stage.
        if (!def.assigns || stageDef(state, def.assigns)?.decider !== 'assigned-experts') return 'pass';
        const assigned = () => (state.assignments[def.assigns!]?.length ?? 0) > 0;
        if ((await awaitStep(def, assigned)) === 'interrupted') return 'interrupted';
        return 'pass';
      }
      case 'publicity':
        return runPublicity();
      case 'review':
      case 'notice':
        for (;;) {
          if ((await awaitStep(def, () => !!pendingDecision)) === 'interrupted') return 'interrupted';
          const d = pendingDecision!;
          const before = snapshot();
          const decision: Decision = {
            track: state.track, stage: def.name, outcome: d.outcome, opinion: d.opinion, score: d.score, items: d.items,
            actor: d.actor, at: iso(nowMs()),
          };
          state.decisions.push(decision);
          log(`decided:${d.outcome}`, d.actor, `${def.name}: ${d.opinion.slice(0, 200)}`);
          if (d.outcome === 'pass' && def.kind === 'notice') await issueNotice(d);
          if (d.outcome === 'supplement') {
            if (state.track === 'application') state.status = 'supplement-requested';
            state.supplements.push({ requestedAt: iso(nowMs()), items: d.items ?? [], stage: def.name });
            notify({ role: 'institution', institutionId: state.application.institution.creditCode }, 'supplement-requested',
              `请补正材料：${(d.items ?? []).join('；') || d.opinion}`);
          } else if (d.outcome === 'reject' && state.track === 'application') {
            state.status = 'rejected';
          }
          auditEntry(`filing.decide`, d, before, { note: `${def.name}: ${d.outcome}` });
          notify({ role: 'institution', institutionId: state.application.institution.creditCode }, 'decision', `${def.label}：${outcomeLabel(d.outcome)}`);
          pendingDecision = null;
          if (d.outcome !== 'supplement') {
            // the next stage (or the end of the track) records this decision with its own
            // transition: one write instead of two; a notice writes the directory now
            if (def.kind === 'notice' && d.outcome === 'pass') await flush('upsert');
            return d.outcome === 'pass' ? 'pass' : 'reject';
          }
          await flush();
          // 补正: wait for the applicant, then the same stage runs again with a fresh due date
          supplemented = false;
          await waitFor(() => supplemented || !!interrupt, Infinity);
          if (interrupt) return 'interrupted';
          const beforeSupplement = snapshot();
          state.status = state.track === 'application' ? 'in-review' : state.status;
          // the audit names who actually supplemented (not the original submitter), with its request id
          log('supplemented', supplementedBy?.actor);
          auditEntry('filing.supplement', supplementedBy ?? { actor: state.submittedBy }, beforeSupplement);
          await enterStage(def);
        }
    }
  }

  /**
   * Waits until `done()` or an interrupt, escalating as deadlines pass: at the due date to the
   * assignee's superior, and after the policy delay to the province (SPEC §8).
   */
  async function awaitStep(def: StageDef, done: () => boolean): Promise<'done' | 'interrupted'> {
    for (;;) {
      if (interrupt) return 'interrupted';
      if (done()) return 'done';
      dueMoved = false;
      await recomputeIfCalendarChanged();
      const due = state.due;
      const target = !due ? undefined : due.escalation === 0 ? due.dueAtMs : due.escalation === 1 ? due.provinceAtMs : undefined;
      const limit = interruptDeadline();
      const wakeAt = Math.min(target ?? Infinity, limit ?? Infinity);
      const woke = await waitFor(() => done() || !!interrupt || dueMoved, wakeAt === Infinity ? Infinity : wakeAt - nowMs());
      if (woke) continue;
      if (limit !== undefined && nowMs() >= limit) {
        interrupt = { kind: 'expired' };
        return 'interrupted';
      }
      if (due && target !== undefined && nowMs() >= target) await escalate(def);
    }
  }

  /** During a renewal or change, the filing still expires at the end of its last valid day. */
  function interruptDeadline(): number | undefined {
    return state.notice && state.track !== 'application' ? endOfChinaDayMs(state.notice.validUntil) : undefined;
  }

  async function escalate(def: StageDef) {
    const due = state.due!;
    const before = snapshot();
    const level = (due.escalation + 1) as 1 | 2;
    due.escalation = level;
    if (level === 1) {
      const province = await calendar.workingDaysDue({ fromMs: due.dueAtMs, workingDays: state.policy.escalation.provinceAfterWorkingDays });
      due.provinceAt = province.dueAt;
      due.provinceAtMs = province.dueAtMs;
    }
    state.escalations.push({ level, to: level === 1 ? 'superior' : 'province', stage: def.name, at: iso(nowMs()) });
    log('escalated', undefined, `${def.name} → ${level === 1 ? 'superior' : 'province'}`);
    auditEntry('filing.escalate', { actor: SYSTEM }, before, { note: `${def.name} level ${level}` });
    const msg = `「${state.application.institution.name}」${def.label}已逾期（应于 ${due.dueDate} 完成）`;
    notify(audienceOf(def, state), 'overdue', msg);
    notify(escalationAudience(level, def, state), 'escalation', `${msg}，已升级${level === 1 ? '至上级' : '至省级'}`);
    await flush();
  }

  async function runPublicity(): Promise<'pass' | 'reject' | 'interrupted' | { returnTo: string }> {
    const p = state.publicity!;
    // the reviewers hear of objections once each time some are open, not once per objection
    let toldOfOpen = false;
    for (;;) {
      const seenVersion = ledgerVersion;
      const seenReceived = p.objections.received;
      dueMoved = false;
      if (interrupt) return 'interrupted';
      const upheld = upheldObjection(p.objections);
      if (upheld) {
        const before = snapshot();
        p.outcome = 'upheld';
        p.closedAt = upheld.at;
        if (!upheld.returnTo && state.track === 'application') state.status = 'rejected';
        log('publicity-ended', undefined, 'objection upheld');
        auditEntry('filing.publicity-upheld', { actor: upheld.by }, before);
        await flush();
        return upheld.returnTo ? { returnTo: upheld.returnTo } : 'reject';
      }
      const open = openObjections(p.objections);
      if (nowMs() >= p.endsAtMs && open === 0) {
        const before = snapshot();
        p.outcome = 'closed';
        // it closed at its end, or when the last objection was resolved after it: that moment, not the timer's
        p.closedAt = iso(Math.max(p.endsAtMs, lastResolutionMs(p.objections)));
        log('publicity-closed', undefined, p.objections.received ? `${p.objections.received} objection(s), all dismissed` : undefined);
        auditEntry('filing.publicity-closed', { actor: SYSTEM }, before);
        return 'pass';
      }
      // a recomputed end may already have passed: check again before waiting
      if (await recomputeIfCalendarChanged()) continue;
      if (open > 0 && !toldOfOpen) {
        log('objection-received', undefined, `${open} open`);
        notify(jurisdictionAudience(jurisdictionOf(state.application)), 'objection', `「${state.application.institution.name}」公示期间收到异议，请核查处理`);
      }
      toldOfOpen = open > 0;
      // a dismissal is recorded now (read model, audit), not only when the publicity ends
      if (audit.length || notes.length) await flush();
      await waitFor(() => dueMoved || !!interrupt || ledgerVersion !== seenVersion || p.objections.received !== seenReceived, nowMs() < p.endsAtMs ? p.endsAtMs - nowMs() : Infinity);
    }
  }

  async function issueNotice(d: DecideInput) {
    const now = nowMs();
    const today = chinaDate(now);
    const inst = state.application.institution;
    if (state.track === 'renewal' && state.notice) {
      // 续期: another validity period, consecutive with the last (004 Art.9)
      state.notice = {
        ...state.notice,
        validUntil: renewedLastDay(state.notice.validUntil, state.policy.validityYears),
        renewals: state.notice.renewals + 1,
        issuedAt: iso(now),
        number: noticeNumber(inst.province, today, state.notice.sequence, { renewal: state.notice.renewals + 1 }),
      };
      state.renewal = null;
      state.reminders = null;
      log('renewed', d.actor, `valid until ${state.notice.validUntil}`);
      return;
    }
    if (state.track === 'scope-change' && state.notice) {
      // 004 Art.7(1): the wider scope takes effect with its own notice; the validity does not change
      const changes = (state.notice.changes ?? 0) + 1;
      state.notice = { ...state.notice, issuedAt: iso(now), changes, number: noticeNumber(inst.province, today, state.notice.sequence, { change: changes }) };
      applyChange();
      log('scope-notice-issued', d.actor, state.notice.number);
      notify({ role: 'institution', institutionId: inst.creditCode }, 'notice', `变更备案通知：${state.notice.number}，新增职业（工种）/等级已纳入备案范围`);
      return;
    }
    const { value } = await acts.allocate({
      workflowId: `sequence/${inst.province}`,
      key: inst.province,
      count: 1,
      max: 999_999,
      requestId: `${state.id}:notice`,
    });
    const sequence = String(value).padStart(6, '0');
    state.notice = {
      number: noticeNumber(inst.province, today, sequence),
      sequence,
      institutionCode: `${inst.kind}0000${inst.province}${sequence}`,
      issuedAt: iso(now),
      firstIssuedAt: iso(now),
      // valid 3 years counting the day of issue (domain/filing-dates validityLastDay)
      validUntil: validityLastDay(today, state.policy.validityYears),
      renewals: 0,
    };
    state.status = 'active';
    log('notice-issued', d.actor, state.notice.number);
    notify({ role: 'institution', institutionId: inst.creditCode }, 'notice', `备案通知：${state.notice.number}，有效期至 ${state.notice.validUntil}`);
  }

  // ——— requests after the notice ———

  async function queueRequest(track: Track, e: Envelope): Promise<FilingState> {
    const before = snapshot();
    if (track === 'renewal') {
      const late = renewalIsLate(state.notice!.validUntil, state.policy.renewalLeadMonths, chinaDate(nowMs()));
      state.renewal = { appliedAt: iso(nowMs()), late, remindersSent: state.reminders?.sent ?? 0 };
      state.status = 'renewal-pending';
      log('renewal-applied', e.actor, late ? 'late' : 'in time');
    } else if (track === 'change' || track === 'scope-change') {
      state.status = 'change-pending';
      log('change-applied', e.actor, track === 'scope-change' ? 'adds occupations or levels: the whole application path (004 Art.7(1))' : undefined);
    } else {
      log('termination-requested', e.actor, state.termination?.reason);
    }
    auditEntry(`filing.apply-${track}`, e, before);
    notify(jurisdictionAudience(jurisdictionOf(state.application)), 'request', `「${state.application.institution.name}」申请${trackLabel(track)}`);
    queuedRequest = { track, actor: e.actor, requestId: e.requestId };
    await untilProcessed();
    return state;
  }

  function applyChange() {
    const c = state.change;
    if (!c) return;
    const i = state.application.institution;
    if (c.address) i.address = c.address;
    if (c.legalRepresentative) i.legalRepresentative = c.legalRepresentative;
    if (c.venues) state.application.venues = c.venues;
    if (c.occupations) state.application.occupations = c.occupations;
    log('scope-updated', undefined);
  }

  // ——— endings ———

  async function finish(status: FilingStatus, reason: string, endedAtMs = nowMs()) {
    const before = snapshot();
    state.status = status;
    state.due = null;
    state.endedAt = iso(endedAtMs);
    state.endReason = reason;
    log(status, undefined, reason);
    auditEntry(`filing.${status}`, { actor: state.termination?.by ?? SYSTEM }, before, { note: reason });
    const inst = state.application.institution;
    if (status !== 'rejected') {
      notify({ role: 'institution', institutionId: inst.creditCode }, status, `备案${statusLabel(status)}：${reason}`);
      notify(jurisdictionAudience(jurisdictionOf(state.application)), status, `「${inst.name}」备案${statusLabel(status)}`);
    }
    await flush(state.notice ? 'remove' : undefined);
    processed = tickets;
    await condition(allHandlersFinished);
    return { status, reason };
  }

  async function finishInterrupted() {
    if (interrupt?.kind === 'ordered-termination') return terminate(`ordered: ${state.termination!.reason}`);
    return finish('expired', `valid until ${state.notice?.validUntil}; not renewed`, state.notice ? endOfChinaDayMs(state.notice.validUntil) : nowMs());
  }

  /**
   * 004 Art.10–13: termination ends the institution's unfinished work first. Every batch not yet
   * certified is cancelled (its candidates listed for a refund) before the termination instant is
   * recorded, so no certificate is issued after it. Certificates already issued stay valid.
   */
  async function terminate(reason: string) {
    const { cancelled } = await acts.endBatchesOfFiling({ filingId: state.id, reason: `备案${state.termination?.kind === 'ordered' ? '被责令' : ''}终止：${state.termination?.reason ?? reason}` });
    if (cancelled.length) log('batches-cancelled', undefined, cancelled.join(', ').slice(0, 500));
    state.termination!.at = iso(nowMs());
    return finish('terminated', reason);
  }

  /**
   * Continues as new once every handler is done. A renewal, change or termination accepted in
   * the meantime (their validators pass as soon as the filing is active with no stage) is not
   * left behind: this returns instead, the active life handles it, and continues as new later.
   */
  async function continueAsNewWith(): Promise<void> {
    if (interrupt || queuedRequest) return;
    processed = tickets;
    await condition(() => allHandlersFinished() || !!interrupt || !!queuedRequest);
    if (interrupt || queuedRequest) return;
    state.runs += 1;
    await continueAsNew<typeof filing>({ ...input, carried: state });
  }

  // ——— validators (they run before anything enters history) ———

  function refuseIfDecisionInvalid(d: DecideInput) {
    const refusal = decisionRefusal(state, d.actor, d.stage);
    if (refusal) throw failure(refusal.code, refusal.message);
    const def = stageDef(state, d.stage)!;
    if (!outcomesOf(def).includes(d.outcome)) {
      throw failure('INVALID_STATE', def.allowSupplement ? 'A notice is issued or refused' : `补正 is not possible at ${d.stage}`);
    }
    if (def.scored && d.outcome === 'pass' && d.score === undefined) throw failure('VALIDATION_FAILED', `${d.stage} needs a score`);
  }

  function validateAssignment(a: { stage: string; experts: { userId: string; name: string; idNumber?: string }[]; actor: Actor }) {
    if (TERMINAL_STATUSES.includes(state.status)) throw failure('INVALID_STATE', `The filing is ${state.status}`);
    // an active filing with nothing under review has no group to form (an assignment grants read access)
    if (!state.stage && state.status !== 'in-review') throw failure('STAGE_MISMATCH', 'Nothing of this filing is under review');
    if (!isJurisdictionReviewer(state, a.actor)) throw failure('FORBIDDEN', 'Only a reviewer of the filing\'s jurisdiction forms expert groups');
    const def = stageDef(state, a.stage);
    if (!def || def.decider !== 'assigned-experts') throw failure('STAGE_MISMATCH', `${a.stage} is not an expert stage of the current ${state.track} track`);
    const order = stagesOf(state, state.track).map((s) => s.name);
    if (state.stage && order.indexOf(a.stage) < order.indexOf(state.stage)) throw failure('STAGE_MISMATCH', `${a.stage} is already over`);
    if (a.experts.length === 0) throw failure('VALIDATION_FAILED', 'Assign at least one expert');
    const conflicted = a.experts.filter((e) => conflictOfInterest(state.application, e));
    if (conflicted.length) throw failure('CONFLICT_OF_INTEREST', `${conflicted.map((e) => e.name).join('、')} is on the institution's own staff`);
    // four eyes: the expert who decided the stage just before may not be the only one to decide this one
    const previous = state.decisions[state.decisions.length - 1];
    if (previous && a.experts.length === 1 && a.experts[0].userId === previous.actor.sub && previous.stage !== a.stage) {
      throw failure('FOUR_EYES', 'The same person may not decide two consecutive stages of one filing');
    }
  }

  function validateSupplement(s: { actor: Actor; materials: unknown[] }) {
    if (s.actor.role !== 'institution' || s.actor.institutionId !== state.application.institution.creditCode) throw failure('FORBIDDEN', 'Only the applicant supplements its filing');
    if (!openSupplement(state)) throw failure('STAGE_MISMATCH', 'No 补正 is requested');
    if (!s.materials.length) throw failure('VALIDATION_FAILED', 'Send at least one material');
  }

  function validateObjection() {
    const p = state.publicity;
    if (!p || state.stage !== 'publicity' || p.closedAt || nowMs() >= p.endsAtMs) throw failure('NOT_IN_PUBLICITY', 'Objections are accepted only during the publicity');
  }

  function validateResolution(r: { actor: Actor; objectionId: string; upheld: boolean; returnTo?: string }) {
    if (!isJurisdictionReviewer(state, r.actor)) throw failure('FORBIDDEN', 'Only a reviewer of the filing\'s jurisdiction resolves objections');
    const p = state.stage === 'publicity' && !state.publicity?.closedAt ? state.publicity : null;
    const refusal = p ? resolutionRefusal(p.objections, p.round, r.objectionId) : { code: 'NOT_FOUND', message: 'No such open objection' };
    if (refusal) throw failure(refusal.code, refusal.message);
    if (r.returnTo) {
      const order = stagesOf(state, state.track).map((s) => s.name);
      const at = order.indexOf(r.returnTo);
      if (!r.upheld || at < 0 || at >= order.indexOf('publicity')) throw failure('VALIDATION_FAILED', 'returnTo must name an earlier stage, with upheld: true');
    }
  }

  function validateDismissal(d: Envelope & { note: string }) {
    if (!isJurisdictionReviewer(state, d.actor)) throw failure('FORBIDDEN', 'Only a reviewer of the filing\'s jurisdiction resolves objections');
    const p = state.stage === 'publicity' && !state.publicity?.closedAt ? state.publicity : null;
    if (!p || openObjections(p.objections) === 0) throw failure('NOT_FOUND', 'No open objection to dismiss');
  }

  function validateRequest(track: 'renewal' | 'change', e: Envelope) {
    if (e.actor.role !== 'institution' || e.actor.institutionId !== state.application.institution.creditCode) throw failure('FORBIDDEN', 'Only the institution applies');
    if (state.status !== 'active' || state.stage !== null || queuedRequest) throw failure('INVALID_STATE', `A ${track} can be applied for only while the filing is active with nothing else pending (now ${state.status})`);
    if (track === 'renewal' && nowMs() > endOfChinaDayMs(state.notice!.validUntil)) throw failure('INVALID_STATE', 'The filing has expired');
  }

  function validateTermination(t: Envelope & { reason: string }) {
    const own = t.actor.role === 'institution' && t.actor.institutionId === state.application.institution.creditCode;
    const ordered = t.actor.role === 'province-reviewer' && t.actor.province === state.application.institution.province;
    if (!own && !ordered) throw failure('FORBIDDEN', 'The institution terminates voluntarily; a provincial reviewer orders termination');
    if (!state.notice || TERMINAL_STATUSES.includes(state.status)) throw failure('INVALID_STATE', `Only a filed institution can be terminated (now ${state.status})`);
    if (own && (state.status !== 'active' || state.stage !== null || queuedRequest)) throw failure('INVALID_STATE', `A voluntary termination needs an active filing with nothing else pending (now ${state.status})`);
  }

  // ——— bookkeeping ———

  /** Calendar loaded: recompute a due date or publicity end that was estimated. Recorded in history and audit. */
  async function recomputeIfCalendarChanged(): Promise<boolean> {
    if (!calendarYears.length) return false;
    const years = calendarYears.splice(0);
    const touches = (date: string, start: string) => years.some((y) => y >= Number(start.slice(0, 4)) && y <= Number(date.slice(0, 4)));
    const before = snapshot();
    let changed = false;
    if (state.due && state.due.coverage === 'estimated' && touches(state.due.dueDate, chinaDate(Date.parse(state.due.startedAt)))) {
      const def = stageDef(state, state.due.stage)!;
      const r = await calendar.workingDaysDue({ fromMs: Date.parse(state.due.startedAt), workingDays: def.dueWorkingDays });
      log('deadline-recomputed', undefined, `${state.due.stage}: ${state.due.dueDate} → ${r.date}`);
      Object.assign(state.due, { dueDate: r.date, dueAt: r.dueAt, dueAtMs: r.dueAtMs, coverage: r.coverage });
      changed = true;
    }
    const p = state.publicity;
    if (p && !p.closedAt && p.coverage === 'estimated' && touches(p.endDate, chinaDate(Date.parse(p.startedAt)))) {
      const r = await calendar.workingDaysDue({ fromMs: Date.parse(p.startedAt), workingDays: state.policy.publicityWorkingDays });
      log('deadline-recomputed', undefined, `publicity: ${p.endDate} → ${r.date}`);
      Object.assign(p, { endDate: r.date, endsAt: r.dueAt, endsAtMs: r.dueAtMs, coverage: r.coverage });
      changed = true;
    }
    if (changed) {
      auditEntry('filing.deadline-recomputed', { actor: SYSTEM }, before, { note: `official calendar loaded for ${years.join(',')}` });
      await flush();
    }
    return changed;
  }

  /**
   * An update that hands work to the main loop answers once the loop has done it and waits
   * again (so the answer shows the next stage and its due date).
   */
  async function untilProcessed() {
    const ticket = ++tickets;
    await condition(() => processed >= ticket);
  }

  /**
   * Every wait of the main loop goes through here: reaching it means every update handed over
   * so far has been processed. `timeoutMs` Infinity waits without a deadline.
   */
  async function waitFor(fn: () => boolean, timeoutMs: number): Promise<boolean> {
    if (fn()) return true;
    processed = tickets;
    if (timeoutMs === Infinity) {
      await condition(fn);
      return true;
    }
    return condition(fn, Math.max(1, Math.ceil(timeoutMs)));
  }

  function log(event: string, by?: Actor, note?: string) {
    state.history.push({ at: iso(nowMs()), event, from: undefined, to: state.stage ?? state.status, by: by?.sub, note });
    if (state.history.length > HISTORY_LIMIT) state.history.splice(0, state.history.length - HISTORY_LIMIT);
  }

  function snapshot() {
    return { status: state.status, stage: state.stage };
  }

  function auditEntry(action: string, e: { actor: Actor; requestId?: string }, before: { status: string | null; stage: string | null }, extra: { note?: string } = {}) {
    audit.push({
      actor: e.actor.sub, actorName: e.actor.name, role: e.actor.role, action, requestId: e.requestId,
      before, after: snapshot(), at: iso(nowMs()), note: extra.note,
    });
  }

  function notify(to: Audience, kind: string, message: string) {
    notes.push({ audience: to, kind, message, at: iso(nowMs()) });
  }

  /** One activity per transition: the read model, audit entries, notifications and directory. */
  async function flush(directory?: 'upsert' | 'remove') {
    state.version += 1;
    await acts.recordFiling({
      state,
      audit: audit.splice(0),
      notifications: notes.splice(0),
      directory,
    });
  }

  function failure(code: string, message: string) {
    return ApplicationFailure.create({ type: code, message, nonRetryable: true });
  }
}

function initialState(input: FilingInput): FilingState {
  const now = iso(nowMs());
  return {
    id: input.filingId,
    policy: input.policy,
    application: input.application,
    status: 'in-review',
    track: 'application',
    stage: null,
    assignments: {},
    assignedExperts: [],
    decisions: [],
    supplements: [],
    due: null,
    escalations: [],
    publicity: null,
    notice: null,
    renewal: null,
    change: null,
    termination: null,
    history: [],
    version: 0,
    runs: 0,
    submittedAt: now,
    submittedBy: input.submittedBy,
  };
}

const PROVINCE_ABBR: Record<string, string> = { '11': '京', '14': '晋', '22': '吉', '32': '苏' };
function noticeNumber(province: string, today: string, sequence: string, suffix: { renewal?: number; change?: number } = {}) {
  const tail = suffix.renewal ? `-续${suffix.renewal}` : suffix.change ? `-变${suffix.change}` : '';
  return `${PROVINCE_ABBR[province] ?? province}人社技备〔${today.slice(0, 4)}〕${sequence}${tail}号`;
}

function labelOf(stage: string) {
  return { 'preliminary-review': '初评', 'technical-assessment': '技术评估', 'comprehensive-review': '综合汇总' }[stage] ?? stage;
}
function trackLabel(t: Track) {
  return { application: '备案', renewal: '续期', change: '变更', 'scope-change': '变更（增加职业或等级）', termination: '终止' }[t];
}
function outcomeLabel(o: string) {
  return { pass: '通过', supplement: '需补正', reject: '不通过' }[o] ?? o;
}
function statusLabel(s: FilingStatus) {
  return { expired: '已到期', terminated: '已终止', withdrawn: '视为自动退出', rejected: '未通过' }[s as string] ?? s;
}
