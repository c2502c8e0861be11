/**
 * The production stack (npm run start:production: PostgreSQL 15, Temporal Server's four services as
 * separate processes, FerretDB on PostgreSQL, two compiled workers, two API processes) from a clean
 * DATA_DIR. A filing goes over HTTP from 申报 through every review stage into its 公示, with requests
 * served by both API processes; midway a worker and the Temporal history service are SIGKILLed and
 * come back through the stack's supervisor. Then the whole stack is stopped with SIGINT and started
 * again on the same DATA_DIR, and the same workflow takes an objection. Then the filing gets its
 * 备案通知, and the filed institution runs a batch from plan to certificates (center, supervisor,
 * scores, result 公示, results review), with the other worker and the history service killed again
 * midway; the certificates verify publicly. Last, the backup and restore drill of the production
 * form: a backup taken online, a certificate revoked after it, the stack restored and started again.
 *
 * Time: a 公示 lasts ≥5 working days and an exam day is weeks away, and this server keeps real time.
 * The stack runs with TEMPORAL_WORKFLOW_TIME_SKIPPING=1 (tests only: Server 1.32's experimental
 * per-workflow time skipping), and the test fast-forwards the filing's and the batch's own time to
 * the dates the cases themselves give, as test/integration/restore-drill.test.ts does; every other
 * clock, the API's included, stays the wall clock. Run with `npm run test:production` (it provisions
 * Temporal Server and builds dist/).
 */
import { generateSigningKey, issueDateOf, verifyCertificateSignature } from '../../certificates/signature';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { call, killLeftovers, productionEnv, runningPid, startProductionCommand, type Answer, type ProductionCommand } from '../harness/production-command';
import { signToken } from '../../api/tokens';
import { isListening } from '../../infra/embedded';
import { PG_BIN, TIME_SKIPPING_WARNING } from '../../infra/production';
import { filingWorkflowId } from '../../workflows/filing/messages';
import { batchWorkflowId } from '../../workflows/batch/messages';
import { addCalendarDays, chinaDateOf } from '../../domain/calendar';
import { validityLastDay } from '../../domain/filing-dates';
import { application, idNumber } from '../fixtures/filing';
import { candidates as batchCandidates, plan as batchPlan } from '../fixtures/batch';
import { atChinaTime } from '../harness/start-dates';
import { fastForwardTo } from '../harness/fast-forward';
import type { Caller } from '../../domain/roles';

