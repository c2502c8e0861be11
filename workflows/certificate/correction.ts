/**
 * One correction request (004 Art.12), from the issuing institution's request to the center's
 * decision: id `certificate-correction/<number>`, so one request per certificate is open at a
 * time. The request is recorded first (the center reads it), then the workflow waits for
 * `decideCorrectionUpdate`. Approved, it runs the write as a child `certificateAmendment` under
 * the certificate's writer id (messages.ts) and records the outcome; rejected, it records it. The
 * request waits as long as the center takes: the seeds give the review no deadline.
 */
import { ChildWorkflowFailure, condition, executeChild, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import type * as activities from '../../activities';
import { isoChina } from '../../domain/dates';
import { correctionDecisionRefusal } from '../../domain/certificates';
import { businessFailure, failure, refuse } from '../shared/failure';
import { workflowNow } from '../time';
import { certificateAmendment } from './amendment';
import {
  certificateWriterId,
  correctionStateQuery,
  decideCorrectionUpdate,
  type AmendmentResult,
  type CorrectionInput,
  type CorrectionState,
  type DecideCorrectionInput,
} from './messages';

const acts = proxyActivities<activities.Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** How often an approval tries for the writer id while a revocation or reissue holds it (each holds it for moments). */
const WRITER_ATTEMPTS = 30;

export async function certificateCorrection(input: CorrectionInput): Promise<CorrectionState> {
  let state: CorrectionState = {
    correctionId: input.correctionId,
    number: input.number,
    field: input.field,
    value: input.value,
    reason: input.reason,
    status: 'pending',
    institutionId: input.institutionId,
    jurisdiction: input.jurisdiction,
    requestedBy: input.actor,
    requestedAt: isoChina(workflowNow()),
    decision: null,
  };
  // set by the handler before its first await, so a second decision arriving meanwhile is refused
  let deciding = false;
  // the request's own record, first: a decision's record must land after it, never be overwritten by it
  const requested = acts.recordCertificateCorrection({ state, requestId: input.requestId });
  setHandler(correctionStateQuery, () => state);
  setHandler(
    decideCorrectionUpdate,
    async (d: DecideCorrectionInput) => {
      if (deciding) throw failure('ALREADY_DECIDED', `Correction ${state.correctionId} is being decided`);
      deciding = true;
      const at = isoChina(workflowNow());
      let amended: AmendmentResult | undefined;
      if (d.outcome === 'pass') {
        try {
          amended = await amend(state, d);
        } catch (err) {
          // e.g. revoked meanwhile: the request stays pending, and the center may reject it
          deciding = false;
          throw businessFailure(err instanceof ChildWorkflowFailure ? err.cause : err) ?? err;
        }
      }
      const next: CorrectionState = {
        ...state,
        status: d.outcome === 'pass' ? 'approved' : 'rejected',
        decision: { outcome: d.outcome, opinion: d.opinion, by: d.actor, at, ...(amended ? { version: amended.version } : {}) },
      };
      await requested;
      await acts.recordCertificateCorrection({ state: next, requestId: d.requestId });
      state = next;
      return state;
    },
    { validator: (d: DecideCorrectionInput) => refuse(deciding ? { code: 'ALREADY_DECIDED', message: 'Being decided' } : correctionDecisionRefusal(state, d)) },
  );

  await requested;
  await condition(() => state.status !== 'pending');
  return state;
}

async function amend(s: CorrectionState, d: DecideCorrectionInput): Promise<AmendmentResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await executeChild(certificateAmendment, {
        workflowId: certificateWriterId(s.number),
        args: [
          {
            kind: 'correction',
            number: s.number,
            correctionId: s.correctionId,
            field: s.field,
            value: s.value,
            reason: s.reason,
            requestedBy: s.requestedBy,
            approvedBy: d.actor,
            opinion: d.opinion,
            requestId: d.requestId,
          },
        ],
        // a lock, not a case: the id runs again for every write (as revocations do)
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        taskQueue: workflowInfo().taskQueue,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || attempt >= WRITER_ATTEMPTS) throw err;
      await sleep('1 second');
    }
  }
}
