/**
 * The filing workflow alone, with mocked activities (as in temporalio/samples-typescript): a worker
 * on this file's time-skipping server whose activities are jest functions — a stand-in calendar in
 * which every day is a working day, a read model that only remembers what it was asked to write.
 * What is checked is what the workflow decides and asks for: the instants deadlines count from
 * (SPEC §8), the transitions it records in order, four eyes, and one decision per stage when two
 * arrive at once.
 */
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { stackInfo, testDataConverter, timeSkippingEnv, uniqueName } from '../harness/stack';
import { baseInstant, nextStart, itOnce } from '../harness/start-dates';
import { filing } from '../../workflows/filing/workflow';
import { assignExpertsUpdate, decideUpdate, filingWorkflowId, stateQuery, type AssignInput, type DecideInput } from '../../workflows/filing/messages';
import { JILIN_2025 } from '../../domain/filing-policy';
import type { Actor, FilingState } from '../../domain/filing';
import { addCalendarDays, chinaDateOf, endOfDayIso, endOfDayMs } from '../../domain/dates';
import type { DueDate } from '../../activities/calendar';
import type { AuditDraft, NotificationDraft } from '../../activities/records';
import { actors, application } from '../fixtures/filing';

const DAY = 86_400_000;

/** Every day a working day: due at the end of the N-th day after the day of `fromMs`. */
function dueAfter({ fromMs, workingDays }: { fromMs: number; workingDays: number }): DueDate {
  const date = addCalendarDays(chinaDateOf(fromMs), workingDays);
  return { date, dueAtMs: endOfDayMs(date), dueAt: endOfDayIso(date), coverage: 'official' };
}

interface Recorded {
  state: FilingState;
  audit: AuditDraft[];
  notifications: NotificationDraft[];
  directory?: 'upsert' | 'remove';
}

function mockedActivities() {
  const written: Recorded[] = [];
  return {
    written,
    recordFiling: jest.fn(async (input: Recorded) => {
      written.push(JSON.parse(JSON.stringify(input)));
    }),
    workingDaysDue: jest.fn(async (input: { fromMs: number; workingDays: number }) => dueAfter(input)),
    allocate: jest.fn(async (input: { requestId: string }) => ({ key: '22', first: 42, last: 42, value: 42, requestId: input.requestId })),
    endBatchesOfFiling: jest.fn(async () => ({ cancelled: [] as string[] })),
  };
}

async function refusalCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { cause?: { type?: string } }).cause?.type ?? String(err);
  }
  return 'accepted';
}

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
  const base = baseInstant(await env.currentTimeMs());
  await env.sleep(base - (await env.currentTimeMs()));
});

afterAll(async () => {
  await env?.teardown();
});

/** Runs `fn` with a worker whose activities are `acts`, on a fresh task queue, from the next start day. */
async function withWorker(acts: ReturnType<typeof mockedActivities>, fn: (start: (app: ReturnType<typeof application>) => Promise<Started>) => Promise<void>) {
  const taskQueue = uniqueName('filing-unit');
  const { written: _written, ...activities } = acts;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: stackInfo().bundlePath },
    dataConverter: testDataConverter,
    activities,
    maxCachedWorkflows: 0,
  });
  await env.sleep(nextStart(await env.currentTimeMs()) - (await env.currentTimeMs()));
  const started: Started['h'][] = [];
  const run = fn(async (app) => {
    const a = actors(app);
    const filingId = uniqueName('F');
    const h = await env.client.workflow.start(filing, {
      taskQueue,
      workflowId: filingWorkflowId(filingId),
      args: [{ filingId, application: app, policy: JILIN_2025, submittedBy: a.institution }],
    });
    const assign = (stage: string, experts: Actor[], by: Actor = a.prefectureReviewer) =>
      h.executeUpdate(assignExpertsUpdate, {
        args: [{ actor: by, stage, experts: experts.map((e) => ({ userId: e.sub, name: e.name })) } satisfies AssignInput],
      });
    const decide = (stage: string, by: Actor, extra: Partial<DecideInput> = {}) =>
      h.executeUpdate(decideUpdate, { args: [{ actor: by, stage, outcome: 'pass', opinion: '符合要求', ...extra } satisfies DecideInput] });
    const state = () => h.query(stateQuery);
    started.push(h);
    return { h, a, assign, decide, state };
  });
  // every workflow ends with its test, also a failed one: a run left waiting would hold this
  // server's time skipping (a query first, so that a run just continued as new has its task done)
  const cleanup = async () => {
    for (const h of started) {
      await h.query(stateQuery).catch(() => undefined);
      await h.terminate('test over').catch(() => undefined);
    }
  };
  await worker.runUntil(run.finally(cleanup));
}

