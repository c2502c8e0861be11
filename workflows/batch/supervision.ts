/**
 * 质量督导 (000 §五(二)2, 001 §三(六)): supervisors drawn at random (双随机) from the registry by an
 * activity, so the draw is in history; their reports; a serious finding suspends the batch until
 * the center resumes it (an interrupted publicity runs again in full) or cancels it.
 */
import { uuid4 } from '@temporalio/workflow';
import { centerAudience, institutionAudience } from '../../domain/batch';
import { isoChina } from '../../domain/dates';
import { SEVERITY_LABELS } from '../../domain/labels';
import { workflowNow } from '../time';
import { acts, type BatchCase } from './context';
import { setDue } from './deadlines';
import { cancel } from './endings';
import type { SuperviseInput } from './messages';
import { startPublicity } from './results';

type Action<A extends SuperviseInput['action']> = Extract<SuperviseInput, { action: A }>;

export async function processSupervision(c: BatchCase, i: SuperviseInput): Promise<void> {
  switch (i.action) {
    case 'assign':
      return drawSupervisors(c, i);
    case 'report':
      return recordReport(c, i);
    case 'resume':
      return resume(c, i);
    case 'cancel': {
      const open = c.s.supervision.suspensions[c.s.supervision.suspensions.length - 1];
      Object.assign(open, { cancelled: true, liftedAt: isoChina(workflowNow()), liftedBy: i.actor.sub, note: i.reason });
      return cancel(c, `督导发现严重问题，鉴定中心终止认定批次：${i.reason}`, i);
    }
  }
}

async function drawSupervisors(c: BatchCase, i: Action<'assign'>): Promise<void> {
  const { s, record } = c;
  const before = record.snapshot();
  const now = isoChina(workflowNow());
  // the candidates are left out by the activity, which reads them where they are kept
  const conflicts = [...s.plan.proctors, ...s.plan.examiners, ...s.plan.supervisors].map((p) => p.idNumber).filter((x): x is string => !!x);
  const draw = await acts.drawSupervisors({
    batchId: s.id,
    province: s.jurisdiction.province,
    prefecture: s.jurisdiction.prefecture,
    count: i.count,
    excludeUserIds: s.supervision.assigned.map((a) => a.userId),
    excludeIdNumbers: conflicts,
  });
  for (const p of draw.picked) s.supervision.assigned.push({ userId: p.userId, name: p.name, at: now, by: i.actor.sub });
  s.supervision.draws.push({ at: now, by: i.actor.sub, count: i.count, eligible: draw.eligible, picked: draw.picked.map((p) => p.userId) });
  record.log('supervisors-drawn', i.actor, draw.picked.map((p) => p.name).join('、'));
  record.audit('batch.supervision-assign', i, before, `${draw.picked.map((p) => p.userId).join(',')} of ${draw.eligible}`);
  record.notify(
    { role: 'supervisor', userIds: draw.picked.map((p) => p.userId) },
    'supervision-assignment',
    `您被随机选派对「${s.institution.name}」认定批次（${s.plan.firstExamDate} 至 ${s.plan.lastExamDate}）进行质量督导`,
  );
  await record.flush();
}

async function recordReport(c: BatchCase, i: Action<'report'>): Promise<void> {
  const { s, record } = c;
  const before = record.snapshot();
  const now = isoChina(workflowNow());
  const report = {
    id: uuid4(),
    by: { userId: i.actor.sub, name: i.actor.name },
    severity: i.severity,
    findings: i.findings,
    at: now,
    statusAt: s.status,
    ...(i.inspectionId ? { inspectionId: i.inspectionId } : {}),
  };
  s.supervision.reports.push(report);
  record.log(`supervision-report:${i.severity}`, i.actor, i.findings.slice(0, 200));
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
    record.log('suspended', i.actor);
    record.notify(institutionAudience(s), 'suspended', `质量督导发现严重问题，认定批次已暂停：${i.findings.slice(0, 200)}`);
    record.notify(centerAudience(s.jurisdiction), 'suspended', `「${s.institution.name}」认定批次督导发现严重问题，已暂停，请决定恢复或终止`);
  } else {
    record.notify(centerAudience(s.jurisdiction), 'supervision-report', `「${s.institution.name}」认定批次督导报告（${SEVERITY_LABELS[i.severity]}）`);
  }
  record.audit('batch.supervision-report', i, before, `${report.id}: ${i.severity}`);
  await record.flush();
}

/** The center lifts a suspension: the batch returns to where it was, its due step counted afresh. */
async function resume(c: BatchCase, i: Action<'resume'>): Promise<void> {
  const { s, record } = c;
  const before = record.snapshot();
  const from = s.suspendedFrom!;
  const open = s.supervision.suspensions[s.supervision.suspensions.length - 1];
  Object.assign(open, { liftedAt: isoChina(workflowNow()), liftedBy: i.actor.sub, note: i.note });
  s.suspendedFrom = undefined;
  s.status = from;
  record.log('resumed', i.actor, i.note);
  if (from === 'planned') {
    s.stage = 'plan-review';
    await setDue(c, 'plan-review');
  } else if (from === 'scoring') await setDue(c, 'scores');
  else if (from === 'results-due') await setDue(c, 'results');
  else if (from === 'results-review') {
    s.stage = 'results-review';
    await setDue(c, 'results-review');
  }
  record.audit('batch.supervision-resume', i, before, i.note);
  record.notify(institutionAudience(s), 'resumed', `认定批次已恢复${i.note ? `：${i.note}` : ''}`);
  // an interrupted publicity runs again in full
  if (from === 'publicity') return startPublicity(c, i.actor);
  await record.flush();
}
