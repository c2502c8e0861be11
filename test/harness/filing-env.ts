/**
 * A filing workflow test bed on this jest worker's time-skipping server, with the real activities
 * on a fresh FerretDB database, and the helpers the filing suites share (driving a filing through
 * its stages, refused updates, polling the read models).
 *
 * One bed per test file, on the file's own time-skipping server. Its clock only moves forward: the
 * bed first skips it to the suite's fixed BASE_DATE, and every test starts with `bed.begin()`, a
 * skip to the next fixed start day (test/harness/start-dates.ts); tests read `bed.now()` and work
 * relative to it.
 */
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { connectDatabase, type Models } from '../../models';
import { createActivities } from '../../activities';
import { stackInfo, testDataConverter, timeSkippingEnv, uniqueName } from './stack';
import { baseInstant, nextStart } from './start-dates';
import { filing } from '../../workflows/filing/workflow';
import { allocatorWorkflowId } from '../../workflows/allocator/messages';
import { assignExpertsUpdate, decideUpdate, stateQuery, filingWorkflowId, type DecideInput } from '../../workflows/filing/messages';
import type { Application, Actor, FilingState } from '../../domain/filing';
import { policyForProvince, type FilingPolicy } from '../../domain/filing-policy';
import type { Connection } from 'mongoose';
import { actors } from '../fixtures/filing';

import { recordHistories } from './record';
export const MINUTE = 60_000;
export const DAY = 86_400_000;

export type FilingHandle = WorkflowHandleWithFirstExecutionRunId<typeof filing>;

export interface FilingBed {
  env: TestWorkflowEnvironment;
  models: Models;
  conn: Connection;
  taskQueue: string;
  start(app: Application, by: Actor, policy?: FilingPolicy): Promise<FilingHandle>;
  state(h: WorkflowHandle): Promise<FilingState>;
  /** skip time forward (fires timers on the way) */
  skip(ms: number): Promise<void>;
  /** skip to an absolute instant (no-op when it is already past) */
  skipTo(ms: number): Promise<void>;
  now(): Promise<number>;
  /** skip to the next fixed start day of this run's kind (test/harness/start-dates.ts): every test begins with it */
  begin(): Promise<number>;
  /** record (when recording, test/harness/record.ts), then terminate every filing this bed started that still runs (afterEach: keeps later skips cheap) */
  cleanup(): Promise<void>;
  close(): Promise<void>;
}

export async function filingBed(): Promise<FilingBed> {
  const env = await timeSkippingEnv();
  // a fixed starting point: nothing below depends on the day the suite runs
  const base = baseInstant(await env.currentTimeMs());
  await env.sleep(base - (await env.currentTimeMs()));
  const { conn, models } = await connectDatabase(`${stackInfo().mongoBase}/${uniqueName('wf').replace(/-/g, '_')}`);
  const taskQueue = uniqueName('filing');
  const newWorker = () =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: stackInfo().bundlePath },
      dataConverter: testDataConverter,
      activities: createActivities({ models, client: env.client, taskQueue }),
      // no sticky cache: the time-skipping server never times out a task on a sticky queue, so a
      // worker stopping at close() could strand one (README, Performance: demo mode runs without one too)
      maxCachedWorkflows: 0,
    });
  const worker = await newWorker();
  const running = worker.run();
  let started: WorkflowHandle[] = [];
  const provinces = new Set<string>();
  const terminate = async (hs: WorkflowHandle[]) => {
    await Promise.all(
      hs.map(async (h) => {
        // Terminating a run whose first workflow task is still pending (just after a continue-as-new)
        // leaks a time-skipping lock in the test server: every later skip on it then hangs. A query is
        // answered only once the run's pending task is done, so ask one first.
        await h.query(stateQuery).catch(() => undefined);
        await h.terminate('test over').catch(() => undefined);
      }),
    );
  };
  const bed: FilingBed = {
    env,
    models,
    conn,
    taskQueue,
    async start(app, by, policy) {
      const filingId = uniqueName('F');
      const province = app.institution.province;
      // allocators are per task queue (allocatorWorkflowId): this bed's own are ended on close
      provinces.add(province);
      const h = await env.client.workflow.start(filing, {
        taskQueue,
        workflowId: filingWorkflowId(filingId),
        args: [{ filingId, application: app, policy: policy ?? policyForProvince(app.institution.province), submittedBy: by }],
      });
      started.push(h);
      return h;
    },
    state: (h) => h.query(stateQuery),
    async skip(ms) {
      await env.sleep(ms);
    },
    async skipTo(ms) {
      const now = await env.currentTimeMs();
      if (ms > now) await env.sleep(ms - now);
    },
    async now() {
      return env.currentTimeMs();
    },
    async begin() {
      const at = nextStart(await env.currentTimeMs());
      await bed.skipTo(at);
      return at;
    },
    async cleanup() {
      const hs = started;
      started = [];
      await recordHistories(env.client, [...hs.map((h) => h.workflowId), ...[...provinces].map((p) => allocatorWorkflowId(taskQueue, `sequence/${p}`))]);
      await terminate(hs);
    },
    async close() {
      await terminate(started);
      // the province sequence allocators run on this bed's task queue: a later file on the same
      // time-skipping server starts its own (same workflow id) on its own task queue
      await terminate([...provinces].map((p) => env.client.workflow.getHandle(allocatorWorkflowId(taskQueue, `sequence/${p}`))));
      worker.shutdown();
      await running;
      await conn.dropDatabase().catch(() => undefined);
      await conn.close();
      await env.teardown();
    },
  };
  return bed;
}

