/**
 * Prometheus metrics of the API on a registry of its own (not prom-client's global one, so that
 * nothing a dependency registers leaks into /metrics and tests can use fresh instances):
 *
 * - http_request_duration_seconds{route,method,status}: `route` is the route pattern
 *   (`/api/v1/filings/:id`), never the URL, so case ids cannot multiply the series; requests that
 *   match no route count as `unmatched`;
 * - temporal_update_duration_seconds{name} and temporal_call_errors_total{kind}, fed by the code
 *   that calls Temporal through observeUpdate / timeUpdate / countTemporalError;
 * - business gauges registered with async collect callbacks (open filings, batches by state …),
 *   collected at scrape time; one that fails or is slow has no value in that scrape (no series;
 *   NaN without labels) and is counted in metrics_collect_errors_total{gauge}, without failing
 *   the scrape;
 * - process metrics (CPU, memory, event loop lag, GC) on the shared default instance.
 *
 * Registered through fastify-plugin, so its onResponse hook sees every route of the app, those in
 * child plugins included.
 */
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { problem } from '../problems';

export interface GaugeSample {
  labels: Record<string, string | number>;
  value: number;
}

export interface ApiMetricsOptions {
  /** process metrics (CPU, memory, event loop, GC); default false, true on the shared instance */
  defaultMetrics?: boolean;
  /** a gauge's collect callback taking longer is abandoned for that scrape; default 5000 ms */
  collectTimeoutMs?: number;
  /** told about a failed collect (the gauge name and the error), e.g. to log it */
  onCollectError?: (gauge: string, err: unknown) => void;
}

/** Label values from callers are names (update names, error kinds); anything else is folded into `other`. */
const labelValue = (v: string) => (/^[A-Za-z0-9_.:/-]{1,64}$/.test(v) ? v : 'other');

