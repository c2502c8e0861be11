/**
 * Issue #14 part 4 on the real servers: every call the API makes into Temporal has a deadline
 * (TEMPORAL_CALL_TIMEOUT_MS); with no worker polling, or with Temporal stopped, the answer is 503
 * TEMPORAL_UNAVAILABLE with Retry-After — never a 500 or a hang — and the 503 is not kept under
 * the Idempotency-Key. /health says whether a worker polls the task queue. Cases are started with
 * REJECT_DUPLICATE: an old Idempotency-Key never starts a closed filing or batch again (409).
 * TRUST_PROXY makes the rate limits count clients behind a reverse proxy.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Worker } from '@temporalio/worker';
import { buildApp } from '../../app';
import { createServices } from '../../infra/services';
import { startTemporalDev, type EmbeddedProcess } from '../../infra/embedded';
import { signToken } from '../../api/tokens';
import { filingWorkflowId } from '../../workflows/filing/messages';
import { BATCH_WORKFLOW, batchWorkflowId } from '../../workflows/batch/messages';
import type { Caller } from '../../domain/roles';
import { createTestWorker, stackInfo, testSettings, uniqueName } from '../harness/stack';
import { http } from '../harness/http';
import { application } from '../fixtures/filing';
import { candidates, plan } from '../fixtures/batch';

const DEADLINE_MS = 2000;
/** what the answer may take beyond the deadline (inject, the database, a loaded machine) */
const SLACK_MS = 2500;

const mongoUri = () => `${stackInfo().mongoBase}/${uniqueName('t').replace(/-/g, '_')}`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = Date.now();
  const r = await fn();
  return [r, Date.now() - t0];
}

function expectUnavailable(r: { status: number; body: any; headers: Record<string, unknown> }) {
  expect(r.status).toBe(503);
  expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(r.body).toMatchObject({ status: 503, code: 'TEMPORAL_UNAVAILABLE', title: 'Service Unavailable' });
  expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
}

/** The API with a worker on the shared dev server; the worker can be stopped and started again. */
async function bed(overrides: Record<string, string> = {}, temporalAddress = stackInfo().devAddress) {
  const settings = testSettings({ TEMPORAL_CALL_TIMEOUT_MS: String(DEADLINE_MS), ...overrides });
  const services = await createServices(settings, { temporalAddress, mongoUri: mongoUri() });
  const app = await buildApp(services);
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const b = {
    settings,
    services,
    app,
    api: http(app),
    token: (c: Partial<Caller> & Pick<Caller, 'role'>) => signToken(settings.AUTH_JWT_SECRET!, { sub: uniqueName('user'), name: '测试', ...c } as Caller),
    async startWorker() {
      worker = await createTestWorker(services);
      running = worker.run();
    },
    async stopWorker() {
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await running?.catch(() => undefined);
      worker = undefined;
    },
    /** the same services, another task queue, on which no worker ever polls */
    async withoutWorker(): Promise<FastifyInstance> {
      const queue = uniqueName('nobody');
      return buildApp({
        ...services,
        settings: { ...settings, TEMPORAL_TASK_QUEUE: queue },
        temporal: { ...services.temporal, taskQueue: queue },
      });
    },
    async close() {
      await app.close();
      await b.stopWorker();
      await services.db.dropDatabase().catch(() => undefined);
      await services.close();
    },
  };
  return b;
}

type Bed = Awaited<ReturnType<typeof bed>>;

