/**
 * Recording the histories of a test's workflows, for the replay set (test/replay, scripts/record-histories.ts).
 *
 * With SKILLCERT_RECORD_DIR set, the beds and devStack write, after each test, every run of every
 * workflow the test started (following continue-as-new back to the first run and on to the last) to
 * `$SKILLCERT_RECORD_DIR/<test name>/<workflow id>@<first run id>.json`. The beds name the
 * workflows they start; a devStack's client, and a bed's plain client, remember every run started
 * through them (`startedRuns`: the API's and the activities' starts). Without it nothing happens:
 * a normal run of the suite records nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, WorkflowClientInterceptor } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const RECORD_DIR = process.env.SKILLCERT_RECORD_DIR;

export interface RecordedRun {
  runId: string;
  events: number;
  /** the history as protobuf bytes (base64): exact, whatever protobuf copy a package carries */
  historyBase64: string;
}

export interface RecordedWorkflow {
  workflowId: string;
  type: string;
  /** the test that drove it */
  test: string;
  /** first run first */
  runs: RecordedRun[];
}

const slug = (s: string) =>
  s
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 120);

/** One run of a workflow: its history, and the runs continue-as-new links it to. */
async function fetchRun(client: Client, workflowId: string, runId?: string) {
  const handle = client.workflow.getHandle(workflowId, runId);
  const history = await handle.fetchHistory().catch(() => undefined);
  if (!history?.events?.length) return undefined;
  const started = history.events[0].workflowExecutionStartedEventAttributes;
  return {
    type: started?.workflowType?.name ?? '',
    run: {
      runId: runId ?? (await handle.describe()).runId,
      events: history.events.length,
      historyBase64: Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('base64'),
    },
    previous: started?.continuedExecutionRunId || undefined,
    next: history.events[history.events.length - 1].workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId || undefined,
  };
}

type Run = NonNullable<Awaited<ReturnType<typeof fetchRun>>>;

/**
 * Every run of one workflow, first run first: back from `runId` (default: the latest run of the
 * id) through continue-as-new, and on from it. [] when the server does not know it.
 */
export async function fetchRuns(client: Client, workflowId: string, runId?: string): Promise<{ type: string; runs: RecordedRun[] }> {
  const from = await fetchRun(client, workflowId, runId);
  if (!from) return { type: '', runs: [] };
  const runs = [from.run];
  let r: Run | undefined = from;
  while (r?.previous && (r = await fetchRun(client, workflowId, r.previous))) runs.unshift(r.run);
  r = from;
  while (r?.next && (r = await fetchRun(client, workflowId, r.next))) runs.push(r.run);
  return { type: from.type, runs };
}

/** One run of a workflow; with no runId, the latest run of the id. */
export interface RunRef {
  workflowId: string;
  runId?: string;
}

/**
 * Remembers every run started through a client given `interceptor` (its start and execute), for
 * recordHistories: `take()` hands over those started since the last call.
 */
export function startedRuns() {
  const runs: RunRef[] = [];
  const interceptor: WorkflowClientInterceptor = {
    async startWithDetails(input, next) {
      const out = await next(input);
      runs.push({ workflowId: input.options.workflowId, runId: out.runId });
      return out;
    },
  };
  return { interceptor, take: () => runs.splice(0) };
}

/** Writes the histories of `workflows` under the current test's name (a no-op unless recording). */
export async function recordHistories(client: Client, workflows: (string | RunRef)[]): Promise<void> {
  if (!RECORD_DIR || !workflows.length) return;
  const test = expect.getState().currentTestName ?? 'outside-a-test';
  const dir = join(RECORD_DIR, slug(test));
  mkdirSync(dir, { recursive: true });
  for (const w of workflows) {
    const { workflowId, runId } = typeof w === 'string' ? { workflowId: w } : w;
    const { type, runs } = await fetchRuns(client, workflowId, runId);
    if (!runs.length) continue;
    const doc: RecordedWorkflow = { workflowId, type, test, runs };
    // one file per chain of runs: an id may run again (a certificate's writer id does for every write)
    writeFileSync(join(dir, `${slug(workflowId)}@${runs[0].runId}.json`), JSON.stringify(doc, null, 1));
  }
}