export class ApiMetrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'route' | 'method' | 'status'>;
  readonly updateDuration: Histogram<'name'>;
  readonly temporalErrors: Counter<'kind'>;
  private readonly collectErrors: Counter<'gauge'>;
  private readonly gauges = new Map<string, RegisteredGauge>();
  private readonly collectTimeoutMs: number;

  constructor(private readonly opts: ApiMetricsOptions = {}) {
    this.collectTimeoutMs = opts.collectTimeoutMs ?? 5000;
    const registers = [this.registry];
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      // routes that run a Temporal Update wait for the workflow: seconds, not milliseconds
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.updateDuration = new Histogram({
      name: 'temporal_update_duration_seconds',
      help: 'Time for a Temporal Workflow Update to be accepted and completed, by update name',
      labelNames: ['name'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.temporalErrors = new Counter({
      name: 'temporal_call_errors_total',
      help: 'Failed calls to Temporal, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.collectErrors = new Counter({
      name: 'metrics_collect_errors_total',
      help: 'Gauge collections that failed or timed out (the gauge had no value in that scrape: no series, or NaN without labels)',
      labelNames: ['gauge'],
      registers,
    });
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  observeUpdate(name: string, seconds: number): void {
    this.updateDuration.observe({ name: labelValue(name) }, seconds);
  }

  countTemporalError(kind: string): void {
    this.temporalErrors.inc({ kind: labelValue(kind) });
  }

  /** Runs an Update call and observes its duration, whether it succeeds or fails. */
  async timeUpdate<T>(name: string, call: () => Promise<T>): Promise<T> {
    const end = this.updateDuration.startTimer({ name: labelValue(name) });
    try {
      return await call();
    } finally {
      end();
    }
  }

  /**
   * A gauge whose samples `collect` computes at each scrape. Registering a name again replaces the
   * earlier gauge, so building the app twice in one process (tests) keeps the latest callback.
   */
  registerGauge(name: string, help: string, labelNames: readonly string[], collect: () => Promise<GaugeSample[]>): void {
    if (this.gauges.has(name)) this.registry.removeSingleMetric(name);
    const gauge = new Gauge({ name, help, labelNames: [...labelNames], registers: [this.registry] });
    this.gauges.set(name, { gauge, collect, labelless: labelNames.length === 0 });
  }

  /** The Prometheus text exposition of everything above, gauges collected first. */
  async text(): Promise<string> {
    // collected here rather than in prom-client's per-metric collect hooks, which run while
    // earlier metrics are already serialized: a failure must show in this scrape's error counter
    await Promise.all([...this.gauges].map(([name, g]) => this.collectGauge(name, g)));
    return this.registry.metrics();
  }

  private async collectGauge(name: string, { gauge, collect, labelless }: RegisteredGauge): Promise<void> {
    let samples: GaugeSample[];
    try {
      samples = await withTimeout(collect(), this.collectTimeoutMs, `gauge ${name}`);
    } catch (err) {
      // no value rather than last scrape's, which would pass for current; a gauge without labels
      // cannot be absent in prom-client (it prints 0), so it reads NaN
      gauge.reset();
      if (labelless) gauge.set(NaN);
      this.collectErrors.inc({ gauge: name });
      this.opts.onCollectError?.(name, err);
      return;
    }
    gauge.reset(); // after the await, so labels that went away disappear
    for (const s of samples) gauge.set(s.labels, s.value);
  }
}

interface RegisteredGauge {
  gauge: Gauge<string>;
  collect: () => Promise<GaugeSample[]>;
  labelless: boolean;
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`${what} took longer than ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

let shared: ApiMetrics | undefined;

/** The process's instance: what the plugin uses unless given another, and what the helpers below feed. */
export function defaultApiMetrics(): ApiMetrics {
  return (shared ??= new ApiMetrics({ defaultMetrics: true }));
}

/** For code that calls Temporal without a Fastify instance at hand (api/temporal-calls.ts). */
export const observeUpdate = (name: string, seconds: number) => defaultApiMetrics().observeUpdate(name, seconds);
export const countTemporalError = (kind: string) => defaultApiMetrics().countTemporalError(kind);
export const timeUpdate = <T>(name: string, call: () => Promise<T>) => defaultApiMetrics().timeUpdate(name, call);
export const registerGauge = (name: string, help: string, labelNames: readonly string[], collect: () => Promise<GaugeSample[]>) =>
  defaultApiMetrics().registerGauge(name, help, labelNames, collect);

export interface MetricsPluginOptions {
  /** default: defaultApiMetrics() */
  metrics?: ApiMetrics;
  /** when given, /metrics answers only if it resolves true (e.g. a scraper's bearer token); production should give one */
  authorize?: (request: FastifyRequest) => Promise<boolean>;
  /** default `/metrics` */
  path?: string;
  /** merged into the route's config, e.g. `{ action: '…' }` for the app's auth plugin */
  routeConfig?: Record<string, unknown>;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ApiMetrics;
  }
}

export default fp(
  async (app, opts: MetricsPluginOptions) => {
    const metrics = opts.metrics ?? defaultApiMetrics();
    app.decorate('metrics', metrics);

    app.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
      metrics.httpDuration.observe(
        { route: req.routeOptions.url ?? 'unmatched', method: req.method, status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
      done();
    });

    app.get(opts.path ?? '/metrics', { config: { ...opts.routeConfig }, schema: { hide: true } }, async (req, reply) => {
      if (opts.authorize && !(await opts.authorize(req))) {
        const status = req.headers.authorization ? 403 : 401;
        if (status === 401) reply.header('www-authenticate', 'Bearer');
        return reply
          .code(status)
          .type('application/problem+json')
          .send(problem(status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', 'Metrics are for the monitoring system only', {}, status));
      }
      return reply
        .type(metrics.registry.contentType)
        .header('cache-control', 'no-store')
        .send(await metrics.text());
    });
  },
  { name: 'metrics' },
);