async function fileOne(b: Bed, opts: { key?: string } = {}) {
  const app = application({ province: '22', prefecture: '220100' });
  const inst = await b.token({ role: 'institution', province: '22', institutionId: app.institution.creditCode });
  const r = await b.api.post('/api/v1/filings', app, inst, opts.key ? { 'idempotency-key': opts.key } : {});
  expect(r.status).toBe(201);
  const pref = await b.token({ role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
  // the read model is written by the workflow's activity: wait until the reviewer finds the filing
  for (let i = 0; (await b.api.get(`/api/v1/filings/${r.body.id}`, pref)).status !== 200; i++) {
    if (i > 100) throw new Error('the filing never reached the read model');
    await new Promise((res) => setTimeout(res, 100));
  }
  return { id: r.body.id as string, app, inst, pref };
}

describe('no worker polls the task queue', () => {
  let b: Bed;
  beforeAll(async () => {
    b = await bed();
    await b.startWorker();
  });
  afterAll(async () => b?.close());

  it('/health says a worker polls, and on a task queue no worker polls says none (degraded, still 200: reads work)', async () => {
    // a worker that has just started shows among the task queue's pollers once it has polled: wait for that (a CI run saw it a moment late)
    let up = await b.app.inject({ method: 'GET', url: '/health' });
    for (let i = 0; i < 50 && up.json().worker !== 'up'; i++) {
      await new Promise((res) => setTimeout(res, 200));
      up = await b.app.inject({ method: 'GET', url: '/health' });
    }
    expect([up.statusCode, up.json()]).toEqual([200, { status: 'ok', temporal: 'up', mongo: 'up', worker: 'up' }]);
    const lonely = await b.withoutWorker();
    try {
      const down = await lonely.inject({ method: 'GET', url: '/health' });
      expect([down.statusCode, down.json()]).toEqual([200, { status: 'degraded', temporal: 'up', mongo: 'up', worker: 'down' }]);
    } finally {
      await lonely.close();
    }
  });

  it('an Update with the worker stopped is 503 with Retry-After within the deadline; the 503 is not kept under its Idempotency-Key', async () => {
    const { id, pref } = await fileOne(b);
    await b.stopWorker();
    const decide = () =>
      b.api.post(`/api/v1/filings/${id}/decisions`, { stage: 'deliberation', outcome: 'pass', opinion: '同意' }, pref, { 'idempotency-key': 'decide-1' });
    const [r, ms] = await timed(decide);
    expectUnavailable(r);
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 100);
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    // a worker again: the same request with the same key runs (the workflow's own answer), it is no replay of the 503
    await b.startWorker();
    const again = await decide();
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect([again.status, again.body.code]).toEqual([409, 'STAGE_MISMATCH']);
    // and that answer is the one kept
    const third = await decide();
    expect([third.status, third.headers['idempotent-replayed']]).toEqual([409, 'true']);
  });

  it('POST /filings on a task queue without a worker is 503 within its two deadlines (the start is taken, the state cannot be read)', async () => {
    const lonely = await b.withoutWorker();
    try {
      const app = application({ province: '22', prefecture: '220100' });
      const inst = await b.token({ role: 'institution', province: '22', institutionId: app.institution.creditCode });
      const kept = await b.services.models.Idempotency.countDocuments({});
      const [r, ms] = await timed(() => http(lonely).post('/api/v1/filings', app, inst, { 'idempotency-key': 'no-worker-filing' }));
      expectUnavailable(r);
      // two waits on Temporal, each with the deadline: the read model the worker would write, then a query
      expect(ms).toBeLessThan(2 * DEADLINE_MS + SLACK_MS);
      expect(await b.services.models.Idempotency.countDocuments({})).toBe(kept);
    } finally {
      await lonely.close();
    }
  });
});

describe('Temporal stopped', () => {
  let server: EmbeddedProcess;
  let b: Bed;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skillcert-outage-'));
    server = await startTemporalDev({ headless: true, logFile: join(dir, 'temporal.log') });
    b = await bed({}, server.address);
    await b.startWorker();
  });
  afterAll(async () => {
    await b?.close();
    await server?.stop().catch(() => undefined);
  });

  it('a start, an Update and /health answer 503 within the deadline, not 500 and not a hang', async () => {
    const { id, pref } = await fileOne(b);
    await b.stopWorker();
    await server.stop();

    const decision = await timed(() => b.api.post(`/api/v1/filings/${id}/decisions`, { stage: 'deliberation', outcome: 'pass', opinion: '同意' }, pref));
    expectUnavailable(decision[0]);
    expect(decision[1]).toBeLessThan(DEADLINE_MS + SLACK_MS);

    const app = application({ province: '22', prefecture: '220100' });
    const inst = await b.token({ role: 'institution', province: '22', institutionId: app.institution.creditCode });
    const start = await timed(() => b.api.post('/api/v1/filings', app, inst, { 'idempotency-key': 'while-down' }));
    expectUnavailable(start[0]);
    expect(start[1]).toBeLessThan(DEADLINE_MS + SLACK_MS);
    expect(await b.services.models.Idempotency.countDocuments({})).toBe(0);

    // reads come from the read models: they still answer
    expect((await b.api.get(`/api/v1/filings/${id}`, pref)).status).toBe(200);

    const health = await b.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ status: 'degraded', temporal: 'down', mongo: 'up', worker: 'down' });
  });
});

