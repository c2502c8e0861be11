/**
 * The plan check (000 §五(二)1): before anything is written, the plan is checked by itself, then
 * against its filing (in force on every exam day, the filed scope, own staff, filed venues) and the
 * calendar (filed ≥10 working days before the first exam day). A refused plan leaves no batch.
 */
import { acceptPlan, jurisdictionOfInstitution, planAgainstFilingRefusal, planRefusal, type BatchState } from '../../domain/batch';
import { chinaDateOf, isoChina } from '../../domain/dates';
import type { Refusal } from '../../domain/errors';
import { workflowNow } from '../time';
import { acts, type BatchCase } from './context';

export async function checkPlan(c: BatchCase): Promise<{ state: BatchState } | { refusal: Refusal }> {
  const { input, policy } = c;
  const now = workflowNow();
  const today = chinaDateOf(now);
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
      plan: acceptPlan(input.plan, filing.occupations ?? []),
      status: 'planned',
      stage: 'plan-review',
      planFiledAt: isoChina(now),
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
      submittedAt: isoChina(now),
      submittedBy: input.submittedBy,
    },
  };
}
