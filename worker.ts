/**
 * The worker process: runs every workflow and activity on the task queue. Start it with
 * `tsx worker.ts` (the main command does) or, compiled, `node dist/worker.js` (the production
 * stack does), pointing at TEMPORAL_ADDRESS and MONGODB_URI.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { ensureSearchAttributes } from './infra/search-attributes';
import { Client, Connection } from '@temporalio/client';
import { loadSettings, workerMetricsAddress, type Settings } from './config';
import { connectDatabase } from './models';
import { createActivities } from './activities';
import type { PayloadCodec } from '@temporalio/common';
import { endpointsFrom, payloadCodecFor, type Endpoints } from './infra/services';
import { encryptedDataConverter } from './infra/payload-codec';
import { isUnreachable, whileUnreachable } from './infra/startup';
import { mailerFromSettings } from './infra/mailer';
import { startMailSender, type MailSender } from './infra/mail-sender';

/**
 * Compiled (`node dist/worker.js`, the production stack) the worker loads the workflow bundle that
 * `npm run build` made beside it, so no webpack runs at start and every worker runs the same bytes;
 * from source (tsx, tests) it bundles the workflows itself.
 */
export function workflowCode(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (!__filename.endsWith('.js')) return { workflowsPath: require.resolve('./workflows') };
  const codePath = join(__dirname, 'workflow-bundle.js');
  if (!existsSync(codePath)) throw new Error(`${codePath} is missing: run npm run build`);
  return { workflowBundle: { codePath } };
}

/** Worker tuning, documented in the README's Performance section. */
export const workerTuning: Partial<WorkerOptions> = {
  reuseV8Context: true,
  maxConcurrentActivityTaskExecutions: 50,
  maxConcurrentWorkflowTaskExecutions: 40,
};

/**
 * The worker options that come from settings: the cache size, and how long a stopping worker
 * (SIGTERM, a deploy) lets running activities finish before it cancels them
 * (WORKER_SHUTDOWN_GRACE_TIME); an activity cancelled then is retried by another worker.
 */
export function workerSettings(settings: Settings): Partial<WorkerOptions> {
  return {
    // filings wait weeks on timers: a large cache only holds memory (bench figure d)
    maxCachedWorkflows: settings.WORKER_CACHED_WORKFLOWS,
    // The time-skipping test server never times out a task handed to a worker's sticky queue, so a
    // worker killed in demo mode would strand its workflows there (found by npm run chaos). Without
    // a cache there is no sticky queue: every task goes to the shared queue and replays its history.
    ...(settings.APP_MODE === 'demo' ? { maxCachedWorkflows: 0 } : {}),
    shutdownGraceTime: durationOf(settings.WORKER_SHUTDOWN_GRACE_TIME),
  };
}

/** A setting's duration (`30s`, `2m`, `5000`) as the SDK takes it: a bare number is milliseconds. */
function durationOf(s: string): WorkerOptions['shutdownGraceTime'] {
  const t = s.replace(/\s+/g, '');
  return (/^\d+(\.\d+)?$/.test(t) ? Number(t) : t) as WorkerOptions['shutdownGraceTime'];
}

/**
 * Every payload the worker writes (results, activity inputs, failures) is encrypted with `codec`,
 * and the client its activities use encrypts what it sends too. A compiled worker's bundle was
 * built with the same failure converter (scripts/build-assets.ts).
 */
export async function startWorker(settings: Settings, endpoints: Endpoints, codec: PayloadCodec, extra: Partial<WorkerOptions> = {}) {
  const dataConverter = encryptedDataConverter(codec);
  // what is open so far is closed again when a later step fails, so a retried start leaks nothing
  const opened: { close(): Promise<unknown> }[] = [];
  let sender: MailSender | undefined;
  const closeAll = async () => {
    // the mail sender first: a send in flight records its outcome while the database is still open
    await sender?.stop().catch(() => undefined);
    await Promise.allSettled(opened.map((c) => c.close()));
  };
  try {
    const connection = await NativeConnection.connect({ address: endpoints.temporalAddress });
    opened.push(connection);
    const clientConnection = await Connection.connect({ address: endpoints.temporalAddress });
    opened.push(clientConnection);
    // the search attributes the workflows keep must exist before the first task (infra/search-attributes.ts)
    const added = await ensureSearchAttributes(clientConnection, settings.TEMPORAL_NAMESPACE);
    if (added.length) console.log(`worker: registered search attributes ${added.join(', ')} in ${settings.TEMPORAL_NAMESPACE}`);
    const client = new Client({ connection: clientConnection, namespace: settings.TEMPORAL_NAMESPACE, dataConverter });
    const db = await connectDatabase(endpoints.mongoUri);
    opened.push(db.conn);
    // mail is off without SMTP_URL: no outbox is written and no sender runs (infra/mail-sender.ts)
    const mailer = mailerFromSettings(settings);
    const worker = await Worker.create({
      connection,
      namespace: settings.TEMPORAL_NAMESPACE,
      taskQueue: settings.TEMPORAL_TASK_QUEUE,
      ...workflowCode(),
      dataConverter,
      activities: createActivities({ models: db.models, client, taskQueue: settings.TEMPORAL_TASK_QUEUE, mail: !!mailer }),
      ...workerTuning,
      ...workerSettings(settings),
      ...extra,
    });
    if (mailer) sender = startMailSender(db.models, mailer);
    return { worker, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * The SDK's runtime metrics (task latencies, pollers, cache, activity and workflow outcomes: the
 * `temporal_…` series) as Prometheus text at http://<WORKER_METRICS_ADDRESS>/metrics. The runtime
 * is installed once per process, before the first connection; the worker keeps running without
 * metrics when the address cannot be bound (a busy port must not stop every workflow).
 */
export function installRuntime(settings: Settings): string | undefined {
  const bindAddress = workerMetricsAddress(settings);
  if (!bindAddress) return undefined;
  try {
    Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress } } } });
    return bindAddress;
  } catch (err) {
    console.warn(`worker: runtime metrics not served on ${bindAddress}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

async function main() {
  const settings = loadSettings();
  const metricsAt = installRuntime(settings);
  if (metricsAt) console.log(`worker: runtime metrics at http://${metricsAt}/metrics`);
  // production without PAYLOAD_KEYS stops here; development and demo say which local key they use
  const codec = payloadCodecFor(settings);
  let stopping = false;
  let current: Worker | undefined;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      stopping = true;
      try {
        if (current?.getState() === 'RUNNING') current.shutdown();
        else process.exit(0); // not polling yet: nothing to drain
      } catch {
        process.exit(0);
      }
    });
  }
  // A worker (re)started while Temporal or the database is down waits for them instead of exiting:
  // nothing else would start it again, and without a poller every workflow stands still.
  for (;;) {
    const { worker, close } = await whileUnreachable('worker: waiting for Temporal and the database', () =>
      startWorker(settings, endpointsFrom(settings), codec),
    );
    if (stopping) return close();
    current = worker;
    console.log(`worker: polling task queue ${settings.TEMPORAL_TASK_QUEUE}`);
    try {
      await worker.run();
      await close();
      return;
    } catch (err) {
      await close();
      current = undefined;
      if (stopping || !isUnreachable(err)) throw err;
      console.warn(`worker: lost Temporal (${err instanceof Error ? err.message.slice(0, 200) : String(err)}); starting again`);
    }
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error && err.name === 'SettingsError' ? err.message : err);
    process.exit(1);
  });
}
