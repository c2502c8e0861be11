/**
 * The production stack (npm run start:production: PostgreSQL 15, Temporal Server's four services as
 * separate processes, FerretDB on PostgreSQL, two compiled workers, two API processes) from a clean
 * DATA_DIR. A filing goes over HTTP from 申报 through every review stage into its 公示, with requests
 * served by both API processes; midway a worker and the Temporal history service are SIGKILLed and
 * come back through the stack's supervisor. The 公示 lasts ≥5 working days of real time and nothing
 * on a real-clock server shortens it, so the filing stops there (as `npm run chaos -- --stack dev`
 * does), and the test checks that the workflow holds a durable timer for the publicity's end; the
 * notice (备案通知) after it runs in demo mode (test/api/filings-demo.test.ts). Then the whole stack
 * is stopped with SIGINT and started again on the same DATA_DIR, and the same workflow takes the
 * next step. Run with `npm run test:production` (it provisions Temporal Server and builds dist/).
 */
import { generateSigningKey } from '../../certificates/signature';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { call, killLeftovers, productionEnv, runningPid, startProductionCommand, type Answer, type ProductionCommand } from '../harness/production-command';
import { signToken } from '../../api/tokens';
import { isListening } from '../../infra/embedded';
import { PG_BIN } from '../../infra/production';
import { filingWorkflowId } from '../../workflows/filing/messages';
import { application, idNumber } from '../fixtures/filing';
import type { Caller } from '../../domain/roles';

