/**
 * Timers that fire late, as on a loaded server or after a worker outage. A time-skipping server
 * never hands a task over late in its own time (an outstanding task stops its clock), so the
 * lateness is made where it shows: in a recorded history. Every event after a timer's
 * TimerFired is moved later by `lateByMs`, so the workflow task that handles the timer starts
 * that much after the timer's instant; the history is then replayed against the workflow code
 * with a probe that reports each activity the code schedules, with its input.
 */
import { Worker } from '@temporalio/worker';
import { google, temporal } from '@temporalio/proto';
import { testDataConverter } from './payload-key';

type History = temporal.api.history.v1.IHistory;

export interface ProbedActivity {
  activityType: string;
  args: unknown[];
  workflowNowMs: number;
}

const tsMs = (t: temporal.api.history.v1.IHistoryEvent['eventTime']) => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

/** The index of the TimerFired event of the timer that fired at `firedAtMs` (± a second). */
export function timerFiredIndex(history: History, firedAtMs: number): number {
  const i = (history.events ?? []).findIndex((e) => e.timerFiredEventAttributes && Math.abs(tsMs(e.eventTime) - firedAtMs) < 1000);
  if (i < 0) throw new Error(`no timer fired at ${new Date(firedAtMs).toISOString()} in this history`);
  return i;
}

/** A copy of the history with every event after `index` moved `lateByMs` later. */
export function delayedAfter(history: History, index: number, lateByMs: number): History {
  const copy = temporal.api.history.v1.History.decode(temporal.api.history.v1.History.encode(history).finish());
  copy.events!.forEach((e, i) => {
    if (i <= index || !e.eventTime) return;
    const ms = tsMs(e.eventTime) + lateByMs;
    e.eventTime = google.protobuf.Timestamp.fromObject({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
  });
  return copy;
}

/**
 * Replays each history against the workflow code (bundled once) and returns, per workflow id, every
 * activity the code scheduled on the way.
 */
export async function probeReplay(histories: { history: History; workflowId: string }[], workflowsPath: string): Promise<Map<string, ProbedActivity[]>> {
  const calls = new Map<string, ProbedActivity[]>(histories.map((h) => [h.workflowId, []]));
  const results = Worker.runReplayHistories(
    {
      workflowsPath,
      // histories from the beds are encrypted with the tests' key
      dataConverter: testDataConverter,
      interceptors: { workflowModules: [require.resolve('../workflows/fixtures/activity-probe')] },
      sinks: {
        probe: {
          activity: {
            fn: (info: { workflowId: string }, activityType: string, args: unknown[], workflowNowMs: number) => {
              calls.get(info.workflowId)?.push({ activityType, args, workflowNowMs });
            },
            callDuringReplay: true,
          },
        },
      },
    },
    histories,
  );
  for await (const r of results) if (r.error) throw r.error;
  return calls;
}
