/**
 * The API's calls into `inspection-draw/<id>` workflows (workflows/inspection): a draw, started and
 * awaited through its `drawn` Update (a repeated request with the same Idempotency-Key derives the
 * same draw id and gets the same draw), and a finding, through `fileFinding`. Refusals come out as
 * DomainErrors, outages as 503, as the other cases' calls do (api/cases.ts).
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { InspectionRecord } from '../domain/inspections';
import {
  drawnUpdate,
  fileFindingUpdate,
  INSPECTION_DRAW_WORKFLOW,
  inspectionDrawWorkflowId,
  type DrawInput,
  type DrawResult,
  type DrawState,
  type FileFindingInput,
} from '../workflows/inspection/messages';
import { failureOf, UNIQUE_CASE, withinDeadline } from './cases';
import { refused } from './problems';

async function guarded<T>(client: Client, ms: number, fn: () => Promise<T>): Promise<T> {
  try {
    return await withinDeadline(client, ms, fn);
  } catch (err) {
    const f = failureOf(err);
    throw f ? refused(f, err) : err;
  }
}

/** The refusal a draw ended with, as its Update would have thrown it. */
const refusalOf = (r: DrawResult | null) =>
  r?.status === 'refused' && r.refusal
    ? ApplicationFailure.create({
        type: r.refusal.code,
        message: r.refusal.message,
        nonRetryable: true,
        details: r.refusal.details ? [r.refusal.details] : undefined,
      })
    : null;

export function drawInspectionsCall(client: Client, taskQueue: string, ms: number, input: DrawInput): Promise<DrawState> {
  return guarded(client, ms, async () => {
    const workflowId = inspectionDrawWorkflowId(input.drawId);
    const handle = client.workflow.getHandle(workflowId);
    try {
      await client.workflow.start(INSPECTION_DRAW_WORKFLOW, { workflowId, taskQueue, args: [input], ...UNIQUE_CASE });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    try {
      return await handle.executeUpdate(drawnUpdate, { args: [], updateId: `draw:${input.drawId}` });
    } catch (err) {
      // a refused draw may have ended before the Update reached it; a concluded one answers from its record (the route reads it)
      const ended = (await handle.describe().catch(() => null))?.status.name;
      if (ended && ended !== 'RUNNING') {
        const r = (await handle.result().catch(() => null)) as DrawResult | null;
        const f = refusalOf(r);
        if (f) throw f;
      }
      throw err;
    }
  });
}

export function fileFindingCall(client: Client, ms: number, drawId: string, input: FileFindingInput, updateId?: string): Promise<InspectionRecord> {
  return guarded(client, ms, () =>
    client.workflow.getHandle(inspectionDrawWorkflowId(drawId)).executeUpdate(fileFindingUpdate, { args: [input], ...(updateId ? { updateId } : {}) }),
  );
}
