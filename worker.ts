/**
 * The worker process: runs every workflow and activity on the task queue. Start it with
 * `tsx worker.ts` (the main command does), pointing at TEMPORAL_ADDRESS and MONGODB_URI.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { loadSettings, type Settings } from './config';
import { connectDatabase } from './models';
import { createActivities } from './activities';
import { endpointsFrom, type Endpoints } from './infra/services';

/** Worker tuning, documented in the README's Performance section. */
export const workerTuning: Partial<WorkerOptions> = {
  maxCachedWorkflows: 2000,
  reuseV8Context: true,
  maxConcurrentActivityTaskExecutions: 50,
  maxConcurrentWorkflowTaskExecutions: 40,
};

export async function startWorker(settings: Settings, endpoints: Endpoints, extra: Partial<WorkerOptions> = {}) {
  const connection = await NativeConnection.connect({ address: endpoints.temporalAddress });
  const clientConnection = await Connection.connect({ address: endpoints.temporalAddress });
  const client = new Client({ connection: clientConnection, namespace: settings.TEMPORAL_NAMESPACE });
  const db = await connectDatabase(endpoints.mongoUri);
  const worker = await Worker.create({
    connection,
    namespace: settings.TEMPORAL_NAMESPACE,
    taskQueue: settings.TEMPORAL_TASK_QUEUE,
    workflowsPath: require.resolve('./workflows'),
    activities: createActivities({ models: db.models, client, taskQueue: settings.TEMPORAL_TASK_QUEUE }),
    ...workerTuning,
    // The time-skipping test server never times out a task handed to a worker's sticky queue, so a
    // worker killed in demo mode would strand its workflows there (found by npm run chaos). Without
    // a cache there is no sticky queue: every task goes to the shared queue and replays its history.
    ...(settings.APP_MODE === 'demo' ? { maxCachedWorkflows: 0 } : {}),
    ...extra,
  });
  return {
    worker,
    async close() {
      await Promise.allSettled([connection.close(), clientConnection.close(), db.conn.close()]);
    },
  };
}

async function main() {
  const settings = loadSettings();
  const { worker, close } = await startWorker(settings, endpointsFrom(settings));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => worker.shutdown());
  console.log(`worker: polling task queue ${settings.TEMPORAL_TASK_QUEUE}`);
  await worker.run();
  await close();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error && err.name === 'SettingsError' ? err.message : err);
    process.exit(1);
  });
}
