/**
 * The project's main command (scripts/start.ts, `npm start` / `npm run demo` with `--demo`) as a
 * child process, for tests that exercise it whole: started with the given environment, ready when
 * it prints its "Ctrl-C stops everything" line, stopped with SIGINT as a person would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, ROOT } from '../../infra/embedded';

export interface MainCommand {
  child: ChildProcess;
  output(): string;
  /** SIGINT, then wait for it to exit */
  stop(): Promise<void>;
}

/** Free ports for everything the main command listens on, and no external servers. */
export async function embeddedEnv(dataDir: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    DATA_DIR: dataDir,
    PORT: String(await freePort()),
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    FERRETDB_PORT: String(await freePort()),
    CODEC_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    TEMPORAL_ADDRESS: '',
    MONGODB_URI: '',
    ...extra,
  };
}

export function startMainCommand(
  env: Record<string, string>,
  args: string[] = [],
  timeoutMs = 150_000,
  opts: { viaNpm?: 'start' | 'demo' } = {},
): Promise<MainCommand> {
  // viaNpm: the way an operator (or systemd, or a container runtime) runs it: `npm start` itself is the process signalled
  const child = opts.viaNpm
    ? spawn('npm', ['run', '--silent', opts.viaNpm], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/start.ts'), ...args], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  };
  return new Promise((ok, fail) => {
    const onExit = (code: number | null) => {
      clearInterval(check);
      clearTimeout(timer);
      fail(new Error(`start exited ${code}:\n${out}`));
    };
    const timer = setTimeout(() => {
      clearInterval(check);
      child.off('exit', onExit);
      fail(new Error(`start timed out:\n${out}`));
    }, timeoutMs);
    const check = setInterval(() => {
      if (out.includes('Ctrl-C stops everything')) {
        clearInterval(check);
        clearTimeout(timer);
        child.off('exit', onExit);
        ok({ child, output: () => out, stop });
      }
    }, 100);
    child.once('exit', onExit);
  });
}
