/**
 * npm run chaos: nothing is lost when processes die. Starts the embedded stack as separate
 * processes (Temporal, FerretDB, worker, API), drives filings and batches with certificates
 * concurrently from several client processes over HTTP, and meanwhile kills and restarts processes
 * at moments drawn from a printed seed. Then it checks that every filing and batch reached the
 * state its script intended, that every 2xx had its effect exactly once, that sequence codes are
 * unique and consecutive, that certificate numbers are unique and their serials consecutive per
 * institution, issue year and level, that every read model equals its workflow's queried state,
 * and that no workflow task failed for non-determinism.
 *
 *   npm run chaos -- [--seed 42] [--filings 200] [--batches 20] [--big 20000] [--clients 4] [--stack demo|dev|production] [--ci] [--prebuilt]
 *
 * --stack demo (default) runs on the time-skipping server, whose clock the script advances through
 * the publicity, so filings end `active`; then some active filings get a batch each, driven to
 * `certified` with the script advancing the clock past the exam days and through the result
 * publicity; faults: worker, API, database. --stack dev runs on the persistent dev server (its
 * SQLite file) without demo time, filings end at `publicity` and no batch runs (a batch needs its
 * exam days and publicity to pass); the Temporal server itself is also stopped and restarted.
 * --stack production runs the production stack (infra/production.ts, compiled code: it provisions
 * and builds first) with the dev stack's checks and limits; faults: one of the workers, one of the
 * API processes, FerretDB, PostgreSQL (pg_ctl stop -m fast, then start) and each Temporal service;
 * --prebuilt skips its provisioning and build when the caller has just done both.
 * --ci: fewer filings and batches, one fault of each kind in the filing phase and one in each
 * batch phase.
 * --big N: the first batch has N candidates (default 20,000; 1,500 with --ci), and the worker is
 * killed while its certificates are being issued (#14 §3): the checks then find every
 * certificate exactly once, and the worker's log says where the retried issuing resumed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import mongoose from 'mongoose';
import { loadSettings } from '../config';
import { signToken } from '../api/tokens';
import { freePort, ROOT, startFerretDB, startTemporalDev, startTestServer, waitForPort, type EmbeddedProcess } from '../infra/embedded';
import { startScratchProductionStack, TEMPORAL_SERVICES, type ProductionStack } from '../infra/production';
import { makeCreditCode, makeIdNumber } from '../domain/identifiers';
import { sampleApplication, sampleIdNumber } from './samples';
import { filingWorkflowId, stateQuery } from '../workflows/filing/messages';
import { batchWorkflowId, stateQuery as batchStateQuery } from '../workflows/batch/messages';
import { parseCertificateCode } from '../domain/certificate-code';
import { startOfChinaDayMs } from '../domain/batch';
import type { ChaosBatch, ChaosJob } from './chaos-client';
import { AesGcmPayloadCodec, encryptedDataConverter } from '../infra/payload-codec';
import { parsePayloadKeys } from '../infra/payload-keys';

/** This run's payload key: its workers and APIs encrypt with it, and the checks below read with it. */
const PAYLOAD_KEYS = `chaos:${randomBytes(32).toString('base64')}`;
const dataConverter = encryptedDataConverter(new AesGcmPayloadCodec(parsePayloadKeys(PAYLOAD_KEYS).keys));

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    filings: { type: 'string' },
    batches: { type: 'string' },
    clients: { type: 'string', default: '4' },
    stack: { type: 'string', default: 'demo' },
    ci: { type: 'boolean', default: false },
    big: { type: 'string' },
    // production stack: the caller has just provisioned and built (npm test runs test:production first)
    prebuilt: { type: 'boolean', default: false },
  },
});
const ci = values.ci!;
const seed = Number(values.seed ?? Math.floor(Math.random() * 1e9));
const stack = values.stack === 'dev' || values.stack === 'production' ? values.stack : 'demo';
const filingCount = Number(values.filings ?? (ci ? 24 : 200));
const clientCount = Math.max(1, Math.min(Number(values.clients), filingCount));
/** batches need demo time (exam days, result publicity): none on the dev and production stacks */
const batchCount = stack === 'demo' ? Math.min(filingCount, Number(values.batches ?? (ci ? 3 : 20))) : 0;
const bigCandidates = Number(values.big ?? (ci ? 1500 : 20_000));

