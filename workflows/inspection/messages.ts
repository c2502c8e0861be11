/**
 * The random-inspection draw's messages (双随机、一公开, domain/inspections.ts). The API imports
 * this module (no workflow code). `inspection-draw/<drawId>` draws once, records the draw, then
 * takes the inspectors' findings until every inspection is concluded.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../domain/filing';
import type { Refusal } from '../../domain/errors';
import type { EligiblePools, FindingInput, InspectionRecord } from '../../domain/inspections';

export const INSPECTION_DRAW_WORKFLOW = 'inspectionDraw';
export const inspectionDrawWorkflowId = (drawId: string) => `inspection-draw/${drawId}`;
/** An inspection's id is its draw's id and its place in the draw. */
export const inspectionIdOf = (drawId: string, seq: number) => `${drawId}-${String(seq).padStart(3, '0')}`;
export const drawIdOfInspection = (inspectionId: string) => inspectionId.replace(/-\d{3}$/, '');

export interface DrawInput {
  drawId: string;
  year: number;
  count: number;
  inspectorsPerInspection: number;
  scope: { province: string; prefecture?: string };
  actor: Actor;
  requestId?: string;
}

export interface DrawState {
  drawId: string;
  year: number;
  scope: DrawInput['scope'];
  drawnAt: string;
  drawnBy: Actor;
  /** the 32-bit seed of domain/inspections drawInspections: with the pools it reproduces the draw */
  seed: number;
  eligible: { institutions: number; inspectors: number; hash: string };
  inspections: InspectionRecord[];
  /** increases with every recorded change (the read model keeps the highest) */
  version: number;
}

export interface DrawResult {
  status: 'concluded' | 'refused';
  refusal?: Refusal;
}

export type FileFindingInput = FindingInput & { requestId?: string };

/** The API waits on it for the draw (update id `draw:<drawId>`): the recorded draw, or the refusal. */
export const drawnUpdate = defineUpdate<DrawState, []>('drawn');
/** POST /inspections/:id/findings: the inspection with the finding recorded and its orders carried out. */
export const fileFindingUpdate = defineUpdate<InspectionRecord, [FileFindingInput]>('fileFinding');
/** null until drawn */
export const drawStateQuery = defineQuery<DrawState | null>('state');

export type { EligiblePools };
