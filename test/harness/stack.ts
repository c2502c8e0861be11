/**
 * What a `stack` test file uses: its own database and task queue on the shared dev server and
 * FerretDB (so files never see each other's data), or this jest worker's time-skipping server.
 */
import { randomUUID } from 'node:crypto';
import { relative } from 'node:path';
import { ROOT } from '../../infra/embedded';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, DefaultLogger, Worker, type WorkerOptions } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { loadSettings, type Settings } from '../../config';
import { createServices, type Services } from '../../infra/services';
import { createActivities } from '../../activities';
import { buildApp } from '../../app';
import { signToken, tokenAddressing } from '../../api/tokens';
import type { Caller } from '../../domain/roles';
import type { StackInfo } from './global-setup';
import { TestServerClock } from '../../infra/clock';
import { TEST_PAYLOAD_KEYS, testCodec, testDataConverter } from './payload-key';
export { TEST_PAYLOAD_KEYS, testCodec, testDataConverter };
import { baseInstant, nextStart } from './start-dates';
import { RECORD_DIR, recordHistories, startedRuns } from './record';

let runtimeInstalled = false;
function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    /* already installed in this process */
  }
}

export function stackInfo(): StackInfo {
  const raw = process.env.SKILLCERT_TEST_STACK;
  if (!raw) throw new Error('SKILLCERT_TEST_STACK is not set: run stack tests through jest (global setup)');
  return JSON.parse(raw);
}

export function uniqueName(prefix: string) {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export function testSettings(overrides: Record<string, string> = {}): Settings {
  return loadSettings({ APP_MODE: 'test', LOG_LEVEL: 'silent', TEMPORAL_TASK_QUEUE: uniqueName('tq'), PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, ...overrides });
}

/** This test file's own time-skipping server, started by the global setup. */
export function timeSkippingAddress(): string {
  const testPath = expect.getState().testPath ?? '';
  const address = stackInfo().timeSkipping[relative(ROOT, testPath)];
  if (!address)
    throw new Error(
      `no time-skipping server for ${testPath}: the global setup starts one for each test file that calls timeSkippingAddress(), timeSkippingEnv(), filingBed() or batchBed()`,
    );
  return address;
}

/** A time-skipping TestWorkflowEnvironment on this test file's own test server. */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  // TestWorkflowEnvironment.createTimeSkipping() would spawn a server per file; the SDK's own
  // factory also connects to a running one, with the test service and time skipping enabled.
  const create = (TestWorkflowEnvironment as any).create as (o: object) => Promise<TestWorkflowEnvironment>;
  return create.call(TestWorkflowEnvironment, {
    server: { type: 'existing' },
    address: timeSkippingAddress(),
    namespace: 'default',
    supportsTimeSkipping: true,
    connectionOptions: {},
    client: { dataConverter: testDataConverter },
  });
}

export interface DevStack {
  settings: Settings;
  services: Services;
  worker: Worker;
  app: FastifyInstance;
  token(claims: Partial<Caller> & Pick<Caller, 'role'>): Promise<string>;
  /** when recording (test/harness/record.ts): write the histories of the workflows started through the stack since the last call (afterEach) */
  record(): Promise<void>;
  close(): Promise<void>;
}

/** The API and a worker on the shared dev server and FerretDB, with a fresh database and task queue. */
export async function devStack(
  opts: {
    settings?: Record<string, string>;
    worker?: Partial<WorkerOptions>;
    mongoUri?: string;
    temporalAddress?: string;
    /** close() leaves the database as it is (the restore drill backs it up and restores it) */
    keepDatabase?: boolean;
  } = {},
): Promise<DevStack> {
  quietRuntime();
  const info = stackInfo();
  const settings = testSettings(opts.settings);
  const mongoUri = opts.mongoUri ?? `${info.mongoBase}/${uniqueName('t').replace(/-/g, '_')}`;
  const temporalAddress = opts.temporalAddress ?? info.devAddress;
  const services = await createServices(settings, { temporalAddress, mongoUri }, { codec: testCodec });
  if (services.clock instanceof TestServerClock) {
    // demo mode: the file's time-skipping server starts at the suite's fixed date, not today's
    const now = (await services.clock.now()).getTime();
    await services.clock.advance(nextStart(baseInstant(now) - 1) - now);
  }
  const started = startedRuns();
  if (RECORD_DIR) {
    // the API and the activities start workflows through a client that remembers them, for record()
    const { connection, namespace } = services.temporal;
    services.temporal.client = new Client({ connection, namespace, dataConverter: services.dataConverter, interceptors: { workflow: [started.interceptor] } });
  }
  const worker = await createTestWorker(services, opts.worker);
  const running = worker.run();
  const app = await buildApp(services);
  return {
    settings,
    services,
    worker,
    app,
    token: (claims) =>
      signToken(settings.AUTH_JWT_SECRET!, { sub: uniqueName('user'), name: '测试用户', ...claims } as Caller, '12h', tokenAddressing(settings)),
    record: () => recordHistories(services.temporal.client, started.take()),
    async close() {
      await app.close();
      worker.shutdown();
      await running.catch(() => undefined);
      if (!opts.keepDatabase) await services.db.dropDatabase().catch(() => undefined);
      await services.close();
    },
  };
}

export async function createTestWorker(services: Services, extra: Partial<WorkerOptions> = {}, connection?: WorkerOptions['connection']) {
  const { NativeConnection } = await import('@temporalio/worker');
  const conn = connection ?? (await NativeConnection.connect({ address: (services.temporal.connection as any).options.address }));
  return Worker.create({
    connection: conn,
    namespace: services.settings.TEMPORAL_NAMESPACE,
    taskQueue: services.settings.TEMPORAL_TASK_QUEUE,
    workflowBundle: { codePath: stackInfo().bundlePath },
    dataConverter: services.dataConverter,
    activities: createActivities({ models: services.models, client: services.temporal.client, taskQueue: services.settings.TEMPORAL_TASK_QUEUE }),
    ...extra,
  });
}
