/**
 * npm run bench -- --stack production [--only a,b,c,f] [--quick] [--cpu-prof DIR]: figures (a), (b),
 * (c) and (f) on the production stack (infra/production.ts: PostgreSQL 15, Temporal Server as four
 * processes, FerretDB on PostgreSQL, compiled workers, the API cluster), started on a temp DATA_DIR
 * and free ports by startScratchProductionStack (provisioned and built first, as chaos does), each
 * against a baseline taken on the same servers in the same run:
 *
 *   (a) filings per second over HTTP through the API cluster's port (the embedded bench's review
 *       path) against the bare workflow, run by a bare worker in this process on its own task queue
 *       of the stack's Temporal Server
 *   (w) (a) with the stack's two workers against one: worker-2 is stopped and started again on the
 *       same stack (2, 1, 2 workers), the two-worker rate the mean of the runs either side
 *   (b) POST /decisions p50/p99 against the bare Update round trip on the same server
 *   (c) GET /certificates/:number through the API cluster, autocannon in a process of its own
 *       cycling through 2,000 seeded numbers, against GET /livez of the same cluster
 *   (f) issuing 10,000 certificates (the activity, in this process, against the stack's Temporal
 *       and FerretDB on PostgreSQL) against a plain insertMany on the same FerretDB
 *
 * Results: bench/results/latest-production.json and .md (the embedded run keeps latest.*).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { NativeConnection, Worker, Runtime, DefaultLogger } from '@temporalio/worker';
import { startScratchProductionStack, type ProductionStack } from '../infra/production';
import { createServices, type Services } from '../infra/services';
import { makeIdNumber } from '../domain/identifiers';
import { buildCertificateCode } from '../domain/certificate-code';
import { driveBare, driveFiling, makeTokens, pct, pool, registerExperts, type Tokens } from './run';
import { ratioFigure, report, type Figure } from './report';
import { cannon, type LoadResult } from './cannon';
import { cpuOf, withChildren } from './cpu';

const log = (s: string) => console.log(s);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
/** the bare workflow's task queue on the stack's server (driveBare's): the stack's workers never poll it */
const BARE_QUEUE = 'bare';