/** mulberry32: a small seeded PRNG, so a seed replays the same fault schedule. */
function prng(a: number) {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(seed);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${s}`);

type FaultKind = 'worker' | 'api' | 'database' | 'temporal' | 'postgres' | `temporal-${(typeof TEMPORAL_SERVICES)[number]}`;
const kinds: FaultKind[] =
  stack === 'production'
    ? ['worker', 'api', 'database', 'postgres', ...TEMPORAL_SERVICES.map((s) => `temporal-${s}` as const)]
    : stack === 'dev'
      ? ['worker', 'api', 'database', 'temporal']
      : ['worker', 'api', 'database'];

async function main() {
  const chaosStarted = Date.now();
  log(`seed ${seed}, ${filingCount} filings, ${batchCount} batches, ${clientCount} clients, ${stack} stack${ci ? ' (CI form)' : ''}`);
  if (stack !== 'demo') log(`${stack} stack: no demo time, so filings stop at the publicity and no batch runs (batches need --stack demo)`);
  const dir = mkdtempSync(join(tmpdir(), 'skillcert-chaos-'));
  const ports = { api: await freePort(), temporal: await freePort(), db: await freePort(), codec: await freePort() };
  const base = `http://127.0.0.1:${ports.api}`;
  let temporal: EmbeddedProcess | undefined;
  let db: EmbeddedProcess | undefined;
  let prod: ProductionStack | undefined;
  const procs: Record<'worker' | 'api', ChildProcess | undefined> = { worker: undefined, api: undefined };
  let settings = loadSettings({ APP_MODE: stack === 'demo' ? 'demo' : 'development', LOG_LEVEL: 'warn' });
  const startTemporal = async () =>
    stack === 'demo'
      ? startTestServer({ port: ports.temporal, logFile: join(dir, 'temporal.log') })
      : startTemporalDev({ port: ports.temporal, headless: true, dbFile: join(dir, 'temporal.db'), logFile: join(dir, 'temporal.log') });
  const startDb = () => startFerretDB({ port: ports.db, dataDir: join(dir, 'fdb'), logFile: join(dir, 'fdb.log') });
  const launch = (name: 'worker' | 'api') => {
    const out = openSync(join(dir, `${name}.log`), 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, name === 'worker' ? 'worker.ts' : 'server.ts')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', out, out],
    });
    procs[name] = child;
    return child;
  };
  const appEnv = {
    LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn',
    TEMPORAL_TASK_QUEUE: 'chaos',
    // the final check reads every certificate through the public route
    PUBLIC_RATE_LIMIT: '1000000',
    PAYLOAD_KEYS,
    DATA_DIR: dir,
    CODEC_PORT: String(ports.codec),
  };
  let env: NodeJS.ProcessEnv = {};
  if (stack === 'production') {
    const started = Date.now();
    ({ stack: prod, settings } = await startScratchProductionStack({
      dir,
      env: {
        LOG_LEVEL: 'warn',
        PORT: String(ports.api),
        TEMPORAL_PORT: String(ports.temporal),
        FERRETDB_PORT: String(ports.db),
        TEMPORAL_TASK_QUEUE: 'chaos',
        PAYLOAD_KEYS,
        CODEC_PORT: String(ports.codec),
      },
      appEnv,
      database: 'chaos',
      prebuilt: values.prebuilt,
      log,
    }));
    log(`production stack up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } else {
    temporal = await startTemporal();
    db = await startDb();
    env = {
      ...process.env,
      APP_MODE: settings.APP_MODE,
      PORT: String(ports.api),
      TEMPORAL_ADDRESS: temporal.address,
      MONGODB_URI: `mongodb://${db.address}/chaos`,
      // not on npm start's default port: a chaos run beside a running stack binds nothing of its own
      WORKER_METRICS_ADDRESS: 'off',
      ...appEnv,
    };
    launch('worker');
    launch('api');
    await waitForPort(ports.api, 120_000, procs.api, 'api');
  }
  const temporalAddress = () => prod?.temporalAddress ?? temporal!.address;
  const mongoUri = () => prod?.mongoUri ?? `mongodb://${db!.address}/chaos`;

  const faults = Object.fromEntries(kinds.map((k) => [k, 0])) as Record<FaultKind, number>;
  let ops = 0;
  let failures: string[] = [];
  const tally = { batchesCertified: 0, certificates: 0, certificatesExpected: 0, killedWhileIssuing: 0 };
  let batches: ChaosBatch[] = [];
  try {
    const secret = settings.AUTH_JWT_SECRET!;
    const prov = await signToken(secret, { sub: 'chaos-prov', name: 'prov', role: 'province-reviewer', province: '22' });
    const admin = await signToken(secret, { sub: 'chaos-admin', name: 'admin', role: 'admin' });
    for (const [i, sub] of ['chaos-ea', 'chaos-eb', 'chaos-ec'].entries()) {
      const r = await fetch(`${base}/api/v1/experts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${prov}` },
        body: JSON.stringify({ userId: sub, name: sub, idNumber: makeIdNumber('220102', '19700101', 100 + i), province: '22' }),
      });
      if (r.status !== 201) throw new Error(`register expert: ${r.status}`);
    }
    // quality supervisors in the batches' prefecture, for the center's random draw (as scenario.ts)
    for (const [i, sub] of ['chaos-sa', 'chaos-sb', 'chaos-sc'].entries()) {
      const r = await fetch(`${base}/api/v1/supervisors`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${prov}` },
        body: JSON.stringify({ userId: sub, name: sub, idNumber: makeIdNumber('220102', '19750505', 200 + i), province: '22', prefecture: '220100' }),
      });
      if (r.status !== 201) throw new Error(`register supervisor: ${r.status}`);
    }

    const filings = Array.from({ length: filingCount }, (_, index) => ({
      index,
      application: sampleApplication({
        name: `混沌测试机构${index}`,
        creditCode: makeCreditCode(`91220101MC${String(seed % 1000).padStart(3, '0')}${String(index).padStart(4, '0')}`.slice(0, 17)),
      }) as Record<string, any>,
      filingId: undefined as string | undefined,
    }));

    // ——— faults, at moments drawn from the seed ———
    const inject = async (kind: FaultKind) => {
      faults[kind]++;
      if (prod) {
        // killed processes come back through the stack's own supervisor, after a down time drawn from the seed
        const down = 300 + random() * 1500;
        const pick = (n: number) => Math.floor(random() * n);
        if (kind === 'worker') {
          const i = pick(prod.workers.length);
          log(`fault: worker (worker-${i + 1}, SIGKILL)`);
          await prod.workers[i].kill('SIGKILL', down);
        } else if (kind === 'api') {
          const i = pick(prod.apis.count);
          log(`fault: api (api-${i + 1}, SIGKILL)`);
          await prod.apis.kill(i, 'SIGKILL', down);
        } else if (kind === 'database') {
          log('fault: database (ferretdb, SIGKILL)');
          await prod.ferretdb!.kill('SIGKILL', down);
        } else if (kind === 'postgres') {
          log('fault: postgres (pg_ctl stop -m fast, then start)');
          await prod.postgres!.stop('fast');
          await sleep(500 + random() * 2000);
          await prod.postgres!.start();
        } else {
          log(`fault: ${kind} (SIGKILL)`);
          await prod.temporal[kind.slice('temporal-'.length) as (typeof TEMPORAL_SERVICES)[number]]!.kill('SIGKILL', down);
        }
        return;
      }
      log(`fault: ${kind}`);
      if (kind === 'worker' || kind === 'api') {
        const child = procs[kind]!;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
        await sleep(300 + random() * 1500);
        launch(kind);
        if (kind === 'api') await waitForPort(ports.api, 120_000, procs.api, 'api');
      } else if (kind === 'database') {
        await db!.stop('SIGTERM');
        await sleep(500 + random() * 2000);
        db = await startDb();
      } else {
        await temporal!.stop('SIGTERM');
        await sleep(500 + random() * 2000);
        temporal = await startTemporal();
      }
    };
    let phaseRunning = false;
    const faultLoop = async (plan: FaultKind[]) => {
      // every planned fault is injected, the later ones possibly after the clients are done:
      // recovery of the work still in flight (activities, read-model writes) counts too
      for (const kind of plan) {
        await sleep((phaseRunning ? 800 : 200) + random() * 2500);
        await inject(kind);
      }
    };
    const faultPlan = (n: number) =>
      Array.from({ length: n }, (_, i) => (i < kinds.length ? kinds[i] : kinds[Math.floor(random() * kinds.length)])).sort(() => random() - 0.5);

    const runPhase = async (phase: ChaosJob['phase'], plan: FaultKind[]) => {
      const batchPhase = phase.startsWith('batch-');
      const share = Array.from({ length: clientCount }, (_, c) => filings.filter((f) => f.index % clientCount === c));
      const batchShare = Array.from({ length: clientCount }, (_, c) => batches.filter((b) => b.index % clientCount === c)).filter(
        (mine) => !batchPhase || mine.length,
      );
      const journals = (batchPhase ? batchShare : share).map((_, c) => join(dir, `journal-${phase}-${c}.jsonl`));
      phaseRunning = true;
      const clients = journals.map((journal, c) => {
        const job: ChaosJob = batchPhase
          ? { base, secret, phase, filings: [], batches: batchShare[c], journal, requestTimeoutMs: 180_000 }
          : { base, secret, phase, filings: share[c], journal, requestTimeoutMs: 180_000 };
        const file = join(dir, `job-${phase}-${c}.json`);
        writeFileSync(file, JSON.stringify(job));
        const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/chaos-client.ts'), file], {
          cwd: ROOT,
          stdio: ['ignore', 'inherit', 'inherit'],
        });
        return new Promise<number>((r) => child.once('exit', (code) => r(code ?? 1)));
      });
      const injecting = faultLoop(plan);
      const codes = await Promise.all(clients);
      phaseRunning = false;
      await injecting;
      if (codes.some((c) => c !== 0)) failures.push(`${phase}: ${codes.filter((c) => c !== 0).length} client(s) failed`);
      const entries = journals.filter(existsSync).flatMap((j) =>
        readFileSync(j, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
      ) as { path: string; key: string; id?: string; breach?: string }[];
      for (const e of entries) if (e.breach) failures.push(`${phase} ${e.key}: ${e.breach}`);
      const answered = entries.filter((e) => !e.breach);
      ops += answered.length;
      return answered;
    };

    const faultsPerPhase = ci ? kinds.length : Math.max(kinds.length, Math.ceil(filingCount / 25));
    const review = await runPhase('review', faultPlan(faultsPerPhase));
    for (const e of review) {
      const m = /^chaos-(\d+)-create$/.exec(e.key);
      if (m && e.id) filings[Number(m[1])].filingId = e.id;
    }
    let intended = 'publicity';
    /** An admin or center call, retried until it answers 200 (the API may be restarting). */
    const call = async (method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<any> => {
      for (let attempt = 0; ; attempt++) {
        const r = await fetch(`${base}/api/v1${path}`, {
          method,
          headers: { ...(body ? { 'content-type': 'application/json' } : {}), authorization: `Bearer ${token}` },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(60_000),
        }).catch(() => undefined);
        if (r?.status === 200) return r.json();
        if (attempt > 120) throw new Error(`${method} ${path}: ${r?.status ?? 'no answer'}`);
        await sleep(1000);
      }
    };
    /** Demo time: the supervisor alone moves the clock, between phases, while no client runs. */
    const advanceTo = async (targetMs: number, what: string) => {
      const now = Date.parse((await call('GET', '/admin/clock', admin)).now);
      const by = Math.ceil((targetMs - now) / 1000);
      if (by > 0) await call('POST', '/admin/clock/advance', admin, { by: `PT${by}S` });
      log(`clock advanced ${(Math.max(0, by) / 86_400).toFixed(1)} days, ${what}`);
      await sleep(3000);
    };
    if (stack === 'demo') {
      await call('POST', '/admin/clock/advance', admin, { by: 'P9D' });
      log('clock advanced 9 days, through the publicity');
      await sleep(3000);
      await runPhase('notice', faultPlan(ci ? 1 : faultsPerPhase));
      intended = 'active';
    }

    // ——— batches: some active filings get one each, driven to certificates ———
    if (batchCount > 0) {
      const center = await signToken(secret, { sub: 'chaos-center', name: 'center', role: 'center', province: '22', prefecture: '220100' });
      const eligible = filings.filter((f) => f.filingId);
      const chosen = eligible
        .map((f) => ({ f, r: random() }))
        .sort((a, b) => a.r - b.r)
        .slice(0, batchCount)
        .map((x) => x.f)
        .sort((a, b) => a.index - b.index);
      batches = chosen.map((f, index) => {
        const creditCode = f.application.institution.creditCode as string;
        // the first batch is the big one (--big); its people are born from 1980 on, 1,000 a day
        const big = index === 0 && bigCandidates > 0;
        const n = big ? bigCandidates : 2 + Math.floor(random() * 4);
        const candidates = Array.from({ length: n }, (_, i) => ({
          name: `考生${index}-${i}`,
          idNumber: big ? sampleIdNumber(i, 1980) : makeIdNumber('220102', '19900101', (index * 6 + i) % 1000),
          post: '车工',
          yearsInPost: 8,
          occupationCode: '6-18-01-01',
          level: [5, 4, 3][Math.floor(random() * 3)],
          employerCreditCode: creditCode,
        }));
        // the first candidate passes; the others pass or fail at random (a module under 60)
        const scores = candidates.map((c, i) => ({
          idNumber: c.idNumber,
          theory: i === 0 ? 80 : 50 + Math.floor(random() * 50),
          skill: i === 0 ? 85 : 50 + Math.floor(random() * 50),
        }));
        const passing = scores.filter((x) => x.theory >= 60 && x.skill >= 60).map((x) => x.idNumber);
        return { index, filingId: f.filingId!, creditCode, candidates, scores, passing };
      });
      tally.certificatesExpected = batches.reduce((n, b) => n + b.passing.length, 0);
      // CI: one fault of each kind across the three batch phases, in an order drawn from the seed
      const ciBatchFaults = faultPlan(kinds.length);
      let batchPhase = 0;
      const batchFaults = () => (ci ? [ciBatchFaults[batchPhase++ % ciBatchFaults.length]] : faultPlan(Math.max(kinds.length, Math.ceil(batchCount / 5))));
      const plans = await runPhase('batch-plan', batchFaults());
      for (const e of plans) {
        const m = /^chaos-b(\d+)-plan$/.exec(e.key);
        if (m && e.id) batches[Number(m[1])].batchId = e.id;
      }
      const planned = batches.filter((b) => b.batchId);
      log(`${planned.length} of ${batches.length} batches planned`);
      if (planned.length) {
        const lastExamDay = Math.max(
          ...(await Promise.all(planned.map((b) => call('GET', `/batches/${b.batchId}`, center)))).map((s) => startOfChinaDayMs(s.plan.lastExamDate)),
        );
        await advanceTo(lastExamDay + 86_400_000 + 3_600_000, 'past the exam days');
        await runPhase('batch-exams', batchFaults());
        const publicityEnds = Math.max(
          ...(await Promise.all(planned.map((b) => call('GET', `/batches/${b.batchId}`, center)))).map((s) => s.publicity?.endsAtMs ?? 0),
        );
        await advanceTo(publicityEnds + 3_600_000, 'through the result publicity');
        const watching = killWhileIssuing(planned.find((b) => b.index === 0 && b.candidates.length === bigCandidates));
        await runPhase('batch-results', batchFaults());
        tally.killedWhileIssuing = await watching;
      }
    }

    /**
     * Watches the big batch's certificates appear and kills the worker once some, not all, are
     * written: the issuing activity is then retried by another attempt, which resumes after the
     * last chunk its predecessor reported. Answers how many were written at the kill (0: issuing
     * was never seen half-done).
     */
    async function killWhileIssuing(b: ChaosBatch | undefined): Promise<number> {
      if (!b?.batchId) return 0;
      // past half: the first level is written and its heartbeat reported, so the retry has a place to resume from
      const from = Math.ceil(b.passing.length / 2);
      const until = Date.now() + 10 * 60_000;
      let conn: mongoose.Connection | undefined;
      try {
        while (Date.now() < until) {
          let n = -1;
          try {
            conn ??= await mongoose.createConnection(mongoUri(), { serverSelectionTimeoutMS: 2000, socketTimeoutMS: 5000 }).asPromise();
            n = await conn.db!.collection('certificates').countDocuments({ batchId: b.batchId }, { maxTimeMS: 5000 });
          } catch {
            // the database fault restarted FerretDB under this connection: connect again
            await conn?.close().catch(() => undefined);
            conn = undefined;
          }
          if (n >= from && n < b.passing.length) {
            log(`fault: worker while the big batch issues (${n} of ${b.passing.length} written)`);
            await inject('worker');
            return n;
          }
          if (n === b.passing.length) break;
          await sleep(100);
        }
        const missed = `the big batch's issuing was never seen half-done, so the worker was not killed during it`;
        // the CI form's batch is small and another fault may fall on the same seconds: say so there, fail the long form
        if (ci) log(`note: ${missed}`);
        else failures.push(missed);
        return 0;
      } finally {
        await conn?.close().catch(() => undefined);
      }
    }

    // ——— checks ———
    log('checking…');
    failures = failures.concat(await check(mongoUri(), temporalAddress(), filings, intended));
    if (batchCount > 0) {
      const center = await signToken(secret, { sub: 'chaos-center', name: 'center', role: 'center', province: '22', prefecture: '220100' });
      failures = failures.concat(await checkBatches(mongoUri(), temporalAddress(), base, center, batches, tally));
    }
  } finally {
    for (const name of ['api', 'worker'] as const) {
      const c = procs[name];
      if (c && c.exitCode === null) {
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await Promise.race([exited, sleep(10_000)]);
      }
    }
    await db?.stop();
    await temporal?.stop();
    await prod?.stop();
    if (!process.env.KEEP_CHAOS_DIR) rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\nseed: ${seed}\noperations (2xx): ${ops}\nfaults: ${Object.entries(faults)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  );
  console.log(`filings: ${filingCount}`);
  if (batchCount > 0) {
    console.log(`batches: ${tally.batchesCertified} certified of ${batchCount} intended`);
    console.log(`certificates: ${tally.certificates} issued, ${tally.certificatesExpected} expected (passing candidates)`);
    const resumed = existsSync(join(dir, 'worker.log')) ? (readFileSync(join(dir, 'worker.log'), 'utf8').match(/issuing resumed[^\n]*/g) ?? []) : [];
    console.log(
      `big batch: ${bigCandidates} candidates; worker killed while issuing: ${tally.killedWhileIssuing ? `yes, after ${tally.killedWhileIssuing} certificates` : 'no (issuing was not seen half-done)'}; resumed: ${resumed.length ? resumed.join('; ') : 'none logged'}`,
    );
  } else {
    console.log(`batches: none (${stack} stack: no demo time to pass the exam days and the publicity; run --stack demo for batches)`);
  }
  for (const f of failures) console.log(`  LOST: ${f}`);
  const secs = Math.round((Date.now() - chaosStarted) / 1000);
  console.log(`duration: ${Math.floor(secs / 60)} m ${secs % 60} s`);
  console.log(`lost: ${failures.length}`);
  process.exit(failures.length ? 1 : 0);
}

