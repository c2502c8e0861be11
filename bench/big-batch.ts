/**
 * (g) One batch of 20,000 candidates through the HTTP API, in demo mode on the time-skipping
 * server (so the exam days and the publicity pass in moments): plan, scores by one upload, the
 * result publicity, results, and the center's pass that certifies it. Measured:
 *   - the batch workflow's history size (target < 2 MB) and its largest payload (< 256 KB);
 *   - the time to certify (POST results-review pass until it answers `certified`) against a
 *     plain insertMany of the same certificate documents into a scratch collection (≤ 3×).
 */
import { performance } from 'node:perf_hooks';
import { NativeConnection, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { loadSettings } from '../config';
import { createServices } from '../infra/services';
import { startTestServer, type EmbeddedProcess } from '../infra/embedded';
import { buildApp } from '../app';
import { signToken } from '../api/tokens';
import { createActivities } from '../activities';
import { makeCreditCode, makeIdNumber } from '../domain/identifiers';
import { sampleApplication, sampleIdNumber, samplePlan } from '../scripts/samples';
import { chinaDateOf } from '../domain/dates';
import { certificateSchema } from '../models/batch';
import { batchWorkflowId } from '../workflows/batch/messages';
import type { Caller } from '../domain/roles';

const MB = 1024 * 1024;

export async function benchBigBatch(fdb: EmbeddedProcess, dataDir: string, n: number, log: (s: string) => void) {
  const ts = await startTestServer();
  const settings = loadSettings({ APP_MODE: 'demo', LOG_LEVEL: 'silent', TEMPORAL_TASK_QUEUE: 'bench-g', PUBLIC_RATE_LIMIT: '1000000', DATA_DIR: dataDir });
  const services = await createServices(settings, { temporalAddress: ts.address, mongoUri: `mongodb://${fdb.address}/bench_g` });
  const native = await NativeConnection.connect({ address: ts.address });
  const worker = await Worker.create({
    connection: native,
    taskQueue: 'bench-g',
    workflowsPath: require.resolve('../workflows'),
    dataConverter: services.dataConverter,
    activities: createActivities({ models: services.models, client: services.temporal.client, taskQueue: 'bench-g' }),
  });
  const running = worker.run();
  const app = await buildApp(services);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const tok = (sub: string, c: Omit<Caller, 'sub' | 'name'>) => signToken(settings.AUTH_JWT_SECRET!, { sub, name: sub, ...c } as Caller);
    const creditCode = makeCreditCode('91220101MA0000G01');
    const t = {
      inst: await tok('inst', { role: 'institution', province: '22', institutionId: creditCode }),
      pref: await tok('pref', { role: 'prefecture-reviewer', province: '22', prefecture: '220100' }),
      prov: await tok('prov', { role: 'province-reviewer', province: '22' }),
      admin: await tok('admin', { role: 'admin' }),
      center: await tok('center', { role: 'center', province: '22', prefecture: '220100' }),
      ea: await tok('ea', { role: 'expert', province: '22' }),
      eb: await tok('eb', { role: 'expert', province: '22' }),
      ec: await tok('ec', { role: 'expert', province: '22' }),
    };
    const call = async (method: string, path: string, body: unknown, token?: string) => {
      const r = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${text.slice(0, 300)}`);
      return JSON.parse(text);
    };
    const post = (path: string, body: unknown, token?: string) => call('POST', path, body, token);

    // a filing in force (the review path, as batches-demo.test.ts drives it)
    for (const [i, sub] of ['ea', 'eb', 'ec'].entries())
      await post('/experts', { userId: sub, name: sub, idNumber: makeIdNumber('220102', '19700101', 100 + i), province: '22' }, t.prov);
    const filing = await post('/filings', sampleApplication({ name: '大批次基准有限公司', creditCode }), t.inst);
    for (const [stage, e] of [
      ['preliminary-review', 'ea'],
      ['technical-assessment', 'eb'],
      ['comprehensive-review', 'ec'],
    ])
      await post(`/filings/${filing.id}/assignments`, { stage, expertIds: [e] }, t.pref);
    for (const [stage, token, extra] of [
      ['preliminary-review', t.ea, {}],
      ['technical-assessment', t.eb, { score: 90 }],
      ['comprehensive-review', t.ec, {}],
      ['deliberation', t.pref, {}],
    ] as const)
      await post(`/filings/${filing.id}/decisions`, { stage, outcome: 'pass', opinion: '通过', ...extra }, token);
    await post('/admin/clock/advance', { by: 'P9D' }, t.admin);
    await post(`/filings/${filing.id}/decisions`, { stage: 'notice', outcome: 'pass', opinion: '准予备案' }, t.prov);

    // n candidates with distinct, valid ID numbers (1,000 sequence numbers per birth day)
    const candidates = Array.from({ length: n }, (_x, i) => ({
      name: `考生${i}`,
      idNumber: sampleIdNumber(i, 1990),
      post: '车工',
      yearsInPost: 3,
      occupationCode: '6-18-01-01',
      level: [5, 4, 3][i % 3],
      employerCreditCode: creditCode,
    }));
    const now = (await call('GET', '/admin/clock', undefined, t.admin)).now as string;
    const first = (await call('GET', `/calendar/working-days?from=${chinaDateOf(Date.parse(now))}&add=10`, undefined)).date as string;
    const phases: Record<string, number> = {};
    const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      const r = await fn();
      phases[name] = (performance.now() - t0) / 1000;
      log(`    ${name}: ${phases[name].toFixed(1)} s`);
      return r;
    };
    const batch = await timed('plan', () => post('/batches', samplePlan(filing.id, first, candidates), t.inst));
    const id = batch.id as string;
    await post(`/batches/${id}/decisions`, { stage: 'plan-review', outcome: 'pass', opinion: '已收悉' }, t.center);
    await post('/admin/clock/advance', { by: 'P20D' }, t.admin);
    // one in ten fails the skill module
    const scores = candidates.map((c, i) => ({ idNumber: c.idNumber, theory: 75, skill: i % 10 === 9 ? 50 : 80 }));
    const scored = await timed('scores (one upload) and publicity', () => post(`/batches/${id}/scores`, { scores }, t.inst));
    if (scored.status !== 'publicity') throw new Error(`after the scores the batch is ${scored.status}`);
    await post('/admin/clock/advance', { by: 'P9D' }, t.admin);
    await timed('results', () => post(`/batches/${id}/results`, {}, t.inst));
    const done = await timed('certify', () => post(`/batches/${id}/decisions`, { stage: 'results-review', outcome: 'pass', opinion: '审核通过' }, t.center));
    if (done.status !== 'certified') throw new Error(`the batch is ${done.status}`);
    const passed = scores.filter((s) => s.skill >= 60).length;
    const issued = await services.models.Certificate.countDocuments({ batchId: id });
    if (issued !== passed) throw new Error(`issued ${issued} certificates for ${passed} passed candidates`);

    // the batch workflow's history: its size, and its largest payload
    const handle = services.temporal.client.workflow.getHandle(batchWorkflowId(id));
    const history = await handle.fetchHistory();
    // the history as the server stores and sends it (the time-skipping server does not report historySizeBytes)
    const historyBytes = temporal.api.history.v1.History.encode(history).finish().length;
    const largest = largestPayload(history);

    // baseline: the same certificate documents, one plain insertMany into a scratch collection
    const docs = await services.models.Certificate.find({ batchId: id }).lean();
    const Scratch = services.db.model('BigBatchCertificate', certificateSchema.clone(), 'bench_g_certificates');
    await Scratch.init();
    const t1 = performance.now();
    await Scratch.insertMany(docs, { ordered: false });
    const plain = (performance.now() - t1) / 1000;

    const bytes = historyBytes;
    return [
      {
        id: 'g',
        what: `certify one batch of ${n.toLocaleString('en')} candidates (${issued.toLocaleString('en')} certificates) through HTTP and its workflow`,
        value: phases.certify,
        unit: 's',
        baseline: plain,
        ratio: phases.certify / plain,
        target: '≤ 3.0',
        met: phases.certify / plain <= 3,
        note: `baseline: a plain insertMany of the same ${issued} certificate documents; plan ${phases.plan.toFixed(1)} s, scores and publicity ${phases['scores (one upload) and publicity'].toFixed(1)} s, results ${phases.results.toFixed(1)} s`,
      },
      {
        id: 'g',
        what: `batch history size (${history.events?.length ?? 0} events)`,
        value: bytes / MB,
        unit: 'MB',
        target: '< 2 MB',
        met: bytes > 0 && bytes < 2 * MB,
      },
      {
        id: 'g',
        what: 'largest payload in the batch history',
        value: largest / 1024,
        unit: 'KB',
        target: '< 256 KB',
        met: largest < 256 * 1024,
      },
    ];
  } finally {
    await app.close();
    worker.shutdown();
    await running.catch(() => undefined);
    await services.db.dropDatabase().catch(() => undefined);
    await services.close();
    await ts.stop();
  }
}

/** The largest payload (its data and metadata) anywhere in a history's events. */
function largestPayload(history: temporal.api.history.v1.IHistory): number {
  let max = 0;
  const walk = (v: unknown) => {
    if (!v || typeof v !== 'object') return;
    if (v instanceof Uint8Array) return;
    const o = v as Record<string, unknown>;
    if (o.data instanceof Uint8Array && ('metadata' in o || Object.keys(o).length <= 2)) {
      const meta = Object.values((o.metadata as Record<string, Uint8Array> | undefined) ?? {}).reduce((a, m) => a + (m?.length ?? 0), 0);
      max = Math.max(max, o.data.length + meta);
      return;
    }
    for (const x of Array.isArray(v) ? v : Object.values(o)) walk(x);
  };
  walk(history.events);
  return max;
}
