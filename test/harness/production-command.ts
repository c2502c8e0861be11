/**
 * The production stack's command (`node dist/scripts/start-production.js`, what
 * `npm run start:production` runs after provisioning and building) as a child process: ready when
 * it prints "Ctrl-C stops everything", stopped with SIGINT. Plus plain HTTP on a new connection per
 * request, so the Node cluster hands successive requests to its API processes in turn.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ROOT } from '../../infra/embedded';
import { freePortBlock, PG_BIN } from '../../infra/production';

export interface ProductionCommand {
  child: ChildProcess;
  output(): string;
  /** SIGINT, then wait for it to exit; its exit code */
  stop(): Promise<number | null>;
}

/** Free ports for everything the production stack listens on, and no external servers. */
export async function productionEnv(dataDir: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    DATA_DIR: dataDir,
    PORT: String(await freePort()),
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    TEMPORAL_INTERNAL_PORTS: String(await freePortBlock(12)),
    FERRETDB_PORT: String(await freePort()),
    POSTGRES_PORT: String(await freePort()),
    CODEC_PORT: String(await freePort()),
    LOG_LEVEL: 'info',
    TEMPORAL_ADDRESS: '',
    MONGODB_URI: '',
    ...extra,
  };
}

export function startProductionCommand(env: Record<string, string>, timeoutMs = 300_000): Promise<ProductionCommand> {
  const child = spawn(process.execPath, [join(ROOT, 'dist/scripts/start-production.js')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    return exited;
  };
  return new Promise((ok, fail) => {
    const onExit = (code: number | null) => {
      clearInterval(check);
      clearTimeout(timer);
      fail(new Error(`start-production exited ${code}:\n${out}`));
    };
    const timer = setTimeout(() => {
      clearInterval(check);
      child.off('exit', onExit);
      void stop();
      fail(new Error(`start-production timed out:\n${out}`));
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

/** The pid a supervised process of the stack wrote to $DATA_DIR/run/<name>.pid, if it runs. */
export function runningPid(dataDir: string, name: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'run', `${name}.pid`), 'utf8').trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * After a failed test: kills what a crashed or hung stack left running, by its pid files, and stops
 * its PostgreSQL (which pg_ctl started in a session of its own).
 */
export function killLeftovers(dataDir: string) {
  const run = join(dataDir, 'run');
  for (const f of existsSync(run) ? readdirSync(run).filter((n) => n.endsWith('.pid')) : []) {
    const pid = runningPid(dataDir, f.slice(0, -'.pid'.length));
    if (pid) process.kill(pid, 'SIGKILL');
  }
  if (existsSync(join(dataDir, 'postgres', 'postmaster.pid'))) {
    const pgCtl = join(PG_BIN, 'pg_ctl');
    const args = ['-D', join(dataDir, 'postgres'), '-m', 'immediate', '-w', 'stop'];
    spawnSync(process.getuid?.() === 0 ? 'runuser' : pgCtl, process.getuid?.() === 0 ? ['-u', 'postgres', '--', pgCtl, ...args] : args, { stdio: 'ignore' });
  }
}

export interface Answer {
  status: number;
  body: any;
}

/** One request on a connection of its own (no keep-alive), with the given X-Request-Id. */
export function call(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; requestId?: string; idempotencyKey?: string } = {},
): Promise<Answer> {
  const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  return new Promise((ok, fail) => {
    const req = request(
      `${base}${path}`,
      {
        method,
        agent: false,
        headers: {
          connection: 'close',
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.requestId ? { 'x-request-id': opts.requestId } : {}),
          ...(opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}),
        },
        timeout: 120_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON */
          }
          ok({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', fail);
    req.end(payload);
  });
}
