/**
 * Payload encryption on a real Temporal dev server of this file's own, persisting to a SQLite
 * file (the shared one keeps everything in memory, so there would be no file to search): a client
 * and a worker with the codec run workflows whose data holds an ID number; the history read
 * without the codec, the `temporal` CLI without a codec endpoint and the server's database file
 * hold no trace of it, while the codec, and the CLI pointed at the codec endpoint, read it back.
 * A workflow run without the codec is the control: its ID number is found everywhere, which
 * shows that the searches would have found an unencrypted one.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { binary, startTemporalDev, type EmbeddedProcess } from '../../infra/embedded';
import { AesGcmPayloadCodec, encryptedDataConverter, FAILURE_CONVERTER_PATH } from '../../infra/payload-codec';
import { PayloadKey } from '../../infra/payload-keys';
import { buildCodecServer } from '../../api/plugins/codec-endpoint';
import type { CodecActivities, Person } from './fixtures/codec-workflows';

jest.setTimeout(240_000);

const ID_NUMBER = '220102198503120013';
const REFUSED_ID = '110105199001010011';
const CONTROL_ID = '310104198807070027';
const ADMIN = 'Bearer codec-admin-token';

const activities: CodecActivities = {
  async checkPerson(p) {
    return { ...p, valid: true };
  },
  async refusePerson(p) {
    throw ApplicationFailure.nonRetryable(`身份证号 ${p.idNumber} 已登记`, 'ALREADY_EXISTS');
  },
};

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => console.error(m) };

/** Every Payload in a history (inputs, results, memos, failure attributes), replaced by what `map` makes of it. */
async function mapPayloads(root: object, map: (ps: Payload[]) => Promise<Payload[]>): Promise<void> {
  const slots: { holder: any; key: string | number }[] = [];
  const isPayload = (v: any) => v.metadata && typeof v.metadata === 'object' && Object.values(v.metadata).every((m) => m instanceof Uint8Array) && 'data' in v;
  const visit = (v: any, holder: any, key: string | number) => {
    if (!v || typeof v !== 'object' || v instanceof Uint8Array) return;
    if (Array.isArray(v)) return v.forEach((x, i) => visit(x, v, i));
    if (isPayload(v)) return void slots.push({ holder, key });
    for (const k of Object.keys(v)) visit(v[k], v, k);
  };
  visit(root, undefined, '');
  const mapped = await map(slots.map((s) => s.holder[s.key]));
  slots.forEach((s, i) => (s.holder[s.key] = mapped[i]));
}

const historyBytes = (h: temporal.api.history.v1.IHistory) => Buffer.from(temporal.api.history.v1.History.encode(h).finish());

