/**
 * The filing workflow's messages. The API imports this module (it pulls in no workflow code):
 * decisions that need an answer are Updates whose validators reject before anything enters
 * history; fire-and-forget reports are Signals; state comes out through the query.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor, Application, ChangeRequest, FilingState } from '../../domain/filing';
import type { FilingPolicy } from '../../domain/filing-policy';
import type { FilingDocument } from '../../domain/documents';
import type { DismissInput, Envelope } from '../shared/messages';

export const FILING_WORKFLOW = 'filing';
export const filingWorkflowId = (filingId: string) => `filing/${filingId}`;

export interface FilingInput {
  filingId: string;
  application: Application;
  /** chosen by province at start and fixed for the life of the filing */
  policy: FilingPolicy;
  submittedBy: Actor;
  requestId?: string;
  /** set when the workflow continues as new */
  carried?: FilingState;
}

export { calendarUpdatedSignal, objectionUpdate, type DismissInput, type Envelope, type ObjectionInput } from '../shared/messages';

export interface DecideInput extends Envelope {
  stage: string;
  outcome: 'pass' | 'supplement' | 'reject';
  opinion: string;
  score?: number;
  items?: string[];
}
export interface AssignInput extends Envelope {
  stage: string;
  /** registered experts in scope, looked up by the API */
  experts: { userId: string; name: string; idNumber?: string }[];
}
export interface SupplementInput extends Envelope {
  note?: string;
  materials: Application['materials'];
}
export interface ResolveInput extends Envelope {
  objectionId: string;
  upheld: boolean;
  note: string;
  /** when upheld: send the filing back to this stage instead of rejecting it */
  returnTo?: string;
}
export interface RenewalInput extends Envelope {
  note?: string;
}
export interface ChangeInput extends Envelope {
  change: ChangeRequest;
}
export interface TerminationInput extends Envelope {
  reason: string;
}
/** A material document the API has stored (its bytes in GridFS): the filing records what it is, never the bytes. */
export interface AttachDocumentInput extends Envelope {
  document: Pick<FilingDocument, 'documentId' | 'kind' | 'filename' | 'size' | 'sha256' | 'contentType'>;
}

export const decideUpdate = defineUpdate<FilingState, [DecideInput]>('decide');
export const assignExpertsUpdate = defineUpdate<FilingState, [AssignInput]>('assignExperts');
export const supplementUpdate = defineUpdate<FilingState, [SupplementInput]>('supplement');
export const resolveObjectionUpdate = defineUpdate<FilingState, [ResolveInput]>('resolveObjection');
/** Every open objection of the publicity dismissed at once (a flood of duplicates, investigated together). */
export const dismissObjectionsUpdate = defineUpdate<FilingState, [DismissInput]>('dismissObjections');
export const renewalUpdate = defineUpdate<FilingState, [RenewalInput]>('applyRenewal');
export const changeUpdate = defineUpdate<FilingState, [ChangeInput]>('applyChange');
export const terminationUpdate = defineUpdate<FilingState, [TerminationInput]>('terminate');
export const attachDocumentUpdate = defineUpdate<FilingState, [AttachDocumentInput]>('attachDocument');

/** A batch of this institution held its last exam day (restarts the idle-exit clock, 001 §四(三)). */
export const examsHeldSignal = defineSignal<[{ batchId: string; lastExamDate: string }]>('examsHeld');

export const stateQuery = defineQuery<FilingState>('state');
