/**
 * Issue #14 part 4, "/metrics answers on the worker and the API", on the real servers:
 * - the API's GET /metrics (Prometheus text) for the monitoring system's METRICS_TOKEN or an
 *   admin's token, and nobody else; after requests it holds the route histogram, the Update
 *   latency and Temporal errors fed by api/cases.ts, and the business gauges computed from the
 *   read models on FerretDB;
 * - a worker process (`worker.ts`, as npm start runs it) with WORKER_METRICS_ADDRESS serves the
 *   SDK's runtime metrics, `temporal_…` series, at that address.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, freePort } from '../../infra/embedded';
import { devStack, stackInfo, TEST_PAYLOAD_KEYS, uniqueName, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { application } from '../fixtures/filing';

const METRICS_TOKEN = 'scraper-3f9a1c7e5b2d8046e1f0a9c4b7d2e6f1';

/** The value of the first sample line of `name` carrying `labels`, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && want.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('GET /metrics on the API', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const scrape = async () => {
    const r = await s.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return r.body;
  };

  beforeAll(async () => {
    s = await devStack({ settings: { METRICS_TOKEN } });
    api = http(s.app);
  });
  afterAll(async () => s?.close());

  it('answers the monitoring token and an admin; refuses the public (401), a wrong token (401) and other roles (403)', async () => {
    const anon = await api.get('/metrics');
    expect([anon.status, anon.body.code]).toEqual([401, 'UNAUTHORIZED']);
    expect(anon.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await api.get('/metrics', 'not-the-token')).status).toBe(401);
    expect((await api.get('/metrics', await s.token({ role: 'province-reviewer', province: '22' }))).status).toBe(403);
    expect((await api.get('/metrics', await s.token({ role: 'admin' }))).status).toBe(200);
    await scrape();
    // the monitoring token stands for no person: it opens /metrics and nothing else
    expect((await api.get('/api/v1/tasks', METRICS_TOKEN)).status).toBe(401);
  });

  it('after requests: the route histogram by pattern, Update latency, Temporal errors by kind, and the business gauges', async () => {
    const a = application({ province: '22', prefecture: '220100' });
    const inst = await s.token({ role: 'institution', province: '22', institutionId: a.institution.creditCode });
    const created = await api.post('/api/v1/filings', a, inst);
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    const pref = await s.token({ role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
    // a decision for a stage the filing is not at: the workflow's Update validator refuses it (409)
    const refused = await api.post(`/api/v1/filings/${id}/decisions`, { stage: 'deliberation', outcome: 'pass', opinion: '同意' }, pref);
    expect(refused.status).toBe(409);
    for (let i = 0; (await api.get(`/api/v1/filings/${id}`, pref)).status !== 200; i++) {
      if (i > 100) throw new Error('the filing never reached the read model');
      await new Promise((r) => setTimeout(r, 100));
    }
    // read models of other provinces (written here as their workflows' activities would): an
    // overdue filing, a certified batch with its certificates, a batch still planned
    const { Filing, Batch } = s.services.models;
    const base = { version: 1, escalation: 1, estimated: false, assignees: [], waitingOn: [], state: '{}' };
    await Filing.create({
      ...base,
      _id: 'F-metrics-1',
      status: 'in-review',
      stage: 'technical-assessment',
      province: '21',
      prefecture: '210100',
      institutionId: 'X',
      dueAt: new Date(Date.now() - 86_400_000),
    });
    const batch = {
      ...base,
      filingId: 'F-metrics-1',
      province: '21',
      prefecture: '210100',
      institutionId: 'X',
      dueAt: null,
      supervisors: [],
      publicity: null,
      publicityEndsAt: null,
    };
    await Batch.create({ ...batch, _id: 'B-metrics-1', status: 'certified', stage: null, certificates: 5 });
    await Batch.create({ ...batch, _id: 'B-metrics-2', status: 'planned', stage: 'plan-review', certificates: 0 });

    const text = await scrape();
    expect(sample(text, 'http_request_duration_seconds_count', { route: '/api/v1/filings', method: 'POST', status: '201' })).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count', { route: '/api/v1/filings/:id/decisions', method: 'POST', status: '409' })).toBe(1);
    expect(
      sample(text, 'http_request_duration_seconds_bucket', { route: '/api/v1/filings/:id', method: 'GET', status: '200', le: '+Inf' }),
    ).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(id); // route patterns, never URLs
    expect(text).not.toContain(a.institution.creditCode);
    expect(text).toMatch(/^temporal_update_duration_seconds_count\{name="[\w-]+"\} [1-9]/m);
    expect(sample(text, 'temporal_call_errors_total', { kind: 'refused' })).toBeGreaterThanOrEqual(1);
    // the business gauges, each one aggregation over a read model on FerretDB
    expect(sample(text, 'skillcert_open_filings', { province: '22' })).toBe(1);
    expect(sample(text, 'skillcert_open_filings', { stage: 'technical-assessment', province: '21' })).toBe(1);
    expect(sample(text, 'skillcert_overdue_steps', { province: '21', kind: 'filing' })).toBe(1);
    expect(sample(text, 'skillcert_overdue_steps', { province: '22' })).toBeUndefined();
    expect(sample(text, 'skillcert_batches', { status: 'certified', province: '21' })).toBe(1);
    expect(sample(text, 'skillcert_batches', { status: 'planned', province: '21' })).toBe(1);
    expect(sample(text, 'skillcert_certificates_issued', { province: '21' })).toBe(5);
    expect(sample(text, 'metrics_collect_errors_total')).toBeUndefined();
    expect(text).toContain('process_cpu_seconds_total');
  });
});

describe("the worker's runtime metrics", () => {
  it('a worker started with WORKER_METRICS_ADDRESS serves temporal_ series there', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const info = stackInfo();
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'worker.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        APP_MODE: 'test',
        LOG_LEVEL: 'warn',
        TEMPORAL_ADDRESS: info.devAddress,
        MONGODB_URI: `${info.mongoBase}/${uniqueName('wm').replace(/-/g, '_')}`,
        TEMPORAL_TASK_QUEUE: uniqueName('tq'),
        PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
        WORKER_METRICS_ADDRESS: address,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      // the exporter listens from Runtime.install; the worker's own series appear once it polls
      let text = '';
      for (let i = 0; !/^temporal_\w+/m.test(text) || !output.includes('polling task queue'); i++) {
        if (i > 600 || child.exitCode !== null) throw new Error(`no temporal_ series at ${address}; worker said:\n${output}`);
        await new Promise((r) => setTimeout(r, 250));
        text = await fetch(`http://${address}/metrics`)
          .then((r) => r.text())
          .catch(() => '');
      }
      expect(output).toContain(`runtime metrics at http://${address}/metrics`);
      expect(text).toMatch(/^# TYPE temporal_\w+ \w+$/m);
      expect(text).toMatch(/^temporal_\w+\{[^}]*task_queue="tq-/m);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 240_000);
});
