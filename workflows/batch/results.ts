/**
 * From scores to results (SPEC §3.4–6; 000 §五(二)3): the institution posts module scores; once
 * every required module is scored the results are published for ≥5 working days (objections:
 * upheld → back to scoring); a publicity that closes without objection makes the results due
 * within 10 working days of its close; the institution submits them (结果汇总表 and 合格人员花名册,
 * built from the scores) for the center's review.
 */
import { centerAudience, institutionAudience, tallyComplete } from '../../domain/batch';
import type { Actor } from '../../domain/filing';
import { chinaDateOf, isoChina } from '../../domain/dates';
import { emptyLedger, openObjections } from '../../domain/objections';
import { SYSTEM } from '../shared/case-record';
import { closingMs, publicityEnd, recordDismissal, recordResolution } from '../shared/publicity';
import { workflowNow } from '../time';
import { acts, rosterActs, type BatchCase } from './context';
import { setDue } from './deadlines';
import type { DismissInput, ResolveInput, ResultsInput, ScoresInput } from './messages';

export async function processScores(c: BatchCase, i: ScoresInput): Promise<void> {
  const { s, record } = c;
  const before = record.snapshot();
  // the lines are checked and merged where they are kept; a refused post changes nothing
  s.scoreTally = await rosterActs.applyScores({ batchId: s.id, modules: s.plan.modules, policy: c.policy, upload: i.upload, posts: s.scoreTally.posts + 1 });
  s.scoresUpdatedAt = isoChina(workflowNow());
  record.log('scores-posted', i.actor, `${i.upload.count} lines`);
  record.audit('batch.scores', i, before, `${i.upload.count} lines`);
  if (tallyComplete(s.scoreTally, s.plan.roster)) return startPublicity(c, i.actor);
  await record.flush();
}

export async function startPublicity(c: BatchCase, by?: Actor): Promise<void> {
  const { s, record } = c;
  const before = record.snapshot();
  const now = workflowNow();
  const r = await acts.workingDaysDue({ fromMs: now, workingDays: c.policy.publicityWorkingDays });
  if (s.publicity) s.publicityRounds.push(s.publicity);
  const round = s.publicityRounds.length + 1;
  // what the public sees while it runs: the counts per occupation and level here, the names where the activity puts them
  s.publishedSummary = await rosterActs.summariseResults({ batchId: s.id, institution: s.institution, plan: s.plan, policy: c.policy, publicityRound: round });
  s.publicity = { round, startedAt: isoChina(now), ...publicityEnd(r), objections: emptyLedger() };
  c.toldOfOpen = false;
  s.status = 'publicity';
  s.stage = null;
  s.due = null;
  record.log('publicity', by, `until ${r.date}`);
  record.audit('batch.publicity-start', { actor: by ?? SYSTEM }, before, `round ${s.publicity.round} until ${r.date}`);
  record.notify(institutionAudience(s), 'publicity', `认定结果公示至 ${r.date}（合格 ${s.scoreTally.passed} 人）`);
  record.notify(centerAudience(s.jurisdiction), 'publicity', `「${s.institution.name}」认定结果公示至 ${r.date}`);
  await record.flush();
}

export async function closePublicity(c: BatchCase): Promise<void> {
  const { s, record } = c;
  const before = record.snapshot();
  const p = s.publicity!;
  const closedMs = closingMs(p);
  p.closedAt = isoChina(closedMs);
  p.outcome = 'closed';
  s.status = 'results-due';
  record.log('publicity-closed');
  // 000 §五(二)3: results within 10 working days of the publicity's close
  await setDue(c, 'results', closedMs);
  record.audit('batch.publicity-closed', { actor: SYSTEM }, before);
  record.notify(institutionAudience(s), 'results-due', `认定结果公示期满无异议，请于 ${s.due!.dueDate} 前报送结果汇总表和合格人员花名册`);
  await record.flush();
}

/** Objections are open: the center (and the institution) hear of it once. */
export async function tellOfObjections(c: BatchCase): Promise<void> {
  const { s, record } = c;
  if (s.status !== 'publicity' || !s.publicity || openObjections(s.publicity.objections) === 0) return;
  record.log('objection-received', undefined, `${openObjections(s.publicity.objections)} open`);
  record.notify(centerAudience(s.jurisdiction), 'objection', `「${s.institution.name}」认定结果公示期间收到异议，请核查处理`);
  record.notify(institutionAudience(s), 'objection', '认定结果公示期间收到异议，鉴定中心将核查处理');
  await record.flush();
}

export async function processResolution(c: BatchCase, r: ResolveInput): Promise<void> {
  const { s, record } = c;
  const p = s.publicity!;
  recordResolution(record, p.objections, r, 'batch.resolve-objection');
  if (r.upheld) {
    // the results go back to scoring: the institution corrects and posts the scores, then a new publicity runs
    p.closedAt = p.objections.resolutions[p.objections.resolutions.length - 1].at;
    p.outcome = 'upheld';
    s.status = 'scoring';
    await setDue(c, 'scores');
    record.notify(institutionAudience(s), 'objection-upheld', `公示异议成立：${r.note}。请核实更正成绩后重新提交，结果将重新公示`);
  }
  if (openObjections(p.objections) === 0) c.toldOfOpen = false;
  await record.flush();
}

export async function processDismissal(c: BatchCase, d: DismissInput): Promise<void> {
  recordDismissal(c.record, c.s.publicity!.objections, d, 'batch.dismiss-objections');
  c.toldOfOpen = false;
  await c.record.flush();
}

export async function processResults(c: BatchCase, i: ResultsInput): Promise<void> {
  const { s, record } = c;
  const before = record.snapshot();
  const now = workflowNow();
  const late = !!s.due && now > s.due.dueAtMs;
  const summary = await rosterActs.summariseResults({
    batchId: s.id,
    institution: s.institution,
    plan: s.plan,
    policy: c.policy,
    reportDate: chinaDateOf(now),
  });
  s.results = { submittedAt: isoChina(now), submissions: (s.results?.submissions ?? 0) + 1, late, note: i.note, summary };
  s.status = 'results-review';
  s.stage = 'results-review';
  record.log('results-submitted', i.actor, late ? 'late' : 'in time');
  await setDue(c, 'results-review');
  record.audit('batch.results', i, before, late ? 'late' : undefined);
  record.notify(
    centerAudience(s.jurisdiction),
    'results-submitted',
    `「${s.institution.name}」报送认定结果：申报 ${summary.applicants} 人，合格 ${summary.passed} 人${late ? '（逾期报送）' : ''}`,
  );
  await record.flush();
}
