/**
 * Recording the histories of a test's workflows, for the replay set (test/replay, scripts/record-histories.ts).
 *
 * With SKILLCERT_RECORD_DIR set, the beds write, after each test, every run of every workflow the
 * test started (following continue-as-new back to the first run) to
 * `$SKILLCERT_RECORD_DIR/<test name>/<workflow id>.json`. Without it nothing happens: a normal run
 * of the suite records nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
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

/** Every run of one workflow, first run first; [] when the server does not know it. */
export async function fetchRuns(client: Client, workflowId: string): Promise<{ type: string; runs: RecordedRun[] }> {
  const runs: RecordedRun[] = [];
  let type = '';
  for (let runId: string | undefined; ;) {
    const handle = client.workflow.getHandle(workflowId, runId);
    const history = await handle.fetchHistory().catch(() => undefined);
    if (!history?.events?.length) break;
    const started = history.events[0].workflowExecutionStartedEventAttributes;
    type = started?.workflowType?.name ?? type;
    const thisRun = runId ?? (await handle.describe()).runId;
    runs.unshift({
      runId: thisRun,
      events: history.events.length,
      historyBase64: Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('base64'),
    });
    runId = started?.continuedExecutionRunId || undefined;
    if (!runId) break;
  }
  return { type, runs };
}

/** Writes the histories of `workflowIds` under the current test's name (a no-op unless recording). */
export async function recordHistories(client: Client, workflowIds: string[]): Promise<void> {
  if (!RECORD_DIR || !workflowIds.length) return;
  const test = expect.getState().currentTestName ?? 'outside-a-test';
  const dir = join(RECORD_DIR, slug(test));
  mkdirSync(dir, { recursive: true });
  for (const workflowId of new Set(workflowIds)) {
    const { type, runs } = await fetchRuns(client, workflowId);
    if (!runs.length) continue;
    const doc: RecordedWorkflow = { workflowId, type, test, runs };
    writeFileSync(join(dir, `${slug(workflowId)}.json`), JSON.stringify(doc, null, 1));
  }
}
