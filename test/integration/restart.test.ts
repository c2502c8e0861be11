/**
 * The main command (scripts/start.ts) twice on the same DATA_DIR: a filing started before the
 * stop is still running after the restart, with its documents.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedEnv, startMainCommand } from '../harness/main-command';
import { signToken } from '../../api/tokens';
import { loadSettings } from '../../config';
import { application } from '../fixtures/filing';

jest.setTimeout(180_000);

describe('the main command keeps workflows and documents across a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skillcert-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts, stops on SIGINT, and comes back with the same running filing', async () => {
    const env = await embeddedEnv(dataDir, { APP_MODE: 'development' });
    const base = `http://127.0.0.1:${env.PORT}`;
    const secret = loadSettings({ APP_MODE: 'development' }).AUTH_JWT_SECRET!;
    const app = application();
    const inst = await signToken(secret, { sub: 'inst', name: 'inst', role: 'institution', province: '22', institutionId: app.institution.creditCode });
    const reviewer = await signToken(secret, { sub: 'pref', name: 'pref', role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
    const prov = await signToken(secret, { sub: 'prov', name: 'prov', role: 'province-reviewer', province: '22' });

    const first = await startMainCommand(env);
    expect(first.output()).toContain(`API          ${base}/api/v1`);
    expect(first.output()).toMatch(/Temporal UI  http:\/\/127\.0\.0\.1:\d+/);
    const created = await fetch(`${base}/api/v1/filings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${inst}` },
      body: JSON.stringify(app),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await first.stop();
    expect(first.output()).toMatch(/stopped temporal dev server/);

    const second = await startMainCommand(env);
    try {
      const got = await fetch(`${base}/api/v1/filings/${id}`, { headers: { authorization: `Bearer ${reviewer}` } });
      expect(got.status).toBe(200);
      expect(((await got.json()) as { stage: string }).stage).toBe('submitted');
      // the workflow is alive: it takes the next step
      await fetch(`${base}/api/v1/experts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${prov}` },
        body: JSON.stringify({ userId: 'e1', name: '专家', idNumber: '11010519491231002X', province: '22' }),
      });
      // the worker may still be starting (a loaded machine): the API then answers 503 with
      // Retry-After, and a client sends the same request again with the same Idempotency-Key
      const assign = () =>
        fetch(`${base}/api/v1/filings/${id}/assignments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${reviewer}`, 'idempotency-key': 'restart-assign-1' },
          body: JSON.stringify({ stage: 'preliminary-review', expertIds: ['e1'] }),
        });
      let assigned = await assign();
      for (let i = 0; assigned.status === 503 && i < 6; i++) {
        expect(Number(assigned.headers.get('retry-after'))).toBeGreaterThan(0);
        await new Promise((r) => setTimeout(r, Number(assigned.headers.get('retry-after')) * 1000));
        assigned = await assign();
      }
      expect(assigned.status).toBe(200);
      expect(((await assigned.json()) as { stage: string }).stage).toBe('preliminary-review');
    } finally {
      await second.stop();
    }
  });
});
