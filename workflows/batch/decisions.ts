/**
 * The appraisal center's decisions (000 §五(二)): it acknowledges the plan (or rejects it), and
 * reviews the results — returns them, rejects them, or passes them, and then the certificates are
 * issued (SPEC §4), unless the filing was terminated meanwhile (004 Art.13).
 */
import { institutionAudience, type BatchDecision } from '../../domain/batch';
import { chinaDateOf, isoChina } from '../../domain/dates';
import { SYSTEM } from '../shared/case-record';
import { workflowNow } from '../time';
import { acts, rosterActs, type BatchCase } from './context';
import { setDue } from './deadlines';
import { cancel, finish } from './endings';
import type { DecideInput } from './messages';

export async function processDecision(c: BatchCase, d: DecideInput): Promise<void> {
  const { s, record } = c;
  const before = record.snapshot();
  const decision: BatchDecision = { stage: d.stage, outcome: d.outcome, opinion: d.opinion, actor: d.actor, at: isoChina(workflowNow()) };
  if (d.stage === 'plan-review') {
    s.decisions.push(decision);
    if (d.outcome === 'reject') return finish(c, 'rejected', `批次计划未通过备案：${d.opinion}`, d);
    s.status = 'acknowledged';
    s.stage = null;
    s.due = null;
    s.acknowledgedAt = decision.at;
    record.log('acknowledged', d.actor, d.opinion);
    record.audit('batch.decide', d, before, 'plan-review: pass');
    record.notify(institutionAudience(s), 'decision', `认定批次计划已备案：${d.opinion}`);
    return record.flush();
  }
  if (d.outcome === 'reject') {
    s.decisions.push(decision);
    return finish(c, 'rejected', `认定结果审核不通过：${d.opinion}`, d);
  }
  if (d.outcome === 'return') {
    s.decisions.push(decision);
    s.status = 'results-due';
    s.stage = null;
    record.log('results-returned', d.actor, d.opinion);
    await setDue(c, 'results');
    record.audit('batch.decide', d, before, 'results-review: return');
    record.notify(institutionAudience(s), 'decision', `认定结果被退回：${d.opinion}。请于 ${s.due!.dueDate} 前重新报送`);
    return record.flush();
  }
  return certify(c, d, decision);
}

/** Results passed: the certificates first (a failure, serials exhausted, leaves the batch as it was), then certified. */
async function certify(c: BatchCase, d: DecideInput, decision: BatchDecision): Promise<void> {
  const { s, record } = c;
  const before = record.snapshot();
  // the filing may have been terminated meanwhile: then no certificate is issued (004 Art.13)
  const f = await acts.batchFilingSnapshot({ filingId: s.filingId });
  if (f.status === 'terminated') {
    s.decisions.push(decision);
    return cancel(c, `备案已终止${f.endReason ? `（${f.endReason}）` : ''}，认定结果不再发证`, d);
  }
  await issueCertificates(c);
  s.decisions.push(decision);
  s.status = 'certified';
  s.stage = null;
  s.due = null;
  s.endedAt = isoChina(workflowNow());
  s.endReason = `${s.certificates!.count} certificates issued`;
  record.log('certified', d.actor, s.endReason);
  record.audit('batch.decide', d, before, 'results-review: pass');
  record.audit(
    'batch.certificates-issued',
    { actor: SYSTEM },
    before,
    s.certificates!.blocks.map((b) => `L${b.level} ${b.first}-${b.last}`).join(', ') || 'none',
  );
  record.notify(institutionAudience(s), 'certified', `认定结果审核通过，已生成 ${s.certificates!.count} 张职业技能等级证书`);
  await record.flush();
}

/** A certificate for every candidate who passed, numbered by the institution's serial allocator (SPEC §4). */
async function issueCertificates(c: BatchCase): Promise<void> {
  const s = c.s;
  const now = workflowNow();
  const year = Number(chinaDateOf(now).slice(0, 4));
  const r = await rosterActs.issueCertificates({ batchId: s.id, issueYear: year, issuedAt: isoChina(now), institution: s.institution });
  s.certificates = { issuedAt: isoChina(now), year, count: r.count, blocks: r.blocks };
}
