import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { allocateUpdate, ALLOCATOR_WORKFLOW, allocatorWorkflowId, type Allocation } from '../workflows/allocator/messages';

/**
 * Reserves numbers from the allocator workflow of a scope, starting it on first use. The update
 * id is the request id, so a retried activity gets the same block back (Temporal deduplicates the
 * update, and the allocator remembers recent request ids across continue-as-new).
 */
export function createAllocateActivities(client: Client, taskQueue: string) {
  return {
    async allocate(input: { workflowId: string; key: string; count: number; max: number; requestId: string }): Promise<Allocation & { value: number }> {
      const workflowId = allocatorWorkflowId(taskQueue, input.workflowId);
      try {
        // The default reuse policy, not REJECT_DUPLICATE: an allocator never closes (it continues as
        // new), and with REJECT_DUPLICATE the time-skipping server answered a later run's
        // allocation with "update … not found" on every retry (the date matrix's 31 December start
        // hung on it). Only an operator's terminate closes one; a restart after that is theirs to make.
        await client.workflow.start(ALLOCATOR_WORKFLOW, {
          workflowId,
          taskQueue,
          args: [{ scope: input.workflowId }],
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError) && (err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
      }
      try {
        const a = await client.workflow.getHandle(workflowId).executeUpdate(allocateUpdate, {
          args: [{ key: input.key, count: input.count, max: input.max, requestId: input.requestId }],
          updateId: input.requestId,
        });
        return { ...a, value: a.first };
      } catch (err) {
        const cause = (err as { cause?: { type?: string; message?: string; details?: unknown[] } }).cause;
        if (cause?.type === 'SERIAL_EXHAUSTED') {
          throw ApplicationFailure.create({
            type: 'SERIAL_EXHAUSTED',
            message: cause.message ?? 'serials exhausted',
            nonRetryable: true,
            details: cause.details as unknown[],
          });
        }
        throw err;
      }
    },
  };
}
