import { allocatorWorkflowId } from '../../workflows/allocator/messages';
/**
 * A batch workflow test bed on this jest worker's time-skipping server: the real activities on a
 * fresh FerretDB database, filings driven to `active` through the filing workflow's own updates,
 * plans submitted the way the API does (`submitBatchPlan`, api/cases.ts), and helpers to move a batch along.
 *
 * The file's own time-skipping server: its clock only moves forward, so the bed first skips it to
 * the suite's fixed BASE_DATE and every test starts with `bed.begin()`, a skip to the next fixed
 * start day (test/harness/start-dates.ts). Tests read `bed.now()` and compute dates from it with
 * the same working-day calendar the activities use (`bed.calendar()`).
 *
 * Fault injection: `bed.hooks` is handed to the batch activities by reference; a test may set
 * `bed.hooks.afterSerialReservation` to make issuing fail after its serials are reserved.
 */
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { connectDatabase, type Models } from '../../models';
import { storeUpload } from '../../models/uploads';
import { batchView } from '../../api/repositories/batches';
import { createActivities } from '../../activities';
import { createBatchActivities, type BatchActivityHooks } from '../../activities/batch';
import { submitBatchPlan } from '../../api/cases';
import { CalendarStore } from '../../infra/calendar-store';
import { stackInfo, testDataConverter, timeSkippingEnv, uniqueName } from './stack';
import { baseInstant, nextStart } from './start-dates';
import { recordHistories, startedRuns } from './record';
import { filing } from '../../workflows/filing/workflow';
import { archiveRetentionId } from '../../workflows/archive/messages';
import { assignExpertsUpdate, decideUpdate as filingDecideUpdate, stateQuery as filingStateQuery, filingWorkflowId } from '../../workflows/filing/messages';
import {
  batchWorkflowId,
  revocationWorkflowId,
  decideUpdate,
  scoresUpdate,
  serialAllocatorId,
  stateQuery,
  submitResultsUpdate,
  type BatchInput,
} from '../../workflows/batch/messages';
import type { Actor, Application, FilingState } from '../../domain/filing';
import { policyForProvince, type FilingPolicy } from '../../domain/filing-policy';
import type { BatchPlan, BatchPolicy, BatchState, BatchStatus, BatchView, ScoreEntry } from '../../domain/batch';
import { chinaDateOf, endOfDayMs } from '../../domain/dates';
import { startOfChinaDayMs } from '../../domain/batch';
import type { WorkingDayCalendar } from '../../domain/calendar';
import { actors } from '../fixtures/filing';
import { batchActors } from '../fixtures/batch';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** A filing driven to active, with its cast. */
export interface ActiveFiling {
  id: string;
  app: Application;
  a: ReturnType<typeof actors>;
  b: ReturnType<typeof batchActors>;
  handle: WorkflowHandle<typeof filing>;
  state(): Promise<FilingState>;
}

export interface BatchBed {
  env: TestWorkflowEnvironment;
  models: Models;
  conn: Connection;
  taskQueue: string;
  /**
   * A plain client on the same server. The environment's own client unlocks time skipping while it
   * waits for a workflow's result, which lets the clock jump to the next timer of any workflow
   * (years ahead for an active filing); use this one to wait for short workflows (revocations).
   */
  client: Client;
  hooks: BatchActivityHooks;
  /** the batch activities, bound to this bed (for calling issueCertificates directly) */
  activities: ReturnType<typeof createBatchActivities>;
  activeFiling(app: Application, policy?: FilingPolicy): Promise<ActiveFiling>;
  /** POST /batches as the API does it; resolves with the accepted state or rejects with the refusal */
  submit(f: ActiveFiling, plan: BatchPlan, opts?: { batchId?: string; policy?: BatchPolicy; by?: Actor }): Promise<BatchState>;
  handle(batchId: string): WorkflowHandle;
  state(batchId: string): Promise<BatchState>;
  /** waits until the batch's state satisfies `pred` */
  until(batchId: string, pred: (s: BatchState) => boolean, what?: string): Promise<BatchState>;
  untilStatus(batchId: string, status: BatchStatus): Promise<BatchState>;
  view(batchId: string): Promise<any>;
  /** GET /batches/:id's join: the state with its candidates, scores and certificates (unmasked) */
  full(batchId: string): Promise<BatchView>;
  /** POST /batches/:id/scores as the API does it: the lines stored as an upload, then the Update */
  postScores(batchId: string, scores: ScoreEntry[], actor: Actor): Promise<BatchState>;
  calendar(): Promise<WorkingDayCalendar>;
  today(): Promise<string>;
  skip(ms: number): Promise<void>;
  skipTo(ms: number): Promise<void>;
  now(): Promise<number>;
  /** skip to the next fixed start day of this run's kind (test/harness/start-dates.ts): every test begins with it */
  begin(): Promise<number>;
  /** an allocator a test starts directly (issueCertificates without a filing): terminated at close */
  trackAllocator(creditCode: string): void;
  /** when recording (test/harness/record.ts): write the histories of what the test started since the last call */
  record(): Promise<void>;
  /** record, then terminate the batches started so far (keeps later skips cheap) */
  cleanup(): Promise<void>;
  close(): Promise<void>;
}