type Started = {
  h: Awaited<ReturnType<typeof env.client.workflow.start<typeof filing>>>;
  a: ReturnType<typeof actors>;
  assign(stage: string, experts: Actor[], by?: Actor): Promise<FilingState>;
  decide(stage: string, by: Actor, extra?: Partial<DecideInput>): Promise<FilingState>;
  state(): Promise<FilingState>;
};

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await fn();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached');
}

describe('filing workflow with mocked activities', () => {
  it("runs 申报 → 备案通知: each due date counts from its stage's start (after 公示, from the day it closed), every transition recorded in order, four eyes", async () => {
    const acts = mockedActivities();
    await withWorker(acts, async (start) => {
      const f = await start(application());
      const { a } = f;
      const submitted = await until(f.state, (x) => x.stage === 'submitted');
      // the intake is due 5 working days from the submission instant itself
      expect(acts.workingDaysDue).toHaveBeenNthCalledWith(1, { fromMs: Date.parse(submitted.submittedAt), workingDays: 5 });

      let s = await f.assign('preliminary-review', [a.expertA]);
      expect(s).toMatchObject({ stage: 'preliminary-review', due: { stage: 'preliminary-review', escalation: 0 } });
      await f.assign('technical-assessment', [a.expertB]);
      await f.assign('comprehensive-review', [a.expertC]);
      s = await f.decide('preliminary-review', a.expertA);
      expect(s.stage).toBe('technical-assessment');
      // four eyes: the expert who decided 初评 may not decide 技术评估, nor be its only expert
      expect(await refusalCode(f.decide('technical-assessment', a.expertB))).toBe('VALIDATION_FAILED'); // 技术评估 is scored
      expect(await refusalCode(f.assign('technical-assessment', [a.expertA]))).toBe('FOUR_EYES');
      await env.sleep(2 * DAY);
      const decidedAt = await env.currentTimeMs();
      s = await f.decide('technical-assessment', a.expertB, { score: 88 });
      // the next stage is due 10 working days from the decision, not from the filing's start
      expect(acts.workingDaysDue).toHaveBeenLastCalledWith({ fromMs: expect.any(Number), workingDays: 10 });
      expect(acts.workingDaysDue.mock.lastCall![0].fromMs).toBeGreaterThanOrEqual(decidedAt);
      expect(s.due).toMatchObject({ stage: 'comprehensive-review', dueDate: addCalendarDays(chinaDateOf(acts.workingDaysDue.mock.lastCall![0].fromMs), 10) });
      s = await f.decide('comprehensive-review', a.expertC);
      s = await f.decide('deliberation', a.prefectureReviewer);
      expect(s).toMatchObject({ stage: 'publicity', publicity: { round: 1 } });
      const publicityEnds = s.publicity!.endsAtMs;

      // the publicity's timer fires; the notice stage counts from the day the publicity closed
      await env.sleep(publicityEnds - (await env.currentTimeMs()) + 3 * 3_600_000);
      s = await until(f.state, (x) => x.stage === 'notice');
      expect(s.publicity).toMatchObject({ outcome: 'closed', closedAt: s.publicity!.endsAt });
      expect(acts.workingDaysDue).toHaveBeenLastCalledWith({ fromMs: publicityEnds, workingDays: 5 });

      expect(await refusalCode(f.decide('notice', a.prefectureReviewer))).toBe('FORBIDDEN');
      s = await f.decide('notice', a.provinceReviewer);
      expect(s).toMatchObject({ status: 'active', stage: null, notice: { sequence: '000042', institutionCode: `Y000022000042` } });
      expect(acts.allocate).toHaveBeenCalledWith(expect.objectContaining({ key: '22', count: 1, requestId: `${s.id}:notice` }));

      // one write per transition, versions consecutive, the audit in the order things happened
      expect(acts.written.map((w) => w.state.version)).toEqual(acts.written.map((_w, i) => i + 1));
      expect(acts.written.map((w) => w.audit.map((e) => e.action))).toEqual([
        ['filing.submit', 'filing.transition'],
        ['filing.assign', 'filing.transition'],
        ['filing.assign'],
        ['filing.assign'],
        ['filing.decide', 'filing.transition'],
        ['filing.decide', 'filing.transition'],
        ['filing.decide', 'filing.transition'],
        ['filing.decide', 'filing.transition'],
        ['filing.publicity-closed', 'filing.transition'],
        ['filing.decide'],
        [],
      ]);
      expect(acts.written.find((w) => w.directory === 'upsert')?.state.notice?.number).toBe(s.notice!.number);
      expect(acts.written.flatMap((w) => w.notifications.map((n) => n.kind))).toEqual(
        expect.arrayContaining(['submitted', 'assignment', 'task', 'decision', 'notice']),
      );
    });
  });

  it("escalates an overdue intake to the superior at its due date, and counts the province's turn from that due date", async () => {
    const acts = mockedActivities();
    await withWorker(acts, async (start) => {
      const f = await start(application());
      let s = await until(f.state, (x) => x.stage === 'submitted');
      const dueAtMs = s.due!.dueAtMs;
      await env.sleep(dueAtMs - (await env.currentTimeMs()) + 5 * 3_600_000);
      s = await until(f.state, (x) => x.due?.escalation === 1);
      expect(acts.workingDaysDue).toHaveBeenLastCalledWith({ fromMs: dueAtMs, workingDays: 5 });
      expect(s.due!.provinceAtMs).toBe(dueAfter({ fromMs: dueAtMs, workingDays: 5 }).dueAtMs);
      expect(s.escalations).toEqual([expect.objectContaining({ level: 1, to: 'superior', stage: 'submitted' })]);
      const escalated = await until(
        async () => acts.written.find((w) => w.audit.some((e) => e.action === 'filing.escalate')),
        (x) => !!x,
      );
      expect(escalated!.notifications.map((n) => n.kind)).toEqual(['overdue', 'escalation']);
      await env.sleep(s.due!.provinceAtMs! - (await env.currentTimeMs()) + 1000);
      s = await until(f.state, (x) => x.due?.escalation === 2);
      expect(s.escalations.map((e) => e.to)).toEqual(['superior', 'province']);
    });
  });

  itOnce('records one decision when two assigned experts decide the same stage at once; the other is refused', async () => {
    const acts = mockedActivities();
    await withWorker(acts, async (start) => {
      const f = await start(application());
      const { a } = f;
      await until(f.state, (x) => x.stage === 'submitted');
      await f.assign('preliminary-review', [a.expertA, a.expertB]);
      const answers = await Promise.all([refusalCode(f.decide('preliminary-review', a.expertA)), refusalCode(f.decide('preliminary-review', a.expertB))]);
      expect(answers.sort()).toEqual(['STAGE_MISMATCH', 'accepted']);
      const s = await f.state();
      expect(s.decisions).toHaveLength(1);
      expect(s.stage).toBe('technical-assessment');
    });
  });
});
