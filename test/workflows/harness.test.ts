import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { testDataConverter, timeSkippingEnv, uniqueName } from '../harness/stack';
import { sleepYears, waitOrTimeout, wakeSignal } from './fixtures/sleepers';
import { describeOnce } from '../harness/start-dates';

describeOnce('time-skipping server from the global setup', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  const taskQueue = uniqueName('harness');
  let run: Promise<void>;

  beforeAll(async () => {
    env = await timeSkippingEnv();
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('./fixtures/sleepers'),
      dataConverter: testDataConverter,
    });
    run = worker.run();
  });
  afterAll(async () => {
    worker.shutdown();
    await run;
    await env.teardown();
  });

  it('completes a three-year timer in seconds of real time', async () => {
    const t0 = Date.now();
    const r = await env.client.workflow.execute(sleepYears, { taskQueue, workflowId: uniqueName('three-years'), args: [3] });
    const realMs = Date.now() - t0;
    expect(r.endedAt - r.startedAt).toBeGreaterThanOrEqual(3 * 365 * 86_400_000);
    expect(realMs).toBeLessThan(20_000);
  });

  it('reports overdue when nothing arrives before the deadline, and in time when it does', async () => {
    const overdue = await env.client.workflow.execute(waitOrTimeout, { taskQueue, workflowId: uniqueName('late'), args: [10] });
    expect(overdue).toBe('overdue');
    const h = await env.client.workflow.start(waitOrTimeout, { taskQueue, workflowId: uniqueName('early'), args: [10] });
    await h.signal(wakeSignal);
    expect(await h.result()).toBe('woken');
  });
});