jest.setTimeout(900_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the production stack', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skillcert-production-'));
  // the postgres user runs PostgreSQL in $DATA_DIR/postgres and must be able to enter it
  chmodSync(dataDir, 0o755);
  let stack: ProductionCommand | undefined;
  afterAll(async () => {
    await stack?.stop();
    killLeftovers(dataDir);
    if (!process.env.KEEP_PRODUCTION_DIR) rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes a filing from 申报 into its 公示 through both API processes, across killed workers and history, and a full restart', async () => {
    const secret = randomBytes(32).toString('base64url');
    const env = await productionEnv(dataDir, {
      APP_MODE: 'production',
      AUTH_JWT_SECRET: secret,
      PAYLOAD_KEYS: `prod-test:${randomBytes(32).toString('base64')}`,
      CERT_SIGNING_KEYS: generateSigningKey('prod-test').settingEntry,
      PUBLIC_BASE_URL: 'https://zs.example.gov.cn',
    });
    const base = `http://127.0.0.1:${env.PORT}`;
    // a known ID number and phone: neither may reach Temporal's database in clear (issue #14)
    const STAFF_ID = idNumber(randomBytes(2).readUInt16BE() % 1000, '19770823');
    const PHONE = `137${String(randomBytes(4).readUInt32BE() % 1e8).padStart(8, '0')}`;
    const app = application({ province: '22', prefecture: '220100', staffIdNumbers: [STAFF_ID] });
    app.institution.contact.phone = PHONE;
    const token = (c: Omit<Caller, 'name'>) => signToken(secret, { name: c.sub, ...c } as Caller);
    const t = {
      inst: await token({ sub: 'inst', role: 'institution', province: '22', institutionId: app.institution.creditCode }),
      pref: await token({ sub: 'pref', role: 'prefecture-reviewer', province: '22', prefecture: '220100' }),
      prov: await token({ sub: 'prov', role: 'province-reviewer', province: '22' }),
      e1: await token({ sub: 'e1', role: 'expert', province: '22' }),
      e2: await token({ sub: 'e2', role: 'expert', province: '22' }),
      e3: await token({ sub: 'e3', role: 'expert', province: '22' }),
    };

    const timings: Record<string, number> = {};
    let started = Date.now();
    stack = await startProductionCommand(env);
    timings.firstStartS = (Date.now() - started) / 1000;
    expect(stack.output()).toContain(`API          ${base}/api/v1`);
    expect(stack.output()).toMatch(/PostgreSQL   127\.0\.0\.1:\d+/);
    expect(stack.output()).toContain(`codec        http://127.0.0.1:${env.CODEC_PORT}/codec`);
    // the Web UI is optional (scripts/provision-production.sh): when it was built, it answers
    if (/Temporal UI/.test(stack.output())) expect((await call(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}`, 'GET', '/')).status).toBe(200);

    // every request on a new connection, with an id of ours that the API's log records
    const served: string[] = [];
    let n = 0;
    /** A write, retried with the same Idempotency-Key while the stack answers 5xx or not at all. */
    const post = async (path: string, body: unknown, tok: string | undefined, expected: number): Promise<Answer> => {
      const key = `prod-${++n}`;
      const deadline = Date.now() + 180_000;
      for (let attempt = 0; ; attempt++) {
        const requestId = `${key}-${attempt}`;
        const r = await call(base, 'POST', `/api/v1${path}`, { token: tok, body, requestId, idempotencyKey: key }).catch(() => undefined);
        if (r && r.status < 500) {
          served.push(requestId);
          expect({ path, status: r.status, body: r.status === expected ? undefined : r.body }).toEqual({ path, status: expected, body: undefined });
          return r;
        }
        if (Date.now() > deadline) throw new Error(`POST ${path}: ${r ? `${r.status} ${JSON.stringify(r.body)}` : 'no answer'}`);
        await sleep(Math.min(2000, 200 * 2 ** attempt));
      }
    };
    const get = async (path: string, tok: string) => {
      const requestId = `prod-get-${++n}`;
      const r = await call(base, 'GET', `/api/v1${path}`, { token: tok, requestId });
      served.push(requestId);
      expect(r.status).toBe(200);
      return r.body;
    };

    for (const [i, sub] of ['e1', 'e2', 'e3'].entries())
      await post('/experts', { userId: sub, name: `专家${i + 1}`, idNumber: idNumber(700 + i), province: '22' }, t.prov, 201);
    const created = await post('/filings', app, t.inst, 201);
    const id: string = created.body.id;
    expect(created.body.stage).toBe('submitted');
    await post(`/filings/${id}/assignments`, { stage: 'preliminary-review', expertIds: ['e1'] }, t.pref, 200);
    await post(`/filings/${id}/assignments`, { stage: 'technical-assessment', expertIds: ['e2'] }, t.pref, 200);
    await post(`/filings/${id}/assignments`, { stage: 'comprehensive-review', expertIds: ['e3'] }, t.pref, 200);
    const first = await post(`/filings/${id}/decisions`, { stage: 'preliminary-review', outcome: 'pass', opinion: '材料齐全' }, t.e1, 200);
    expect(first.body.stage).toBe('technical-assessment');

    // midway: SIGKILL a worker and the Temporal history service; the stack's supervisor restarts them
    const killed: Record<string, number> = {};
    for (const name of ['worker-1', 'temporal-history']) {
      const pid = runningPid(dataDir, name);
      expect(pid).toBeDefined();
      killed[name] = pid!;
      process.kill(pid!, 'SIGKILL');
    }
    // the next decision goes in while they are down: the client retries it under its key
    const second = await post(`/filings/${id}/decisions`, { stage: 'technical-assessment', outcome: 'pass', opinion: '现场评估合格', score: 88 }, t.e2, 200);
    expect(second.body.stage).toBe('comprehensive-review');
    for (const name of Object.keys(killed)) {
      const deadline = Date.now() + 60_000;
      while (!(runningPid(dataDir, name) && runningPid(dataDir, name) !== killed[name]) && Date.now() < deadline) await sleep(200);
      expect(runningPid(dataDir, name)).not.toBe(killed[name]);
      expect(runningPid(dataDir, name)).toBeDefined();
    }
    expect(stack.output()).toMatch(/worker-1 exited \(SIGKILL\); starting it again/);
    expect(stack.output()).toMatch(/temporal-history exited \(SIGKILL\); starting it again/);

    await post(`/filings/${id}/decisions`, { stage: 'comprehensive-review', outcome: 'pass', opinion: '综合评估合格' }, t.e3, 200);
    const publicity = await post(`/filings/${id}/decisions`, { stage: 'deliberation', outcome: 'pass', opinion: '专题审议通过' }, t.pref, 200);
    expect(publicity.body.stage).toBe('publicity');

    const state = await get(`/filings/${id}`, t.prov);
    expect(state.stage).toBe('publicity');
    expect(state.decisions.map((d: { stage: string }) => d.stage)).toEqual([
      'preliminary-review',
      'technical-assessment',
      'comprehensive-review',
      'deliberation',
    ]);
    // ≥5 working days: at least five calendar days away
    expect(state.publicity.endsAtMs - Date.now()).toBeGreaterThan(5 * 86_400_000 - 3_600_000);

    // the publicity closes by itself: the workflow holds a durable timer for its end
    const conn = await Connection.connect({ address: `127.0.0.1:${env.TEMPORAL_PORT}` });
    try {
      const history = await new Client({ connection: conn }).workflow.getHandle(filingWorkflowId(id)).fetchHistory();
      const timers = (history.events ?? []).filter((e) => e.timerStartedEventAttributes);
      const fireAt = timers.map((e) => {
        const at = Number(e.eventTime!.seconds) * 1000 + Math.floor((e.eventTime!.nanos ?? 0) / 1e6);
        return at + Number(e.timerStartedEventAttributes!.startToFireTimeout!.seconds) * 1000;
      });
      expect(fireAt.some((ms) => Math.abs(ms - state.publicity.endsAtMs) < 120_000)).toBe(true);
    } finally {
      await conn.close();
    }

    // PostgreSQL's temporal and temporal_visibility databases hold the workflow but neither string;
    // the ferretdb database (the read model) holds the ID number: the control
    const dump = (db: string) =>
      execFileSync(join(PG_BIN, 'pg_dump'), ['-h', '127.0.0.1', '-p', env.POSTGRES_PORT, '-U', 'postgres', '--data-only', db], {
        env: { ...process.env, PGPASSWORD: readFileSync(join(dataDir, 'secrets', 'postgres'), 'utf8').trim() },
        maxBuffer: 512 * 1024 * 1024,
      });
    // (history blobs are bytea, which pg_dump writes as hex: both forms are searched)
    const found = (bytes: Buffer, text: string) => bytes.includes(text) || bytes.includes(Buffer.from(text).toString('hex'));
    for (const db of ['temporal', 'temporal_visibility']) {
      const bytes = dump(db);
      expect({ db, id: found(bytes, STAFF_ID), phone: found(bytes, PHONE) }).toEqual({ db, id: false, phone: false });
    }
    const temporalDump = dump('temporal');
    // pg_dump writes bytea as hex: the workflow id, in clear in the executions table, is there as text
    expect(found(temporalDump, filingWorkflowId(id))).toBe(true);
    // and the history blobs are searched for real: the workflow type's name is inside them (bytea)
    expect(temporalDump.includes(Buffer.from('filing').toString('hex'))).toBe(true);
    expect(dump('ferretdb').includes(STAFF_ID)).toBe(true);

    // both API processes served this filing: each request id is in exactly one API's log
    const byProcess = [1, 2].map((i) => {
      const log = readFileSync(join(dataDir, 'logs', `api-${i}.log`), 'utf8');
      return served.filter((rid) => log.includes(`"reqId":"${rid}"`));
    });
    expect(byProcess[0].length).toBeGreaterThan(0);
    expect(byProcess[1].length).toBeGreaterThan(0);
    expect(byProcess[0].length + byProcess[1].length).toBe(served.length);

    // SIGINT stops everything, PostgreSQL last
    expect(await stack.stop()).toBe(0);
    expect(stack.output()).toMatch(
      /stopped the API processes[\s\S]*stopped the workers[\s\S]*stopped temporal history[\s\S]*stopped ferretdb[\s\S]*stopped postgresql/,
    );
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
    for (const port of [env.PORT, env.TEMPORAL_PORT, env.FERRETDB_PORT, env.POSTGRES_PORT]) expect(await isListening(Number(port))).toBe(false);

    // started again on the same DATA_DIR: the same workflow, still in its publicity, takes the next step
    started = Date.now();
    stack = await startProductionCommand(env);
    timings.restartS = (Date.now() - started) / 1000;
    const again = await get(`/filings/${id}`, t.prov);
    expect(again.stage).toBe('publicity');
    const objection = await post(`/filings/${id}/objections`, { name: '张三', contact: 'zhangsan@example.cn', reason: '场地与申报不符' }, undefined, 202);
    const dismissed = await post(
      `/filings/${id}/objections/${objection.body.objectionId}/resolution`,
      { upheld: false, note: '经核查，场地与申报一致' },
      t.pref,
      200,
    );
    expect(dismissed.body.stage).toBe('publicity');
    expect(dismissed.body.publicity.objections).toHaveLength(1);
    expect(await stack.stop()).toBe(0);
    stack = undefined;
    console.log(
      `production stack: first start ${timings.firstStartS.toFixed(1)} s (clean DATA_DIR), restart ${timings.restartS.toFixed(1)} s; requests per API process: ${byProcess.map((r) => r.length).join(' / ')}`,
    );
  });
});
