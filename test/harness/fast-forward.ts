/**
 * Fast-forwards one workflow's own time on a Temporal Server 1.32 started with
 * `frontend.WorkflowTimeSkippingEnabled` (the restore drill's dev server, the production test's
 * stack): its timers due on the way fire. Tests only.
 *
 * The server measures a skip from the workflow's own current time, which DescribeWorkflowExecution
 * reports, and it does not deduplicate a fast-forward by its id. So each try first reads where the
 * workflow's time is and whether an earlier try of this skip went through: a call retried after a
 * lost answer, or a Temporal service coming back, never skips twice.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from '@temporalio/client';
import { msToTs, tsToMs } from '@temporalio/common/lib/time';

const TRANSIENT = /UNAVAILABLE|DEADLINE_EXCEEDED|unavailable/i;

export async function fastForwardTo(
  connection: Pick<Connection, 'workflowService'>,
  namespace: string,
  workflowId: string,
  targetMs: number,
  { timeoutMs = 120_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  const service = connection.workflowService;
  const describe = async () => (await service.describeWorkflowExecution({ namespace, execution: { workflowId } })).workflowExtendedInfo?.timeSkippingInfo;
  const id = randomUUID();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const info = await describe();
      if (info?.effectiveConfig?.fastForwardConfig?.id === id) break;
      const now = info?.currentTime ? tsToMs(info.currentTime) : Date.now();
      if (targetMs <= now) throw new Error(`${workflowId} is at ${new Date(now).toISOString()}, past ${new Date(targetMs).toISOString()} already`);
      await service.updateWorkflowExecutionOptions({
        namespace,
        workflowExecution: { workflowId },
        workflowExecutionOptions: { timeSkippingConfig: { enabled: true, fastForwardConfig: { id, duration: msToTs(targetMs - now) } } },
        updateMask: { paths: ['time_skipping_config'] },
      });
      break;
    } catch (err) {
      // Temporal away (a killed service coming back): try again; anything else is the test's failure
      if (Date.now() > deadline || !TRANSIENT.test(String(err))) throw err;
      await sleep(1000);
    }
  }
  // done when the server no longer skips under this fast-forward (Server 1.32 says so in the
  // effective config; it leaves fastForwardInfo empty), with the workflow's own time at the target
  for (;;) {
    const info = await describe().catch((err) => {
      if (TRANSIENT.test(String(err))) return undefined;
      throw err;
    });
    if (info?.effectiveConfig?.fastForwardConfig?.id === id && !info.effectiveConfig.enabled) {
      const now = info.currentTime ? tsToMs(info.currentTime) : 0;
      if (now < targetMs) throw new Error(`${workflowId} fast-forwarded to ${new Date(now).toISOString()}, short of ${new Date(targetMs).toISOString()}`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`${workflowId}: fast-forward ${id} not done within ${timeoutMs} ms`);
    await sleep(250);
  }
}
