import { Schema } from 'mongoose';
import type { EligibleInspector, EligibleInstitution, InspectionFinding, InspectionRecord, Severity } from '../domain/inspections';

const mixed = Schema.Types.Mixed;

/**
 * 双随机 draws (domain/inspections.ts): one document per draw, written only by its
 * `inspection-draw/<id>` workflow. It keeps what an auditor needs to draw again: the seed and the
 * eligible lists (ids, canonically ordered) with their hash.
 */
export const inspectionDrawSchema = new Schema(
  {
    _id: { type: String, required: true },
    version: { type: Number, required: true },
    year: { type: Number, required: true, index: true },
    province: { type: String, required: true, index: true },
    prefecture: { type: String, default: null },
    drawnAt: { type: Date, required: true },
    drawnBy: { type: mixed, required: true },
    count: Number,
    inspectorsPerInspection: Number,
    seed: { type: Number, required: true },
    eligible: { type: mixed, required: true },
    inspections: { type: [String], default: [] },
  },
  { collection: 'inspectionDraws', versionKey: false, minimize: false },
);

export interface InspectionDoc {
  _id: string;
  version: number;
  drawId: string;
  seq: number;
  year: number;
  province: string;
  prefecture: string | null;
  drawnAt: Date;
  drawnBy: { role: string };
  institution: EligibleInstitution;
  inspectors: EligibleInspector[];
  inspectorIds: string[];
  findings: InspectionFinding[];
  outcome: Severity | null;
  measures: string[];
  proposal: InspectionRecord['proposal'];
  concludedAt: Date | null;
}

/** One drawn inspection (an institution and its inspectors), written only by its draw's workflow. */
export const inspectionSchema = new Schema(
  {
    _id: { type: String, required: true },
    version: { type: Number, required: true },
    drawId: { type: String, required: true, index: true },
    seq: Number,
    year: { type: Number, required: true, index: true },
    province: { type: String, required: true, index: true },
    prefecture: { type: String, default: null },
    drawnAt: { type: Date, required: true, index: true },
    drawnBy: mixed,
    institution: { type: mixed, required: true },
    inspectors: { type: [mixed], default: [] },
    inspectorIds: { type: [String], default: [], index: true },
    findings: { type: [mixed], default: [] },
    outcome: { type: String, default: null },
    measures: { type: [String], default: [] },
    proposal: { type: mixed, default: null },
    concludedAt: { type: Date, default: null },
  },
  { collection: 'inspections', versionKey: false, minimize: false },
);

export interface InspectionProposalDecisionDoc {
  _id: string;
  decision: string;
  note: string;
  filingId: string;
  by: { userId: string; name: string };
  at: Date;
}

/**
 * How a termination proposal was closed (domain/inspections ProposalDecision), `_id` the
 * inspection's: inserted once by POST /inspections/:id/proposal-decision, never updated. Kept apart
 * from `inspections`, whose one writer is the draw workflow (it may have ended by then).
 */
export const inspectionProposalDecisionSchema = new Schema<InspectionProposalDecisionDoc>(
  {
    _id: { type: String, required: true },
    decision: { type: String, required: true },
    note: { type: String, required: true },
    filingId: { type: String, required: true },
    by: { type: mixed, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'inspection_proposal_decisions', versionKey: false },
);
