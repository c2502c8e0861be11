/**
 * The assessment batch workflow's messages (认定批次). The API imports this module (it pulls in no
 * workflow code). Every action that needs an answer is an Update: its validator refuses before
 * anything enters history (ApplicationFailure `type` = the API's problem `code`); the handler hands
 * the work to the workflow's main loop and answers once the transition is recorded, with the
 * batch's new state: its counts and hashes, never its lists (#14 §3: candidates, scores and
 * certificates are in collections; GET /batches/:id joins them). State comes out through `stateQuery`.
 *
 * Plan submission (POST /batches): the plan travels in the workflow input; the workflow checks it
 * first thing (against the filing, the calendar and workflow time) and writes nothing until it is
 * accepted. `submitPlanUpdate` answers with the accepted state, or fails with the refusal
 * (PLAN_TOO_LATE with details[0].earliestExamDate, OUT_OF_SCOPE with details[0].offending, …).
 * A refused plan leaves no batch record; its workflow ends with `{ status: 'plan-refused' }`.
 * Use `submitBatchPlan` (activities/batch.ts) from the API: it starts the workflow and executes
 * the update.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../domain/filing';
import type { DismissInput, Envelope } from '../shared/messages';
import type { AnnualPlanCoverage } from '../../domain/annual-plan';
import type { BatchPolicy, BatchStage, BatchState, BatchStatus, PlanHeader, Refusal, UploadRef } from '../../domain/batch';

export const BATCH_WORKFLOW = 'batch';
export const batchWorkflowId = (batchId: string) => `batch/${batchId}`;
export const batchIdOf = (workflowId: string) => workflowId.replace(/^batch\//, '');

export const CERTIFICATE_REVOCATION_WORKFLOW = 'certificateRevocation';
export const revocationWorkflowId = (number: string) => `certificate-revocation/${number}`;

/** The serial allocator of an institution: one counter per `${year}-${level}` (SPEC §4). */
export const serialAllocatorId = (creditCode: string) => `serials/${creditCode}`;

export interface BatchInput {
  batchId: string;
  filingId: string;
  /** the plan without its candidates, which the API stored as an upload (#14 §3) */
  plan: PlanHeader;
  candidates: UploadRef;
  submittedBy: Actor;
  requestId?: string;
  /** fixed for the life of the batch; DEFAULT_BATCH_POLICY when omitted */
  policy?: BatchPolicy;
  /**
   * The acknowledged annual plan of the batch's year (000 §五(二)1), looked up by the API before the
   * start (a workflow reads no database); null: none acknowledged. Absent in runs started before
   * annual plans existed: those are not checked against one.
   */
  annualPlan?: AnnualPlanCoverage | null;
}

export interface BatchResult {
  status: BatchStatus | 'plan-refused';
  reason?: string;
  /** plan-refused: the refusal the submitPlanUpdate answered with */
  refusal?: Refusal;
}

export { calendarUpdatedSignal, objectionUpdate, type DismissInput, type Envelope, type ObjectionInput } from '../shared/messages';

export type SubmitPlanInput = Envelope;

/** POST /batches/:id/decisions, by the center: plan-review takes pass | reject; results-review pass | return | reject. */
export interface DecideInput extends Envelope {
  stage: BatchStage;
  outcome: 'pass' | 'return' | 'reject';
  opinion: string;
}

/**
 * POST /batches/:id/supervision. The center draws `count` supervisors at random from the
 * registered supervisors in scope (`assign`), lifts a suspension (`resume`) or cancels a
 * suspended batch (`cancel`); an assigned supervisor files a report (`report`): a `serious`
 * finding suspends the batch.
 */
export type SuperviseInput = Envelope &
  (
    | { action: 'assign'; count: number }
    | {
        action: 'report';
        severity: 'none' | 'minor' | 'serious';
        findings: string;
        /** a random inspection's suspension order (workflows/inspection) */ inspectionId?: string;
      }
    | { action: 'resume'; note?: string }
    | { action: 'cancel'; reason: string }
  );

/** POST /batches/:id/scores, by the institution while scoring: the lines, stored by the API as an upload. */
export interface ScoresInput extends Envelope {
  upload: UploadRef;
}

/** Resolution of an objection, by the center (or a reviewer) of the batch's jurisdiction. */
export interface ResolveInput extends Envelope {
  objectionId: string;
  upheld: boolean;
  note: string;
}

/** POST /batches/:id/results `{}`: the workflow builds the 结果汇总表 and 合格人员花名册 itself. */
export interface ResultsInput extends Envelope {
  note?: string;
}

export const submitPlanUpdate = defineUpdate<BatchState, [SubmitPlanInput]>('submitPlan');
export const decideUpdate = defineUpdate<BatchState, [DecideInput]>('decide');
export const superviseUpdate = defineUpdate<BatchState, [SuperviseInput]>('supervise');
export const scoresUpdate = defineUpdate<BatchState, [ScoresInput]>('postScores');
export const resolveObjectionUpdate = defineUpdate<BatchState, [ResolveInput]>('resolveObjection');
export const dismissObjectionsUpdate = defineUpdate<BatchState, [DismissInput]>('dismissObjections');
export const submitResultsUpdate = defineUpdate<BatchState, [ResultsInput]>('submitResults');

export interface FilingTerminatedInput {
  filingId: string;
  reason: string;
}

/**
 * The batch's filing is being terminated (004 Art.10–13). Sent by the filing workflow (through its
 * `endBatchesOfFiling` activity) before it records the termination instant: the batch is cancelled,
 * its candidates listed for a refund, unless it is already certified, rejected or cancelled. The
 * answer is the batch's final status.
 */
export const filingTerminatedUpdate = defineUpdate<{ status: BatchStatus }, [FilingTerminatedInput]>('filingTerminated');

/** null until the plan is accepted. */
export const stateQuery = defineQuery<BatchState | null>('state');

// ——— certificate revocation ———

export interface RevocationInput {
  number: string;
  reason: string;
  actor: Actor;
  requestId?: string;
}
