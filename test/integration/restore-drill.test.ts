/**
 * The restore drill (README "Backup and restore"), on the embedded stack's real servers persisting
 * to a DATA_DIR as `npm start` lays it out: the Temporal dev server on `temporal.db` and FerretDB
 * on `ferretdb/`. Open filings with pending timers and a certified batch; `npm run backup` while
 * everything runs; more work; everything stopped and DATA_DIR wiped; `npm run restore`; restart.
 * Then the timers still fire, the certificates still verify, and the later work is gone.
 *
 * Time: a batch needs weeks (exam day, a 公示 of 5 working days) and the dev server keeps real
 * time. Server 1.32 can fast-forward one workflow's own time (experimental, enabled for this
 * server only, `workflowTimeSkipping`): the drill moves each case's time forward like demo
 * mode's clock does, one workflow at a time. The API's clock stays the wall clock.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ROOT, startFerretDB, startTemporalDev, type EmbeddedProcess } from '../../infra/embedded';
import { devStack, TEST_PAYLOAD_KEYS, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { application, idNumber } from '../fixtures/filing';
import { candidates as batchCandidates, plan as batchPlan } from '../fixtures/batch';
import { addCalendarDays, chinaDateOf } from '../../domain/calendar';
import { atChinaTime } from '../harness/start-dates';
import { fastForwardTo } from '../harness/fast-forward';
import { filingWorkflowId } from '../../workflows/filing/messages';
import { batchWorkflowId } from '../../workflows/batch/messages';
import type { Caller } from '../../domain/roles';
import type { Manifest } from '../../infra/backup';

jest.setTimeout(240_000);

const HOUR = 3_600_000;

interface Running {
  temporal: EmbeddedProcess;
  ferret: EmbeddedProcess;
  s: DevStack;
  api: ReturnType<typeof http>;
}

/** A script of the project as an operator runs it (`npm run backup` is `node --import tsx scripts/backup.ts`). */
function script(name: string, args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', `${name}.ts`), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('exit', (code) => ok({ code: code ?? 1, out }));
  });
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('restore drill on the embedded stack', () => {
  const root = mkdtempSync(join(tmpdir(), 'skillcert-drill-'));
  const dataDir = join(root, 'data');
  const backupDir = join(root, 'backup');
  const logDir = join(root, 'logs');
  const env = { DATA_DIR: dataDir };
  // one task queue and the same ports before and after the restore, as one machine's stack has
  const taskQueue = `drill-${randomUUID().slice(0, 8)}`;
  let ports: { temporal: number; ferret: number };
  let run: Running | undefined;

  const app = application({ province: '22', prefecture: '220100', kind: 'Y' });
  const t: Record<string, string> = {};

  async function up(): Promise<Running> {
    const temporal = await startTemporalDev({
      port: ports.temporal,
      dbFile: join(dataDir, 'temporal.db'),
      headless: true,
      workflowTimeSkipping: true,
      logFile: join(logDir, 'temporal.log'),
    });
    const ferret = await startFerretDB({ port: ports.ferret, dataDir: join(dataDir, 'ferretdb'), logFile: join(logDir, 'ferretdb.log') });
    const s = await devStack({
      temporalAddress: temporal.address,
      mongoUri: `mongodb://${ferret.address}/skillcert`,
      settings: { TEMPORAL_TASK_QUEUE: taskQueue },
      keepDatabase: true,
    });
    return { temporal, ferret, s, api: http(s.app) };
  }

  async function down(r: Running) {
    await r.s.close();
    await r.ferret.stop();
    await r.temporal.stop();
  }

  /**
   * Moves one workflow's own time to `targetMs`, firing its timers due on the way. Targets come
   * from the cases' own due dates, never a fixed number of days: the dev server runs on today's
   * date, and a holiday in the way makes working days longer.
   */
  const skipTo = (r: Running, workflowId: string, targetMs: number) =>
    fastForwardTo(r.s.services.temporal.connection, r.s.settings.TEMPORAL_NAMESPACE, workflowId, targetMs);

  async function tokens(r: Running) {
    const tok = (sub: string, c: Omit<Caller, 'sub' | 'name'>) => r.s.token({ sub, name: sub, ...c });
    t.inst = await tok('inst', { role: 'institution', province: '22', institutionId: app.institution.creditCode });
    t.pref = await tok('pref', { role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
    t.prov = await tok('prov', { role: 'province-reviewer', province: '22' });
    t.center = await tok('center', { role: 'center', province: '22', prefecture: '220100' });
    t.sup = await tok('sup-1', { role: 'supervisor', province: '22', prefecture: '220100' });
    for (const sub of ['ea', 'eb', 'ec']) t[sub] = await tok(sub, { role: 'expert', province: '22' });
  }

  beforeAll(async () => {
    mkdirSync(logDir);
    ports = { temporal: await freePort(), ferret: await freePort() };
  });
  afterAll(async () => {
    if (run) await down(run).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  async function submit(r: Running, a = app) {
    const token = await r.s.token({ role: 'institution', province: '22', institutionId: a.institution.creditCode });
    const created = await r.api.post('/api/v1/filings', a, token);
    expect([created.status, created.body.code]).toEqual([201, undefined]);
    return created.body.id as string;
  }

  async function decide(api: Running['api'], id: string, stage: string, token: string, extra: object = {}) {
    const r = await api.post(`/api/v1/filings/${id}/decisions`, { stage, outcome: 'pass', opinion: '通过', ...extra }, token);
    expect([stage, r.status, r.body.code]).toEqual([stage, 200, undefined]);
    return r.body;
  }

  /** 申报 through 审议: the filing is then in its 公示, with a timer for its end. */
  async function toPublicity(r: Running, id: string) {
    for (const [stage, e] of [
      ['preliminary-review', 'ea'],
      ['technical-assessment', 'eb'],
      ['comprehensive-review', 'ec'],
    ]) {
      expect((await r.api.post(`/api/v1/filings/${id}/assignments`, { stage, expertIds: [e] }, t.pref)).status).toBe(200);
    }
    await decide(r.api, id, 'preliminary-review', t.ea);
    await decide(r.api, id, 'technical-assessment', t.eb, { score: 90 });
    await decide(r.api, id, 'comprehensive-review', t.ec);
    return decide(r.api, id, 'deliberation', t.pref);
  }

  const getFiling = async (r: Running, id: string) => (await r.api.get(`/api/v1/filings/${id}`, t.prov)).body;

  it('backs up a running stack, loses what came after, and brings back timers and certificates', async () => {
    const started = Date.now();
    run = await up();
    let r = run;
    // the local key `npm start` keeps beside the data (here the tests' key, which the stack uses)
    writeFileSync(join(dataDir, 'payload-key'), `${TEST_PAYLOAD_KEYS}\n`, { mode: 0o600 });
    await tokens(r);
    for (const [i, sub] of ['ea', 'eb', 'ec'].entries()) {
      expect((await r.api.post('/api/v1/experts', { userId: sub, name: `专家${i}`, idNumber: idNumber(800 + i), province: '22' }, t.prov)).status).toBe(201);
    }
    const sup = { userId: 'sup-1', name: '王督导', idNumber: idNumber(900), province: '22', prefecture: '220100' };
    expect((await r.api.post('/api/v1/supervisors', sup, t.prov)).status).toBe(201);

    // a filing in force: its 公示 runs out in the filing's own time, then the notice
    const inForce = await submit(r);
    const inForcePublicity = (await toPublicity(r, inForce)).publicity;
    await skipTo(r, filingWorkflowId(inForce), inForcePublicity.endsAtMs + HOUR);
    await eventually('the 公示 ends', async () => ((await getFiling(r, inForce)).stage === 'notice' ? true : undefined));
    expect((await decide(r.api, inForce, 'notice', t.prov)).status).toBe('active');

    // a batch of three candidates to certified
    const from = chinaDateOf(Date.now());
    const exam = (await r.api.get(`/api/v1/calendar/working-days?from=${from}&add=12`)).body.date as string;
    const candidates = batchCandidates(app, [4, 4, 4]);
    const plan = { filingId: inForce, ...batchPlan(app, exam, exam, candidates) };
    const created = await r.api.post('/api/v1/batches', plan, t.inst);
    expect([created.status, created.body.code, created.body.detail]).toEqual([201, undefined, undefined]);
    const batch = created.body.id as string;
    expect((await r.api.post(`/api/v1/batches/${batch}/decisions`, { stage: 'plan-review', outcome: 'pass', opinion: '已收悉' }, t.center)).status).toBe(200);
    expect((await r.api.post(`/api/v1/batches/${batch}/supervision`, { action: 'assign', count: 1 }, t.center)).status).toBe(200);
    await skipTo(r, batchWorkflowId(batch), atChinaTime(addCalendarDays(exam, 1), 9));
    const getBatch = async () => (await r.api.get(`/api/v1/batches/${batch}`, t.center)).body;
    await eventually('the exam day passes', async () => ((await getBatch()).status === 'scoring' ? true : undefined));
    expect((await r.api.post(`/api/v1/batches/${batch}/supervision`, { action: 'report', severity: 'none', findings: '规范' }, t.sup)).status).toBe(200);
    const scores = candidates.map((c) => ({ idNumber: c.idNumber, theory: 75, skill: 80 }));
    const scored = await r.api.post(`/api/v1/batches/${batch}/scores`, { scores }, t.inst);
    expect(scored.body.status).toBe('publicity');
    await skipTo(r, batchWorkflowId(batch), (await getBatch()).publicity.endsAtMs + HOUR);
    await eventually('the result 公示 ends', async () => ((await getBatch()).status === 'results-due' ? true : undefined));
    expect((await r.api.post(`/api/v1/batches/${batch}/results`, {}, t.inst)).body.status).toBe('results-review');
    const certified = await r.api.post(`/api/v1/batches/${batch}/decisions`, { stage: 'results-review', outcome: 'pass', opinion: '审核通过' }, t.center);
    expect(certified.body.status).toBe('certified');
    const numbers = (certified.body.certificates.items as { number: string }[]).map((c) => c.number).sort();
    expect(numbers).toHaveLength(3);

    // open filings with pending timers: one in 初评 (due date), one in its 公示 (its end)
    const inReview = await submit(r, application({ province: '22', prefecture: '220100' }));
    expect((await r.api.post(`/api/v1/filings/${inReview}/assignments`, { stage: 'preliminary-review', expertIds: ['ea'] }, t.pref)).status).toBe(200);
    const inPublicity = await submit(r, application({ province: '22', prefecture: '220100' }));
    const publicityEnd = (await toPublicity(r, inPublicity)).publicity.endsAtMs as number;
    const reviewDue = (await getFiling(r, inReview)).due;
    expect(reviewDue).toEqual(expect.objectContaining({ dueAtMs: expect.any(Number) }));
    expect((await getFiling(r, inReview)).escalations).toEqual([]);
    console.log(`drill: state built in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // the backup, while everything runs
    const b0 = Date.now();
    const backup = await script('backup', ['--to', backupDir], env);
    expect([backup.code, backup.out]).toEqual([0, expect.stringContaining('manifest')]);
    console.log(`drill: backup in ${((Date.now() - b0) / 1000).toFixed(1)} s\n${backup.out}`);
    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest).toMatchObject({ format: 'skillcert-backup/1', stack: 'embedded' });
    expect(manifest.files.map((f) => f.restoreTo).sort()).toEqual(['ferretdb/skillcert.sqlite', 'payload-key', 'temporal.db']);
    for (const f of manifest.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);

    // work after the backup: a new filing, a decision, a revocation
    const later = await submit(r, application({ province: '22', prefecture: '220100' }));
    await decide(r.api, inReview, 'preliminary-review', t.ea);
    expect((await getFiling(r, inReview)).stage).toBe('technical-assessment');
    const revoked = await r.api.post(`/api/v1/certificates/${numbers[0]}/revocation`, { reason: '成绩录入错误' }, t.inst);
    expect([revoked.status, revoked.body.status]).toEqual([200, 'revoked']);

    // a restore refuses while the stack runs, and says why
    const refused = await script('restore', ['--from', backupDir], env);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/the embedded stack is running on .*stop it/);

    // everything stopped, DATA_DIR wiped, restored, started again
    await down(r);
    run = undefined;
    rmSync(dataDir, { recursive: true, force: true });
    const r0 = Date.now();
    const restored = await script('restore', ['--from', backupDir], env);
    expect([restored.code, restored.out]).toEqual([0, expect.stringContaining('everything the stack did after that moment is lost')]);
    console.log(`drill: restore in ${((Date.now() - r0) / 1000).toFixed(1)} s\n${restored.out}`);
    expect(readdirSync(join(dataDir, 'ferretdb'))).toContain('skillcert.sqlite');
    expect(readFileSync(join(dataDir, 'payload-key'), 'utf8')).toBe(`${TEST_PAYLOAD_KEYS}\n`);
    run = await up();
    r = run;

    // the work after the backup is gone
    expect((await r.api.get(`/api/v1/filings/${later}`, t.prov)).status).toBe(404);
    expect((await getFiling(r, inReview)).stage).toBe('preliminary-review');
    // the certificates verify, the revoked one valid again
    for (const n of numbers) {
      const cert = await r.api.get(`/api/v1/certificates/${n}`);
      expect([n, cert.status, cert.body.status]).toEqual([n, 200, 'valid']);
    }
    expect((await r.api.get(`/api/v1/batches/${batch}`, t.center)).body.status).toBe('certified');

    // the pending timers fire: 初评's due date escalates, the 公示 ends
    await skipTo(r, filingWorkflowId(inReview), reviewDue.dueAtMs + HOUR);
    const escalated = await eventually('the 初评 due date escalates', async () => {
      const f = await getFiling(r, inReview);
      return f.escalations.length ? f : undefined;
    });
    expect(escalated.stage).toBe('preliminary-review');
    await skipTo(r, filingWorkflowId(inPublicity), publicityEnd + HOUR);
    await eventually('the 公示 ends after the restore', async () => ((await getFiling(r, inPublicity)).stage === 'notice' ? true : undefined));
    // and the cases take decisions again
    await decide(r.api, inReview, 'preliminary-review', t.ea);
    expect((await decide(r.api, inPublicity, 'notice', t.prov)).status).toBe('active');
    console.log(`drill: ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
  });
});