/** `mail`: the activities queue mailed notifications in the outbox, as a worker with SMTP_URL set does (the test runs the sender). */
export async function batchBed(opts: { mail?: boolean } = {}): Promise<BatchBed> {
  const env = await timeSkippingEnv();
  // a fixed starting point: nothing below depends on the day the suite runs
  const base = baseInstant(await env.currentTimeMs());
  await env.sleep(base - (await env.currentTimeMs()));
  const { conn, models } = await connectDatabase(`${stackInfo().mongoBase}/${uniqueName('bt').replace(/-/g, '_')}`);
  const taskQueue = uniqueName('batch');
  const hooks: BatchActivityHooks = {};
  const deps = { models, client: env.client, taskQueue, mail: opts.mail };
  const batchActivities = createBatchActivities(deps, hooks);
  const newWorker = () =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: stackInfo().bundlePath },
      dataConverter: testDataConverter,
      activities: { ...createActivities(deps), ...batchActivities },
      // no sticky cache: the time-skipping server never times out a task on a sticky queue, so a
      // worker stopping at close() could strand one (README, Performance: demo mode runs without one too)
      maxCachedWorkflows: 0,
    });
  const worker = await newWorker();
  const running = worker.run();
  let batches: string[] = [];
  /** every batch this bed started (revocations are recorded from the certificates of any of them) */
  const everyBatch: string[] = [];
  const filings: WorkflowHandle[] = [];
  const provinces = new Set<string>();
  const institutions = new Set<string>();
  const calendars = new CalendarStore(models);
  const extraAllocators: string[] = [];
  /** the runs started through bed.client, for record() */
  const started = startedRuns();
  let recordedBatches = 0;
  let recordedFilings = 0;
  /**
   * Terminates after the workflow is idle (no activity or workflow task in flight, checked for up
   * to 5 s): terminating one mid-task can leave the test server's time-skipping lock held, and the
   * next file on this server would then wait in real time for its first skip.
   */
  const terminate = (ids: string[]) =>
    Promise.all(
      ids.map(async (id) => {
        const h = env.client.workflow.getHandle(id);
        const until = Date.now() + 5_000;
        for (;;) {
          const d = await h.describe().catch(() => null);
          if (!d || d.status.name !== 'RUNNING') return;
          const busy = (d.raw.pendingActivities?.length ?? 0) > 0 || !!d.raw.pendingWorkflowTask;
          if (!busy || Date.now() > until) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        await h.terminate('test over').catch(() => undefined);
      }),
    );

  const bed: BatchBed = {
    env,
    models,
    conn,
    taskQueue,
    client: new Client({
      connection: env.connection,
      namespace: 'default',
      dataConverter: testDataConverter,
      interceptors: { workflow: [started.interceptor] },
    }),
    hooks,
    activities: batchActivities,

    async activeFiling(app, policy) {
      const a = actors(app);
      const filingId = uniqueName('F');
      provinces.add(app.institution.province);
      institutions.add(app.institution.creditCode);
      const handle = await env.client.workflow.start(filing, {
        taskQueue,
        workflowId: filingWorkflowId(filingId),
        args: [{ filingId, application: app, policy: policy ?? policyForProvince(app.institution.province), submittedBy: a.institution }],
      });
      filings.push(handle);
      const state = () => handle.query(filingStateQuery);
      await eventually(async () => expect((await state()).stage).not.toBeNull());
      const reviewer = app.institution.affiliation === 'province' ? a.provinceReviewer : a.prefectureReviewer;
      const assign = (stage: string, e: Actor) =>
        handle.executeUpdate(assignExpertsUpdate, { args: [{ stage, experts: [{ userId: e.sub, name: e.name }], actor: reviewer }] });
      const decide = (stage: string, actor: Actor, score?: number) =>
        handle.executeUpdate(filingDecideUpdate, { args: [{ stage, outcome: 'pass', opinion: `${stage}: pass`, actor, score }] });
      await assign('preliminary-review', a.expertA);
      await assign('technical-assessment', a.expertB);
      await assign('comprehensive-review', a.expertC);
      await decide('preliminary-review', a.expertA);
      await decide('technical-assessment', a.expertB, 88);
      await decide('comprehensive-review', a.expertC);
      const pub = await decide('deliberation', reviewer);
      expect(pub.stage).toBe('publicity');
      await bed.skipTo(pub.publicity!.endsAtMs + MINUTE);
      await eventually(async () => expect((await state()).stage).toBe('notice'));
      const noticeBy = app.institution.affiliation === 'province' ? a.provinceReviewer2 : a.provinceReviewer;
      const s = await decide('notice', noticeBy);
      expect(s.status).toBe('active');
      await eventually(async () => expect((await state()).runs).toBe(1));
      return { id: filingId, app, a, b: batchActors(app), handle, state };
    },

    async submit(f, p, opts = {}) {
      const batchId = opts.batchId ?? uniqueName('B');
      batches.push(batchId);
      everyBatch.push(batchId);
      const { candidates, ...plan } = p;
      const input: BatchInput = {
        batchId,
        filingId: f.id,
        plan,
        candidates: await storeUpload(models, `${batchId}:candidates`, candidates),
        submittedBy: opts.by ?? f.a.institution,
        requestId: uniqueName('req'),
        policy: opts.policy,
      };
      return submitBatchPlan(env.client, taskQueue, input);
    },

    handle: (batchId) => env.client.workflow.getHandle(batchWorkflowId(batchId)),
    async state(batchId) {
      const s = await bed.handle(batchId).query(stateQuery);
      if (!s) throw new Error(`batch ${batchId} has no state yet`);
      return s;
    },
    until(batchId, pred, what = 'condition') {
      return eventually(async () => {
        const s = await bed.state(batchId);
        if (!pred(s)) throw new Error(`batch ${batchId} is ${s.status}; waiting for ${what}`);
        return s;
      });
    },
    untilStatus(batchId, status) {
      return bed.until(batchId, (s) => s.status === status, `status ${status}`);
    },
    view: (batchId) => models.Batch.findById(batchId).lean(),
    async full(batchId) {
      const doc = await models.Batch.findById(batchId).lean();
      if (!doc) throw new Error(`batch ${batchId} has no read model yet`);
      return batchView(models, doc);
    },
    async postScores(batchId, scores, actor) {
      const upload = await storeUpload(models, `${batchId}:scores`, scores);
      return bed.handle(batchId).executeUpdate(scoresUpdate, { args: [{ upload, actor }] });
    },
    calendar: () => calendars.calendar(),
    async today() {
      return chinaDateOf(await env.currentTimeMs());
    },
    async skip(ms) {
      await env.sleep(ms);
    },
    async skipTo(ms) {
      const now = await env.currentTimeMs();
      if (ms > now) await env.sleep(ms - now);
    },
    now: () => env.currentTimeMs(),
    async begin() {
      const at = nextStart(await env.currentTimeMs());
      await bed.skipTo(at);
      return at;
    },
    trackAllocator(creditCode) {
      extraAllocators.push(allocatorWorkflowId(taskQueue, serialAllocatorId(creditCode)));
    },
    async record() {
      const newBatches = batches.slice(recordedBatches);
      // with the archive retention of each that ended meanwhile (the activity recording its end starts it)
      const ids = [...newBatches.map(batchWorkflowId), ...newBatches.map(archiveRetentionId), ...filings.slice(recordedFilings).map((h) => h.workflowId)];
      // revocations that happened during this test, of certificates of any batch of this bed
      const numbers = (await models.Certificate.find({ batchId: { $in: everyBatch }, status: 'revoked' }, { _id: 1 }).lean()).map((c) => String(c._id));
      recordedBatches = batches.length;
      recordedFilings = filings.length;
      await recordHistories(env.client, [
        ...ids,
        ...numbers.map(revocationWorkflowId),
        ...[...provinces].map((p) => allocatorWorkflowId(taskQueue, `sequence/${p}`)),
        ...[...institutions].map((cc) => allocatorWorkflowId(taskQueue, serialAllocatorId(cc))),
        // what the test started through bed.client (an inspection draw)
        ...started.take(),
      ]);
    },
    async cleanup() {
      await bed.record();
      const ids = batches.map(batchWorkflowId);
      batches = [];
      recordedBatches = 0;
      await terminate(ids);
    },
    async close() {
      await terminate([
        ...batches.map(batchWorkflowId),
        ...filings.map((h) => h.workflowId),
        // allocators run on this bed's task queue: a later file on the same server starts its own
        ...[...provinces].map((p) => allocatorWorkflowId(taskQueue, `sequence/${p}`)),
        ...[...institutions].map((cc) => allocatorWorkflowId(taskQueue, serialAllocatorId(cc))),
        ...extraAllocators,
      ]);
      worker.shutdown();
      await running;
      await conn.dropDatabase().catch(() => undefined);
      await conn.close();
      await env.teardown();
    },
  };
  return bed;
}

