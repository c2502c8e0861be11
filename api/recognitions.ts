/**
 * The API's call into `recognition/<id>` (workflows/recognition): started and awaited; the same
 * request again (same Idempotency-Key, so the same id) finds its workflow and gets its result.
 * Refusals come out as DomainErrors, outages as 503, as the other cases' calls do (api/cases.ts).
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { RECOGNITION_WORKFLOW, recognitionWorkflowId, type RecognitionInput, type RecognitionResult } from '../workflows/recognition/messages';
import { failureOf, UNIQUE_CASE, withinDeadline } from './cases';
import { refused } from './problems';

export async function recordRecognition(client: Client, taskQueue: string, ms: number, input: RecognitionInput): Promise<RecognitionResult> {
  try {
    return await withinDeadline(client, ms, async () => {
      const workflowId = recognitionWorkflowId(input.id);
      try {
        return await client.workflow.execute<(i: RecognitionInput) => Promise<RecognitionResult>>(RECOGNITION_WORKFLOW, {
          workflowId,
          taskQueue,
          args: [input],
          ...UNIQUE_CASE,
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        return (await client.workflow.getHandle(workflowId).result()) as RecognitionResult;
      }
    });
  } catch (err) {
    const f = failureOf(err);
    throw f ? refused(f, err) : err;
  }
}