jest.setTimeout(900_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HOUR = 3_600_000;

describe('the production stack', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skillcert-production-'));
  // the postgres user runs PostgreSQL in $DATA_DIR/postgres and must be able to enter it
  chmodSync(dataDir, 0o755);
  let stack: ProductionCommand | undefined;
  let temporalConn: Connection | undefined;
  afterAll(async () => {
    await temporalConn?.close();
    await stack?.stop();
    killLeftovers(dataDir);
    if (!process.env.KEEP_PRODUCTION_DIR) rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes a filing to its 备案通知 and a batch to certificates through both API processes, across killed workers and history, and a full restart', async () => {
    const secret = randomBytes(32).toString('base64url');
    const env = await productionEnv(dataDir, {
      APP_MODE: 'production',
      AUTH_JWT_SECRET: secret,
      PAYLOAD_KEYS: `prod-test:${randomBytes(32).toString('base64')}`,
      CERT_SIGNING_KEYS: generateSigningKey('prod-test').settingEntry,
      PUBLIC_BASE_URL: 'https://zs.example.gov.cn',
      TEMPORAL_WORKFLOW_TIME_SKIPPING: '1',
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
      center: await token({ sub: 'center', role: 'center', province: '22', prefecture: '220100' }),
      sup: await token({ sub: 'sup-1', role: 'supervisor', province: '22', prefecture: '220100' }),
    };

    const timings: Record<string, number> = {};
    let started = Date.now();
    stack = await startProductionCommand(env);
    timings.firstStartS = (Date.now() - started) / 1000;
    expect(stack.output()).toContain(`API          ${base}/api/v1`);
    expect(stack.output()).toMatch(/PostgreSQL   127\.0\.0\.1:\d+/);
    expect(stack.output()).toContain(`codec        http://127.0.0.1:${env.CODEC_PORT}/codec`);
    // a stack whose workflows can be fast-forwarded says so, at the start and under the addresses
    expect(stack.output().split(TIME_SKIPPING_WARNING).length - 1).toBe(2);
    expect(readFileSync(join(dataDir, 'run', 'temporal-dynamicconfig.yaml'), 'utf8')).toMatch(/frontend\.WorkflowTimeSkippingEnabled:\n\s+- value: true/);
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
    const get = async (path: string, tok?: string) => {
      const requestId = `prod-get-${++n}`;
      const r = await call(base, 'GET', `/api/v1${path}`, { token: tok, requestId });
      served.push(requestId);
      expect({ path, status: r.status }).toEqual({ path, status: 200 });
      return r.body;
    };
    /** Until `probe` gives a value (polling over HTTP, so these reads are served by both processes too). */
    const eventually = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = await probe();
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
        await sleep(250);
      }
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

    temporalConn = await Connection.connect({ address: `127.0.0.1:${env.TEMPORAL_PORT}` });
    const temporal = temporalConn;
    const skipTo = (workflowId: string, targetMs: number) => fastForwardTo(temporal, 'default', workflowId, targetMs);

    // the 公示 runs out in the filing's own time, with nothing upheld: the notice stage, then 备案通知
    await skipTo(filingWorkflowId(id), dismissed.body.publicity.endsAtMs + HOUR);
    const atNotice = await eventually('the 公示 ends', async () => {
      const f = await get(`/filings/${id}`, t.prov);
      return f.stage === 'notice' ? f : undefined;
    });
    expect(atNotice.publicity.outcome).toBe('closed');
    const filed = await post(`/filings/${id}/decisions`, { stage: 'notice', outcome: 'pass', opinion: '准予备案' }, t.prov, 200);
    expect(filed.body.status).toBe('active');
    const notice = (await get(`/filings/${id}`, t.inst)).notice;
    // issued in the filing's own time, after its 公示's end; valid from that day for the preset's years
    const issuedMs = Date.parse(notice.issuedAt);
    expect(issuedMs).toBeGreaterThan(dismissed.body.publicity.endsAtMs);
    const issuedOn = chinaDateOf(issuedMs);
    expect(notice.number).toBe(`吉人社技备〔${issuedOn.slice(0, 4)}〕${notice.sequence}号`);
    expect(notice.validUntil).toBe(validityLastDay(issuedOn, atNotice.policy.validityYears));
    expect(notice.institutionCode).toContain(notice.sequence);
    const directory = await get('/directory?province=22');
    expect(directory.items.map((e: { creditCode: string }) => e.creditCode)).toContain(app.institution.creditCode);

    // the filed institution's batch, plan to certificates; its requests are counted apart
    const batchFrom = served.length;
    const batchStarted = Date.now();
    await post('/supervisors', { userId: 'sup-1', name: '王督导', idNumber: idNumber(900), province: '22', prefecture: '220100' }, t.prov, 201);
    const exam = (await get(`/calendar/working-days?from=${chinaDateOf(Date.now())}&add=12`)).date as string;
    const candidates = batchCandidates(app, [4, 4, 3]);
    const planned = await post('/batches', { filingId: id, ...batchPlan(app, exam, exam, candidates) }, t.inst, 201);
    const batch: string = planned.body.id;
    await post(`/batches/${batch}/decisions`, { stage: 'plan-review', outcome: 'pass', opinion: '已收悉' }, t.center, 200);
    await post(`/batches/${batch}/supervision`, { action: 'assign', count: 1 }, t.center, 200);
    const getBatch = () => get(`/batches/${batch}`, t.center);
    await skipTo(batchWorkflowId(batch), atChinaTime(addCalendarDays(exam, 1), 9));
    await eventually('the exam day passes', async () => ((await getBatch()).status === 'scoring' ? true : undefined));

    // midway again: the other worker and the history service; the report and the scores go in meanwhile
    const killedAgain: Record<string, number> = {};
    for (const name of ['worker-2', 'temporal-history']) {
      killedAgain[name] = runningPid(dataDir, name)!;
      expect(killedAgain[name]).toBeDefined();
      process.kill(killedAgain[name], 'SIGKILL');
    }
    await post(`/batches/${batch}/supervision`, { action: 'report', severity: 'none', findings: '考务规范' }, t.sup, 200);
    const scores = candidates.map((c) => ({ idNumber: c.idNumber, theory: 75, skill: 80 }));
    const scored = await post(`/batches/${batch}/scores`, { scores }, t.inst, 200);
    expect(scored.body.status).toBe('publicity');
    for (const name of Object.keys(killedAgain)) {
      const deadline = Date.now() + 60_000;
      while (!(runningPid(dataDir, name) && runningPid(dataDir, name) !== killedAgain[name]) && Date.now() < deadline) await sleep(200);
      expect(runningPid(dataDir, name)).toBeDefined();
      expect(runningPid(dataDir, name)).not.toBe(killedAgain[name]);
    }
    expect(stack.output()).toMatch(/worker-2 exited \(SIGKILL\); starting it again/);

    await skipTo(batchWorkflowId(batch), scored.body.publicity.endsAtMs + HOUR);
    await eventually('the result 公示 ends', async () => ((await getBatch()).status === 'results-due' ? true : undefined));
    const submitted = await post(`/batches/${batch}/results`, {}, t.inst, 200);
    expect(submitted.body.status).toBe('results-review');
    const certified = await post(`/batches/${batch}/decisions`, { stage: 'results-review', outcome: 'pass', opinion: '审核通过' }, t.center, 200);
    expect(certified.body.status).toBe('certified');
    const numbers = (certified.body.certificates.items as { number: string }[]).map((c) => c.number).sort();
    expect(numbers).toHaveLength(candidates.length);

    // anyone checks them: the public look-up, and the signature of each QR code's link against the published keys
    const { keys } = await get('/certificates/signing-keys');
    for (const number of numbers) {
      const cert = await get(`/certificates/${number}`);
      // the certificate code starts with the institution code its 备案通知 gave (positions 1–13)
      expect(number.startsWith(notice.institutionCode)).toBe(true);
      expect(cert).toMatchObject({ number, status: 'valid', institution: { code: notice.institutionCode } });
      expect(cert.holder.idNumber).toMatch(/^\d{3}\*+\d{3}[\dX]$/);
      const sig = new URL(cert.verifyUrl).searchParams.get('sig')!;
      expect(verifyCertificateSignature(number, cert.holder.idNumber, issueDateOf(cert.issuedAt), sig, keys)).toEqual({ valid: true, kid: 'prod-test' });
    }

    // FerretDB's equality look-up (`_jsonb->$1 @> $2`, the key a bind parameter) is served by the
    // GIN indexes the stack adds (infra/pg-indexes.ts), not by a scan of every certificate or
    // candidate; seq scans off, as a table this small would be read whole anyway
    const psql = (sql: string) =>
      execFileSync(
        join(PG_BIN, 'psql'),
        ['-h', '127.0.0.1', '-p', env.POSTGRES_PORT, '-U', 'postgres', '-d', 'ferretdb', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', sql],
        {
          env: { ...process.env, PGPASSWORD: readFileSync(join(dataDir, 'secrets', 'postgres'), 'utf8').trim() },
        },
      ).toString();
    expect(psql(`SELECT rolconfig FROM pg_roles WHERE rolname = 'ferretdb'`)).toContain('plan_cache_mode=force_custom_plan');
    const tables = new Map(
      psql(`SELECT _jsonb->>'_id', _jsonb->>'table' FROM skillcert._ferretdb_database_metadata`)
        .trim()
        .split('\n')
        .map((line) => line.split('|') as [string, string]),
    );
    for (const [collection, key, value] of [
      ['certificates', '_id', numbers[0]],
      ['batchCandidates', 'batchId', batch],
    ]) {
      const plan = psql(
        [
          'SET enable_seqscan = off',
          `PREPARE q(text, jsonb) AS SELECT _jsonb FROM skillcert."${tables.get(collection)}" WHERE _jsonb->$1 @> $2`,
          `EXPLAIN EXECUTE q('${key}', to_jsonb('${value}'::text))`,
        ].join('; '),
      );
      expect({ collection, plan }).toEqual({ collection, plan: expect.stringMatching(/Bitmap Index Scan on \S+_gin\b/) });
    }

    // the candidates' ID numbers reach Temporal's databases only encrypted, as the staff's did
    for (const db of ['temporal', 'temporal_visibility']) {
      const bytes = dump(db);
      expect({ db, ids: candidates.filter((c) => found(bytes, c.idNumber)).length }).toEqual({ db, ids: 0 });
    }

    // both API processes served the batch part too
    const batchByProcess = [1, 2].map((i) => {
      const log = readFileSync(join(dataDir, 'logs', `api-${i}.log`), 'utf8');
      return served.slice(batchFrom).filter((rid) => log.includes(`"reqId":"${rid}"`));
    });
    expect(batchByProcess[0].length).toBeGreaterThan(0);
    expect(batchByProcess[1].length).toBeGreaterThan(0);
    expect(batchByProcess[0].length + batchByProcess[1].length).toBe(served.length - batchFrom);

    // Backup and restore, production form (README "Backup and restore"): a backup taken online; a
    // certificate revoked after it; the stack stopped, restored from the backup and started again.
    // The revocation came after the backup and is gone; everything before it is back, the filing's
    // workflow and the batch's certificates with it.
    const node = (script: string, args: string[]) =>
      execFileSync(process.execPath, [join(__dirname, '../../dist/scripts', script), ...args, '--stack', 'production'], {
        env: { ...process.env, ...env },
        stdio: 'pipe',
        timeout: 180_000,
      }).toString();
    const backupDir = mkdtempSync(join(tmpdir(), 'skillcert-production-backup-'));
    let drillS = Date.now();
    try {
      const backedUp = node('backup.js', ['--to', join(backupDir, 'b')]);
      timings.backupS = (Date.now() - drillS) / 1000;
      expect(backedUp).toMatch(/pg_dump -Fc ferretdb: .*\n.*done in/);
      const revoked = await post(`/certificates/${numbers[0]}/revocation`, { reason: '备份之后撤销' }, t.inst, 200);
      expect(revoked.body.status).toBe('revoked');
      expect(await stack.stop()).toBe(0);
      stack = undefined;
      drillS = Date.now();
      node('restore.js', ['--from', join(backupDir, 'b')]);
      timings.restoreS = (Date.now() - drillS) / 1000;
      stack = await startProductionCommand(env);
      expect((await get(`/certificates/${numbers[0]}`)).status).toBe('valid');
      for (const number of numbers) expect((await get(`/certificates/${number}`)).status).toBe('valid');
      expect((await get(`/filings/${id}`, t.prov)).status).toBe('active');
      // the restored workflows run on: the certificate is revoked again, through its own workflow
      expect((await post(`/certificates/${numbers[0]}/revocation`, { reason: '恢复之后撤销' }, t.inst, 200)).body.status).toBe('revoked');
    } finally {
      rmSync(backupDir, { recursive: true, force: true });
    }

    expect(await stack.stop()).toBe(0);
    stack = undefined;
    console.log(
      `production stack: first start ${timings.firstStartS.toFixed(1)} s (clean DATA_DIR), restart ${timings.restartS.toFixed(1)} s; backup ${timings.backupS?.toFixed(1)} s, restore ${timings.restoreS?.toFixed(1)} s; batch ${((Date.now() - batchStarted) / 1000).toFixed(1)} s; requests per API process: ${byProcess.map((r) => r.length).join(' / ')} (filing), ${batchByProcess.map((r) => r.length).join(' / ')} (batch)`,
    );
  });
});
