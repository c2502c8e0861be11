/**
 * The allocator's messages. Numbers that must be unique and consecutive (the province's
 * institution sequence, an institution's certificate serials) are handed out by one long-running
 * workflow per scope, one reservation at a time: FerretDB v1's updates are not atomic, so a
 * database counter could lose increments under concurrency (FerretDB #3040).
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

export const ALLOCATOR_WORKFLOW = 'allocator';

/**
 * The allocator of a scope lives on the task queue of the workers that use it, and its id says so:
 * a system's counters belong to its task queue (renaming a task queue strands its running
 * workflows anyway), and test runs sharing one server never share a counter.
 */
export const allocatorWorkflowId = (taskQueue: string, scope: string) => `${scope}@${taskQueue}`;

export interface AllocateInput {
  /** the counter inside this allocator, e.g. '2026-4' (year-level) or '22' (province) */
  key: string;
  count: number;
  /** the highest number the counter may reach: past it is SERIAL_EXHAUSTED, never a wrap */
  max: number;
  /** the same request id always gets the same block (a retried activity) */
  requestId: string;
}
export interface Allocation {
  key: string;
  first: number;
  last: number;
}
export interface AllocatorState {
  counters: Record<string, number>;
  /** recent reservations by request id, for idempotent retries */
  recent: [string, Allocation][];
}

export const allocateUpdate = defineUpdate<Allocation, [AllocateInput]>('allocate');
export const countersQuery = defineQuery<AllocatorState>('counters');