describe('payload encryption on a real Temporal dev server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skillcert-codec-'));
  const dbFile = join(dir, 'temporal.db');
  const codec = new AesGcmPayloadCodec([new PayloadKey('k-old', randomBytes(32)), new PayloadKey('k-2026', randomBytes(32))]);
  const taskQueue = `codec-${randomBytes(4).toString('hex')}`;
  const plainQueue = `${taskQueue}-plain`;
  let server: EmbeddedProcess;
  let connection: Connection;
  let encrypted: Client;
  let raw: Client;
  let workers: Worker[] = [];
  let running: Promise<void>[] = [];
  let codecServer: FastifyInstance;
  const seenByCodecServer: { namespace?: string; authorization?: string }[] = [];
  const ids = {
    registered: `reg-${randomBytes(4).toString('hex')}`,
    refused: `ref-${randomBytes(4).toString('hex')}`,
    control: `ctl-${randomBytes(4).toString('hex')}`,
  };

  beforeAll(async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') }); // the SDK logs failed workflows with their messages at WARN
    } catch {
      /* another file in this jest worker installed it */
    }
    server = await startTemporalDev({ dbFile, headless: true, logFile: join(dir, 'temporal.log') });
    const bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('./fixtures/codec-workflows'),
      // failures raised in workflow code are converted inside the sandbox: the bundle needs it too
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: quietLogger,
    });
    const native = await NativeConnection.connect({ address: server.address });
    workers = [
      await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities, dataConverter: encryptedDataConverter(codec) }),
      // the control: no codec
      await Worker.create({ connection: native, taskQueue: plainQueue, workflowBundle: bundle, activities }),
    ];
    running = workers.map((w) => w.run());
    connection = await Connection.connect({ address: server.address });
    encrypted = new Client({ connection, dataConverter: encryptedDataConverter(codec) });
    raw = new Client({ connection });
    codecServer = await buildCodecServer({
      codec,
      authorize: async (req) => {
        seenByCodecServer.push({ namespace: req.headers['x-namespace'] as string, authorization: req.headers.authorization });
        return req.headers.authorization === ADMIN;
      },
    });
    await codecServer.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await codecServer?.close();
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(running);
    await connection?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const person = (idNumber: string): Person => ({ name: '张三', idNumber });

  it('the workflow and its caller see clear data through the codec', async () => {
    const handle = await encrypted.workflow.start('registerPerson', {
      taskQueue,
      workflowId: ids.registered,
      args: [person(ID_NUMBER)],
      memo: { idNumber: ID_NUMBER },
    });
    const result = (await handle.result()) as { message: string; checked: Person };
    expect(result.message).toBe(`已登记 张三（${ID_NUMBER}）`);
    expect(result.checked).toEqual({ ...person(ID_NUMBER), valid: true });
    expect((await handle.describe()).memo).toEqual({ idNumber: ID_NUMBER });

    const failed = await encrypted.workflow.execute('rejectPerson', { taskQueue, workflowId: ids.refused, args: [person(REFUSED_ID)] }).catch((e) => e);
    expect(failed).toBeInstanceOf(WorkflowFailedError);
    expect(failed.cause?.cause?.message).toBe(`身份证号 ${REFUSED_ID} 已登记`);

    const control = await raw.workflow.execute('registerPerson', { taskQueue: plainQueue, workflowId: ids.control, args: [person(CONTROL_ID)] });
    expect((control as { message: string }).message).toContain(CONTROL_ID);
  });

  it('the history read without the codec holds no ID number; decoded with the codec it does', async () => {
    const history = await raw.workflow.getHandle(ids.registered).fetchHistory();
    const started = history.events![0].workflowExecutionStartedEventAttributes!;
    expect(Buffer.from(started.input!.payloads![0].metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect(Buffer.from(started.input!.payloads![0].metadata!['encryption-key-id']!).toString()).toBe('k-2026');
    expect(historyBytes(history).includes(ID_NUMBER)).toBe(false);
    expect(historyBytes(history).includes('张三')).toBe(false);
    await mapPayloads(history, (ps) => codec.decode(ps));
    expect(historyBytes(history).includes(ID_NUMBER)).toBe(true);
    expect(historyBytes(history).includes('张三')).toBe(true);

    // failure messages: the activity's (converted in the worker) and the workflow's (in the sandbox)
    const refused = await raw.workflow.getHandle(ids.refused).fetchHistory();
    const types = refused.events!.map((e) => e.eventType);
    expect(types).toContain(temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED);
    expect(types).toContain(temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
    expect(historyBytes(refused).includes(REFUSED_ID)).toBe(false);
    await mapPayloads(refused, (ps) => codec.decode(ps));
    expect(historyBytes(refused).includes(REFUSED_ID)).toBe(true);

    const control = await raw.workflow.getHandle(ids.control).fetchHistory();
    expect(historyBytes(control).includes(CONTROL_ID)).toBe(true);
  });

  it('the temporal CLI shows the ID number only through the codec endpoint, which it calls with X-Namespace and the token', async () => {
    const run = promisify(execFile);
    const { port } = codecServer.server.address() as { port: number };
    const show = (extra: string[]) =>
      run(
        binary('temporal'),
        ['workflow', 'show', '--address', server.address, '--namespace', 'default', '--workflow-id', ids.registered, '--output', 'json', ...extra],
        {
          env: { ...process.env, TEMPORAL_CONFIG_FILE: join(dir, 'no-temporal-config.toml') },
        },
      );
    // the JSON output gives payload data as base64: what it says, plus every data field decoded
    const revealed = (out: string) =>
      out + [...out.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8')).join('\n');
    const plain = await show([]);
    expect(plain.stdout).toContain(Buffer.from('binary/encrypted').toString('base64'));
    expect(revealed(plain.stdout)).not.toContain(ID_NUMBER);

    const decoded = await show(['--codec-endpoint', `http://127.0.0.1:${port}/codec`, '--codec-auth', ADMIN]);
    expect(decoded.stdout).not.toContain(Buffer.from('binary/encrypted').toString('base64'));
    expect(revealed(decoded.stdout)).toContain(ID_NUMBER);
    expect(seenByCodecServer.length).toBeGreaterThan(0);
    expect(seenByCodecServer.every((s) => s.namespace === 'default' && s.authorization === ADMIN)).toBe(true);

    // a wrong token: the endpoint answers 403, which the CLI retries until its deadline, then fails
    const refused = await show(['--codec-endpoint', `http://127.0.0.1:${port}/codec`, '--codec-auth', 'Bearer wrong', '--command-timeout', '3s']).then(
      (r) => ({ failed: false, out: r.stdout }),
      (e) => ({ failed: true, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
    );
    expect(refused.failed).toBe(true);
    expect(revealed(refused.out)).not.toContain(ID_NUMBER);
  });

  it("the dev server's SQLite database holds no ID number that went through the codec", async () => {
    for (const w of workers) w.shutdown();
    await Promise.allSettled(running);
    await connection.close();
    // a clean stop checkpoints the write-ahead log; the -wal file is searched as well in case it did not
    await server.stop();
    const files = [dbFile, `${dbFile}-wal`].filter(existsSync);
    const db = Buffer.concat(files.map((f) => readFileSync(f)));
    expect(db.length).toBeGreaterThan(0);
    expect(db.includes(CONTROL_ID)).toBe(true);
    expect(db.includes(ID_NUMBER)).toBe(false);
    expect(db.includes(REFUSED_ID)).toBe(false);
    expect(db.includes(Buffer.from('张三'))).toBe(true); // the control's name: the search sees UTF-8 too
  });
});
