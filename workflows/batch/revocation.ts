/**
 * Certificate revocation (证书撤销): one short workflow per request, id
 * `certificate-revocation/<number>`. A certificate's document has one writer at a time: the batch
 * that issued it, then only this workflow (Temporal runs one execution per workflow id, so two
 * revocations of one certificate never write at once; the second finds it revoked). The activity
 * checks who may revoke (the issuing institution, even after its filing ended, or the provincial
 * department, SPEC §2 终止), updates the certificate and appends the audit entry.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as activityTypes from '../../activities';
import type { RevocationInput } from './messages';
import { iso, nowMs } from '../time';

const acts = proxyActivities<activityTypes.Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export async function certificateRevocation(input: RevocationInput) {
  try {
    return await acts.revokeCertificate({ ...input, at: iso(nowMs()), runId: workflowInfo().runId });
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable) {
      const c = err.cause;
      throw ApplicationFailure.create({ type: c.type ?? undefined, message: c.message, details: c.details as unknown[] | undefined, nonRetryable: true });
    }
    throw err;
  }
}
