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
import { buildApp } from '../app';
import { createActivities } from '../activities';
import { startFerretDB, startTestServer, ROOT } from '../infra/embedded';
import { runScenario } from './scenario';
import { signToken } from '../api/tokens';
import { temporal } from '@temporalio/proto';
import { filingWorkflowId } from '../workflows/filing/messages';
import { allocatorWorkflowId } from '../workflows/allocator/messages';
import { batchWorkflowId, revocationWorkflowId, serialAllocatorId } from '../workflows/batch/messages';

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
    const r = await runScenario(base, settings.AUTH_JWT_SECRET!, (l) => console.log(l));
    if (r.certificates?.[0]) {
      // a revocation, so the certificate-revocation workflow has a history too
      const admin = await signToken(settings.AUTH_JWT_SECRET!, { sub: 'recorder', name: 'recorder', role: 'admin' });
      const res = await fetch(`${base}/api/v1/certificates/${r.certificates[0]}/revocation`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify({ reason: '录入错误（历史记录样例）' }),
      });
      if (res.status !== 200) throw new Error(`revocation: ${res.status} ${await res.text()}`);
    }
    const client = services.temporal.client;
    // the time-skipping server cannot list workflows: name them from what the run produced
    const filing = await services.models.Filing.findById(r.filingId).lean();
    const creditCode = filing!.institutionId;
    const ids: [string, string][] = [
      ['filing', filingWorkflowId(r.filingId)],
      ['allocator', allocatorWorkflowId('record', `sequence/${filing!.province}`)],
      ...(r.batchId ? ([['batch', batchWorkflowId(r.batchId)], ['allocator', allocatorWorkflowId('record', serialAllocatorId(creditCode))]] as [string, string][]) : []),
      ...(r.certificates?.[0] ? ([['certificateRevocation', revocationWorkflowId(r.certificates[0])]] as [string, string][]) : []),
    ];
    let n = 0;
    for (const [type, workflowId] of ids) {
      // every run of the workflow: follow continue-as-new back to the first
      for (let runId: string | undefined, run = 0; ; run++) {
        const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
        const file = join(ROOT, 'test/replay/histories', `${type}-${values.label}-${++n}.json`);
        if (existsSync(file)) throw new Error(`${file} exists: choose another --label`);
        // the history as protobuf bytes (base64): exact, whatever protobuf copy a package carries
        writeFileSync(file, JSON.stringify({ workflowId, type, events: history.events?.length, historyBase64: Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('base64') }, null, 1));
        console.log(`recorded ${file} (${history.events?.length} events)`);
        runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
        if (!runId) break;
      }
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
