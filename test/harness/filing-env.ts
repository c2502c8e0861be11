/**
 * A filing workflow test bed on this jest worker's time-skipping server, with the real activities
 * on a fresh FerretDB database.
 */
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { connectDatabase, type Models } from '../../models';
import { createActivities } from '../../activities';
import { stackInfo, timeSkippingEnv, uniqueName } from './stack';
import { filing } from '../../workflows/filing/workflow';
import { stateQuery, filingWorkflowId } from '../../workflows/filing/messages';
import type { Application, Actor } from '../../domain/filing';
import { policyForProvince, type FilingPolicy } from '../../domain/filing-policy';
import type { Connection } from 'mongoose';

export interface FilingBed {
  env: TestWorkflowEnvironment;
  models: Models;
  conn: Connection;
  taskQueue: string;
  start(app: Application, by: Actor, policy?: FilingPolicy): Promise<WorkflowHandle<typeof filing>>;
  state(h: WorkflowHandle): Promise<import('../../domain/filing').FilingState>;
  /** skip time forward (fires timers), then let the worker settle */
  skip(ms: number): Promise<void>;
  now(): Promise<number>;
  close(): Promise<void>;
}

export async function filingBed(): Promise<FilingBed> {
  const env = await timeSkippingEnv();
  const { conn, models } = await connectDatabase(`${stackInfo().mongoBase}/${uniqueName('wf').replace(/-/g, '_')}`);
  const taskQueue = uniqueName('filing');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: stackInfo().bundlePath },
    activities: createActivities({ models, client: env.client, taskQueue }),
  });
  const running = worker.run();
  const started: WorkflowHandle[] = [];
  return {
    env,
    models,
    conn,
    taskQueue,
    async start(app, by, policy) {
      const filingId = uniqueName('F');
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
    async now() {
      return env.currentTimeMs();
    },
    async close() {
      for (const h of started) await h.terminate('test over').catch(() => undefined);
      worker.shutdown();
      await running;
      await conn.dropDatabase().catch(() => undefined);
      await conn.close();
      await env.teardown();
    },
  };
}
