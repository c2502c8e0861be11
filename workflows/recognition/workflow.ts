/**
 * `recognition/<id>`: one competition recognition and its certificate. The issue instant is the
 * workflow's (so a replay and a retried activity issue the same day); the one activity checks the
 * rules against the holder's certificates, reserves the serial with the recognition's id as its
 * request id (a retry gets the same serial) and inserts the certificate and the record, each
 * insert keyed, so a crash at any point issues no second certificate and skips no number.
 */
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { isoChina } from '../../domain/dates';
import { businessFailure } from '../shared/failure';
import { workflowNow } from '../time';
import type { RecognitionInput, RecognitionResult } from './messages';

const acts = proxyActivities<activities.Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export async function recognition(input: RecognitionInput): Promise<RecognitionResult> {
  try {
    return await acts.issueRecognition({ ...input, at: isoChina(workflowNow()) });
  } catch (err) {
    throw businessFailure(err) ?? err;
  }
}