describe('a closed case is never started again (REJECT_DUPLICATE)', () => {
  let b: Bed;
  beforeAll(async () => {
    b = await bed();
    await b.startWorker();
  });
  afterAll(async () => b?.close());

  /** The key's stored answer has expired (kept a day): the request runs again. */
  const forgetKeys = () => b.services.models.Idempotency.updateMany({}, { $set: { expiresAt: new Date(0) } });

  it('POST /filings with the key of a filing that has ended is 409 ALREADY_EXISTS, and no new run starts', async () => {
    const { id, app, inst } = await fileOne(b, { key: 'file-once' });
    const handle = b.services.temporal.client.workflow.getHandle(filingWorkflowId(id));
    const { runId } = await handle.describe();
    await handle.terminate('ended for the test');
    await forgetKeys();
    const again = await b.api.post('/api/v1/filings', app, inst, { 'idempotency-key': 'file-once' });
    expect([again.status, again.body.code]).toEqual([409, 'ALREADY_EXISTS']);
    const now = await handle.describe();
    expect([now.runId, now.status.name]).toEqual([runId, 'TERMINATED']);
  });

  it('a retried POST /filings while the filing runs is still the same filing (201), not a refusal', async () => {
    const { id, app, inst } = await fileOne(b, { key: 'file-twice' });
    await forgetKeys();
    const again = await b.api.post('/api/v1/filings', app, inst, { 'idempotency-key': 'file-twice' });
    expect([again.status, again.body.id]).toEqual([201, id]);
  });

  it('POST /batches with the key of a batch that has ended is 409 ALREADY_EXISTS, and no new run starts', async () => {
    const { id, app } = await fileOne(b);
    const sub = 'inst-batch-reuse';
    const token = await signToken(b.settings.AUTH_JWT_SECRET!, {
      sub,
      name: '机构',
      role: 'institution',
      province: '22',
      institutionId: app.institution.creditCode,
    } as Caller);
    // the batch id the route derives from this caller's key (api/cases.ts caseIdSuffix), closed before
    const batchId = `B${app.institution.creditCode.slice(2, 8)}-${createHash('sha256').update(`${sub}\nplan-once`).digest('hex').slice(0, 12)}`;
    const client = b.services.temporal.client;
    const old = await client.workflow.start(BATCH_WORKFLOW, { workflowId: batchWorkflowId(batchId), taskQueue: uniqueName('nobody'), args: [{}] });
    await old.terminate('ended for the test');
    const body = { filingId: id, ...plan(app, '2042-06-03', '2042-06-04', candidates(app, [4])) };
    const r = await b.api.post('/api/v1/batches', body, token, { 'idempotency-key': 'plan-once' });
    expect([r.status, r.body.code]).toEqual([409, 'ALREADY_EXISTS']);
    const now = await client.workflow.getHandle(batchWorkflowId(batchId)).describe();
    expect([now.runId, now.status.name]).toEqual([old.firstExecutionRunId, 'TERMINATED']);
  });
});

describe('TRUST_PROXY', () => {
  let b: Bed;
  beforeAll(async () => {
    b = await bed({ PUBLIC_RATE_LIMIT: '2' });
  });
  afterAll(async () => b?.close());

  /** Three look-ups from each of two clients, all through one reverse proxy at 10.0.0.5. */
  async function twoClients(app: FastifyInstance) {
    const lookup = (client: string) =>
      app.inject({ method: 'GET', url: '/api/v1/certificates/S000000000000000000', remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': client } });
    const statuses: Record<string, number[]> = {};
    for (const client of ['198.51.100.1', '198.51.100.2']) {
      statuses[client] = [];
      for (let i = 0; i < 3; i++) statuses[client].push((await lookup(client)).statusCode);
    }
    return statuses;
  }

  it('unset, every client behind the proxy shares the proxy address budget', async () => {
    const s = await twoClients(b.app);
    expect(s['198.51.100.1'].slice(0, 2)).not.toContain(429);
    expect(s['198.51.100.1'][2]).toBe(429);
    expect(s['198.51.100.2']).toEqual([429, 429, 429]);
  });

  it.each([['10.0.0.0/8'], ['true']])('TRUST_PROXY=%s: each client behind the proxy has a budget of its own', async (trust) => {
    const app = await buildApp({
      ...b.services,
      settings: { ...b.settings, ...testSettings({ TRUST_PROXY: trust, PUBLIC_RATE_LIMIT: '2' }), TEMPORAL_TASK_QUEUE: b.settings.TEMPORAL_TASK_QUEUE },
    });
    try {
      const s = await twoClients(app);
      for (const client of ['198.51.100.1', '198.51.100.2']) {
        expect(s[client].slice(0, 2)).not.toContain(429);
        expect(s[client][2]).toBe(429);
      }
    } finally {
      await app.close();
    }
  });

  it('a listed proxy only: X-Forwarded-For from an address not listed is not believed', async () => {
    const app = await buildApp({ ...b.services, settings: { ...b.settings, TRUST_PROXY: ['192.0.2.1'] } });
    try {
      const s = await twoClients(app);
      expect(s['198.51.100.2']).toEqual([429, 429, 429]);
    } finally {
      await app.close();
    }
  });
});
