/**
 * Annual plans (年度认定计划, 000 §五(二)1) and the center's decisions on them.
 *
 * Why no workflow: a plan has no timers, no deadline and one decision, so it lives in two
 * collections with one writer each, and nothing depends on an atomic read-modify-write (FerretDB v1
 * has neither transactions nor one):
 * - `annualPlans`: written only by the institution's POST /annual-plans. `_id` = `${filingId}:${year}`
 *   (one plan per filing and year, by the unique `_id`). Filing it again replaces the items under a
 *   new random `revision` (and the next `version` number, for people); two racing resubmissions leave
 *   the last one written, each with its own revision.
 * - `annualPlanDecisions`: written only by the center's POST /annual-plans/:id/decision, insert-only,
 *   `_id` = `${planId}:${revision}`: at most one decision per revision, by the unique `_id` (a second
 *   decision is a duplicate key, answered 409). An acknowledgement copies the items it acknowledged,
 *   so what a batch is checked against is exactly what the center saw, even if the institution
 *   filed a new revision in between; the plan's status is derived (domain annualPlanStatus), never
 *   written by two parties.
 * Every write has its audit entry (api/routes/annual-plans.ts).
 */
import { Schema } from 'mongoose';
import type { AnnualPlanItem } from '../domain/annual-plan';

const mixed = Schema.Types.Mixed;

export interface AnnualPlanDoc {
  _id: string;
  filingId: string;
  year: number;
  institutionId: string;
  institutionName: string;
  province: string;
  prefecture: string | null;
  /** jurisdiction level: province | prefecture (whose center acknowledges it) */
  level: 'province' | 'prefecture';
  items: AnnualPlanItem[];
  revision: string;
  version: number;
  submittedAt: Date;
  submittedBy: { sub: string; name: string };
}

export const annualPlanSchema = new Schema(
  {
    _id: { type: String, required: true },
    filingId: { type: String, required: true, index: true },
    year: { type: Number, required: true },
    institutionId: { type: String, required: true, index: true },
    institutionName: { type: String, required: true },
    province: { type: String, required: true, index: true },
    prefecture: { type: String, default: null },
    level: { type: String, required: true },
    items: { type: [mixed], default: [] },
    revision: { type: String, required: true },
    version: { type: Number, required: true },
    submittedAt: { type: Date, required: true },
    submittedBy: mixed,
  },
  { collection: 'annualPlans', versionKey: false, minimize: false },
);

export interface AnnualPlanDecisionDoc {
  /** `${planId}:${revision}` */
  _id: string;
  planId: string;
  revision: string;
  version: number;
  outcome: 'pass' | 'return';
  opinion: string;
  /** pass: the items acknowledged, as the center read them */
  items: AnnualPlanItem[];
  at: Date;
  by: { sub: string; name: string };
}

export const annualPlanDecisionSchema = new Schema(
  {
    _id: { type: String, required: true },
    planId: { type: String, required: true, index: true },
    revision: { type: String, required: true },
    version: { type: Number, required: true },
    outcome: { type: String, required: true },
    opinion: { type: String, required: true },
    items: { type: [mixed], default: [] },
    at: { type: Date, required: true },
    by: mixed,
  },
  { collection: 'annualPlanDecisions', versionKey: false, minimize: false },
);
