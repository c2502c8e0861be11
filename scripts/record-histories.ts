/**
 * Records fresh workflow histories for the replay test (test/replay): runs the demo scenario on a
 * time-skipping server and an embedded FerretDB, then writes each workflow's history to
 * test/replay/histories/<type>-<label>.json. Commit new files so the replay set grows with the
 * workflows; never rewrite old ones (they are what running workflows were recorded as).
 *
 *   npm run record-histories -- [--label v2]
 */
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker, Runtime, DefaultLogger } from '@temporalio/worker';
import { loadSettings } from '../config';
import { createServices } from '../infra/services';
import { buildApp } from '../api/app';
import { createActivities } from '../activities';
import { startFerretDB, startTestServer, ROOT } from '../infra/embedded';
import { runScenario } from './scenario';

async function main() {
  const { values } = parseArgs({ options: { label: { type: 'string', default: new Date().toISOString().slice(0, 10) } } });
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = mkdtempSync(join(tmpdir(), 'skillcert-record-'));
  const ts = await startTestServer();
  const fdb = await startFerretDB({ dataDir: join(dir, 'fdb') });
  const settings = loadSettings({ APP_MODE: 'demo', LOG_LEVEL: 'silent', TEMPORAL_TASK_QUEUE: 'record' });
  const services = await createServices(settings, { temporalAddress: ts.address, mongoUri: `mongodb://${fdb.address}/record` });
  const { NativeConnection } = await import('@temporalio/worker');
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: ts.address }),
    taskQueue: 'record',
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities({ models: services.models, client: services.temporal.client, taskQueue: 'record' }),
  });
  const running = worker.run();
  const app = await buildApp(services);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    await runScenario(base, settings.AUTH_JWT_SECRET!, (l) => console.log(l));
    const client = services.temporal.client;
    const seen = new Set<string>();
    for await (const wf of client.workflow.list()) {
      if (seen.has(wf.type)) continue; // one history per type and run of this script
      seen.add(wf.type);
      const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      const file = join(ROOT, 'test/replay/histories', `${wf.type}-${values.label}.json`);
      if (existsSync(file)) throw new Error(`${file} exists: choose another --label`);
      writeFileSync(file, JSON.stringify({ workflowId: wf.workflowId, type: wf.type, history }, null, 1));
      console.log(`recorded ${file} (${history.events?.length} events)`);
    }
  } finally {
    await app.close();
    worker.shutdown();
    await running;
    await services.close();
    await ts.stop();
    await fdb.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
