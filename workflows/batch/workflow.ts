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
 * Every message that needs an answer is an Update whose handler hands a job to the main loop and
 * answers once the loop has recorded the transition (one `recordBatch` activity per transition).
 * Working-day arithmetic, the filing's state, the supervisor draw and certificate issuing are
 * activities, so their answers are part of the history and a replay gives the same result.
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
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  uuid4,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type * as activityTypes from '../../activities';
import type { AuditDraft, NotificationDraft } from '../../activities/records';
import type { Actor, Audience } from '../../domain/filing';
import {
  acceptPlan,
  BATCH_TERMINAL,
  batchEscalationAudience,
  buildSummary,
  centerAudience,
  DEFAULT_BATCH_POLICY,
  dueAudience,
  filingRefusal,
  FILING_IN_FORCE,
  institutionAudience,
  isBatchCenter,
  isOwnInstitution,
  jurisdictionOfInstitution,
  mayResolveObjection,
  maySuperviseBatch,
  mergeScores,
  outcomes,
  planAgainstFilingRefusal,
  planRefusal,
  scoresComplete,
  scoresRefusal,
  startOfChinaDayMs,
  type BatchState,
  type BatchStatus,
  type DueStep,
  type FilingSnapshot,
  type Refusal,
} from '../../domain/batch';
import { examsHeldSignal, filingWorkflowId } from '../filing/messages';
import { emptyLedger, lastResolutionMs, objectionIdOf, openObjections, resolutionRefusal } from '../../domain/objections';
import {
  calendarUpdatedSignal,
  decideUpdate,
  dismissObjectionsUpdate,
  filingTerminatedUpdate,
  objectionUpdate,
  resolveObjectionUpdate,
  scoresUpdate,
  stateQuery,
  submitPlanUpdate,
  submitResultsUpdate,
  superviseUpdate,
  type BatchInput,
  type BatchResult,
  type DecideInput,
  type DismissInput,
  type FilingTerminatedInput,
  type ResolveInput,
  type ResultsInput,
  type ScoresInput,
  type SuperviseInput,
} from './messages';
import { chinaDate, endOfChinaDayMs, iso, nowMs } from '../time';

const acts = proxyActivities<activityTypes.Activities>({
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['SERIAL_EXHAUSTED', 'NOT_ENOUGH_SUPERVISORS'] },
});

const SYSTEM: Actor = { sub: 'system', name: '系统', role: 'admin' };
const HISTORY_LIMIT = 300;
/** how long a refused plan's workflow waits for the submitPlan update to collect the refusal */
const PLAN_ANSWER_GRACE_MS = 10 * 60_000;
const TEXT_MAX = 4000;

interface Job {
  run: () => Promise<unknown>;
  done: boolean;
  answer?: unknown;
  error?: ApplicationFailure;
}

