/**
 * `npm start` and `npm run demo` stop cleanly when their own process gets SIGINT or SIGTERM, as
 * systemd or a container runtime sends it to the process it started: every server they started is
 * stopped and every port is free again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isListening } from '../../infra/embedded';
import { embeddedEnv, startMainCommand } from '../harness/main-command';

jest.setTimeout(240_000);

describe('the main command stops on a signal to the npm process itself', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it.each([
    ['start', 'SIGINT'],
    ['demo', 'SIGTERM'],
  ] as const)('npm run %s, %s to its PID', async (script, signal) => {
    const dir = mkdtempSync(join(tmpdir(), `skillcert-signal-${script}-`));
    dirs.push(dir);
    const env = await embeddedEnv(dir);
    const cmd = await startMainCommand(env, [], 180_000, { viaNpm: script });
    const ports = [env.PORT, env.TEMPORAL_PORT, env.FERRETDB_PORT].map(Number);
    for (const p of ports) expect(await isListening(p)).toBe(true);
    const exited = new Promise<number | null>((r) => cmd.child.once('exit', (code) => r(code)));
    cmd.child.kill(signal);
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000))]);
    expect(code).not.toBe('hung');
    expect(cmd.output()).toContain('stopping');
    for (const p of ports) expect([p, await isListening(p)]).toEqual([p, false]);
  });
});
