/**
 * Annual plans (年度认定计划), 000 §五(二)1: 企业年初报全年认定计划，提前 10 个工作日将具体认定批次计划报相应鉴定中心备案.
 * The institution files, per filing and year, the occupations and levels it means to assess and
 * when (quarter) and how many; the appraisal center of its jurisdiction acknowledges it. A batch
 * plan is then checked against the acknowledged plan of its year: one outside it is still accepted
 * (the seed makes the annual plan a report, not a permit) but marked `outsideAnnualPlan` for the
 * center (API.md "Added: seed rules"). Pure rules, no I/O.
 */
import type { Actor, Occupation } from './filing';
import { inFiledScope } from './filing';
import { FILING_IN_FORCE, isBatchCenter, type Jurisdiction } from './batch';
import type { Refusal } from './errors';

export interface AnnualPlanItem {
  occupationCode: string;
  level: number;
  /** 1–4 */
  quarter: number;
  /** candidates expected */
  expected: number;
}

/** What a batch plan is checked against: the items of the last acknowledged version of its year's plan. */
export interface AnnualPlanCoverage {
  planId: string;
  year: number;
  version: number;
  items: Pick<AnnualPlanItem, 'occupationCode' | 'level'>[];
}

export type AnnualPlanStatus = 'submitted' | 'acknowledged' | 'returned';

/** One plan per filing and year (the `_id`); a plan filed again for the same year is its next version. */
export const annualPlanId = (filingId: string, year: number) => `${filingId}:${year}`;

/** A batch belongs to the plan of the year its exams start in. */
export const annualPlanYearOf = (firstExamDate: string) => Number(firstExamDate.slice(0, 4));

/** The status of a plan's current revision: decided (acknowledged or returned) only by a decision on that very revision. */
export function annualPlanStatus(
  current: { revision: string },
  decision: { revision: string; outcome: 'pass' | 'return' } | null | undefined,
): AnnualPlanStatus {
  if (!decision || decision.revision !== current.revision) return 'submitted';
  return decision.outcome === 'pass' ? 'acknowledged' : 'returned';
}

/**
 * Filing an annual plan (000 §五(二)1): by the filing's own institution (callers see only their own
 * filings, so that is a 404 before this), while the filing is in force (FILING_NOT_VALID), for a year
 * the filing is valid in, not one already past (VALIDATION_FAILED), every item inside the filed scope
 * (OUT_OF_SCOPE, naming the items), one line per occupation, level and quarter (VALIDATION_FAILED).
 */
export function annualPlanRefusal(
  plan: { year: number; items: AnnualPlanItem[] },
  filing: { status: string; occupations: Occupation[]; validUntil?: string | null },
  today: string,
): Refusal | null {
  if (!FILING_IN_FORCE.includes(filing.status))
    return { code: 'FILING_NOT_VALID', message: `The filing is ${filing.status}: an annual plan needs a filing in force` };
  if (plan.year < Number(today.slice(0, 4)))
    return { code: 'VALIDATION_FAILED', message: `${plan.year} is past: a plan is filed for this year or a later one` };
  if (filing.validUntil && plan.year > Number(filing.validUntil.slice(0, 4)))
    return { code: 'VALIDATION_FAILED', message: `The filing is valid until ${filing.validUntil}: no plan for ${plan.year}` };
  const seen = new Set<string>();
  for (const i of plan.items) {
    const key = `${i.occupationCode}|${i.level}|${i.quarter}`;
    if (seen.has(key)) return { code: 'VALIDATION_FAILED', message: `${i.occupationCode} level ${i.level} is listed twice for quarter ${i.quarter}` };
    seen.add(key);
  }
  const offending = plan.items
    .filter((i) => !inFiledScope(filing.occupations, i.occupationCode, i.level))
    .map((i) => ({ occupationCode: i.occupationCode, level: i.level }));
  if (offending.length) return { code: 'OUT_OF_SCOPE', message: 'Items outside the filed occupations and levels', details: { offending } };
  return null;
}

/**
 * The center's acknowledgement (000 §五(二)1: 报相应鉴定中心): the center of the institution's
 * jurisdiction, as for its batch plans (FORBIDDEN otherwise); one decision per revision
 * (ALREADY_DECIDED: the institution files again to change it).
 */
export function annualPlanDecisionRefusal(j: Jurisdiction, actor: Actor, status: AnnualPlanStatus): Refusal | null {
  if (!isBatchCenter(j, actor))
    return { code: 'FORBIDDEN', message: "Only the appraisal center of the institution's jurisdiction acknowledges its annual plan" };
  if (status !== 'submitted') return { code: 'ALREADY_DECIDED', message: `This version of the plan is already ${status}` };
  return null;
}

/**
 * 000 §五(二)1: the occupations and levels of a batch plan that its year's acknowledged annual plan
 * does not list (empty: inside the plan). A candidate's trade code (5 segments) is covered by its
 * occupation (4 segments) in the plan. No acknowledged plan (`null`) covers nothing.
 */
export function outsideAnnualPlan(
  planned: Pick<AnnualPlanItem, 'occupationCode' | 'level'>[],
  coverage: Pick<AnnualPlanCoverage, 'items'> | null,
): { occupationCode: string; level: number }[] {
  const covered = (code: string, level: number) =>
    !!coverage?.items.some((i) => i.level === level && (i.occupationCode === code || code.startsWith(`${i.occupationCode}-`)));
  const out = new Map<string, { occupationCode: string; level: number }>();
  for (const p of planned)
    if (!covered(p.occupationCode, p.level)) out.set(`${p.occupationCode}|${p.level}`, { occupationCode: p.occupationCode, level: p.level });
  return [...out.values()].sort((a, b) => a.occupationCode.localeCompare(b.occupationCode) || a.level - b.level);
}