export async function batch(input: BatchInput): Promise<BatchResult> {
  const policy = input.policy ?? DEFAULT_BATCH_POLICY;
  let state: BatchState | null = null;
  let refusal: ApplicationFailure | null = null;
  let planSettled = false;
  let planAnswered = false;
  const queue: Job[] = [];
  let toldOfOpen = false;
  const audit: AuditDraft[] = [];
  const notes: NotificationDraft[] = [];

  // ——— messages ———

  setHandler(stateQuery, () => state);

  setHandler(
    submitPlanUpdate,
    async () => {
      await condition(() => planSettled);
      planAnswered = true;
      if (refusal) throw refusal;
      return state!;
    },
    {
      validator: (s) => {
        if (!s?.actor || s.actor.sub !== input.submittedBy.sub) throw failure('FORBIDDEN', 'Only the submitter of the plan asks for its outcome');
      },
    },
  );

  register(decideUpdate, validateDecision, processDecision);
  register(superviseUpdate, validateSupervision, processSupervision);
  register(scoresUpdate, validateScores, processScores);
  // An objection is counted, nothing more: its text is in the objections collection, so a flood of
  // them never grows this state, the reply or a history event (domain/objections.ts).
  setHandler(
    objectionUpdate,
    (_o) => {
      validateObjection();
      const p = s.publicity!;
      p.objections.received += 1;
      // the center hears of objections once each time some are open, not once per objection
      if (!toldOfOpen) {
        toldOfOpen = true;
        queue.push({ run: tellOfObjections, done: false });
      }
      return { objectionId: objectionIdOf(p.round, p.objections.received) };
    },
    { validator: (_o) => validateObjection() },
  );
  register(resolveObjectionUpdate, validateResolution, processResolution);
  register(dismissObjectionsUpdate, validateDismissal, processDismissal);
  register(submitResultsUpdate, validateResults, processResults);

  register(filingTerminatedUpdate, validateFilingTerminated, processFilingTerminated);

  setHandler(calendarUpdatedSignal, (sig) => {
    if (!state || !Array.isArray(sig?.years)) return;
    queue.push({ run: () => recomputeEstimated(sig.years), done: false });
  });

  // ——— the plan ———

  const checked = await checkPlan();
  if ('refusal' in checked) {
    const r = checked.refusal;
    refusal = failure(r.code, r.message, r.status ? { ...r.details, httpStatus: r.status } : r.details);
    planSettled = true;
    await condition(() => planAnswered, PLAN_ANSWER_GRACE_MS);
    await condition(allHandlersFinished);
    return { status: 'plan-refused', reason: checked.refusal.message, refusal: checked.refusal };
  }
  state = checked.state;
  const s: BatchState = state;
  const examStartMs = startOfChinaDayMs(s.plan.firstExamDate);
  const examEndMs = endOfChinaDayMs(s.plan.lastExamDate);

  log('planned', input.submittedBy, `${s.plan.candidates.length} candidates, exams ${s.plan.firstExamDate} – ${s.plan.lastExamDate}`);
  auditEntry('batch.plan', { actor: input.submittedBy, requestId: input.requestId }, { status: null, stage: null });
  notify(centerAudience(s.jurisdiction), 'batch-planned', `「${s.institution.name}」报备认定批次计划：${s.plan.firstExamDate} 至 ${s.plan.lastExamDate}，${s.plan.candidates.length} 人`);
  await setDue('plan-review');
  await flush();
  planSettled = true;

  // ——— the main loop: one job or one timer at a time ———

  while (!BATCH_TERMINAL.includes(s.status)) {
    const job = queue.shift();
    if (job) {
      await runJob(job);
      continue;
    }
    const wakeAt = nextWakeAt();
    if (wakeAt <= nowMs()) {
      await onTime();
      continue;
    }
    const woke = wakeAt === Infinity ? (await condition(() => queue.length > 0), true) : await condition(() => queue.length > 0, Math.max(1, Math.ceil(wakeAt - nowMs())));
    if (!woke) await onTime();
  }
  for (const j of queue.splice(0)) {
    j.error = failure('INVALID_STATE', `The batch is ${s.status}`);
    j.done = true;
  }
  await condition(allHandlersFinished);
  return { status: s.status, reason: s.endReason };

  // ——— plan check ———

  async function checkPlan(): Promise<{ state: BatchState } | { refusal: Refusal }> {
    const now = nowMs();
    const today = chinaDate(now);
    let r: Refusal | null;
    try {
      r = planRefusal(input.plan, today, policy);
    } catch (err) {
      r = { code: 'VALIDATION_FAILED', message: `The plan is malformed: ${(err as Error).message}` };
    }
    if (r) return { refusal: r };
    const filing = await acts.batchFilingSnapshot({ filingId: input.filingId });
    const earliest = await acts.addWorkingDays({ from: today, workingDays: policy.planLeadWorkingDays });
    r = planAgainstFilingRefusal(input.plan, filing, input.submittedBy, earliest, policy.planLeadWorkingDays);
    if (r) return { refusal: r };
    const i = filing.institution!;
    const notice = filing.notice!;
    const institution = {
      creditCode: i.creditCode, name: i.name, kind: i.kind, province: i.province, affiliation: i.affiliation, prefecture: i.prefecture,
      institutionCode: notice.institutionCode, sequence: notice.sequence,
    };
    return {
      state: {
        id: input.batchId,
        filingId: input.filingId,
        policy,
        institution,
        jurisdiction: jurisdictionOfInstitution(institution),
        plan: acceptPlan(input.plan, filing.occupations ?? []),
        status: 'planned',
        stage: 'plan-review',
        planFiledAt: iso(now),
        earliestExamDate: earliest.date,
        decisions: [],
        supervision: { assigned: [], draws: [], reports: [], suspensions: [] },
        scores: {},
        publicity: null,
        publicityRounds: [],
        results: null,
        due: null,
        escalations: [],
        certificates: null,
        history: [],
        version: 0,
        submittedAt: iso(now),
        submittedBy: input.submittedBy,
      },
    };
  }

  // ——— jobs ———

  function register<I, R>(def: UpdateDefinition<R, [I]>, validate: (i: I) => void, process: (i: I) => Promise<R>) {
    setHandler(
      def,
      async (i: I) => {
        const job: Job = { run: async () => { validate(i); return process(i); }, done: false };
        queue.push(job);
        await condition(() => job.done);
        if (job.error) throw job.error;
        return job.answer as R;
      },
      { validator: (i: I) => validate(i) },
    );
  }

  async function runJob(job: Job) {
    try {
      job.answer = await job.run();
    } catch (err) {
      const f = businessFailure(err);
      if (!f) throw err;
      job.error = f;
    }
    job.done = true;
  }

  // ——— timers ———

  function dueTimer(): number {
    const d = s.due;
    if (!d) return Infinity;
    let t = Infinity;
    if (d.reminderAtMs !== undefined && !d.reminded) t = Math.min(t, d.reminderAtMs);
    if (d.escalation === 0) t = Math.min(t, d.dueAtMs);
    else if (d.escalation === 1 && d.provinceAtMs !== undefined) t = Math.min(t, d.provinceAtMs);
    return t;
  }

  function nextWakeAt(): number {
    switch (s.status) {
      case 'planned': return Math.min(examStartMs, dueTimer());
      case 'acknowledged': return examStartMs;
      case 'examining': return examEndMs;
      case 'publicity': return openObjections(s.publicity!.objections) > 0 ? Infinity : s.publicity!.endsAtMs;
      case 'scoring':
      case 'results-due':
      case 'results-review': return dueTimer();
      default: return Infinity;
    }
  }

  async function onTime() {
    const now = nowMs();
    if ((s.status === 'planned' || s.status === 'acknowledged') && now >= examStartMs) return startExams();
    if (s.status === 'examining' && now >= examEndMs) return endExams();
    if (s.status === 'publicity' && now >= s.publicity!.endsAtMs && openObjections(s.publicity!.objections) === 0) return closePublicity();
    const d = s.due;
    if (!d) return;
    if (d.reminderAtMs !== undefined && !d.reminded && now >= d.reminderAtMs) await remind();
    if ((d.escalation === 0 && now >= d.dueAtMs) || (d.escalation === 1 && d.provinceAtMs !== undefined && now >= d.provinceAtMs)) await escalate();
  }

  async function startExams() {
    const before = snapshot();
    const f = await acts.batchFilingSnapshot({ filingId: s.filingId });
    const r = filingRefusal(f, s.plan.firstExamDate, s.plan.lastExamDate);
    if (r) return cancel(`备案已${filingStatusLabel(f.status)}，认定批次取消（${r.message}）`);
    if (s.status === 'planned' && policy.examsRequireAcknowledgement) return cancel('鉴定中心未在首个考核日前确认批次计划');
    if (s.status === 'planned') {
      log('exams-start-unacknowledged');
      notify(centerAudience(s.jurisdiction), 'plan-unacknowledged', `「${s.institution.name}」认定批次已开考，批次计划尚未确认`);
    }
    s.status = 'examining';
    s.stage = null;
    s.due = null;
    log('examining');
    auditEntry('batch.exams-start', { actor: SYSTEM }, before);
    const supervisors = s.supervision.assigned.map((a) => a.userId);
    if (supervisors.length) notify({ role: 'supervisor', userIds: supervisors }, 'exams-start', `「${s.institution.name}」认定考核开始（${s.plan.firstExamDate} 至 ${s.plan.lastExamDate}）`);
    await flush();
  }

  async function endExams() {
    const before = snapshot();
    const f = await acts.batchFilingSnapshot({ filingId: s.filingId });
    if (filingEndedBeforeExamsEnd(f)) return cancel(`备案已${filingStatusLabel(f.status)}，考核期间备案失效，认定批次取消`);
    s.status = 'scoring';
    log('scoring');
    auditEntry('batch.exams-end', { actor: SYSTEM }, before);
    // scores are due counting from the last exam day, not from when this timer fired
    await setDue('scores', examEndMs);
    await reportExamsHeld();
    notify(institutionAudience(s), 'scores-due', `考核已结束，请于 ${s.due!.dueDate} 前录入各模块成绩`);
    await flush();
  }

  function filingEndedBeforeExamsEnd(f: FilingSnapshot): boolean {
    if (f.found && f.status && FILING_IN_FORCE.includes(f.status)) return false;
    const endedMs = f.endedAt ? Date.parse(f.endedAt) : NaN;
    return !(endedMs >= examEndMs);
  }

  function validateFilingTerminated(i: FilingTerminatedInput) {
    requireState();
    if (i?.filingId !== s.filingId) throw failure('FORBIDDEN', 'Only the batch\'s own filing ends it');
  }

  /** 004 Art.13: the filing is being terminated; a batch not yet certified ends here. */
  async function processFilingTerminated(i: FilingTerminatedInput) {
    if (!BATCH_TERMINAL.includes(s.status)) await cancel(`${i.reason}，未完成的认定批次取消`);
    return { status: s.status };
  }

  // ——— deadlines ———

  function dueDays(step: DueStep): number {
    return {
      'plan-review': policy.planReviewDueWorkingDays,
      scores: policy.scoringDueWorkingDays,
      results: policy.resultsDueWorkingDays,
      'results-review': policy.resultsReviewDueWorkingDays,
    }[step];
  }

  async function setDue(step: DueStep, fromMs = nowMs()) {
    const days = dueDays(step);
    const r = await acts.workingDaysDue({ fromMs, workingDays: days });
    s.due = { step, startedAt: iso(fromMs), dueDate: r.date, dueAt: r.dueAt, dueAtMs: r.dueAtMs, coverage: r.coverage, escalation: 0 };
    const before = policy.resultsReminderWorkingDaysBefore;
    if (step === 'results' && before > 0 && days > before) {
      const rr = await acts.workingDaysDue({ fromMs, workingDays: days - before });
      s.due.reminderAtMs = rr.dueAtMs + 1;
      s.due.reminderAt = iso(rr.dueAtMs + 1);
      s.due.reminded = false;
    }
  }

  /** An official year was loaded: recompute what an estimate decided and has not happened yet. */
  async function recomputeEstimated(years: number[]) {
    if (BATCH_TERMINAL.includes(s.status)) return;
    const touches = (from: string, to: string) => years.some((y) => y >= Number(from.slice(0, 4)) && y <= Number(to.slice(0, 4)));
    const before = snapshot();
    const changes: string[] = [];
    const d = s.due;
    if (d && d.coverage === 'estimated' && d.escalation === 0 && touches(chinaDate(Date.parse(d.startedAt)), d.dueDate)) {
      const old = d.dueDate;
      const reminded = d.reminded;
      await setDue(d.step, Date.parse(d.startedAt));
      if (reminded) s.due!.reminded = true;
      changes.push(`${d.step}: ${old} → ${s.due!.dueDate}`);
    }
    const p = s.publicity;
    if (s.status === 'publicity' && p && !p.closedAt && p.coverage === 'estimated' && touches(chinaDate(Date.parse(p.startedAt)), p.endDate)) {
      const r = await acts.workingDaysDue({ fromMs: Date.parse(p.startedAt), workingDays: policy.publicityWorkingDays });
      changes.push(`publicity: ${p.endDate} → ${r.date}`);
      Object.assign(p, { endDate: r.date, endsAt: r.dueAt, endsAtMs: r.dueAtMs, coverage: r.coverage });
    }
    if (!changes.length) return;
    log('deadline-recomputed', undefined, changes.join('; '));
    auditEntry('batch.deadline-recomputed', { actor: SYSTEM }, before, { note: `official calendar loaded for ${years.join(',')}: ${changes.join('; ')}` });
    await flush();
  }

  async function remind() {
    const d = s.due!;
    const before = snapshot();
    d.reminded = true;
    log('reminder', undefined, `${d.step} due ${d.dueDate}`);
    auditEntry('batch.reminder', { actor: SYSTEM }, before, { note: d.step });
    notify(dueAudience(d.step, s), 'results-reminder', `认定结果（结果汇总表、合格人员花名册）应于 ${d.dueDate} 前报送鉴定中心审核，请抓紧办理`);
    await flush();
  }

  async function escalate() {
    const d = s.due!;
    const before = snapshot();
    const level = (d.escalation + 1) as 1 | 2;
    d.escalation = level;
    if (level === 1) {
      const p = await acts.workingDaysDue({ fromMs: d.dueAtMs, workingDays: policy.escalationProvinceAfterWorkingDays });
      d.provinceAt = p.dueAt;
      d.provinceAtMs = p.dueAtMs;
    }
    s.escalations.push({ level, step: d.step, at: iso(nowMs()) });
    log('escalated', undefined, `${d.step} → level ${level}`);
    auditEntry('batch.escalate', { actor: SYSTEM }, before, { note: `${d.step} level ${level}` });
    const msg = `「${s.institution.name}」认定批次${STEP_LABEL[d.step]}已逾期（应于 ${d.dueDate} 完成）`;
    notify(dueAudience(d.step, s), 'overdue', msg);
    notify(batchEscalationAudience(level, d.step, s), 'escalation', `${msg}，已升级${level === 1 ? '' : '至省级'}督办`);
    await flush();
  }

  // ——— decisions (center) ———

  function validateDecision(d: DecideInput) {
    requireState();
    if (!d?.actor || !isBatchCenter(s.jurisdiction, d.actor)) throw failure('FORBIDDEN', 'Batch decisions are taken by the appraisal center of the batch\'s jurisdiction');
    const expected: BatchStatus | null = d.stage === 'plan-review' ? 'planned' : d.stage === 'results-review' ? 'results-review' : null;
    if (!expected) throw failure('VALIDATION_FAILED', 'stage must be plan-review or results-review');
    if (s.status !== expected) throw failure('STAGE_MISMATCH', `The batch is ${s.status}, not at ${d.stage}`);
    const allowed = d.stage === 'plan-review' ? ['pass', 'reject'] : ['pass', 'return', 'reject'];
    if (!allowed.includes(d.outcome)) throw failure('VALIDATION_FAILED', `${d.stage} takes ${allowed.join(' | ')}`);
    requireText(d.opinion, 'opinion');
  }

  async function processDecision(d: DecideInput) {
    const before = snapshot();
    const decision = { stage: d.stage, outcome: d.outcome, opinion: d.opinion, actor: d.actor, at: iso(nowMs()) };
    if (d.stage === 'plan-review') {
      s.decisions.push(decision);
      if (d.outcome === 'reject') return finish('rejected', `批次计划未通过备案：${d.opinion}`, d);
      s.status = 'acknowledged';
      s.stage = null;
      s.due = null;
      s.acknowledgedAt = decision.at;
      log('acknowledged', d.actor, d.opinion);
      auditEntry('batch.decide', d, before, { note: 'plan-review: pass' });
      notify(institutionAudience(s), 'decision', `认定批次计划已备案：${d.opinion}`);
      await flush();
      return s;
    }
    if (d.outcome === 'reject') {
      s.decisions.push(decision);
      return finish('rejected', `认定结果审核不通过：${d.opinion}`, d);
    }
    if (d.outcome === 'return') {
      s.decisions.push(decision);
      s.status = 'results-due';
      s.stage = null;
      log('results-returned', d.actor, d.opinion);
      await setDue('results');
      auditEntry('batch.decide', d, before, { note: 'results-review: return' });
      notify(institutionAudience(s), 'decision', `认定结果被退回：${d.opinion}。请于 ${s.due!.dueDate} 前重新报送`);
      await flush();
      return s;
    }
    // the filing may have been terminated meanwhile: then no certificate is issued (004 Art.13)
    const f = await acts.batchFilingSnapshot({ filingId: s.filingId });
    if (f.status === 'terminated') {
      s.decisions.push(decision);
      return cancel(`备案已终止${f.endReason ? `（${f.endReason}）` : ''}，认定结果不再发证`, d);
    }
    // pass: issue the certificates first; a failure (serials exhausted) leaves the batch as it was
    await issueCertificates();
    s.decisions.push(decision);
    s.status = 'certified';
    s.stage = null;
    s.due = null;
    s.endedAt = iso(nowMs());
    s.endReason = `${s.certificates!.count} certificates issued`;
    log('certified', d.actor, s.endReason);
    auditEntry('batch.decide', d, before, { note: 'results-review: pass' });
    auditEntry('batch.certificates-issued', { actor: SYSTEM }, before, { note: s.certificates!.blocks.map((b) => `L${b.level} ${b.first}-${b.last}`).join(', ') || 'none' });
    notify(institutionAudience(s), 'certified', `认定结果审核通过，已生成 ${s.certificates!.count} 张职业技能等级证书`);
    await flush();
    return s;
  }

  async function issueCertificates() {
    const outs = outcomes(s.plan, s.scores, policy);
    const holders = s.plan.candidates
      .filter((_c, i) => outs[i].passed)
      .map((c) => ({ name: c.name, idNumber: c.idNumber, sex: c.sex, occupation: { code: c.occupationCode, name: c.occupationName }, trade: c.trade, level: c.level }));
    const now = nowMs();
    const year = Number(chinaDate(now).slice(0, 4));
    const r = await acts.issueCertificates({ batchId: s.id, issueYear: year, issuedAt: iso(now), institution: s.institution, holders });
    s.certificates = { issuedAt: iso(now), year, count: r.certificates.length, items: r.certificates, blocks: r.blocks };
  }

  /** The filing's idle-exit clock restarts from the last exam day held (001 §四(三)); a filing that no longer runs is not told. */
  async function reportExamsHeld() {
    try {
      await getExternalWorkflowHandle(filingWorkflowId(s.filingId)).signal(examsHeldSignal, { batchId: s.id, lastExamDate: s.plan.lastExamDate });
      log('filing-notified');
    } catch (err) {
      log('filing-not-notified', undefined, String((err as Error)?.message ?? err).slice(0, 200));
    }
  }

  // ——— supervision (center, supervisors) ———

  function validateSupervision(i: SuperviseInput) {
    requireState();
    if (!i?.actor) throw failure('VALIDATION_FAILED', 'actor is required');
    if (BATCH_TERMINAL.includes(s.status)) throw failure('INVALID_STATE', `The batch is ${s.status}`);
    switch (i.action) {
      case 'assign':
        if (!maySuperviseBatch(s.jurisdiction, i.actor)) throw failure('FORBIDDEN', 'Supervisors are drawn by the appraisal center of the batch\'s jurisdiction or the provincial center');
        if (!Number.isSafeInteger(i.count) || i.count < 1 || i.count > policy.maxSupervisorsPerDraw) throw failure('VALIDATION_FAILED', `count must be 1–${policy.maxSupervisorsPerDraw}`);
        if (!['planned', 'acknowledged', 'examining', 'scoring', 'publicity', 'suspended'].includes(s.status)) throw failure('INVALID_STATE', `No spot check is drawn once the batch is ${s.status}`);
        return;
      case 'report':
        if (i.actor.role !== 'supervisor' || !s.supervision.assigned.some((a) => a.userId === i.actor.sub)) throw failure('FORBIDDEN', 'Only a supervisor assigned to this batch reports on it');
        if (!['none', 'minor', 'serious'].includes(i.severity)) throw failure('VALIDATION_FAILED', 'severity must be none, minor or serious');
        requireText(i.findings, 'findings');
        return;
      case 'resume':
      case 'cancel':
        if (!isBatchCenter(s.jurisdiction, i.actor)) throw failure('FORBIDDEN', 'A suspension is lifted or ends the batch by decision of the appraisal center');
        if (s.status !== 'suspended') throw failure('INVALID_STATE', `The batch is ${s.status}, not suspended`);
        if (i.action === 'cancel') requireText(i.reason, 'reason');
        return;
      default:
        throw failure('VALIDATION_FAILED', 'action must be assign, report, resume or cancel');
    }
  }

  async function processSupervision(i: SuperviseInput) {
    const before = snapshot();
    const now = iso(nowMs());
    switch (i.action) {
      case 'assign': {
        const conflicts = [...s.plan.candidates, ...s.plan.proctors, ...s.plan.examiners, ...s.plan.supervisors].map((p) => p.idNumber).filter((x): x is string => !!x);
        const draw = await acts.drawSupervisors({
          batchId: s.id, province: s.jurisdiction.province, prefecture: s.jurisdiction.prefecture, count: i.count,
          excludeUserIds: s.supervision.assigned.map((a) => a.userId), excludeIdNumbers: conflicts,
        });
        for (const p of draw.picked) s.supervision.assigned.push({ userId: p.userId, name: p.name, at: now, by: i.actor.sub });
        s.supervision.draws.push({ at: now, by: i.actor.sub, count: i.count, eligible: draw.eligible, picked: draw.picked.map((p) => p.userId) });
        log('supervisors-drawn', i.actor, draw.picked.map((p) => p.name).join('、'));
        auditEntry('batch.supervision-assign', i, before, { note: `${draw.picked.map((p) => p.userId).join(',')} of ${draw.eligible}` });
        notify({ role: 'supervisor', userIds: draw.picked.map((p) => p.userId) }, 'supervision-assignment',
          `您被随机选派对「${s.institution.name}」认定批次（${s.plan.firstExamDate} 至 ${s.plan.lastExamDate}）进行质量督导`);
        await flush();
        return s;
      }
      case 'report': {
        const report = { id: uuid4(), by: { userId: i.actor.sub, name: i.actor.name }, severity: i.severity, findings: i.findings, at: now, statusAt: s.status };
        s.supervision.reports.push(report);
        log(`supervision-report:${i.severity}`, i.actor, i.findings.slice(0, 200));
        if (i.severity === 'serious' && s.status !== 'suspended') {
          s.suspendedFrom = s.status;
          s.supervision.suspensions.push({ at: now, reportId: report.id, from: s.status });
          s.status = 'suspended';
          s.stage = null;
          s.due = null;
          if (s.publicity && !s.publicity.closedAt) {
            s.publicity.closedAt = now;
            s.publicity.outcome = 'interrupted';
          }
          log('suspended', i.actor);
          notify(institutionAudience(s), 'suspended', `质量督导发现严重问题，认定批次已暂停：${i.findings.slice(0, 200)}`);
          notify(centerAudience(s.jurisdiction), 'suspended', `「${s.institution.name}」认定批次督导发现严重问题，已暂停，请决定恢复或终止`);
        } else {
          notify(centerAudience(s.jurisdiction), 'supervision-report', `「${s.institution.name}」认定批次督导报告（${SEVERITY_LABEL[i.severity]}）`);
        }
        auditEntry('batch.supervision-report', i, before, { note: `${report.id}: ${i.severity}` });
        await flush();
        return s;
      }
      case 'resume': {
        const from = s.suspendedFrom!;
        const open = s.supervision.suspensions[s.supervision.suspensions.length - 1];
        Object.assign(open, { liftedAt: now, liftedBy: i.actor.sub, note: i.note });
        s.suspendedFrom = undefined;
        s.status = from;
        log('resumed', i.actor, i.note);
        if (from === 'planned') {
          s.stage = 'plan-review';
          await setDue('plan-review');
        } else if (from === 'scoring') await setDue('scores');
        else if (from === 'results-due') await setDue('results');
        else if (from === 'results-review') {
          s.stage = 'results-review';
          await setDue('results-review');
        }
        auditEntry('batch.supervision-resume', i, before, { note: i.note });
        notify(institutionAudience(s), 'resumed', `认定批次已恢复${i.note ? `：${i.note}` : ''}`);
        // an interrupted publicity runs again in full
        if (from === 'publicity') return startPublicity(i.actor);
        await flush();
        return s;
      }
      case 'cancel': {
        const open = s.supervision.suspensions[s.supervision.suspensions.length - 1];
        Object.assign(open, { cancelled: true, liftedAt: now, liftedBy: i.actor.sub, note: i.reason });
        return cancel(`督导发现严重问题，鉴定中心终止认定批次：${i.reason}`, i);
      }
    }
  }

  // ——— scores and publicity ———

  function validateScores(i: ScoresInput) {
    requireState();
    if (!i?.actor || !isOwnInstitution(s, i.actor)) throw failure('FORBIDDEN', 'Only the institution posts its batch\'s scores');
    if (s.status !== 'scoring') throw failure('INVALID_STATE', `Scores are posted after the exams, while scoring (the batch is ${s.status})`);
    const r = scoresRefusal(s.plan, i.scores);
    if (r) throw failure(r.code, r.message, r.details);
  }

  async function processScores(i: ScoresInput) {
    const before = snapshot();
    s.scores = mergeScores(s.scores, i.scores);
    s.scoresUpdatedAt = iso(nowMs());
    log('scores-posted', i.actor, `${i.scores.length} lines`);
    auditEntry('batch.scores', i, before, { note: `${i.scores.length} lines` });
    if (scoresComplete(s.plan, s.scores)) return startPublicity(i.actor);
    await flush();
    return s;
  }

  async function startPublicity(by?: Actor) {
    const before = snapshot();
    const now = nowMs();
    const r = await acts.workingDaysDue({ fromMs: now, workingDays: policy.publicityWorkingDays });
    if (s.publicity) s.publicityRounds.push(s.publicity);
    s.publicity = { round: s.publicityRounds.length + 1, startedAt: iso(now), endDate: r.date, endsAt: r.dueAt, endsAtMs: r.dueAtMs, coverage: r.coverage, objections: emptyLedger() };
    toldOfOpen = false;
    s.status = 'publicity';
    s.stage = null;
    s.due = null;
    log('publicity', by, `until ${r.date}`);
    auditEntry('batch.publicity-start', { actor: by ?? SYSTEM }, before, { note: `round ${s.publicity.round} until ${r.date}` });
    const passed = outcomes(s.plan, s.scores, policy).filter((o) => o.passed).length;
    notify(institutionAudience(s), 'publicity', `认定结果公示至 ${r.date}（合格 ${passed} 人）`);
    notify(centerAudience(s.jurisdiction), 'publicity', `「${s.institution.name}」认定结果公示至 ${r.date}`);
    await flush();
    return s;
  }

  async function closePublicity() {
    const before = snapshot();
    const p = s.publicity!;
    // it closed at its end, or when the last objection was resolved after it: that moment, not the timer's
    const closedMs = Math.max(p.endsAtMs, lastResolutionMs(p.objections));
    p.closedAt = iso(closedMs);
    p.outcome = 'closed';
    s.status = 'results-due';
    log('publicity-closed');
    // 000 §五(二)3: results within 10 working days of the publicity's close
    await setDue('results', closedMs);
    auditEntry('batch.publicity-closed', { actor: SYSTEM }, before);
    notify(institutionAudience(s), 'results-due', `认定结果公示期满无异议，请于 ${s.due!.dueDate} 前报送结果汇总表和合格人员花名册`);
    await flush();
  }

  function inPublicity(): boolean {
    return !!state && s.status === 'publicity' && !!s.publicity && !s.publicity.closedAt && nowMs() < s.publicity.endsAtMs;
  }

  function validateObjection() {
    if (!inPublicity()) throw failure('NOT_IN_PUBLICITY', 'Objections are accepted only during the result publicity');
  }

  async function tellOfObjections() {
    if (s.status !== 'publicity' || !s.publicity || openObjections(s.publicity.objections) === 0) return;
    log('objection-received', undefined, `${openObjections(s.publicity.objections)} open`);
    notify(centerAudience(s.jurisdiction), 'objection', `「${s.institution.name}」认定结果公示期间收到异议，请核查处理`);
    notify(institutionAudience(s), 'objection', '认定结果公示期间收到异议，鉴定中心将核查处理');
    await flush();
  }

  function validateResolution(r: ResolveInput) {
    requireState();
    if (!r?.actor || !mayResolveObjection(s.jurisdiction, r.actor)) throw failure('FORBIDDEN', 'Objections are resolved by the appraisal center or a reviewer of the batch\'s jurisdiction');
    const p = s.status === 'publicity' && !s.publicity?.closedAt ? s.publicity : null;
    const refusal = p ? resolutionRefusal(p.objections, p.round, r.objectionId) : { code: 'NOT_FOUND', message: 'No such objection in the current publicity' };
    if (refusal) throw failure(refusal.code, refusal.message);
    if (typeof r.upheld !== 'boolean') throw failure('VALIDATION_FAILED', 'upheld must be true or false');
    requireText(r.note, 'note');
  }

  async function processResolution(r: ResolveInput) {
    const before = snapshot();
    const p = s.publicity!;
    const at = iso(nowMs());
    p.objections.resolutions.push({ objectionId: r.objectionId, upheld: r.upheld, note: r.note, by: r.actor, at });
    log(r.upheld ? 'objection-upheld' : 'objection-dismissed', r.actor, `${r.objectionId}: ${r.note.slice(0, 200)}`);
    auditEntry('batch.resolve-objection', r, before, { note: `${r.objectionId}: ${r.upheld ? 'upheld' : 'dismissed'}` });
    if (r.upheld) {
      // the results go back to scoring: the institution corrects and posts the scores, then a new publicity runs
      p.closedAt = at;
      p.outcome = 'upheld';
      s.status = 'scoring';
      await setDue('scores');
      notify(institutionAudience(s), 'objection-upheld', `公示异议成立：${r.note}。请核实更正成绩后重新提交，结果将重新公示`);
    }
    if (openObjections(p.objections) === 0) toldOfOpen = false;
    await flush();
    return s;
  }

  function validateDismissal(d: DismissInput) {
    requireState();
    if (!d?.actor || !mayResolveObjection(s.jurisdiction, d.actor)) throw failure('FORBIDDEN', 'Objections are resolved by the appraisal center or a reviewer of the batch\'s jurisdiction');
    const p = s.status === 'publicity' && !s.publicity?.closedAt ? s.publicity : null;
    if (!p || openObjections(p.objections) === 0) throw failure('NOT_FOUND', 'No open objection to dismiss');
    requireText(d.note, 'note');
  }

  /** Every open objection dismissed at once (a flood of duplicates investigated together). */
  async function processDismissal(d: DismissInput) {
    const before = snapshot();
    const l = s.publicity!.objections;
    const open = openObjections(l);
    l.dismissedThrough = { through: l.received, note: d.note, by: d.actor, at: iso(nowMs()) };
    log('objections-dismissed', d.actor, `${open} through #${l.received}: ${d.note.slice(0, 200)}`);
    auditEntry('batch.dismiss-objections', d, before, { note: `${open} open objections through #${l.received}` });
    toldOfOpen = false;
    await flush();
    return s;
  }

  // ——— results ———

  function validateResults(i: ResultsInput) {
    requireState();
    if (!i?.actor || !isOwnInstitution(s, i.actor)) throw failure('FORBIDDEN', 'Only the institution submits its batch\'s results');
    if (s.status !== 'results-due') throw failure('INVALID_STATE', `Results are submitted after the publicity closes (the batch is ${s.status})`);
    if (i.note !== undefined && (typeof i.note !== 'string' || i.note.length > TEXT_MAX)) throw failure('VALIDATION_FAILED', 'note must be text');
  }

  async function processResults(i: ResultsInput) {
    const before = snapshot();
    const now = nowMs();
    const late = !!s.due && now > s.due.dueAtMs;
    const summary = buildSummary({ id: s.id, institution: s.institution, plan: s.plan, scores: s.scores, policy }, chinaDate(now));
    s.results = { submittedAt: iso(now), submissions: (s.results?.submissions ?? 0) + 1, late, note: i.note, summary };
    s.status = 'results-review';
    s.stage = 'results-review';
    log('results-submitted', i.actor, late ? 'late' : 'in time');
    await setDue('results-review');
    auditEntry('batch.results', i, before, { note: late ? 'late' : undefined });
    notify(centerAudience(s.jurisdiction), 'results-submitted', `「${s.institution.name}」报送认定结果：申报 ${summary.applicants} 人，合格 ${summary.passed} 人${late ? '（逾期报送）' : ''}`);
    await flush();
    return s;
  }

  // ——— endings ———

  async function cancel(reason: string, by?: { actor: Actor; requestId?: string }) {
    // no candidate of a cancelled batch was certified: each is owed a refund of the assessment fee (004 Art.13)
    s.cancellation = { reason, at: iso(nowMs()), by: by?.actor.sub, refund: { count: s.plan.candidates.length, idNumbers: s.plan.candidates.map((c) => c.idNumber) } };
    const supervisors = s.supervision.assigned.map((a) => a.userId);
    if (supervisors.length) notify({ role: 'supervisor', userIds: supervisors }, 'cancelled', `「${s.institution.name}」认定批次已取消`);
    return finish('cancelled', reason, by);
  }

  async function finish(status: BatchStatus, reason: string, by?: { actor: Actor; requestId?: string }) {
    const before = snapshot();
    s.status = status;
    s.stage = null;
    s.due = null;
    s.suspendedFrom = undefined;
    s.endedAt = iso(nowMs());
    s.endReason = reason;
    log(status, by?.actor, reason);
    auditEntry(`batch.${status}`, by ?? { actor: SYSTEM }, before, { note: reason });
    notify(institutionAudience(s), status, `认定批次${status === 'rejected' ? '未通过' : '已取消'}：${reason}`);
    notify(centerAudience(s.jurisdiction), status, `「${s.institution.name}」认定批次${status === 'rejected' ? '未通过' : '已取消'}`);
    await flush();
    return s;
  }

  // ——— bookkeeping ———

  function requireState() {
    if (!state) throw failure('INVALID_STATE', 'The batch plan is still being checked');
  }

  function requireText(v: unknown, what: string, max = TEXT_MAX) {
    if (typeof v !== 'string' || !v.trim() || v.length > max) throw failure('VALIDATION_FAILED', `${what} must be 1–${max} characters`);
  }

  function log(event: string, by?: Actor, note?: string) {
    s.history.push({ at: iso(nowMs()), event, by: by?.sub, note, status: s.status });
    if (s.history.length > HISTORY_LIMIT) s.history.splice(0, s.history.length - HISTORY_LIMIT);
  }

  function snapshot() {
    return { status: state?.status ?? null, stage: state?.stage ?? null };
  }

  function auditEntry(action: string, e: { actor: Actor; requestId?: string }, before: { status: string | null; stage: string | null }, extra: { note?: string } = {}) {
    audit.push({ actor: e.actor.sub, actorName: e.actor.name, role: e.actor.role, action, requestId: e.requestId, before, after: snapshot(), at: iso(nowMs()), note: extra.note });
  }

  function notify(to: Audience, kind: string, message: string) {
    notes.push({ audience: to, kind, message, at: iso(nowMs()) });
  }

  /** One activity per transition: the batch view, its audit entries and notifications. */
  async function flush() {
    s.version += 1;
    await acts.recordBatch({ state: s, audit: audit.splice(0), notifications: notes.splice(0) });
  }
}

function failure(code: string, message: string, details?: Record<string, unknown>) {
  return ApplicationFailure.create({ type: code, message, nonRetryable: true, details: details ? [details] : undefined });
}

/** A refusal to hand back to the caller (not a bug): ours, or an activity's business failure. */
function businessFailure(err: unknown): ApplicationFailure | undefined {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable) {
    const c = err.cause;
    return ApplicationFailure.create({ type: c.type ?? 'ACTIVITY_FAILED', message: c.message, nonRetryable: true, details: c.details as unknown[] | undefined });
  }
  return undefined;
}

const STEP_LABEL: Record<DueStep, string> = { 'plan-review': '计划确认', scores: '成绩录入', results: '结果报送', 'results-review': '结果审核' };
const SEVERITY_LABEL = { none: '未发现问题', minor: '一般问题', serious: '严重问题' } as const;

function filingStatusLabel(status?: string) {
  return ({ expired: '到期', terminated: '终止', withdrawn: '视为退出', rejected: '未通过', 'in-review': '尚在评估' } as Record<string, string>)[status ?? ''] ?? (status ?? '失效');
}
