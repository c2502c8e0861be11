/**
 * The plan check (000 §五(二)1): before anything is written, the plan is checked by itself, then
 * against its filing (in force on every exam day, the filed scope, own staff, filed venues) and the
 * calendar (filed ≥10 working days before the first exam day). The candidates are checked where
 * they are, by the activity that reads them (acceptCandidates, with the same rules); only their
 * counts and hash come back. A refused plan leaves no batch.
 */
import { emptyTally, jurisdictionOfInstitution, type BatchState } from '../../domain/batch';
import { chinaDateOf, isoChina } from '../../domain/dates';
import type { Refusal } from '../../domain/errors';
import { workflowNow } from '../time';
import { acts, rosterActs, type BatchCase } from './context';

export async function checkPlan(c: BatchCase): Promise<{ state: BatchState } | { refusal: Refusal }> {
  const { input, policy } = c;
  const now = workflowNow();
  const today = chinaDateOf(now);
  const filing = await acts.batchFilingSnapshot({ filingId: input.filingId });
  const earliest = await acts.addWorkingDays({ from: today, workingDays: policy.planLeadWorkingDays });
  const checked = await rosterActs.acceptCandidates({
    batchId: input.batchId,
    plan: input.plan,
    candidates: input.candidates,
    today,
    policy,
    filing,
    submittedBy: input.submittedBy,
    earliest,
    // activity input, no new command: recorded histories replay unchanged
    ...(input.annualPlan !== undefined ? { annualPlan: input.annualPlan } : {}),
  });
  if ('refusal' in checked) return checked;
  const i = filing.institution!;
  const notice = filing.notice!;
  const institution = {
    creditCode: i.creditCode,
    name: i.name,
    kind: i.kind,
    province: i.province,
    affiliation: i.affiliation,
    prefecture: i.prefecture,
    institutionCode: notice.institutionCode,
    sequence: notice.sequence,
  };
  return {
    state: {
      id: input.batchId,
      filingId: input.filingId,
      policy,
      institution,
      jurisdiction: jurisdictionOfInstitution(institution),
      plan: { ...input.plan, roster: checked.roster },
      // answers recorded before annual plans existed carry no check, and the batch no flag
      ...(checked.annualPlan ? { annualPlan: checked.annualPlan, outsideAnnualPlan: checked.annualPlan.outside.length > 0 } : {}),
      status: 'planned',
      stage: 'plan-review',
      planFiledAt: isoChina(now),
      earliestExamDate: earliest.date,
      decisions: [],
      supervision: { assigned: [], draws: [], reports: [], suspensions: [] },
      scoreTally: emptyTally(),
      publicity: null,
      publicityRounds: [],
      results: null,
      due: null,
      escalations: [],
      certificates: null,
      history: [],
      version: 0,
      submittedAt: isoChina(now),
      submittedBy: input.submittedBy,
    },
  };
}