/** Polls until `fn` stops throwing (read models are written by activities, a moment after a transition). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
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

/** The failure of a refused call: its ApplicationFailure type and details[0]. */
export async function refusal(p: Promise<unknown>): Promise<{ code: string; details: any; message: string }> {
  let result: unknown;
  try {
    result = await p;
  } catch (err) {
    let e: any = err;
    for (let i = 0; e && i < 8; i++) {
      if (e.name === 'ApplicationFailure' || e.constructor?.name === 'ApplicationFailure') return { code: e.type, details: e.details?.[0], message: e.message };
      e = e.cause;
    }
    throw err;
  }
  throw new Error(`expected a refusal, got ${JSON.stringify(result).slice(0, 300)}`);
}

/** Instants of a plan's exam period. */
export const examStart = (p: { firstExamDate: string }) => startOfChinaDayMs(p.firstExamDate);
export const examEnd = (p: { lastExamDate: string }) => endOfDayMs(p.lastExamDate);

/** planned → acknowledged → (exams) → scoring → scores posted → publicity. */
export async function toPublicity(bed: BatchBed, f: ActiveFiling, batchId: string, scores: ScoreEntry[]): Promise<BatchState> {
  let s = await bed.state(batchId);
  if (s.status === 'planned') {
    s = await bed.handle(batchId).executeUpdate(decideUpdate, { args: [{ stage: 'plan-review', outcome: 'pass', opinion: '计划已备案', actor: f.b.center }] });
    expect(s.status).toBe('acknowledged');
  }
  await bed.skipTo(examEnd(s.plan) + MINUTE);
  await bed.untilStatus(batchId, 'scoring');
  s = await bed.postScores(batchId, scores, f.a.institution);
  expect(s.status).toBe('publicity');
  return s;
}

/** publicity → results-due (skip to the end) → results-review (results submitted). */
export async function toResultsReview(bed: BatchBed, f: ActiveFiling, batchId: string): Promise<BatchState> {
  const s = await bed.state(batchId);
  await bed.skipTo(s.publicity!.endsAtMs + MINUTE);
  await bed.untilStatus(batchId, 'results-due');
  const r = await bed.handle(batchId).executeUpdate(submitResultsUpdate, { args: [{ actor: f.a.institution }] });
  expect(r.status).toBe('results-review');
  return r;
}

export function passResults(bed: BatchBed, f: ActiveFiling, batchId: string) {
  return bed.handle(batchId).executeUpdate(decideUpdate, { args: [{ stage: 'results-review', outcome: 'pass', opinion: '审核通过', actor: f.b.center }] });
}

/** Earliest first exam day for a plan filed today, per the bed's calendar, and the day before it in working days. */
export async function leadDates(bed: BatchBed, lead = 10) {
  const cal = await bed.calendar();
  const today = await bed.today();
  return { today, earliest: cal.addWorkingDays(today, lead), tooLate: cal.addWorkingDays(today, lead - 1) };
}
