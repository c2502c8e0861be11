/**
 * The main command (scripts/start.ts) twice on the same DATA_DIR: a filing started before the
 * stop is still running after the restart, with its documents.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ROOT } from '../../infra/embedded';
import { signToken } from '../../api/plugins/auth';
import { loadSettings } from '../../config';
import { application } from '../fixtures/filing';

jest.setTimeout(180_000);

function start(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/start.ts')], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`start timed out:\n${out}`)), 120_000);
    const check = setInterval(() => {
      if (out.includes('Ctrl-C stops everything')) {
        clearInterval(check);
        clearTimeout(timer);
        ok({ child, output: () => out });
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      fail(new Error(`start exited ${code}:\n${out}`));
    });
  });
}

async function stop(child: ChildProcess) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
}

describe('the main command keeps workflows and documents across a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skillcert-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts, stops on SIGINT, and comes back with the same running filing', async () => {
    const env = {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      TEMPORAL_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      FERRETDB_PORT: String(await freePort()),
      APP_MODE: 'development',
      LOG_LEVEL: 'warn',
      TEMPORAL_ADDRESS: '',
      MONGODB_URI: '',
    };
    const base = `http://127.0.0.1:${env.PORT}`;
    const secret = loadSettings({}).AUTH_JWT_SECRET!;
    const app = application();
    const inst = await signToken(secret, { sub: 'inst', name: 'inst', role: 'institution', province: '22', institutionId: app.institution.creditCode });
    const reviewer = await signToken(secret, { sub: 'pref', name: 'pref', role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
    const prov = await signToken(secret, { sub: 'prov', name: 'prov', role: 'province-reviewer', province: '22' });

    const first = await start(env);
    expect(first.output()).toContain(`API          ${base}/api/v1`);
    expect(first.output()).toMatch(/Temporal UI  http:\/\/127\.0\.0\.1:\d+/);
    const created = await fetch(`${base}/api/v1/filings`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${inst}` }, body: JSON.stringify(app) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await stop(first.child);
    expect(first.output()).toMatch(/stopped temporal dev server/);

    const second = await start(env);
    try {
      const got = await fetch(`${base}/api/v1/filings/${id}`, { headers: { authorization: `Bearer ${reviewer}` } });
      expect(got.status).toBe(200);
      expect(((await got.json()) as { stage: string }).stage).toBe('submitted');
      // the workflow is alive: it takes the next step
      await fetch(`${base}/api/v1/experts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${prov}` }, body: JSON.stringify({ userId: 'e1', name: '专家', idNumber: '11010519491231002X', province: '22' }) });
      const assigned = await fetch(`${base}/api/v1/filings/${id}/assignments`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${reviewer}` }, body: JSON.stringify({ stage: 'preliminary-review', expertIds: ['e1'] }),
      });
      expect(assigned.status).toBe(200);
      expect(((await assigned.json()) as { stage: string }).stage).toBe('preliminary-review');
    } finally {
      await stop(second.child);
    }
  });
});
