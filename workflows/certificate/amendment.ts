/**
 * The one write to a certificate after its issue, other than a revocation: an approved correction
 * or a reissue (workflows/certificate/messages.ts). Runs under the certificate's writer id, so it
 * never writes at the same time as a revocation or another amendment; its activity is idempotent
 * (keyed by the correction id, or by this run for a reissue), so a retry writes nothing twice.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { isoChina } from '../../domain/dates';
import { businessFailure } from '../shared/failure';
import { workflowNow } from '../time';
import type { AmendmentInput, AmendmentResult } from './messages';

const acts = proxyActivities<activities.Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export async function certificateAmendment(input: AmendmentInput): Promise<AmendmentResult> {
  try {
    return await acts.amendCertificate({ ...input, at: isoChina(workflowNow()), runId: workflowInfo().runId });
  } catch (err) {
    throw businessFailure(err) ?? err;
  }
}
