/**
 * npm run chaos: nothing is lost when processes die. Starts the embedded stack as separate
 * processes (Temporal, FerretDB, worker, API), drives filings concurrently from several client
 * processes over HTTP, and meanwhile kills and restarts processes at moments drawn from a printed
 * seed. Then it checks that every filing reached the state its script intended, that every 2xx had
 * its effect exactly once, that sequence codes are unique and consecutive, that every read model
 * equals its workflow's queried state, and that no workflow task failed for non-determinism.
 *
 *   npm run chaos -- [--seed 42] [--filings 200] [--clients 4] [--stack demo|dev] [--ci]
 *
 * --stack demo (default) runs on the time-skipping server, whose clock the script advances through
 * the publicity, so filings end `active`; faults: worker, API, database. --stack dev runs on the
 * persistent dev server (its SQLite file) without demo time, filings end at `publicity`, and the
 * Temporal server itself is also stopped and restarted. --ci: fewer filings, one fault of each kind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import mongoose from 'mongoose';
import { loadSettings } from '../config';
import { signToken } from '../api/plugins/auth';
import { freePort, ROOT, startFerretDB, startTemporalDev, startTestServer, waitForPort, type EmbeddedProcess } from '../infra/embedded';
import { makeCreditCode, makeIdNumber } from '../domain/identifiers';
import { MATERIAL_KINDS } from '../domain/filing';
import { filingWorkflowId, stateQuery } from '../workflows/filing/messages';
import type { ChaosJob } from './chaos-client';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    filings: { type: 'string' },
    clients: { type: 'string', default: '4' },
    stack: { type: 'string', default: 'demo' },
    ci: { type: 'boolean', default: false },
  },
});
const ci = values.ci!;
const seed = Number(values.seed ?? Math.floor(Math.random() * 1e9));
const stack = values.stack === 'dev' ? 'dev' : 'demo';
const filingCount = Number(values.filings ?? (ci ? 24 : 200));
const clientCount = Math.max(1, Math.min(Number(values.clients), filingCount));

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

type FaultKind = 'worker' | 'api' | 'database' | 'temporal';

async function main() {
  log(`seed ${seed}, ${filingCount} filings, ${clientCount} clients, ${stack} stack${ci ? ' (CI form)' : ''}`);
  const dir = mkdtempSync(join(tmpdir(), 'skillcert-chaos-'));
  const settings = loadSettings({ APP_MODE: stack === 'demo' ? 'demo' : 'development', LOG_LEVEL: 'warn' });
  const ports = { api: await freePort(), temporal: await freePort(), db: await freePort() };
  const base = `http://127.0.0.1:${ports.api}`;
  let temporal: EmbeddedProcess;
  const startTemporal = async () =>
    stack === 'demo'
      ? startTestServer({ port: ports.temporal, logFile: join(dir, 'temporal.log') })
      : startTemporalDev({ port: ports.temporal, headless: true, dbFile: join(dir, 'temporal.db'), logFile: join(dir, 'temporal.log') });
  const startDb = () => startFerretDB({ port: ports.db, dataDir: join(dir, 'fdb'), logFile: join(dir, 'fdb.log') });
  temporal = await startTemporal();
  let db = await startDb();
  const env = {
    ...process.env, APP_MODE: settings.APP_MODE, LOG_LEVEL: 'warn', PORT: String(ports.api), TEMPORAL_ADDRESS: temporal.address,
    MONGODB_URI: `mongodb://${db.address}/chaos`, TEMPORAL_TASK_QUEUE: 'chaos',
  };
  const procs: Record<'worker' | 'api', ChildProcess | undefined> = { worker: undefined, api: undefined };
  const launch = (name: 'worker' | 'api') => {
    const out = openSync(join(dir, `${name}.log`), 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, name === 'worker' ? 'worker.ts' : 'server.ts')], { cwd: ROOT, env, stdio: ['ignore', out, out] });
    procs[name] = child;
    return child;
  };
  launch('worker');
  launch('api');
  await waitForPort(ports.api, 120_000, procs.api, 'api');

  const faults: Record<FaultKind, number> = { worker: 0, api: 0, database: 0, temporal: 0 };
  let ops = 0;
  let failures: string[] = [];
  try {
    const secret = settings.AUTH_JWT_SECRET!;
    const prov = await signToken(secret, { sub: 'chaos-prov', name: 'prov', role: 'province-reviewer', province: '22' });
    const admin = await signToken(secret, { sub: 'chaos-admin', name: 'admin', role: 'admin' });
    for (const [i, sub] of ['chaos-ea', 'chaos-eb', 'chaos-ec'].entries()) {
      const r = await fetch(`${base}/api/v1/experts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${prov}` }, body: JSON.stringify({ userId: sub, name: sub, idNumber: makeIdNumber('220102', '19700101', 100 + i), province: '22' }) });
      if (r.status !== 201) throw new Error(`register expert: ${r.status}`);
    }

    const filings = Array.from({ length: filingCount }, (_, index) => ({
      index,
      application: {
        institution: {
          name: `混沌测试机构${index}`, creditCode: makeCreditCode(`91220101MC${String(seed % 1000).padStart(3, '0')}${String(index).padStart(4, '0')}`.slice(0, 17)),
          kind: 'Y', legalRepresentative: '王建国', address: '吉林省长春市', province: '22', affiliation: 'prefecture', prefecture: '220100',
          contact: { name: '李红', phone: '13912345678' },
        },
        occupations: [{ code: '6-18-01-01', name: '车工', levels: [5, 4, 3], basis: 'national-standard' }],
        materials: MATERIAL_KINDS.map((kind) => ({ kind, title: `${kind}.pdf` })),
      } as Record<string, any>,
      filingId: undefined as string | undefined,
    }));

    // ——— faults, at moments drawn from the seed ———
    const kinds: FaultKind[] = stack === 'dev' ? ['worker', 'api', 'database', 'temporal'] : ['worker', 'api', 'database'];
    const inject = async (kind: FaultKind) => {
      faults[kind]++;
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
        await db.stop('SIGTERM');
        await sleep(500 + random() * 2000);
        db = await startDb();
      } else {
        await temporal.stop('SIGTERM');
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
    const faultPlan = (n: number) => Array.from({ length: n }, (_, i) => (i < kinds.length ? kinds[i] : kinds[Math.floor(random() * kinds.length)])).sort(() => random() - 0.5);

    const runPhase = async (phase: ChaosJob['phase'], plan: FaultKind[]) => {
      const share = Array.from({ length: clientCount }, (_, c) => filings.filter((f) => f.index % clientCount === c));
      const journals = share.map((_, c) => join(dir, `journal-${phase}-${c}.jsonl`));
      phaseRunning = true;
      const clients = share.map((mine, c) => {
        const job: ChaosJob = { base, secret, phase, filings: mine, journal: journals[c], requestTimeoutMs: 180_000 };
        const file = join(dir, `job-${phase}-${c}.json`);
        writeFileSync(file, JSON.stringify(job));
        const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/chaos-client.ts'), file], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
        return new Promise<number>((r) => child.once('exit', (code) => r(code ?? 1)));
      });
      const injecting = faultLoop(plan);
      const codes = await Promise.all(clients);
      phaseRunning = false;
      await injecting;
      if (codes.some((c) => c !== 0)) failures.push(`${phase}: ${codes.filter((c) => c !== 0).length} client(s) failed`);
      const entries = journals.filter(existsSync).flatMap((j) => readFileSync(j, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)));
      ops += entries.length;
      return entries as { path: string; key: string; id?: string }[];
    };

    const faultsPerPhase = ci ? kinds.length : Math.max(kinds.length, Math.ceil(filingCount / 25));
    const review = await runPhase('review', faultPlan(faultsPerPhase));
    for (const e of review) {
      const m = /^chaos-(\d+)-create$/.exec(e.key);
      if (m && e.id) filings[Number(m[1])].filingId = e.id;
    }
    let intended = 'publicity';
    if (stack === 'demo') {
      for (let attempt = 0; ; attempt++) {
        const r = await fetch(`${base}/api/v1/admin/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify({ by: 'P9D' }) }).catch(() => undefined);
        if (r?.status === 200) break;
        if (attempt > 30) throw new Error('could not advance the clock');
        await sleep(1000);
      }
      log('clock advanced 9 days, through the publicity');
      await sleep(3000);
      await runPhase('notice', faultPlan(ci ? 1 : faultsPerPhase));
      intended = 'active';
    }

    // ——— checks ———
    log('checking…');
    failures = failures.concat(await check(`mongodb://${db.address}/chaos`, temporal.address, filings, intended));
  } finally {
    for (const name of ['api', 'worker'] as const) {
      const c = procs[name];
      if (c && c.exitCode === null) {
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await Promise.race([exited, sleep(10_000)]);
      }
    }
    await db.stop();
    await temporal.stop();
    if (!process.env.KEEP_CHAOS_DIR) rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nseed: ${seed}\noperations (2xx): ${ops}\nfaults: ${Object.entries(faults).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  for (const f of failures) console.log(`  LOST: ${f}`);
  console.log(`lost: ${failures.length}`);
  process.exit(failures.length ? 1 : 0);
}

async function check(mongoUri: string, temporalAddress: string, filings: { index: number; filingId?: string; application: Record<string, any> }[], intended: string): Promise<string[]> {
  const lost: string[] = [];
  const conn = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection: conn });
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
      for (const stage of Object.keys(s.assignments)) if (s.assignments[stage].length !== 1) lost.push(`${f.filingId}: ${s.assignments[stage].length} experts at ${stage}`);
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
    const byInstitution = await view.aggregate([{ $group: { _id: '$institutionId', n: { $sum: 1 } } }, { $match: { n: { $gt: 1 } } }]).toArray().catch(() => []);
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

main().catch((err) => {
  console.error(err);
  console.log('lost: unknown (the run failed)');
  process.exit(1);
});
