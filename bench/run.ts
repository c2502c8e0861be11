/**
 * npm run bench: every figure measured in one run on the embedded stack, each as a ratio to a
 * baseline taken beside it on the same servers (so a slow or noisy machine moves both).
 *
 *   (a) throughput: filings driven over HTTP through the review path, per second, against a bare
 *       workflow driven through the same number of Temporal Updates and activities
 *   (b) decision latency: p50/p99 of POST /filings/:id/decisions against a bare Update round trip
 *   (c) certificate query: GET /certificates/:number under load (autocannon, 32 connections, in a
 *       process of its own, over 2,000 numbers) against GET /livez of the same app process; and
 *       the same look-ups with the process's cache off (CERTIFICATE_CACHE_SECONDS=0)
 *   (d) worker memory: worker RSS with 2,000 and 10,000 open filings waiting on timers
 *   (e) history length: events in a filing's longest run after 9 simulated years
 *   (f) certificates: issuing 10,000 certificates for one batch against a plain insertMany
 *   (g) a batch of 20,000 candidates through HTTP and its workflow (demo mode): history size,
 *       largest payload, and the time to certify against a plain insertMany of its certificates
 *   (h) plugin stack: GET /livez through the whole app against a bare Fastify hello server, both
 *       in processes of their own and driven by autocannon with 32 connections
 *
 *   npm run bench -- [--only a,b,c,d,e,f,g,h] [--filings 10000] [--quick] [--cpu-prof DIR]
 *   npm run bench -- --stack production [--only a,b,c,f] [--quick] [--cpu-prof DIR]   (bench/production.ts)
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { NativeConnection, Worker, Runtime, DefaultLogger } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadSettings, type Settings } from '../config';
import { createServices, type Services } from '../infra/services';
import { buildApp } from '../app';
import { signToken } from '../api/tokens';
import { createActivities } from '../activities';
import { startFerretDB, startTemporalDev, startTestServer, ROOT, type EmbeddedProcess } from '../infra/embedded';
import { makeCreditCode, makeIdNumber } from '../domain/identifiers';
import type { Application } from '../domain/filing';
import { sampleApplication } from '../scripts/samples';
import { policyForProvince } from '../domain/filing-policy';
import { addMonths } from '../domain/dates';
import { FILING_WORKFLOW, filingWorkflowId, assignExpertsUpdate, decideUpdate, renewalUpdate, changeUpdate, stateQuery } from '../workflows/filing/messages';
import type { Caller } from '../domain/roles';
import { stepUpdate } from './bare-workflows';
import { ratioFigure, report, type Figure } from './report';
import { cannon, type LoadJob } from './cannon';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    candidates: { type: 'string', default: '20000' },
    filings: { type: 'string', default: '10000' },
    quick: { type: 'boolean', default: false },
    // (c)/(h): the servers run under `node --cpu-prof`, their profiles written into this directory
    'cpu-prof': { type: 'string' },
    stack: { type: 'string', default: 'embedded' },
  },
});
if (args.stack !== 'embedded' && args.stack !== 'production') throw new Error(`--stack embedded|production (got ${args.stack})`);
// the production stack measures (a), (b), (c) and (f), and (a) with one and two workers
const only = new Set((args.only ?? (args.stack === 'production' ? 'a,b,c,f' : 'a,b,c,d,e,f,g,h')).split(','));
const quick = args.quick!;

const figures: Figure[] = [];
const log = (s: string) => console.log(s);

let seq = 0;
function application(): Application {
  seq += 1;
  const creditCode = makeCreditCode(`91220101MB${String(process.pid % 1000).padStart(3, '0')}${String(seq).padStart(4, '0')}`.slice(0, 17));
  return sampleApplication({ name: `基准测试机构${seq}`, creditCode });
}

export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

export async function pool<T>(items: T[], concurrency: number, fn: (t: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dir = mkdtempSync(join(tmpdir(), 'skillcert-bench-'));
  const servers: EmbeddedProcess[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const [dev, fdb] = await Promise.all([startTemporalDev({ headless: true }), startFerretDB({ dataDir: join(dir, 'fdb') })]);
    servers.push(dev, fdb);
    // no public rate limit here: the figures are the routes' cost, not the limiter's
    // DATA_DIR: the run's payload key is generated there (payloads are encrypted, as in production)
    const settings = loadSettings({ APP_MODE: 'test', LOG_LEVEL: 'silent', TEMPORAL_TASK_QUEUE: 'bench', PUBLIC_RATE_LIMIT: '1000000', DATA_DIR: dir });
    const services = await createServices(settings, { temporalAddress: dev.address, mongoUri: `mongodb://${fdb.address}/bench` });
    cleanups.push(() => services.close());
    const native = await NativeConnection.connect({ address: dev.address });
    const worker = await Worker.create({
      connection: native,
      taskQueue: 'bench',
      workflowsPath: require.resolve('../workflows'),
      dataConverter: services.dataConverter,
      activities: createActivities({ models: services.models, client: services.temporal.client, taskQueue: 'bench' }),
      maxCachedWorkflows: 2000,
      reuseV8Context: true,
    });
    const bare = await Worker.create({
      connection: native,
      taskQueue: 'bare',
      workflowsPath: require.resolve('./bare-workflows'),
      // the client encrypts its payloads (DATA_DIR's key): the bare worker must read them, and pays the codec as the app does
      dataConverter: services.dataConverter,
      activities: { touch: async (n: number) => n + 1 },
      maxCachedWorkflows: 2000,
      reuseV8Context: true,
    });
    const runs = [worker.run(), bare.run()];
    cleanups.push(async () => {
      worker.shutdown();
      bare.shutdown();
      await Promise.allSettled(runs);
    });
    const app = await buildApp(services);
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    const tokens = await makeTokens(settings);
    await registerExperts(base, tokens);

    if (only.has('a') || only.has('b')) await throughputAndLatency(base, tokens, services);
    if (only.has('c') || only.has('h')) await loadFigures(dir, dev, fdb, services);
    if (only.has('d')) await workerMemory(dev, fdb, settings);
    if (only.has('e')) await historyLength(dir, fdb, services.dataConverter);
    if (only.has('f')) await certificates(services);
    if (only.has('g')) await bigBatch(fdb, dir);
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    for (const s of servers) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  report(figures, 'latest', { quick });
}

export type Tokens = Record<string, string>;
export async function makeTokens(settings: Settings): Promise<Tokens> {
  const s = settings.AUTH_JWT_SECRET!;
  const t = (c: Caller) => signToken(s, c);
  return {
    pref: await t({ sub: 'pref', name: 'pref', role: 'prefecture-reviewer', province: '22', prefecture: '220100' }),
    prov: await t({ sub: 'prov', name: 'prov', role: 'province-reviewer', province: '22' }),
    ea: await t({ sub: 'ea', name: 'ea', role: 'expert', province: '22' }),
    eb: await t({ sub: 'eb', name: 'eb', role: 'expert', province: '22' }),
    ec: await t({ sub: 'ec', name: 'ec', role: 'expert', province: '22' }),
    secret: s,
  };
}

async function post(base: string, path: string, body: unknown, token: string) {
  const r = await fetch(`${base}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${path} → ${r.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

export async function registerExperts(base: string, t: Tokens) {
  for (const [i, sub] of ['ea', 'eb', 'ec'].entries())
    await post(base, '/experts', { userId: sub, name: sub, idNumber: makeIdNumber('220102', '19700101', 100 + i), province: '22' }, t.prov);
}

/** One filing through the review path over HTTP: 1 start, 3 assignments, 4 decisions (8 requests, 7 Updates). */
export async function driveFiling(base: string, t: Tokens, latencies?: number[]) {
  const app = application();
  const inst = await signToken(t.secret, { sub: `i${seq}`, name: 'i', role: 'institution', province: '22', institutionId: app.institution.creditCode });
  const { id } = await post(base, '/filings', app, inst);
  for (const [stage, e] of [
    ['preliminary-review', 'ea'],
    ['technical-assessment', 'eb'],
    ['comprehensive-review', 'ec'],
  ]) {
    await post(base, `/filings/${id}/assignments`, { stage, expertIds: [e] }, t.pref);
  }
  for (const [stage, tok, extra] of [
    ['preliminary-review', t.ea, {}],
    ['technical-assessment', t.eb, { score: 90 }],
    ['comprehensive-review', t.ec, {}],
    ['deliberation', t.pref, {}],
  ] as const) {
    const t0 = performance.now();
    await post(base, `/filings/${id}/decisions`, { stage, outcome: 'pass', opinion: '通过', ...extra }, tok);
    latencies?.push(performance.now() - t0);
  }
}

