/**
 * Starts and stops the embedded real servers that .tools/ holds (see scripts/provision.sh):
 * the Temporal dev server, the Temporal time-skipping test server and FerretDB. Used by the
 * main command, demo mode, the jest global setup and the chaos run, so they all start the
 * same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { mkdirSync, createWriteStream, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { registerSearchAttributes } from './search-attributes';
import { ensureIdPathIndexes } from './ferretdb-sqlite-indexes';

/** The repository (where package.json, .tools/ and the console's files are), also from dist/infra. */
export const ROOT = (() => {
  for (let dir = resolve(__dirname, '..'); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(__dirname, '..');
  }
})();
export const TOOLS_BIN = process.env.TOOLS_DIR ? join(process.env.TOOLS_DIR, 'bin') : join(ROOT, '.tools', 'bin');
export type ToolName = 'temporal' | 'temporal-test-server' | 'ferretdb' | 'temporal-server' | 'temporal-sql-tool' | 'temporal-ui-server';
export const binary = (name: ToolName) => join(TOOLS_BIN, name);

export interface EmbeddedProcess {
  name: string;
  child: ChildProcess;
  /** host:port clients connect to */
  address: string;
  port: number;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
function kernelPort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

function canBind(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => ok(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => ok(true)));
  });
}

/**
 * Jest runs test files in parallel workers, and each starts servers (FerretDB, Temporal, the main
 * command) on ports it chose here. A port chosen by the kernel is released before the server binds
 * it, and another worker's freePort or outgoing connection could take it in between: the main
 * command then refused to start ("port … is already in use"). So inside a jest worker each worker
 * takes ports from its own block below the kernel's ephemeral range (32768–60999 on Linux), which
 * no other worker and no port-0 bind ever hands out. Only in the worker itself
 * (test/harness/ports.ts marks it): a child it starts inherits JEST_WORKER_ID and must not
 * hand out the block's ports again.
 */
export const WORKER_PORT_BLOCK = { base: 20_000, size: 1_000 };
let nextWorkerPort = 0;

/** A free TCP port on 127.0.0.1: the kernel's choice, or the jest worker's own block (above). */
export async function freePort(): Promise<number> {
  const worker = Number(process.env.JEST_WORKER_ID);
  if (process.env.SKILLCERT_TEST_PORTS_PID !== String(process.pid)) return kernelPort();
  if (!Number.isInteger(worker) || worker < 1 || worker > 12) return kernelPort();
  const first = WORKER_PORT_BLOCK.base + (worker - 1) * WORKER_PORT_BLOCK.size;
  for (let tried = 0; tried < WORKER_PORT_BLOCK.size; tried++) {
    const port = first + (nextWorkerPort++ % WORKER_PORT_BLOCK.size);
    // a port still bound by an earlier test file of this worker (each file restarts the count) is skipped
    if (await canBind(port)) return port;
  }
  return kernelPort();
}

export async function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((ok) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      ok(true);
    });
    socket.once('error', () => ok(false));
  });
}

export async function waitForPort(port: number, timeoutMs: number, child?: ChildProcess, name = `port ${port}`) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before listening on ${port}`);
    if (await isListening(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not listen on ${port} within ${timeoutMs} ms`);
}