async function check(
  mongoUri: string,
  temporalAddress: string,
  filings: { index: number; filingId?: string; application: Record<string, any> }[],
  intended: string,
): Promise<string[]> {
  const lost: string[] = [];
  const conn = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection: conn, dataConverter });
  const m = mongoose.createConnection(mongoUri);
  await m.asPromise();
  try {
    const view = m.collection('filings');
    const sequences: number[] = [];
    for (const f of filings) {
      if (!f.filingId) {
        lost.push(`filing #${f.index}: never created`);
        continue;
      }
      const h = client.workflow.getHandle(filingWorkflowId(f.filingId));
      const s = await h.query(stateQuery);
      if (s.status !== intended && s.stage !== intended) lost.push(`${f.filingId}: ${s.status}/${s.stage}, intended ${intended}`);
      // exactly once: one decision per stage, one notice, one filing per institution
      const perStage = new Map<string, number>();
      for (const d of s.decisions) perStage.set(d.stage, (perStage.get(d.stage) ?? 0) + 1);
      for (const [stage, n] of perStage) if (n !== 1) lost.push(`${f.filingId}: ${n} decisions at ${stage}`);
      for (const stage of Object.keys(s.assignments))
        if (s.assignments[stage].length !== 1) lost.push(`${f.filingId}: ${s.assignments[stage].length} experts at ${stage}`);
      if (s.notice) sequences.push(Number(s.notice.sequence));
      // the read model equals the workflow's state
      const doc = await view.findOne({ _id: f.filingId as never });
      if (!doc) lost.push(`${f.filingId}: no read model`);
      else if (doc.version !== s.version || doc.status !== s.status || doc.stage !== s.stage) {
        lost.push(`${f.filingId}: read model v${doc.version} ${doc.status}/${doc.stage} ≠ workflow v${s.version} ${s.status}/${s.stage}`);
      }
      // no workflow task failed for non-determinism, in any run
      const history = await h.fetchHistory();
      for (const e of history.events ?? []) {
        // temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR
        if (Number(e.workflowTaskFailedEventAttributes?.cause) === 24) lost.push(`${f.filingId}: non-deterministic workflow task`);
      }
    }
    const byInstitution = await view
      .aggregate([{ $group: { _id: '$institutionId', n: { $sum: 1 } } }, { $match: { n: { $gt: 1 } } }])
      .toArray()
      .catch(() => []);
    for (const g of byInstitution) lost.push(`institution ${g._id}: ${g.n} filings`);
    if (intended === 'active') {
      const sorted = [...sequences].sort((a, b) => a - b);
      const unique = new Set(sorted).size === sorted.length;
      const consecutive = sorted.every((n, i) => n === sorted[0] + i);
      if (!unique) lost.push('sequence codes repeat');
      if (!consecutive) lost.push(`sequence codes have gaps: ${sorted.join(',')}`);
    }
  } finally {
    await m.close();
    await conn.close();
  }
  return lost;
}

