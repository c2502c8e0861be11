/**
 * Certificate revocation (证书撤销): one short workflow per request, id
 * `certificate-revocation/<number>`. A certificate's document has one writer at a time: the batch
 * that issued it, then only this workflow (Temporal runs one execution per workflow id, so two
 * revocations of one certificate never write at once; the second finds it revoked). The activity
 * checks who may revoke (the issuing institution, even after its filing ended, or the provincial
 * department, SPEC §2 终止), updates the certificate and appends the audit entry.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { isoChina } from '../../domain/dates';
import type { RevocationInput } from './messages';
import { businessFailure } from '../shared/failure';
import { workflowNow } from '../time';

const acts = proxyActivities<activities.Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export async function certificateRevocation(input: RevocationInput) {
  try {
    return await acts.revokeCertificate({ ...input, at: isoChina(workflowNow()), runId: workflowInfo().runId });
  } catch (err) {
    throw businessFailure(err) ?? err;
  }
}