function launch(name: string, cmd: string, args: string[], port: number, logFile?: string, extraEnv: NodeJS.ProcessEnv = {}): EmbeddedProcess {
  if (!existsSync(cmd)) throw new Error(`${name}: ${cmd} is missing; run scripts/provision.sh`);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...extraEnv } });
  if (logFile) {
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
  } else {
    child.stdout!.resume();
    child.stderr!.resume();
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    name,
    child,
    port,
    address: `127.0.0.1:${port}`,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface TemporalDevOptions {
  port?: number;
  uiPort?: number;
  /** persist to this SQLite file; in memory when absent */
  dbFile?: string;
  headless?: boolean;
  logFile?: string;
  /** the Web UI decodes payloads through this codec endpoint (`--ui-codec-endpoint`) */
  codecEndpoint?: string;
  /**
   * Lets a client fast-forward one workflow's own time (Server 1.32's experimental
   * `frontend.WorkflowTimeSkippingEnabled`). Tests only: the restore drill needs a batch certified
   * and timers fired on a server that persists to a file, where no time-skipping test server exists.
   */
  workflowTimeSkipping?: boolean;
}

/** `temporal server start-dev` with Updates enabled and SQLite tuned for a single writer. */
export async function startTemporalDev(opts: TemporalDevOptions = {}): Promise<EmbeddedProcess & { uiPort?: number }> {
  const port = opts.port ?? (await freePort());
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    'default',
    '--log-level',
    'warn',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.workerVersioningWorkflowAPIs=true',
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    'synchronous=NORMAL',
  ];
  if (opts.workflowTimeSkipping) args.push('--dynamic-config-value', 'frontend.WorkflowTimeSkippingEnabled=true');
  let uiPort: number | undefined;
  if (opts.headless ?? !opts.uiPort) args.push('--headless');
  else {
    uiPort = opts.uiPort ?? (await freePort());
    args.push('--ui-port', String(uiPort), '--ui-disable-news-fetch');
    if (opts.codecEndpoint) args.push('--ui-codec-endpoint', opts.codecEndpoint);
  }
  if (opts.dbFile) {
    mkdirSync(resolve(opts.dbFile, '..'), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  args.push('--http-port', String(await freePort()), '--metrics-port', String(await freePort()));
  const proc = launch('temporal dev server', binary('temporal'), args, port, opts.logFile);
  await waitForPort(port, 60_000, proc.child, proc.name);
  if (uiPort) await waitForPort(uiPort, 30_000, proc.child, 'temporal ui');
  await registerSearchAttributes(`127.0.0.1:${port}`);
  return { ...proc, uiPort };
}

/** The time-skipping test server (Java SDK's, native build). Time moves only when unlocked. */
export async function startTestServer(opts: { port?: number; logFile?: string } = {}): Promise<EmbeddedProcess> {
  const port = opts.port ?? (await freePort());
  const proc = launch('temporal time-skipping test server', binary('temporal-test-server'), [String(port)], port, opts.logFile);
  await waitForPort(port, 30_000, proc.child, proc.name);
  await registerSearchAttributes(`127.0.0.1:${port}`);
  return proc;
}

/** FerretDB v1 on its SQLite backend: one directory of SQLite files per database. */
export async function startFerretDB(opts: {
  port?: number;
  dataDir: string;
  logFile?: string;
  /** add the _id look-up indexes FerretDB's SQLite backend lacks (default true; a test turns it off to see the difference) */
  idPathIndexes?: boolean;
}): Promise<EmbeddedProcess> {
  const port = opts.port ?? (await freePort());
  mkdirSync(opts.dataDir, { recursive: true });
  // WAL is FerretDB's default; synchronous=NORMAL is safe with WAL and spares an fsync per commit
  const url = `file:${opts.dataDir.endsWith('/') ? opts.dataDir : opts.dataDir + '/'}?_pragma=synchronous(normal)`;
  const args = [
    '--handler=sqlite',
    `--sqlite-url=${url}`,
    `--listen-addr=127.0.0.1:${port}`,
    `--state-dir=${opts.dataDir}`,
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=warn',
  ];
  const proc = launch('ferretdb', binary('ferretdb'), args, port, opts.logFile);
  await waitForPort(port, 30_000, proc.child, proc.name);
  // FerretDB's own _id index does not serve its _id look-ups on SQLite: add one that does, on the
  // tables there are and, every minute, on those the app creates later (infra/ferretdb-sqlite-indexes.ts)
  if (opts.idPathIndexes === false) return proc;
  let warned = false;
  const pass = () =>
    void ensureIdPathIndexes(opts.dataDir).catch((err: Error) => {
      if (!warned) console.warn(`ferretdb: could not add the _id look-up indexes (${err.message.split('\n')[0]}); look-ups by _id scan their table`);
      warned = true;
    });
  const first = setTimeout(pass, 2_000).unref();
  const every = setInterval(pass, 60_000).unref();
  const stop = proc.stop.bind(proc);
  proc.stop = (signal) => {
    clearTimeout(first);
    clearInterval(every);
    return stop(signal);
  };
  return proc;
}
