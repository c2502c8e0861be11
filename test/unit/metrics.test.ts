import Fastify, { type FastifyInstance } from 'fastify';
import metricsPlugin, { ApiMetrics, countTemporalError, defaultApiMetrics, observeUpdate, type MetricsPluginOptions } from '../../api/plugins/metrics';
import { loadSettings, nthWorkerMetricsAddress, workerMetricsAddress } from '../../config';
import { ApplicationFailure } from '@temporalio/common';
import { errorKindOf, TemporalCallTimeout } from '../../api/cases';

/** An app shaped like api/app.ts: routes under /api/v1 in a child plugin. */
async function app(opts: MetricsPluginOptions = {}): Promise<FastifyInstance> {
  const a = Fastify({ logger: false });
  await a.register(metricsPlugin, opts);
  await a.register(
    async (api) => {
      api.get('/filings/:id', async (req) => ({ id: (req.params as { id: string }).id }));
      api.post('/filings/:id/decisions', async (_req, reply) => reply.code(409).send({ code: 'INVALID_STATE' }));
      api.get('/boom', async () => {
        throw new Error('boom');
      });
    },
    { prefix: '/api/v1' },
  );
  await a.ready();
  return a;
}

/** The value of one sample line of the exposition, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('metrics plugin', () => {
  let metrics: ApiMetrics;
  let a: FastifyInstance;
  beforeEach(async () => {
    metrics = new ApiMetrics();
    a = await app({ metrics });
  });
  afterEach(() => a.close());
  const scrape = async () => {
    const res = await a.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    return res.body;
  };

  it('serves the Prometheus text format', async () => {
    const res = await a.inject({ method: 'GET', url: '/metrics' });
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('# TYPE http_request_duration_seconds histogram');
    expect(res.body).toContain('# TYPE temporal_update_duration_seconds histogram');
    expect(res.body).toContain('# TYPE temporal_call_errors_total counter');
  });

  it('counts requests by route pattern, method and status; the raw URL (with its ids) never becomes a label', async () => {
    for (const id of ['F-2026-0001', 'F-2026-0002', 'F-2026-0003']) await a.inject({ method: 'GET', url: `/api/v1/filings/${id}?x=1` });
    await a.inject({ method: 'POST', url: '/api/v1/filings/F-2026-0001/decisions' });
    await a.inject({ method: 'GET', url: '/api/v1/boom' });
    await a.inject({ method: 'GET', url: '/no/such/F-2026-0009' });
    const text = await scrape();
    const count = (labels: Record<string, string>) => sample(text, 'http_request_duration_seconds_count', labels);
    expect(count({ route: '/api/v1/filings/:id', method: 'GET', status: '200' })).toBe(3);
    expect(count({ route: '/api/v1/filings/:id/decisions', method: 'POST', status: '409' })).toBe(1);
    expect(count({ route: '/api/v1/boom', method: 'GET', status: '500' })).toBe(1);
    expect(count({ route: 'unmatched', method: 'GET', status: '404' })).toBe(1);
    expect(text).not.toContain('F-2026-');
    expect(sample(text, 'http_request_duration_seconds_bucket', { route: '/api/v1/filings/:id', le: '+Inf' })).toBe(3);

    await a.inject({ method: 'GET', url: '/api/v1/filings/F-2026-0004' });
    expect(sample(await scrape(), 'http_request_duration_seconds_count', { route: '/api/v1/filings/:id', method: 'GET', status: '200' })).toBe(4);
  });

  it('observes Update durations and counts Temporal errors by kind', async () => {
    metrics.observeUpdate('decide', 0.2);
    metrics.observeUpdate('decide', 3);
    await metrics.timeUpdate('assign', async () => 'ok');
    await expect(metrics.timeUpdate('assign', async () => Promise.reject(new Error('rejected')))).rejects.toThrow('rejected');
    metrics.countTemporalError('unavailable');
    metrics.countTemporalError('unavailable');
    metrics.countTemporalError('update-rejected');
    metrics.countTemporalError('身份证号 220102198503120013'); // not a kind: folded, never exposed
    const text = await scrape();
    expect(sample(text, 'temporal_update_duration_seconds_count', { name: 'decide' })).toBe(2);
    expect(sample(text, 'temporal_update_duration_seconds_sum', { name: 'decide' })).toBeCloseTo(3.2);
    expect(sample(text, 'temporal_update_duration_seconds_bucket', { name: 'decide', le: '0.25' })).toBe(1);
    expect(sample(text, 'temporal_update_duration_seconds_count', { name: 'assign' })).toBe(2);
    expect(sample(text, 'temporal_call_errors_total', { kind: 'unavailable' })).toBe(2);
    expect(sample(text, 'temporal_call_errors_total', { kind: 'update-rejected' })).toBe(1);
    expect(sample(text, 'temporal_call_errors_total', { kind: 'other' })).toBe(1);
    expect(text).not.toContain('220102198503120013');
  });

  it('collects business gauges at each scrape; labels that went away disappear', async () => {
    let open = [
      { labels: { stage: 'review', province: '22' }, value: 7 },
      { labels: { stage: 'publicity', province: '22' }, value: 2 },
    ];
    let calls = 0;
    metrics.registerGauge('skillcert_open_filings', 'Filings not yet decided, by stage', ['stage', 'province'], async () => {
      calls++;
      return open;
    });
    let text = await scrape();
    expect(sample(text, 'skillcert_open_filings', { stage: 'review', province: '22' })).toBe(7);
    expect(sample(text, 'skillcert_open_filings', { stage: 'publicity', province: '22' })).toBe(2);
    open = [{ labels: { stage: 'review', province: '22' }, value: 5 }];
    text = await scrape();
    expect(sample(text, 'skillcert_open_filings', { stage: 'review', province: '22' })).toBe(5);
    expect(text).not.toContain('stage="publicity"');
    expect(calls).toBe(2);
  });

  it('a failing or slow gauge is left empty and counted, without failing the scrape', async () => {
    const errors: string[] = [];
    const m = new ApiMetrics({ collectTimeoutMs: 100, onCollectError: (g) => errors.push(g) });
    m.registerGauge('skillcert_broken', 'fails', [], async () => Promise.reject(new Error('database down')));
    m.registerGauge('skillcert_slow', 'hangs', [], () => new Promise(() => undefined));
    let fail = false;
    m.registerGauge('skillcert_labelled', 'fails the second time', ['kind'], async () =>
      fail ? Promise.reject(new Error('x')) : [{ labels: { kind: 'a' }, value: 3 }],
    );
    m.registerGauge('skillcert_fine', 'works', ['kind'], async () => [{ labels: { kind: 'a' }, value: 1 }]);
    const b = await app({ metrics: m });
    try {
      expect(sample((await b.inject({ method: 'GET', url: '/metrics' })).body, 'skillcert_labelled', { kind: 'a' })).toBe(3);
      fail = true;
      const res = await b.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(sample(res.body, 'skillcert_fine', { kind: 'a' })).toBe(1);
      expect(res.body).toMatch(/^skillcert_broken nan$/im); // unknown, not 0 (prom-client writes Nan, which Prometheus reads as NaN)
      expect(res.body).not.toMatch(/^skillcert_labelled\{/m);
      // this scrape's failures are in this scrape's counter
      expect(sample(res.body, 'metrics_collect_errors_total', { gauge: 'skillcert_broken' })).toBe(2);
      expect(sample(res.body, 'metrics_collect_errors_total', { gauge: 'skillcert_slow' })).toBe(2);
      expect(sample(res.body, 'metrics_collect_errors_total', { gauge: 'skillcert_labelled' })).toBe(1);
      expect(errors.sort()).toEqual(['skillcert_broken', 'skillcert_broken', 'skillcert_labelled', 'skillcert_slow', 'skillcert_slow']);
    } finally {
      await b.close();
    }
  });

  it('registering a gauge name again replaces the earlier one', async () => {
    metrics.registerGauge('skillcert_batches', 'b', [], async () => [{ labels: {}, value: 1 }]);
    metrics.registerGauge('skillcert_batches', 'b', [], async () => [{ labels: {}, value: 2 }]);
    expect(await scrape()).toMatch(/^skillcert_batches 2$/m);
  });

  it('with authorize, /metrics is closed to others (401 without a token, 403 with a wrong one)', async () => {
    const b = await app({ metrics: new ApiMetrics(), authorize: async (req) => req.headers.authorization === 'Bearer scraper' });
    try {
      expect((await b.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      expect((await b.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer nope' } })).statusCode).toBe(403);
      const ok = await b.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scraper' } });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('http_request_duration_seconds');
    } finally {
      await b.close();
    }
  });

  it('the module-level helpers feed the shared instance, which also has process metrics', async () => {
    const b = await app();
    try {
      observeUpdate('decide', 0.5);
      countTemporalError('timeout');
      expect(b.metrics).toBe(defaultApiMetrics());
      const text = (await b.inject({ method: 'GET', url: '/metrics' })).body;
      expect(sample(text, 'temporal_update_duration_seconds_count', { name: 'decide' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'temporal_call_errors_total', { kind: 'timeout' })).toBeGreaterThanOrEqual(1);
      expect(text).toContain('process_cpu_seconds_total');
      expect(text).toContain('nodejs_eventloop_lag_seconds');
    } finally {
      await b.close();
    }
  });
});

describe('metrics settings', () => {
  const prod = { APP_MODE: 'production', AUTH_JWT_SECRET: 'Zk3v9Qw7Lp2Xr8Tn4Bm6Yc1Hd5Js0Gf-' } as const;

  it("METRICS_TOKEN: at least 16 characters, and in production a strong secret like AUTH_JWT_SECRET's", () => {
    expect(() => loadSettings({ APP_MODE: 'development', METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(loadSettings({ APP_MODE: 'development', METRICS_TOKEN: 'sixteen-chars-ok' }).METRICS_TOKEN).toBe('sixteen-chars-ok');
    expect(() => loadSettings({ ...prod, METRICS_TOKEN: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' })).toThrow(/METRICS_TOKEN: too weak/);
    expect(loadSettings({ ...prod, METRICS_TOKEN: 'Mq8Rt2Vx6Zb1Nc5Hd9Kf3Lg7Pj0Ws4Ye' }).METRICS_TOKEN).toBe('Mq8Rt2Vx6Zb1Nc5Hd9Kf3Lg7Pj0Ws4Ye');
  });

  it('WORKER_METRICS_ADDRESS: 127.0.0.1:9464 in development, off elsewhere unless set; off turns it off; loopback only in development and demo', () => {
    expect(workerMetricsAddress(loadSettings({ APP_MODE: 'development' }))).toBe('127.0.0.1:9464');
    expect(workerMetricsAddress(loadSettings({ APP_MODE: 'development', WORKER_METRICS_ADDRESS: 'off' }))).toBeUndefined();
    expect(workerMetricsAddress(loadSettings({ APP_MODE: 'demo' }))).toBeUndefined();
    expect(workerMetricsAddress(loadSettings(prod))).toBeUndefined();
    expect(workerMetricsAddress(loadSettings({ ...prod, WORKER_METRICS_ADDRESS: '10.0.0.5:9464' }))).toBe('10.0.0.5:9464');
    expect(() => loadSettings({ APP_MODE: 'development', WORKER_METRICS_ADDRESS: '0.0.0.0:9464' })).toThrow(
      /WORKER_METRICS_ADDRESS: development mode listens on a loopback/,
    );
    expect(() => loadSettings({ APP_MODE: 'development', WORKER_METRICS_ADDRESS: '9464' })).toThrow(/WORKER_METRICS_ADDRESS/);
  });

  it('the production stack gives each worker its own port: the n-th gets port + n - 1', () => {
    expect([0, 1, 2].map((n) => nthWorkerMetricsAddress('127.0.0.1:9464', n))).toEqual(['127.0.0.1:9464', '127.0.0.1:9465', '127.0.0.1:9466']);
    expect(nthWorkerMetricsAddress('[::1]:9464', 1)).toBe('[::1]:9465');
    expect(() => nthWorkerMetricsAddress('127.0.0.1:65535', 1)).toThrow(/port 65536/);
  });
});

describe('temporal_call_errors_total kinds (api/cases.ts errorKindOf)', () => {
  const grpc = (code: number) => Object.assign(new Error('grpc'), { code, details: 'd', metadata: {} });

  it('an outage by its gRPC status or deadline, a refusal, or internal', () => {
    expect(errorKindOf(grpc(14))).toBe('unavailable');
    expect(errorKindOf(grpc(8))).toBe('resource_exhausted');
    expect(errorKindOf(Object.assign(new Error('wrapped'), { cause: grpc(4) }))).toBe('deadline_exceeded');
    expect(errorKindOf(new TemporalCallTimeout(10))).toBe('deadline_exceeded');
    expect(errorKindOf(ApplicationFailure.create({ type: 'INVALID_STATE', message: 'no', nonRetryable: true }))).toBe('refused');
    expect(errorKindOf(new Error('a bug'))).toBe('internal');
  });
});
