/**
 * Replays what is running (issue #14): fetches the history of every open workflow in a namespace of
 * a running cluster and replays it against this working tree's workflow code. Exits 1 on any
 * nondeterminism, so a deploy that would break running filings or batches stops here.
 *
 *   npm run replay -- --address host:7233 [--namespace default] [--task-queue skillcert] [--limit 10000]
 *
 * `--workflows <module>` replays against another workflows module (the test uses it to show a
 * nondeterministic change is caught).
 *
 * Run it before every deploy (README: "Changing a rule"). Payloads are encrypted: it decrypts with
 * PAYLOAD_KEYS, as the workers have it, and with the local key of DATA_DIR (development) if any.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Connection, Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { AesGcmPayloadCodec, encryptedDataConverter, FAILURE_CONVERTER_PATH, payloadKeysForReading } from '../infra/payload-codec';
import { parsePayloadKeys } from '../infra/payload-keys';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      address: { type: 'string', default: process.env.TEMPORAL_ADDRESS },
      namespace: { type: 'string', default: process.env.TEMPORAL_NAMESPACE ?? 'default' },
      limit: { type: 'string', default: '10000' },
      'task-queue': { type: 'string' },
      workflows: { type: 'string' },
    },
  });
  if (!values.address) throw new Error('--address host:port (or TEMPORAL_ADDRESS) is required');
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new Error('--limit must be a positive whole number');
  const parsed = parsePayloadKeys(process.env.PAYLOAD_KEYS ?? '');
  if (parsed.problems.length) throw new Error(`PAYLOAD_KEYS: ${parsed.problems.join('; ')}`);
  const keys = payloadKeysForReading({ dataDir: resolve(process.env.DATA_DIR || './.data'), PAYLOAD_KEYS: parsed.keys });
  if (!keys.length) console.warn('no payload key (PAYLOAD_KEYS, or a local key in DATA_DIR): an encrypted history will fail to replay');
  const dataConverter = keys.length ? encryptedDataConverter(new AesGcmPayloadCodec(keys)) : undefined;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await Connection.connect({ address: values.address });
  const client = new Client({ connection, namespace: values.namespace, dataConverter });
  const workflowsPath = values.workflows ? require.resolve(resolve(values.workflows)) : require.resolve('../workflows');
  const bundle = await bundleWorkflowCode({
    workflowsPath,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} },
  });
  try {
    const executions: { workflowId: string; runId: string; type: string }[] = [];
    const tq = values['task-queue'];
    if (tq !== undefined && !/^[\w.-]{1,200}$/.test(tq)) throw new Error('--task-queue: letters, digits, . _ - only');
    const query = `ExecutionStatus = "Running"${tq ? ` AND TaskQueue = "${tq}"` : ''}`;
    for await (const w of client.workflow.list({ query })) {
      executions.push({ workflowId: w.workflowId, runId: w.runId, type: w.type });
      if (executions.length >= limit) break;
    }
    console.log(`replaying ${executions.length} open workflow(s) of ${values.namespace} at ${values.address} against ${workflowsPath}`);
    async function* histories() {
      for (const e of executions) yield { workflowId: e.workflowId, history: await client.workflow.getHandle(e.workflowId, e.runId).fetchHistory() };
    }
    let failed = 0;
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, dataConverter }, histories())) {
      replayed++;
      if (result.error) {
        failed++;
        console.error(`✗ ${result.workflowId}: ${result.error.message}`);
      }
    }
    console.log(`${replayed - failed} replayed, ${failed} failed`);
    return failed ? 1 : 0;
  } finally {
    await connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