/** Keys sorted at every level, so two equal states serialize alike whatever their key order. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** The first path at which two JSON values differ, for the report. */
function firstDifference(a: unknown, b: unknown, path = ''): string {
  if (JSON.stringify(a) === JSON.stringify(b)) return '';
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  return `${path || '.'}: ${JSON.stringify(a)?.slice(0, 80)} ≠ ${JSON.stringify(b)?.slice(0, 80)}`;
}

async function checkBatches(
  mongoUri: string,
  temporalAddress: string,
  base: string,
  center: string,
  batches: ChaosBatch[],
  tally: { batchesCertified: number; certificates: number },
): Promise<string[]> {
  const lost: string[] = [];
  const conn = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection: conn, dataConverter });
  const m = mongoose.createConnection(mongoUri);
  await m.asPromise();
  const getJson = async (path: string, token?: string): Promise<{ status: number; body: any }> => {
    for (let attempt = 0; ; attempt++) {
      const r = await fetch(`${base}/api/v1${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(30_000) }).catch(
        () => undefined,
      );
      if (r && (r.status < 500 || attempt > 30)) return { status: r.status, body: await r.json().catch(() => undefined) };
      await sleep(1000);
    }
  };
  try {
    const views = m.collection('batches');
    const certs = m.collection('certificates');
    const numbers = new Set<string>();
    for (const b of batches) {
      if (!b.batchId) {
        lost.push(`batch #${b.index} (filing ${b.filingId}): never planned`);
        continue;
      }
      const id = b.batchId;
      const h = client.workflow.getHandle(batchWorkflowId(id));
      const s = await h.query(batchStateQuery);
      if (!s) {
        lost.push(`${id}: the workflow has no state (plan never accepted)`);
        continue;
      }
      if (s.status !== 'certified') lost.push(`${id}: ${s.status}/${s.stage}, intended certified`);
      else tally.batchesCertified++;
      // exactly once: one decision per stage, one draw, one report, one score post, one results submission, one publicity
      const perStage = new Map<string, number>();
      for (const d of s.decisions) perStage.set(d.stage, (perStage.get(d.stage) ?? 0) + 1);
      for (const stage of ['plan-review', 'results-review'])
        if (perStage.get(stage) !== 1) lost.push(`${id}: ${perStage.get(stage) ?? 0} decisions at ${stage}`);
      if (s.supervision.draws.length !== 1 || s.supervision.assigned.length !== 1)
        lost.push(`${id}: ${s.supervision.draws.length} supervisor draws, ${s.supervision.assigned.length} assigned`);
      if (s.supervision.reports.length !== 1) lost.push(`${id}: ${s.supervision.reports.length} supervision reports`);
      const scorePosts = s.history.filter((e) => e.event === 'scores-posted').length;
      if (scorePosts !== 1) lost.push(`${id}: scores posted ${scorePosts} times`);
      if (s.publicityRounds.length !== 0 || s.publicity?.round !== 1)
        lost.push(`${id}: ${s.publicityRounds.length + (s.publicity ? 1 : 0)} result publicities`);
      if (s.results?.submissions !== 1) lost.push(`${id}: results submitted ${s.results?.submissions ?? 0} times`);
      // certificates: one per passing candidate, in the state's count, in GET /batches/:id and in the collection
      const view = await getJson(`/batches/${id}`, center);
      const items: { number: string; idNumber: string }[] = view.body?.certificates?.items ?? [];
      const holders = items.map((i) => i.idNumber).sort();
      if (
        items.length !== b.passing.length ||
        s.certificates?.count !== b.passing.length ||
        JSON.stringify(holders) !== JSON.stringify([...b.passing].sort())
      ) {
        lost.push(`${id}: ${items.length} certificates (count ${s.certificates?.count ?? 0}) for ${b.passing.length} passing candidates`);
      }
      for (const i of items) {
        if (numbers.has(i.number)) lost.push(`certificate ${i.number} issued twice (again by ${id})`);
        numbers.add(i.number);
      }
      const docs = await certs.find({ batchId: id }).toArray();
      tally.certificates += docs.length;
      const stored = docs.map((d) => String(d._id)).sort();
      if (JSON.stringify(stored) !== JSON.stringify(items.map((i) => i.number).sort()))
        lost.push(`${id}: certificates stored ${stored.join(',')} ≠ issued ${items.map((i) => i.number).join(',')}`);
      // the read model equals the workflow's queried state, and GET /batches/:id answers from it
      const doc = await views.findOne({ _id: id as never });
      if (view.status !== 200 || view.body.status !== s.status || view.body.version !== s.version)
        lost.push(`${id}: GET /batches/:id answered ${view.status} ${view.body?.status} v${view.body?.version}`);
      if (doc) {
        const diff = firstDifference(canonical(JSON.parse(String(doc.state))), canonical(s));
        if (diff) lost.push(`${id}: read model ≠ workflow state at ${diff}`);
      }
      if (!doc) lost.push(`${id}: no read model`);
      else if (doc.version !== s.version || doc.status !== s.status || doc.stage !== s.stage || doc.certificates !== (s.certificates?.count ?? 0)) {
        lost.push(
          `${id}: read model v${doc.version} ${doc.status}/${doc.stage} ${doc.certificates} certificates ≠ workflow v${s.version} ${s.status}/${s.stage} ${s.certificates?.count ?? 0}`,
        );
      }
      const history = await h.fetchHistory();
      for (const e of history.events ?? []) {
        if (Number(e.workflowTaskFailedEventAttributes?.cause) === 24) lost.push(`${id}: non-deterministic workflow task`);
      }
    }
    // certificate numbers: unique, well-formed, serials consecutive from 1 per institution, issue year and level
    const all = await certs.find({}).toArray();
    const groups = new Map<string, number[]>();
    for (const d of all) {
      const number = String(d._id);
      const p = parseCertificateCode(number);
      if (!p) {
        lost.push(`certificate ${number}: not a valid certificate number`);
        continue;
      }
      const { parts } = p;
      if (
        parts.serial !== d.serial ||
        parts.level !== d.level ||
        parts.issueYear !== d.issueYear ||
        parts.kind !== d.institution?.kind ||
        parts.province !== d.institution?.province
      ) {
        lost.push(`certificate ${number}: its number disagrees with its record (serial ${d.serial}, level ${d.level}, year ${d.issueYear})`);
      }
      const key = `${parts.kind}${parts.route}${parts.province}/${parts.institutionSequence} ${parts.issueYear} L${parts.level}`;
      const inst = `${d.institution?.creditCode}`;
      groups.set(`${key} ${inst}`, [...(groups.get(`${key} ${inst}`) ?? []), parts.serial]);
      if (!numbers.has(number)) lost.push(`certificate ${number}: stored but issued by no checked batch (${d.batchId})`);
      const pub = await getJson(`/certificates/${number}`);
      if (pub.status !== 200 || pub.body?.number !== number || pub.body?.status !== 'valid')
        lost.push(`GET /certificates/${number}: ${pub.status} ${pub.body?.status ?? ''}`);
    }
    // one institution sequence belongs to one institution
    const seqOwners = new Map<string, Set<string>>();
    for (const k of groups.keys()) {
      const [code, , , inst] = k.split(' ');
      seqOwners.set(code, new Set([...(seqOwners.get(code) ?? []), inst]));
    }
    for (const [code, owners] of seqOwners) if (owners.size > 1) lost.push(`institution code ${code} used by ${[...owners].join(', ')}`);
    for (const [key, serials] of groups) {
      const sorted = [...serials].sort((a, b) => a - b);
      if (new Set(sorted).size !== sorted.length) lost.push(`${key}: serials repeat: ${sorted.join(',')}`);
      else if (!sorted.every((n, i) => n === i + 1)) lost.push(`${key}: serials not consecutive from 1: ${sorted.join(',')}`);
    }
  } finally {
    await m.close();
    await conn.close();
  }
  return lost;
}

main().catch((err) => {
  console.error(err);
  console.log('lost: unknown (the run failed)');
  process.exit(1);
});