export async function driveBare(services: Services, latencies?: number[]) {
  const h = await services.temporal.client.workflow.start('bareFiling', { taskQueue: 'bare', workflowId: `bare-${seq++}-${Math.random()}`, args: [7] });
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    await h.executeUpdate(stepUpdate, { args: [i] });
    if (i >= 3) latencies?.push(performance.now() - t0);
  }
  await h.result();
}

async function throughputAndLatency(base: string, t: Tokens, services: Services) {
  const n = quick ? 10 : 40;
  const concurrency = 8;
  log(`(a) throughput: ${n} filings through the review path over HTTP, ${concurrency} at a time, against the bare workflow`);
  await driveFiling(base, t); // warm-up
  await driveBare(services);
  const t0 = performance.now();
  await pool(Array.from({ length: n }), concurrency, () => driveFiling(base, t));
  const sys = n / ((performance.now() - t0) / 1000);
  const t1 = performance.now();
  await pool(Array.from({ length: n }), concurrency, () => driveBare(services));
  const bareRate = n / ((performance.now() - t1) / 1000);
  figures.push(ratioFigure({ id: 'a', what: 'filings per second (review path, 8 requests each)', value: sys, unit: '/s', baseline: bareRate, atLeast: 0.5 }));

  const m = quick ? 10 : 30;
  log(`(b) decision latency: ${m * 4} sequential decisions against ${m * 4} bare Update round trips`);
  const lat: number[] = [];
  const bareLat: number[] = [];
  for (let i = 0; i < m; i++) await driveFiling(base, t, lat);
  for (let i = 0; i < m; i++) await driveBare(services, bareLat);
  figures.push(ratioFigure({ id: 'b50', what: 'POST /decisions p50', value: pct(lat, 50), unit: 'ms', baseline: pct(bareLat, 50) }));
  figures.push(ratioFigure({ id: 'b99', what: 'POST /decisions p99', value: pct(lat, 99), unit: 'ms', baseline: pct(bareLat, 99), atMost: 2 }));
}