/** The filing id of a handle (its workflow id is `filing/<id>`). */
export const filingIdOf = (h: WorkflowHandle) => h.workflowId.replace(/^filing\//, '');

/** Polls until `fn` stops throwing (read models are written by activities, a moment after a transition). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** The failure code of a refused update (WorkflowUpdateFailedError whose cause is an ApplicationFailure). */
export async function refusalCode(p: Promise<unknown>): Promise<string> {
  let result: unknown;
  try {
    result = await p;
  } catch (err) {
    const e = err as { name?: string; cause?: { type?: string } };
    if (e.name !== 'WorkflowUpdateFailedError') throw err;
    return e.cause?.type ?? 'no-type';
  }
  throw new Error(`expected the update to be refused, it returned ${JSON.stringify(result).slice(0, 200)}`);
}

/**
 * Sends an update that must be refused with `code` and checks the workflow's state is exactly what
 * it was before. Returns that state.
 */
export async function expectRefused(bed: FilingBed, h: WorkflowHandle, code: string, send: () => Promise<unknown>): Promise<FilingState> {
  const before = await bed.state(h);
  expect(await refusalCode(send())).toBe(code);
  const after = await bed.state(h);
  expect(after).toEqual(before);
  return after;
}

/** One filing under test, with its cast and shortcuts for the steps every suite needs. */
export class Flow {
  readonly a: ReturnType<typeof actors>;
  h!: FilingHandle;
  constructor(
    readonly bed: FilingBed,
    readonly app: Application,
    readonly policy?: FilingPolicy,
  ) {
    this.a = actors(app);
  }

  static async start(bed: FilingBed, app: Application, policy?: FilingPolicy): Promise<Flow> {
    const f = new Flow(bed, app, policy);
    f.h = await bed.start(app, f.a.institution, policy);
    await eventually(async () => expect((await f.state()).stage).not.toBeNull());
    return f;
  }

  get id() {
    return filingIdOf(this.h);
  }
  get creditCode() {
    return this.app.institution.creditCode;
  }
  /** a reviewer of the filing's jurisdiction */
  get reviewer(): Actor {
    return this.app.institution.affiliation === 'province' ? this.a.provinceReviewer : this.a.prefectureReviewer;
  }

  state() {
    return this.bed.state(this.h);
  }
  view() {
    return this.bed.models.Filing.findById(this.id).lean();
  }
  audit() {
    return this.bed.models.Audit.find({ targetId: this.id }).sort({ seq: 1 }).lean();
  }
  notifications() {
    return this.bed.models.Notification.find({ targetId: this.id }).lean();
  }
  directory() {
    return this.bed.models.Directory.findById(this.creditCode).lean();
  }

  assign(stage: string, experts: Actor[], by: Actor = this.reviewer, idNumbers: Record<string, string> = {}) {
    return this.h.executeUpdate(assignExpertsUpdate, {
      args: [{ stage, experts: experts.map((e) => ({ userId: e.sub, name: e.name, idNumber: idNumbers[e.sub] })), actor: by }],
    });
  }

  decide(stage: string, outcome: DecideInput['outcome'], actor: Actor, extra: Partial<DecideInput> = {}) {
    return this.h.executeUpdate(decideUpdate, { args: [{ stage, outcome, opinion: `${stage}: ${outcome}`, actor, ...extra }] });
  }

  /** Jilin 2025: form the three expert groups (A 初评, B 技术评估, C 综合汇总); the filing moves to 初评. */
  async assignAll() {
    const s = await this.assign('preliminary-review', [this.a.expertA]);
    expect(s.stage).toBe('preliminary-review');
    await this.assign('technical-assessment', [this.a.expertB]);
    await this.assign('comprehensive-review', [this.a.expertC]);
  }

  /** Jilin 2025: from submitted to the start of the publicity. */
  async toPublicity(): Promise<FilingState> {
    await this.assignAll();
    await this.decide('preliminary-review', 'pass', this.a.expertA);
    await this.decide('technical-assessment', 'pass', this.a.expertB, { score: 88 });
    await this.decide('comprehensive-review', 'pass', this.a.expertC);
    const s = await this.decide('deliberation', 'pass', this.reviewer);
    expect(s.stage).toBe('publicity');
    return s;
  }

  /** Skip past the publicity's end and wait for the filing to reach the next stage. */
  async closePublicity(next = 'notice'): Promise<FilingState> {
    const s = await this.state();
    await this.bed.skipTo(s.publicity!.endsAtMs + MINUTE);
    return eventually(async () => {
      const now = await this.state();
      expect(now.stage).toBe(next);
      return now;
    });
  }

  /** Jilin 2025: from submitted to active (notice issued, first continue-as-new done). */
  async toActive(noticeBy: Actor = this.app.institution.affiliation === 'province' ? this.a.provinceReviewer2 : this.a.provinceReviewer): Promise<FilingState> {
    await this.toPublicity();
    await this.closePublicity();
    const s = await this.decide('notice', 'pass', noticeBy);
    expect(s.status).toBe('active');
    return this.afterRun(1);
  }

  /** Waits until the workflow runs its `runs`-th continued run. */
  afterRun(runs: number): Promise<FilingState> {
    return eventually(async () => {
      const s = await this.state();
      expect(s.runs).toBe(runs);
      return s;
    });
  }

  async describe() {
    return this.h.describe();
  }

  /** Waits for the workflow to end and checks it ended with `status`. */
  async ended(status: string): Promise<FilingState> {
    return eventually(async () => {
      const d = await this.h.describe();
      expect(d.status.name).toBe('COMPLETED');
      const s = await this.state();
      expect(s.status).toBe(status);
      return s;
    });
  }
}