export async function main(opts: { only: Set<string>; quick: boolean; cpuProf?: string }) {
  const { only, quick } = opts;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const figures: Figure[] = [];
  const loads: Record<string, string> = { start: load() };
  log(`load average at start: ${loads.start} (uptime: ${execFileSync('uptime').toString().trim()})`);
  const dir = mkdtempSync(join(tmpdir(), 'skillcert-prodbench-'));
  let stack: ProductionStack | undefined;
  let services: Services | undefined;
  let bare: { worker: Worker; run: Promise<void> } | undefined;
  // the stack's processes run in process groups of their own: a Ctrl-C reaches only this process, which stops them
  const interrupted = () => {
    log('interrupted: stopping the stack');
    void (stack?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  try {
    const started = Date.now();
    const up = await startScratchProductionStack({
      dir,
      env: {
        // as deployed: request logs at info into the processes' log files
        LOG_LEVEL: 'info',
        PAYLOAD_KEYS: `bench:${randomBytes(32).toString('base64')}`,
        // the figures are the routes' cost, not the public limiter's
        PUBLIC_RATE_LIMIT: '1000000',
        WORKER_PROCESSES: '2',
        API_PROCESSES: '2',
      },
      database: 'bench',
      execArgv: opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProf}`] : [],
      log: (line) => log(`  stack: ${line}`),
    });
    stack = up.stack;
    const settings = up.settings;
    log(`production stack up in ${((Date.now() - started) / 1000).toFixed(1)} s: API ${stack.apiBase}, Temporal ${stack.temporalAddress}, ${stack.mongoUri}`);
    services = await createServices(settings, { temporalAddress: stack.temporalAddress, mongoUri: stack.mongoUri });
    const native = await NativeConnection.connect({ address: stack.temporalAddress });
    const worker = await Worker.create({
      connection: native,
      taskQueue: BARE_QUEUE,
      workflowsPath: require.resolve('./bare-workflows'),
      // payloads encrypted as the stack's are, so the baseline pays the codec too
      dataConverter: services.dataConverter,
      activities: { touch: async (n: number) => n + 1 },
      maxCachedWorkflows: 2000,
      reuseV8Context: true,
    });
    bare = { worker, run: worker.run() };
    const tokens = await makeTokens(settings);
    await registerExperts(stack.apiBase, tokens);
    await waitForPollers(
      services,
      settings.TEMPORAL_TASK_QUEUE,
      stack.workers.map((w) => w.pid!),
    );

    if (only.has('a')) figures.push(...(await throughput(stack, services, tokens, settings.TEMPORAL_TASK_QUEUE, quick)));
    loads.afterA = load();
    if (only.has('b')) figures.push(...(await latency(stack, services, tokens, quick)));
    if (only.has('c')) figures.push(await certificateLookups(stack, services, quick));
    loads.afterC = load();
    if (only.has('f')) {
      const n = quick ? 1000 : 10_000;
      log(`(f) certificates: issuing ${n} for one batch against a plain insertMany, on FerretDB/PostgreSQL`);
      const { benchCertificates } = await import('./certificates');
      const f = await benchCertificates(services, n, settings.TEMPORAL_TASK_QUEUE);
      figures.push({
        ...f,
        note: `${f.note}; the activity runs in the bench process against the stack's Temporal (allocator workflow on the stack's workers) and FerretDB/PostgreSQL`,
      });
    }
  } finally {
    loads.end = load();
    bare?.worker.shutdown();
    await bare?.run.catch(() => undefined);
    await services?.close().catch(() => undefined);
    if (stack) await stack.stop().catch((err) => log(`stopping the stack: ${err}`));
    process.off('SIGINT', interrupted);
    if (process.env.KEEP_BENCH_DIR) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  log(`load average (1, 5, 15 min): start ${loads.start}; after (a) ${loads.afterA}; after (c) ${loads.afterC}; end ${loads.end}`);
  report(figures, 'latest-production', { stack: 'production', quick, loadAverages: loads });
}

/** Until each of the stack's worker processes polls the task queue (a poller's identity is pid@host). */
async function waitForPollers(services: Services, taskQueue: string, pids: number[], timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { pollers } = await services.temporal.client.workflowService.describeTaskQueue({
      namespace: services.temporal.client.options.namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: 1, // workflow tasks
    });
    const polling = new Set((pollers ?? []).map((p) => Number((p.identity ?? '').split('@')[0])));
    if (pids.every((p) => polling.has(p))) return;
    if (Date.now() > deadline) throw new Error(`workers ${pids.join(', ')} not polling ${taskQueue} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const CONCURRENCY = 8;

/** The stack's processes by part (PostgreSQL: the postmaster and its backends, as they are now). */
function parts(stack: ProductionStack): Record<string, number[]> {
  const live = (ps: (number | undefined)[]) => ps.filter((p): p is number => p !== undefined);
  return {
    api: live(stack.apis.workers.map((_, i) => stack.apis.pid(i))),
    workers: live(stack.workers.map((w) => w.pid)),
    temporal: live(Object.values(stack.temporal).map((s) => s?.pid)),
    ferretdb: live([stack.ferretdb?.pid]),
    postgres: withChildren(live([stack.postgres?.pid()])),
    // the HTTP client, and in the bare runs the bare worker
    bench: [process.pid],
  };
}

/**
 * Runs `fn` (n filings or workflows), and answers its rate and the CPU each part of the stack spent
 * per item, with the cores all of them used together: where a rate is missing, this says who spent it.
 */
async function measured(stack: ProductionStack, n: number, fn: () => Promise<void>) {
  const before = Object.fromEntries(Object.entries(parts(stack)).map(([k, ps]) => [k, cpuOf(ps)]));
  const t0 = performance.now();
  await fn();
  const seconds = (performance.now() - t0) / 1000;
  const perItem = Object.fromEntries(Object.entries(parts(stack)).map(([k, ps]) => [k, (cpuOf(ps) - before[k]) / n]));
  const total = Object.values(perItem).reduce((a, b) => a + b, 0);
  const text = `${Object.entries(perItem)
    .map(([k, ms]) => `${k} ${ms.toFixed(0)}`)
    .join(', ')} ms CPU each (${total.toFixed(0)} ms; ${((total * n) / 1000 / seconds).toFixed(2)} cores busy on this run's processes, load ${load()})`;
  return { rate: n / seconds, cpu: text };
}

const filingsPerSecond = (stack: ProductionStack, t: Tokens, n: number) =>
  measured(stack, n, () => pool(Array.from({ length: n }), CONCURRENCY, () => driveFiling(stack.apiBase, t)));

const bareWorkflowsPerSecond = (stack: ProductionStack, services: Services, n: number) =>
  measured(stack, n, () => pool(Array.from({ length: n }), CONCURRENCY, () => driveBare(services)));

/** (a) against the bare workflow, then the same with one worker and with two again (w). */
async function throughput(stack: ProductionStack, services: Services, t: Tokens, taskQueue: string, quick: boolean): Promise<Figure[]> {
  const n = quick ? 10 : 40;
  log(`(a) throughput: ${n} filings through the review path over HTTP (API cluster), ${CONCURRENCY} at a time, against the bare workflow`);
  await driveFiling(stack.apiBase, t); // warm-up
  await driveBare(services);
  const a = await filingsPerSecond(stack, t, n);
  const b = await bareWorkflowsPerSecond(stack, services, n);
  const two = a.rate;
  log(`    ${two.toFixed(2)} filings/s (2 workers): ${a.cpu}`);
  log(`    bare ${b.rate.toFixed(2)} /s: ${b.cpu}`);
  const figures: Figure[] = [
    ratioFigure({
      id: 'a',
      what: 'filings per second (review path, 8 requests each, through the API cluster)',
      value: two,
      unit: '/s',
      baseline: b.rate,
      atLeast: 0.6,
      note: `baseline: the bare workflow (same Updates and activities) on the stack's Temporal Server, its worker in the bench process; 2 workers, 2 API processes. Per filing: ${a.cpu}. Per bare workflow: ${b.cpu}`,
    }),
  ];
  if (stack.workers.length !== 2) return figures;
  log(`(w) two workers against one: worker-2 stopped, ${n} filings with one worker, then worker-2 started again and ${n} more`);
  await stack.workers.pop()!.stop();
  const one = await filingsPerSecond(stack, t, n);
  log(`    ${one.rate.toFixed(2)} filings/s (1 worker): ${one.cpu}`);
  const again = stack.addWorker();
  await waitForPollers(services, taskQueue, [again.pid!]);
  const twoAgain = await filingsPerSecond(stack, t, n);
  log(`    ${twoAgain.rate.toFixed(2)} filings/s (2 workers again): ${twoAgain.cpu}`);
  const twoMean = (two + twoAgain.rate) / 2;
  figures.push(
    ratioFigure({
      id: 'w',
      what: 'filings per second with 2 workers against 1 (same stack)',
      value: twoMean,
      unit: '/s',
      baseline: one.rate,
      note: `worker-2 stopped and started again on the same stack: 2 workers ${two.toFixed(2)} /s, then 1 worker ${one.rate.toFixed(2)} /s, then 2 workers ${twoAgain.rate.toFixed(2)} /s; the 2-worker value is the mean of the runs either side`,
    }),
  );
  return figures;
}

/** (b) decisions one at a time against bare Update round trips on the same server. */
async function latency(stack: ProductionStack, services: Services, t: Tokens, quick: boolean): Promise<Figure[]> {
  const m = quick ? 10 : 30;
  log(`(b) decision latency: ${m * 4} sequential decisions through the API cluster against ${m * 4} bare Update round trips, in turns`);
  const lat: number[] = [];
  const bareLat: number[] = [];
  // one filing, then one bare workflow, in turn: a burst of other work on the machine falls on both alike
  for (let i = 0; i < m; i++) {
    await driveFiling(stack.apiBase, t, lat);
    await driveBare(services, bareLat);
  }
  const f = (p: number, atMost?: number) =>
    ratioFigure({ id: `b${p}`, what: `POST /decisions p${p}`, value: pct(lat, p), unit: 'ms', baseline: pct(bareLat, p), atMost });
  return [f(50), f(99, 1.5)];
}

const CERTIFICATES = 2000;

/** (c) certificate look-ups through the API cluster against its GET /livez. */
async function certificateLookups(stack: ProductionStack, services: Services, quick: boolean): Promise<Figure> {
  const seconds = quick ? 4 : 10;
  const numbers = await seedCertificates(services);
  const probe = await fetch(`${stack.apiBase}/api/v1/certificates/${numbers[numbers.length - 1]}`);
  if (probe.status !== 200) throw new Error(`certificate look-up answered ${probe.status}`);
  const pids = stack.apis.workers.map((_, i) => stack.apis.pid(i)).filter((p): p is number => p !== undefined);
  const backendPids = [stack.ferretdb?.pid, stack.postgres?.pid()].filter((p): p is number => p !== undefined);
  log(`(c) autocannon in its own process, 32 connections, ${seconds} s per route in alternating 1 s turns, through the API cluster (${pids.length} processes)`);
  const [livez, cert] = await cannon(
    [
      { base: stack.apiBase, paths: ['/livez'], pids, backendPids },
      // each connection cycles through the numbers, so the look-ups spread over the whole set
      { base: stack.apiBase, paths: numbers.map((n) => `/api/v1/certificates/${n}`), pids, backendPids },
    ],
    seconds,
  );
  const cpu = (r: LoadResult) => `${r.cpuMicrosPerRequest.toFixed(0)} µs API CPU + ${r.backendCpuMicrosPerRequest.toFixed(0)} µs FerretDB/PostgreSQL CPU each`;
  log(`    GET /livez: ${livez.perSecond.toFixed(0)} /s, ${cpu(livez)} (p50 ${livez.p50} ms, p99 ${livez.p99} ms)`);
  log(`    GET /api/v1/certificates/:number: ${cert.perSecond.toFixed(0)} /s, ${cpu(cert)} (p50 ${cert.p50} ms, p99 ${cert.p99} ms)`);
  return ratioFigure({
    id: 'c',
    what: `GET /certificates/:number per second, 32 connections, ${numbers.length.toLocaleString('en')} numbers`,
    value: cert.perSecond,
    unit: '/s',
    baseline: livez.perSecond,
    atLeast: 0.6,
    note: `baseline: GET /livez of the same API cluster (no I/O); load from autocannon in a process of its own; per answer ${cpu(cert)}, against ${cpu(livez)}`,
  });
}

/** Valid certificates in the stack's database, over three levels; their numbers. */
async function seedCertificates(services: Services): Promise<string[]> {
  const numbers: string[] = [];
  const docs = Array.from({ length: CERTIFICATES }, (_, i) => {
    const level = ([3, 4, 5] as const)[i % 3];
    const serial = Math.floor(i / 3) + 1;
    const number = buildCertificateCode({ kind: 'Y', province: '22', institutionSequence: 97, issueYear: 2026, level, serial });
    numbers.push(number);
    return {
      _id: number,
      holder: { name: '张三', idNumber: makeIdNumber('220102', '19900101', i % 1000), sex: 'M' },
      occupation: { code: '6-18-01-01', name: '车工' },
      trade: null,
      level,
      institution: { creditCode: 'bench', name: '基准', code: 'Y000022000097', province: '22', kind: 'Y' },
      batchId: 'bench',
      issueYear: 2026,
      serial,
      issuedAt: new Date(),
      status: 'valid',
      revocation: null,
    };
  });
  await services.models.Certificate.insertMany(docs);
  return numbers;
}