/**
 * A server of bench/serve.ts in a process of its own: the whole app on the bench's stack, or a
 * bare Fastify hello server. The app logs at `info` into a file, as a deployed API process does.
 */
async function startServer(
  kind: 'app' | 'bare',
  dir: string,
  env: Record<string, string> = {},
): Promise<{ base: string; pid: number; stats: () => Promise<{ hits: number; misses: number; size: number }>; stop: () => Promise<void> }> {
  const logFd = openSync(join(dir, `serve-${kind}.log`), 'a');
  const prof = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${join(args['cpu-prof'], kind)}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', join(ROOT, 'bench/serve.ts'), kind], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', logFd, 'inherit', 'ipc'],
  });
  closeSync(logFd);
  const base = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { address: string }) => resolve(m.address));
    child.once('exit', (code) => reject(new Error(`bench/serve.ts ${kind} exited ${code}`)));
  });
  return {
    base,
    pid: child.pid!,
    // the certificate look-up cache's counts (bench/serve.ts)
    stats: () =>
      new Promise((resolve) => {
        child.once('message', (m: { stats: { hits: number; misses: number; size: number } }) => resolve(m.stats));
        child.send('stats');
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * (c) and (h), each driven by autocannon in its own process against servers in processes of
 * their own (bench/serve.ts): the app on the bench's stack with PUBLIC_RATE_LIMIT raised so no
 * 429 is counted, and a bare Fastify hello server beside it.
 */
/** (h) at one fixed request rate, below what either server can serve on 2 cores */
const FIXED_RATE = 4000;

async function loadFigures(dir: string, dev: EmbeddedProcess, fdb: EmbeddedProcess, services: Services) {
  const seconds = quick ? 4 : 10;
  const numbers = only.has('c') ? await seedCertificates(services) : [];
  const appEnv = {
    APP_MODE: 'test',
    LOG_LEVEL: 'info',
    TEMPORAL_ADDRESS: dev.address,
    MONGODB_URI: `mongodb://${fdb.address}/bench`,
    TEMPORAL_TASK_QUEUE: 'bench',
    PUBLIC_RATE_LIMIT: '1000000',
  };
  const app = await startServer('app', dir, appEnv);
  const bare = only.has('h') ? await startServer('bare', dir) : undefined;
  // the same app with the look-up cache off: what a look-up costs when it is not kept
  const uncached = only.has('c') ? await startServer('app', dir, { ...appEnv, CERTIFICATE_CACHE_SECONDS: '0' }) : undefined;
  try {
    if (only.has('c')) {
      for (const server of [app, uncached!]) {
        const probe = await fetch(`${server.base}/api/v1/certificates/${numbers[0]}`);
        if (probe.status !== 200) throw new Error(`certificate lookup answered ${probe.status}`);
      }
    }
    log(`(c)/(h) autocannon in its own process, 32 connections, ${seconds} s per route in alternating 1 s turns; servers in processes of their own`);
    const jobs: LoadJob[] = [{ base: app.base, pid: app.pid, paths: ['/livez'] }];
    if (bare) jobs.push({ base: bare.base, pid: bare.pid, paths: ['/livez'] });
    const lookups = numbers.map((n) => `/api/v1/certificates/${n}`);
    // FerretDB's CPU is counted apart: with one database round trip per look-up it is what limits (c)
    const backendPids = [fdb.child.pid!];
    if (uncached) jobs.push({ base: uncached.base, pid: uncached.pid, paths: lookups, spread: true, backendPids });
    // each connection starts at its own place in the numbers, so they do not ask for one number in step
    if (only.has('c')) jobs.push({ base: app.base, pid: app.pid, paths: lookups, spread: true, backendPids });
    const before = only.has('c') ? await app.stats() : undefined;
    const results = await cannon(jobs, seconds);
    const livez = results[0];
    log(`    app GET /livez: ${livez.perSecond.toFixed(0)} /s, ${livez.cpuMicrosPerRequest.toFixed(0)} µs CPU each (p50 ${livez.p50} ms, p99 ${livez.p99} ms)`);
    if (bare) {
      const hello = results[1];
      log(
        `    bare Fastify GET /livez: ${hello.perSecond.toFixed(0)} /s, ${hello.cpuMicrosPerRequest.toFixed(0)} µs CPU each (p50 ${hello.p50} ms, p99 ${hello.p99} ms)`,
      );
      figures.push(
        ratioFigure({
          id: 'h',
          what: 'GET /livez per second through the whole app, 32 connections',
          value: livez.perSecond,
          unit: '/s',
          baseline: hello.perSecond,
          atLeast: 0.5,
          note: `baseline: a bare Fastify hello server (GET /livez) in the same kind of process; load from autocannon in a process of its own; server CPU per request ${livez.cpuMicrosPerRequest.toFixed(0)} µs against ${hello.cpuMicrosPerRequest.toFixed(0)} µs (ratio ${(hello.cpuMicrosPerRequest / livez.cpuMicrosPerRequest).toFixed(2)})`,
        }),
      );
      // At full speed the bare server outruns autocannon, and the slower app pays for waking the
      // idle load generator on every answer (measured: a bare server with a 45 µs spin in its
      // handler cost 66 µs an answer at full speed). At one fixed rate both sides idle alike, so
      // the CPU per answer compares the plugin stacks alone.
      const [appAt, bareAt] = await cannon(
        [
          { base: app.base, pid: app.pid, paths: ['/livez'], rate: FIXED_RATE },
          { base: bare.base, pid: bare.pid, paths: ['/livez'], rate: FIXED_RATE },
        ],
        seconds,
      );
      log(
        `    at ${FIXED_RATE} /s each: app ${appAt.cpuMicrosPerRequest.toFixed(0)} µs CPU an answer, bare ${bareAt.cpuMicrosPerRequest.toFixed(0)} µs (${appAt.perSecond.toFixed(0)} and ${bareAt.perSecond.toFixed(0)} /s served)`,
      );
      figures.push(
        ratioFigure({
          id: 'h',
          what: `server CPU per GET /livez answer at a fixed ${FIXED_RATE.toLocaleString('en')} /s, whole app against bare Fastify`,
          value: appAt.cpuMicrosPerRequest,
          unit: 'µs',
          baseline: bareAt.cpuMicrosPerRequest,
          atMost: 2,
          note: `the cost of the plugin stack without the load generator's part: ≤ 2.0 is what ≥ 0.50 of the rate would be if neither side waited for the other`,
        }),
      );
    }
    if (only.has('c')) {
      const cert = results[results.length - 1];
      const cold = results[results.length - 2];
      const after = await app.stats();
      const hits = after.hits - before!.hits;
      const hitRate = hits / (hits + after.misses - before!.misses);
      log(
        `    app GET /api/v1/certificates/:number, ${numbers.length} numbers: ${cert.perSecond.toFixed(0)} /s, ${cert.cpuMicrosPerRequest.toFixed(0)} µs CPU each in the API process and ${cert.backendCpuMicrosPerRequest.toFixed(0)} µs in FerretDB (p50 ${cert.p50} ms, p99 ${cert.p99} ms); look-up cache hit rate ${(100 * hitRate).toFixed(1)} % (${after.size} numbers kept at the end)`,
      );
      log(
        `    the same with CERTIFICATE_CACHE_SECONDS=0 (another app process): ${cold.perSecond.toFixed(0)} /s, ${cold.cpuMicrosPerRequest.toFixed(0)} µs CPU each in the API process and ${cold.backendCpuMicrosPerRequest.toFixed(0)} µs in FerretDB (p50 ${cold.p50} ms, p99 ${cold.p99} ms)`,
      );
      figures.push(
        ratioFigure({
          id: 'c',
          what: 'GET /certificates/:number per second, 32 connections',
          value: cert.perSecond,
          unit: '/s',
          baseline: livez.perSecond,
          atLeast: 0.8,
          note: `baseline: GET /livez of the same app process; load from autocannon in a process of its own, over ${numbers.length} certificate numbers, each connection from its own place; API process CPU per request ${cert.cpuMicrosPerRequest.toFixed(0)} µs against ${livez.cpuMicrosPerRequest.toFixed(0)} µs, and FerretDB's ${cert.backendCpuMicrosPerRequest.toFixed(0)} µs per look-up; look-up cache (CERTIFICATE_CACHE_SECONDS default) hit rate ${(100 * hitRate).toFixed(1)} %`,
        }),
      );
      figures.push(
        ratioFigure({
          id: 'c',
          what: 'GET /certificates/:number per second with CERTIFICATE_CACHE_SECONDS=0, 32 connections',
          value: cold.perSecond,
          unit: '/s',
          baseline: livez.perSecond,
          note: `every look-up a FerretDB round trip (${cold.cpuMicrosPerRequest.toFixed(0)} µs API CPU and ${cold.backendCpuMicrosPerRequest.toFixed(0)} µs FerretDB CPU each)`,
        }),
      );
    }
  } finally {
    await uncached?.stop();
    await bare?.stop();
    await app.stop();
  }
}

/** 2,000 valid certificates in the bench database; their numbers. */
async function seedCertificates(services: Services): Promise<string[]> {
  const { buildCertificateCode } = await import('../domain/certificate-code');
  const numbers: string[] = [];
  const docs = Array.from({ length: 2000 }, (_, i) => {
    const number = buildCertificateCode({ kind: 'Y', province: '22', institutionSequence: 97, issueYear: 2026, level: 4, serial: i + 1 });
    numbers.push(number);
    return {
      _id: number,
      holder: { name: '张三', idNumber: makeIdNumber('220102', '19900101', i % 1000), sex: 'M' },
      occupation: { code: '6-18-01-01', name: '车工' },
      trade: null,
      level: 4,
      institution: { creditCode: 'bench', name: '基准', code: 'Y000022000097', province: '22', kind: 'Y' },
      batchId: 'bench',
      issueYear: 2026,
      serial: i + 1,
      issuedAt: new Date(),
      status: 'valid',
      revocation: null,
    };
  });
  await services.models.Certificate.insertMany(docs);
  return numbers;
}

async function workerMemory(dev: EmbeddedProcess, fdb: EmbeddedProcess, settings: Settings) {
  const total = quick ? 1000 : Number(args.filings);
  const checkpoint = Math.min(2000, Math.floor(total / 5));
  log(`(d) worker memory: ${total} open filings waiting on timers, RSS of a separate worker process at ${checkpoint} and ${total}`);
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'worker.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      APP_MODE: 'test',
      DATA_DIR: settings.dataDir,
      TEMPORAL_ADDRESS: dev.address,
      MONGODB_URI: `mongodb://${fdb.address}/benchmem`,
      TEMPORAL_TASK_QUEUE: 'bench-mem',
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
  const services = await createServices(settings, { temporalAddress: dev.address, mongoUri: `mongodb://${fdb.address}/benchmem` });
  try {
    const policy = policyForProvince('22');
    const actor = { sub: 'bench', name: 'bench', role: 'institution' as const };
    let started = 0;
    const startBlock = async (count: number) => {
      await pool(Array.from({ length: count }), 64, async () => {
        const a = application();
        const filingId = `BM-${started++}-${a.institution.creditCode}`;
        await services.temporal.client.workflow.start(FILING_WORKFLOW, {
          taskQueue: 'bench-mem',
          workflowId: filingWorkflowId(filingId),
          args: [{ filingId, application: a, policy, submittedBy: { ...actor, institutionId: a.institution.creditCode } }],
        });
      });
    };
    const settle = async (n: number) => {
      const deadline = Date.now() + 30 * 60_000;
      while ((await services.models.Filing.estimatedDocumentCount()) < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
      await new Promise((r) => setTimeout(r, 3000));
    };
    const t0 = performance.now();
    await startBlock(checkpoint);
    await settle(checkpoint);
    const at2k = rss();
    await startBlock(total - checkpoint);
    await settle(total);
    const atAll = rss();
    log(`    ${total} filings open in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    figures.push({
      id: 'd',
      what: `worker RSS with ${total} open filings`,
      value: atAll,
      unit: 'MB',
      baseline: at2k,
      ratio: atAll / at2k,
      target: '≤ 500 MB, ratio ≤ 1.10',
      met: atAll <= 500 && atAll / at2k <= 1.1,
      note: `baseline: RSS at ${checkpoint} open filings`,
    });
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await services.close();
  }
}

async function historyLength(dir: string, fdb: EmbeddedProcess, dataConverter: DataConverter) {
  log('(e) history length: one filing over 9 simulated years (three renewals, one change) on the time-skipping server');
  const ts = await startTestServer();
  try {
    const create = (TestWorkflowEnvironment as any).create as (o: object) => Promise<TestWorkflowEnvironment>;
    const env = await create.call(TestWorkflowEnvironment, {
      server: { type: 'existing' },
      address: ts.address,
      namespace: 'default',
      supportsTimeSkipping: true,
      connectionOptions: {},
      client: { dataConverter },
    });
    const { connectDatabase } = await import('../models');
    const db = await connectDatabase(`mongodb://${fdb.address}/benchhist`);
    const w = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'hist',
      workflowsPath: require.resolve('../workflows'),
      dataConverter,
      activities: createActivities({ models: db.models, client: env.client, taskQueue: 'hist' }),
    });
    await w.runUntil(async () => {
      const a = application();
      const inst = { sub: 'inst', name: 'inst', role: 'institution' as const, province: '22', institutionId: a.institution.creditCode };
      const pref = { sub: 'pref', name: 'pref', role: 'prefecture-reviewer' as const, province: '22', prefecture: '220100' };
      const prov = { sub: 'prov', name: 'prov', role: 'province-reviewer' as const, province: '22' };
      const expert = (s: string) => ({ sub: s, name: s, role: 'expert' as const, province: '22' });
      const filingId = 'HIST-1';
      const h = await env.client.workflow.start(FILING_WORKFLOW, {
        taskQueue: 'hist',
        workflowId: filingWorkflowId(filingId),
        args: [{ filingId, application: a, policy: policyForProvince('22'), submittedBy: inst }],
      });
      const runIds = new Set<string>();
      const track = async () => runIds.add((await h.describe()).runId);
      const handle = () => env.client.workflow.getHandle(filingWorkflowId(filingId));
      for (const [stage, e] of [
        ['preliminary-review', 'ea'],
        ['technical-assessment', 'eb'],
        ['comprehensive-review', 'ec'],
      ]) {
        await handle().executeUpdate(assignExpertsUpdate, { args: [{ stage, experts: [{ userId: e, name: e }], actor: pref }] });
      }
      for (const [stage, actor, score] of [
        ['preliminary-review', expert('ea'), undefined],
        ['technical-assessment', expert('eb'), 90],
        ['comprehensive-review', expert('ec'), undefined],
        ['deliberation', pref, undefined],
      ] as const) {
        await handle().executeUpdate(decideUpdate, { args: [{ stage, outcome: 'pass', opinion: '通过', score, actor }] });
      }
      await track();
      await env.sleep(9 * 86_400_000);
      await handle().executeUpdate(decideUpdate, { args: [{ stage: 'notice', outcome: 'pass', opinion: '准予备案', actor: prov }] });
      await env.sleep(60_000);
      await track();
      const prov2 = { ...prov, sub: 'prov2' };
      for (let renewal = 0; renewal < 3; renewal++) {
        if (renewal === 1) {
          // one change along the way
          await handle().executeUpdate(changeUpdate, { args: [{ change: { address: '吉林省长春市新址' }, actor: inst }] });
          await track();
          await handle().executeUpdate(assignExpertsUpdate, {
            args: [{ stage: 'technical-assessment', experts: [{ userId: 'eb', name: 'eb' }], actor: pref }],
          });
          await handle().executeUpdate(assignExpertsUpdate, {
            args: [{ stage: 'comprehensive-review', experts: [{ userId: 'ec', name: 'ec' }], actor: pref }],
          });
          await handle().executeUpdate(decideUpdate, {
            args: [{ stage: 'technical-assessment', outcome: 'pass', opinion: '通过', score: 90, actor: expert('eb') }],
          });
          await handle().executeUpdate(decideUpdate, { args: [{ stage: 'comprehensive-review', outcome: 'pass', opinion: '通过', actor: expert('ec') }] });
          await handle().executeUpdate(decideUpdate, { args: [{ stage: 'change', outcome: 'pass', opinion: '同意变更', actor: pref }] });
          await env.sleep(60_000);
          await track();
        }
        const s = await handle().query(stateQuery);
        // a batch's exams now and then (the signals a real institution's batches send); apply in time, 4 months before expiry
        const { examsHeldSignal } = await import('../workflows/filing/messages');
        const applyAt = Date.parse(`${addMonths(s.notice!.validUntil, -4)}T10:00:00+08:00`);
        const half = (applyAt - (await env.currentTimeMs())) / 2;
        for (let k = 0; k < 2; k++) {
          await env.sleep(half);
          const today = new Date((await env.currentTimeMs()) + 8 * 3_600_000).toISOString().slice(0, 10);
          await handle().signal(examsHeldSignal, { batchId: `b${renewal}${k}`, lastExamDate: today });
        }
        await handle().executeUpdate(renewalUpdate, { args: [{ actor: inst }] });
        await track();
        await handle().executeUpdate(decideUpdate, { args: [{ stage: 'renewal', outcome: 'pass', opinion: '评估合格', actor: pref }] });
        await handle().executeUpdate(decideUpdate, { args: [{ stage: 'notice', outcome: 'pass', opinion: '准予续期', actor: renewal % 2 ? prov : prov2 }] });
        await env.sleep(60_000);
        await track();
      }
      const lengths: number[] = [];
      for (const runId of runIds) {
        const hist = await env.client.workflow.getHandle(filingWorkflowId(filingId), runId).fetchHistory();
        lengths.push(hist.events?.length ?? 0);
      }
      const longest = Math.max(...lengths);
      const final = await handle().query(stateQuery);
      figures.push({
        id: 'e',
        what: 'events in the longest run after 9 simulated years',
        value: longest,
        unit: 'events',
        baseline: lengths.reduce((a, b) => a + b, 0),
        ratio: longest / lengths.reduce((a, b) => a + b, 0),
        target: '≤ 2000',
        met: longest <= 2000,
        note: `${runIds.size} runs seen, ${final.runs} continue-as-new, status ${final.status}, valid until ${final.notice?.validUntil}; baseline: all runs' events together`,
      });
      await h.terminate('bench over').catch(() => undefined);
    });
    await db.conn.close();
    await env.teardown();
  } finally {
    await ts.stop();
  }
}

async function certificates(services: Services) {
  const n = quick ? 1000 : 10_000;
  log(`(f) certificates: issuing ${n} for one batch against a plain insertMany`);
  const { benchCertificates } = await import('./certificates');
  figures.push(await benchCertificates(services, n, 'bench'));
}

async function bigBatch(fdb: EmbeddedProcess, dir: string) {
  const n = quick ? 2000 : Number(args.candidates);
  log(`(g) one batch of ${n} candidates: plan, scores, publicity, results, certify`);
  const { benchBigBatch } = await import('./big-batch');
  figures.push(...(await benchBigBatch(fdb, dir, n, log)));
}

// bench/production.ts imports the drivers above; only `npm run bench` runs a bench
if (require.main === module) {
  // --stack production: (a), (b), (c), (f) and two workers against one on the production stack (bench/production.ts)
  (args.stack === 'production' ? import('./production').then((m) => m.main({ only, quick, cpuProf: args['cpu-prof'] })) : main()).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
