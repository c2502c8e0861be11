/**
 * The production stack (npm run start:production, npm run chaos -- --stack production, the
 * production integration test): a PostgreSQL 15 cluster of its own in $DATA_DIR/postgres, Temporal
 * Server's frontend, history, matching and worker services as separate processes on it, FerretDB
 * on its PostgreSQL backend, and the compiled workers and API processes. Every process but
 * PostgreSQL is a child that is started again when it dies; PostgreSQL runs detached under pg_ctl,
 * is started again by a watchdog when it stops unasked, and is stopped last by stop().
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, appendFileSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadSettings, nthWorkerMetricsAddress, settingsSchema, workerMetricsAddress, type Settings } from '../config';
import { generateSigningKey } from '../certificates/signature';
import { PayloadKey } from './payload-keys';
import { binary, freePort, isListening, ROOT } from './embedded';
import { ensureEqualityIndexes, FERRETDB_ROLE_SETTINGS } from './pg-indexes';

/** Pinned in scripts/provision-production.sh; checked here so a stale .tools/ is named, not obscure. */
export const TEMPORAL_SERVER_VERSION = 'v1.32.0';
export const PG_MAJOR = 15;
export const PG_BIN = process.env.PG_BIN_DIR ?? `/usr/lib/postgresql/${PG_MAJOR}/bin`;
export const DIST = join(ROOT, 'dist');
/** Closed runs' histories are kept this long; the read models are the lasting record. */
export const NAMESPACE_RETENTION = '30d';
export const TEMPORAL_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** PostgreSQL refuses to run as root; as root we run it as the Debian package's `postgres` user. */
const asRoot = process.getuid?.() === 0;
const PG_USER = 'postgres';

export class ProductionError extends Error {
  override name = 'ProductionError';
  constructor(step: string, detail: string, tryInstead: string) {
    super(`production stack: step '${step}' failed: ${detail}\n  try instead: ${tryInstead}`);
  }
}

// ——— ports ———

export interface TemporalPorts {
  frontend: number;
  history: number;
  matching: number;
  worker: number;
  membership: Record<TemporalService, number>;
  http: number;
  metrics: Record<TemporalService, number>;
}

/** The frontend on TEMPORAL_PORT; everything else in the block of 12 from TEMPORAL_INTERNAL_PORTS. */
export function temporalPorts(frontend: number, base: number): TemporalPorts {
  return {
    frontend,
    history: base,
    matching: base + 1,
    worker: base + 2,
    membership: { frontend: base + 3, history: base + 4, matching: base + 5, worker: base + 6 },
    http: base + 7,
    metrics: { frontend: base + 8, history: base + 9, matching: base + 10, worker: base + 11 },
  };
}

/**
 * A base port whose block of `n` consecutive ports is free right now (tests, chaos), below the
 * kernel's ephemeral range and at most 32767 at its end (see TEMPORAL_INTERNAL_PORTS).
 */
export async function freePortBlock(n: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (32_767 - n - 20_000));
    const taken = await Promise.all(Array.from({ length: n }, (_, i) => isListening(base + i)));
    if (!taken.some(Boolean)) return base;
  }
  throw new Error(`no ${n} consecutive free ports found`);
}

// ——— dynamic config ———

/** The Temporal services' dynamic config as the repository keeps it. */
export const DYNAMIC_CONFIG = join(ROOT, 'infra/production/dynamicconfig.yaml');

/** Said at every start with TEMPORAL_WORKFLOW_TIME_SKIPPING on, so that nobody mistakes such a stack for a real one. */
export const TIME_SKIPPING_WARNING =
  'WARNING: TEMPORAL_WORKFLOW_TIME_SKIPPING is on: any client of the Temporal frontend can fast-forward a workflow (a 公示 or an exam day passes at once). Tests only, never with real cases.';

const TIME_SKIPPING_YAML = `
# TEMPORAL_WORKFLOW_TIME_SKIPPING=1, written by infra/production.ts for tests only: a client may
# fast-forward one workflow's own time (UpdateWorkflowExecutionOptions, timeSkippingConfig)
frontend.WorkflowTimeSkippingEnabled:
  - value: true
`;

/**
 * The dynamic config file the Temporal services read: the repository's, or with time skipping a
 * copy in $DATA_DIR/run that enables it. The copy is removed at every start, so a stack started
 * again without the setting never keeps it.
 */
export function dynamicConfigFile(timeSkipping: boolean, runDir: string): string {
  const copy = join(runDir, 'temporal-dynamicconfig.yaml');
  rmSync(copy, { force: true });
  if (!timeSkipping) return DYNAMIC_CONFIG;
  writeFileSync(copy, readFileSync(DYNAMIC_CONFIG, 'utf8') + TIME_SKIPPING_YAML);
  return copy;
}

// ——— secrets ———

/**
 * A password generated on first use into $DATA_DIR/secrets (0700, files 0600), never into the
 * repository; the processes get it through their environment, not their command line.
 */
export function localSecret(dataDir: string, name: string): string {
  const dir = join(dataDir, 'secrets');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = join(dir, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return readFileSync(file, 'utf8').trim();
}

// ——— commands ———

interface RunResult {
  code: number;
  out: string;
}

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...opts.env }, cwd: opts.cwd ?? '/', stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', fail);
    child.once('exit', (code, signal) => ok({ code: code ?? (signal ? 128 : 1), out }));
    child.stdin.end(opts.input ?? '');
  });
}

/** A PostgreSQL program as the unprivileged user (as root), or as ourselves. */
function pgRun(program: string, args: string[], opts: { input?: string } = {}): Promise<RunResult> {
  const exe = join(PG_BIN, program);
  return asRoot ? run('runuser', ['-u', PG_USER, '--', exe, ...args], opts) : run(exe, args, opts);
}

function chownToPg(path: string) {
  if (!asRoot) return;
  const uid = Number(execFileSync('id', ['-u', PG_USER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', PG_USER]).toString().trim());
  chownSync(path, uid, gid);
}

// ——— PostgreSQL ———

export class PostgresCluster {
  /** false while someone stopped it on purpose (stop(), chaos): the watchdog leaves it down */
  private wanted = false;
  private watchdog?: NodeJS.Timeout;
  private restarting = false;

  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly logFile: string,
    private readonly superPassword: string,
    private readonly log: (line: string) => void,
  ) {}

  /** initdb on first start; afterwards the cluster in `dir` is reused as it is. */
  async init() {
    if (!existsSync(join(PG_BIN, 'initdb'))) {
      throw new ProductionError(
        'PostgreSQL binaries',
        `${PG_BIN}/initdb is missing`,
        'bash scripts/provision-production.sh (apt-get install postgresql-15), or set PG_BIN_DIR',
      );
    }
    if (asRoot) {
      // the postgres user must reach $DATA_DIR/postgres: every parent needs o+x
      const parent = dirname(this.dir);
      mkdirSync(parent, { recursive: true });
      const probe = await run('runuser', ['-u', PG_USER, '--', 'test', '-x', parent]);
      if (probe.code !== 0) {
        throw new ProductionError(
          'PostgreSQL data directory',
          `the '${PG_USER}' user cannot enter ${parent}`,
          `chmod o+x ${parent} (and its parents), or choose a DATA_DIR under a directory others may enter, e.g. /var/lib/skillcert`,
        );
      }
    }
    if (existsSync(join(this.dir, 'PG_VERSION'))) return;
    this.log(`postgres: initdb ${this.dir}`);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    chownToPg(this.dir);
    // the superuser's password goes through a file only initdb's user can read, removed at once
    // (Node's stdio pipes are sockets, which initdb cannot open as /dev/stdin)
    const pwfile = `${this.dir}.pwfile`;
    writeFileSync(pwfile, this.superPassword + '\n', { mode: 0o600 });
    chownToPg(pwfile);
    const r = await pgRun('initdb', [
      '-D',
      this.dir,
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-locale',
      '--data-checksums',
      '--auth-local=peer',
      '--auth-host=scram-sha-256',
      `--pwfile=${pwfile}`,
    ]).finally(() => rmSync(pwfile, { force: true }));
    if (r.code !== 0)
      throw new ProductionError(
        'initdb',
        r.out.trim().slice(-800),
        `remove ${this.dir} and start again; or run ${PG_BIN}/initdb -D ${this.dir} by hand as '${PG_USER}' to see why`,
      );
    appendFileSync(
      join(this.dir, 'postgresql.conf'),
      "\n# settings of the skill-cert production stack, rewritten at every start\ninclude_if_exists = 'skillcert.conf'\n",
    );
  }

  private writeConf() {
    const conf = join(this.dir, 'skillcert.conf');
    writeFileSync(
      conf,
      [
        "listen_addresses = '127.0.0.1'",
        `port = ${this.port}`,
        // no Unix socket: its path length and directory rights would depend on DATA_DIR
        "unix_socket_directories = ''",
        // 4 Temporal services × 12 + FerretDB's pool + the schema tool and psql
        'max_connections = 150',
        "password_encryption = 'scram-sha-256'",
        '',
      ].join('\n'),
    );
    chownToPg(conf);
  }

  pid(): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (!pid) return undefined;
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  async start() {
    this.wanted = true;
    if (this.pid()) return;
    this.writeConf();
    if (!existsSync(this.logFile)) writeFileSync(this.logFile, '');
    chownToPg(this.logFile);
    const r = await pgRun('pg_ctl', ['-D', this.dir, '-l', this.logFile, '-w', '-t', '120', 'start']);
    if (r.code !== 0) {
      const tail = existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-5).join('\n') : '';
      throw new ProductionError(
        'pg_ctl start',
        `${r.out.trim().slice(-400)}\n${tail}`,
        `read ${this.logFile}; is POSTGRES_PORT ${this.port} taken by another server?`,
      );
    }
  }

  /** pg_ctl stop; `fast` rolls back open transactions and disconnects clients, then checkpoints. */
  async stop(mode: 'smart' | 'fast' | 'immediate' = 'fast') {
    this.wanted = false;
    if (!this.pid()) return;
    const r = await pgRun('pg_ctl', ['-D', this.dir, '-m', mode, '-w', '-t', '120', 'stop']);
    if (r.code !== 0 && this.pid()) throw new ProductionError('pg_ctl stop', r.out.trim().slice(-400), `${PG_BIN}/pg_ctl -D ${this.dir} -m immediate stop`);
  }

  /** Starts it again if it died while wanted (checked every 2 s). */
  watch() {
    this.watchdog = setInterval(() => {
      if (!this.wanted || this.restarting || this.pid()) return;
      this.restarting = true;
      this.log('postgres: not running; starting it again');
      this.start()
        .catch((err) => this.log(`postgres: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => (this.restarting = false));
    }, 2000);
    this.watchdog.unref();
  }

  unwatch() {
    clearInterval(this.watchdog);
  }

  /** SQL as the superuser over loopback; the password travels in the environment. */
  async psql(sql: string, database = 'postgres'): Promise<string> {
    const r = await run(
      join(PG_BIN, 'psql'),
      ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', '-d', database, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-f', '-'],
      {
        env: { PGPASSWORD: this.superPassword, PGCONNECT_TIMEOUT: '10' },
        input: sql,
      },
    );
    if (r.code !== 0)
      throw new ProductionError(
        'psql',
        r.out.trim().slice(-600),
        `connect with ${PG_BIN}/psql -h 127.0.0.1 -p ${this.port} -U postgres (password in $DATA_DIR/secrets/postgres) and look`,
      );
    return r.out;
  }
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Roles and databases, idempotent: a role's password is set again from $DATA_DIR/secrets each start. */
async function ensureDatabases(pg: PostgresCluster, owners: Record<string, { password: string; databases: string[] }>) {
  const sql: string[] = [];
  for (const [role, { password, databases }] of Object.entries(owners)) {
    sql.push(`SELECT 'CREATE ROLE ${ident(role)} LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(role)}) \\gexec`);
    sql.push(`ALTER ROLE ${ident(role)} LOGIN PASSWORD ${literal(password)};`);
    for (const db of databases) {
      sql.push(
        `SELECT 'CREATE DATABASE ${ident(db)} OWNER ${ident(role)} ENCODING ''UTF8''' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = ${literal(db)}) \\gexec`,
      );
    }
  }
  await pg.psql(sql.join('\n') + '\n');
}

/** Temporal's schemas, embedded in temporal-sql-tool (the same files as the module's schema/postgresql/v12). */
async function ensureTemporalSchema(pgPort: number, password: string) {
  const tool = binary('temporal-sql-tool');
  if (!existsSync(tool)) throw new ProductionError('Temporal schema tool', `${tool} is missing`, 'bash scripts/provision-production.sh');
  const base = ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(pgPort), '-u', 'temporal'];
  for (const [db, schema] of [
    ['temporal', 'postgresql/v12/temporal'],
    ['temporal_visibility', 'postgresql/v12/visibility'],
  ]) {
    // setup-schema -v 0.0 only creates the version tables when absent; update-schema applies what is newer
    for (const args of [
      ['setup-schema', '-v', '0.0'],
      ['update-schema', '--schema-name', schema],
    ]) {
      const r = await run(tool, [...base, '--db', db, ...args], { env: { SQL_PASSWORD: password } });
      if (r.code !== 0 || /"level":"(error|fatal)"/.test(r.out)) {
        throw new ProductionError(
          `temporal-sql-tool ${args[0]} (${db})`,
          r.out.trim().slice(-800),
          `run ${tool} ${base.join(' ')} --db ${db} ${args.join(' ')} by hand (SQL_PASSWORD from $DATA_DIR/secrets/temporal)`,
        );
      }
    }
  }
}

// ——— supervised processes ———

/**
 * A child process started again when it dies (after 0.5 s, doubling while it keeps dying young, up
 * to 30 s), with its output appended to a log file and its pid in $DATA_DIR/run/<name>.pid so an
 * operator (or a test) can find it.
 */
export class Supervised {
  child?: ChildProcess;
  /** exits not asked for, since the start */
  deaths = 0;
  private stopping = false;
  private quickDeaths = 0;
  private startedAt = 0;
  private holdUntil = 0;
  private timer?: NodeJS.Timeout;
  private readonly log: WriteStream;

  constructor(
    readonly name: string,
    private readonly spawnIt: () => ChildProcess,
    private readonly runDir: string,
    readonly logFile: string,
    private readonly say: (line: string) => void,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  /** Until it listens on `port`; a process that keeps dying fails the start with its last error. */
  async listening(port: number, timeoutMs = 120_000) {
    await until(
      `${this.name} on port ${port}`,
      () => isListening(port),
      timeoutMs,
      () => {
        if (this.deaths < 3) return undefined;
        const lines = readFileSync(this.logFile, 'utf8').split('\n');
        const last = lines.reverse().find((l) => /"level":"(fatal|error)"|error|Error/.test(l)) ?? '';
        return `exited ${this.deaths} times; last error in ${this.logFile}: ${last.slice(0, 600)}`;
      },
    );
  }

  get pidFile() {
    return join(this.runDir, `${this.name}.pid`);
  }

  get pid() {
    return this.child && this.child.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  start(): ChildProcess {
    const child = this.spawnIt();
    // spawnIt() spawns it detached (a process group of its own): a Ctrl-C in the terminal reaches
    // only the supervisor, which then stops everything in order instead of all at once
    this.child = child;
    this.startedAt = Date.now();
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    if (child.pid) writeFileSync(this.pidFile, `${child.pid}\n`);
    child.once('error', (err) => this.say(`${this.name}: ${err.message}`));
    child.once('exit', (code, signal) => this.exited(child, code, signal));
    return child;
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null) {
    if (child !== this.child) return;
    rmSync(this.pidFile, { force: true });
    if (this.stopping) return;
    this.deaths++;
    this.quickDeaths = Date.now() - this.startedAt > 60_000 ? 1 : this.quickDeaths + 1;
    const delay = Math.max(Math.min(30_000, 250 * 2 ** this.quickDeaths), this.holdUntil - Date.now());
    this.say(`${this.name} exited (${signal ?? code}); starting it again in ${(delay / 1000).toFixed(1)} s`);
    this.timer = setTimeout(() => {
      if (!this.stopping) this.start();
    }, delay);
  }

  /** Kills it now; the supervisor starts it again no sooner than `downMs` later. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', downMs = 0) {
    this.holdUntil = Date.now() + downMs;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  /** Until the next start (after kill()) has happened. */
  async restarted(timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    while (!this.pid && Date.now() < deadline) await sleep(100);
  }

  async stop(timeoutMs = 15_000) {
    this.stopping = true;
    clearTimeout(this.timer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(t);
    }
    rmSync(this.pidFile, { force: true });
    this.log.end();
  }
}

/**
 * The API processes: Node's cluster module, with this process as the primary. They share one port
 * (the primary hands connections round-robin), so users, the console and a load balancer see one
 * address, and a dead process is replaced while the other keeps serving.
 */
export class ApiCluster {
  readonly workers: (ClusterWorker | undefined)[];
  private stopping = false;
  private readonly logs: WriteStream[];
  private holdUntil: number[];

  constructor(
    readonly count: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly runDir: string,
    logDir: string,
    private readonly say: (line: string) => void,
    private readonly execArgv: string[] = [],
  ) {
    this.workers = Array.from({ length: count }, () => undefined);
    this.holdUntil = Array.from({ length: count }, () => 0);
    this.logs = Array.from({ length: count }, (_, i) => createWriteStream(join(logDir, `api-${i + 1}.log`), { flags: 'a' }));
  }

  pidFile(i: number) {
    return join(this.runDir, `api-${i + 1}.pid`);
  }

  /** Forks process `i` and resolves when it listens. */
  start(i: number): Promise<void> {
    // not the primary's execArgv — it may run under tsx (chaos, bench); the API runs compiled, without it
    cluster.setupPrimary({ exec: join(DIST, 'server.js'), execArgv: this.execArgv, args: [], silent: true });
    const w = cluster.fork(this.env);
    this.workers[i] = w;
    w.process.stdout?.pipe(this.logs[i], { end: false });
    w.process.stderr?.pipe(this.logs[i], { end: false });
    if (w.process.pid) writeFileSync(this.pidFile(i), `${w.process.pid}\n`);
    w.once('exit', (code, signal) => {
      if (this.workers[i] !== w) return;
      rmSync(this.pidFile(i), { force: true });
      if (this.stopping) return;
      const delay = Math.max(500, this.holdUntil[i] - Date.now());
      this.say(`api-${i + 1} exited (${signal || code}); starting it again in ${(delay / 1000).toFixed(1)} s`);
      setTimeout(() => {
        // a start that fails is reported and retried by this same handler on its exit
        if (!this.stopping) this.start(i).catch(() => undefined);
      }, delay);
    });
    return new Promise((ok, fail) => {
      w.once('listening', () => ok());
      w.once('exit', (code) => fail(new Error(`api-${i + 1} exited (${code}) before listening; see its log`)));
    });
  }

  async startAll() {
    await Promise.all(this.workers.map((_, i) => this.start(i)));
  }

  pid(i: number) {
    const w = this.workers[i];
    return w && !w.isDead() ? w.process.pid : undefined;
  }

  async kill(i: number, signal: NodeJS.Signals = 'SIGKILL', downMs = 0) {
    this.holdUntil[i] = Date.now() + downMs;
    const w = this.workers[i];
    if (!w || w.isDead()) return;
    const exited = new Promise((r) => w.once('exit', r));
    w.process.kill(signal);
    await exited;
  }

  async stop() {
    this.stopping = true;
    await Promise.all(
      this.workers.map(async (w, i) => {
        if (w && !w.isDead()) {
          const exited = new Promise((r) => w.once('exit', r));
          w.process.kill('SIGTERM');
          const t = setTimeout(() => w.process.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(t);
        }
        rmSync(this.pidFile(i), { force: true });
      }),
    );
    for (const l of this.logs) l.end();
  }
}

// ——— the stack ———

export interface ProductionStackOptions {
  settings: Settings;
  /** production data: postgres/, secrets/, run/ (pid files), logs/ */
  dataDir: string;
  /** more environment for the workers and API processes (chaos: its task queue, rate limit) */
  appEnv?: Record<string, string>;
  /** MongoDB database name on the stack's FerretDB */
  database?: string;
  /** node flags of the workers and API processes (the bench: --cpu-prof; NODE_OPTIONS refuses it) */
  execArgv?: string[];
  log?: (line: string) => void;
}

export interface ProductionStack {
  dataDir: string;
  logDir: string;
  postgres?: PostgresCluster;
  temporal: Partial<Record<TemporalService, Supervised>>;
  temporalPorts?: TemporalPorts;
  ui?: Supervised;
  ferretdb?: Supervised;
  workers: Supervised[];
  /** one more worker process (worker-<n>), supervised like the others; stop one with workers.pop()!.stop() */
  addWorker(): Supervised;
  apis: ApiCluster;
  temporalAddress: string;
  temporalUi?: string;
  mongoUri: string;
  apiBase: string;
  stop(): Promise<void>;
}

/** Settings as the environment variables they were read from. */
function settingsEnv(settings: Settings): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of Object.keys(settingsSchema.shape) as (keyof typeof settingsSchema.shape)[]) {
    const value = settings[key];
    // PAYLOAD_KEYS back in its own form (kid:base64key), which String() of a key never gives
    if (value !== undefined)
      env[key] = Array.isArray(value) ? value.map((v) => (v instanceof PayloadKey ? v.serialize() : String(v))).join(',') : String(value);
  }
  return { ...env, DATA_DIR: settings.dataDir };
}

async function ensureFree(port: number, setting: string) {
  if (await isListening(port))
    throw new ProductionError('ports', `${setting}: port ${port} is already in use`, `stop what listens there, or set ${setting} to a free port`);
}

/** Until `check` passes (or the deadline), polling. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, failed?: () => string | undefined) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reason = failed?.();
    if (reason) throw new ProductionError(what, reason, 'read its log in $DATA_DIR/logs');
    if (await check().catch(() => false)) return;
    await sleep(500);
  }
  throw new ProductionError(what, `not within ${timeoutMs / 1000} s`, 'read its log in $DATA_DIR/logs');
}

/**
 * Starts the whole production stack and resolves when every part answers. As in `npm start`,
 * TEMPORAL_ADDRESS and MONGODB_URI point at servers elsewhere, and then those are not started here
 * (with both set, PostgreSQL is not started either): several machines run the same workers and
 * API processes against one Temporal frontend and one database.
 */
export async function startProductionStack(opts: ProductionStackOptions): Promise<ProductionStack> {
  const { settings, dataDir } = opts;
  const say = opts.log ?? ((line: string) => console.log(line));
  const logDir = join(dataDir, 'logs');
  const runDir = join(dataDir, 'run');
  for (const d of [dataDir, logDir, runDir]) mkdirSync(d, { recursive: true });

  if (!existsSync(join(DIST, 'server.js')) || !existsSync(join(DIST, 'worker.js')) || !existsSync(join(DIST, 'workflow-bundle.js'))) {
    throw new ProductionError('compiled code', `${DIST} has no server.js, worker.js or workflow-bundle.js`, 'npm run build');
  }
  const needTemporal = !settings.TEMPORAL_ADDRESS;
  const needFerret = !settings.MONGODB_URI;
  const needPostgres = needTemporal || needFerret;
  const ports = temporalPorts(settings.TEMPORAL_PORT, settings.TEMPORAL_INTERNAL_PORTS);
  if (needTemporal) {
    await ensureFree(ports.frontend, 'TEMPORAL_PORT');
    for (const p of [ports.history, ports.matching, ports.worker, ...Object.values(ports.membership), ports.http, ...Object.values(ports.metrics)]) {
      await ensureFree(p, `TEMPORAL_INTERNAL_PORTS (${settings.TEMPORAL_INTERNAL_PORTS}–${settings.TEMPORAL_INTERNAL_PORTS + 11})`);
    }
  }
  if (needFerret) await ensureFree(settings.FERRETDB_PORT, 'FERRETDB_PORT');
  if (needPostgres) await ensureFree(settings.POSTGRES_PORT, 'POSTGRES_PORT');
  await ensureFree(settings.PORT, 'PORT');
  if (settings.CODEC_PORT) await ensureFree(settings.CODEC_PORT, 'CODEC_PORT');

  const ferretDatabase = opts.database ?? 'skillcert';
  const stack: ProductionStack = {
    dataDir,
    logDir,
    temporal: {},
    workers: [],
    addWorker: () => {
      throw new Error('the workers start after the servers');
    },
    apis: undefined as unknown as ApiCluster,
    temporalAddress: settings.TEMPORAL_ADDRESS ?? `127.0.0.1:${ports.frontend}`,
    mongoUri: settings.MONGODB_URI ?? `mongodb://127.0.0.1:${settings.FERRETDB_PORT}/${ferretDatabase}`,
    apiBase: `http://${settings.HOST}:${settings.PORT}`,
    async stop() {
      await stack.apis?.stop();
      say('  stopped the API processes');
      await Promise.all(stack.workers.map((w) => w.stop()));
      if (stack.workers.length) say('  stopped the workers');
      await stack.ui?.stop();
      // the system workflows' service first, history last: nothing is left calling a stopped service
      for (const name of ['worker', 'frontend', 'matching', 'history'] as const) {
        const s = stack.temporal[name];
        if (s) {
          await s.stop();
          say(`  stopped temporal ${name}`);
        }
      }
      if (stack.ferretdb) {
        await stack.ferretdb.stop();
        say('  stopped ferretdb');
      }
      if (stack.postgres) {
        stack.postgres.unwatch();
        await stack.postgres.stop('fast');
        say('  stopped postgresql (pg_ctl stop -m fast)');
      }
    },
  };

  try {
    let pgPasswords: { postgres: string; temporal: string; ferretdb: string } | undefined;
    if (needPostgres) {
      pgPasswords = { postgres: localSecret(dataDir, 'postgres'), temporal: localSecret(dataDir, 'temporal'), ferretdb: localSecret(dataDir, 'ferretdb') };
      const pg = new PostgresCluster(join(dataDir, 'postgres'), settings.POSTGRES_PORT, join(logDir, 'postgres.log'), pgPasswords.postgres, say);
      await pg.init();
      await pg.start();
      stack.postgres = pg;
      pg.watch();
      await ensureDatabases(pg, {
        ...(needTemporal ? { temporal: { password: pgPasswords.temporal, databases: ['temporal', 'temporal_visibility'] } } : {}),
        ...(needFerret ? { ferretdb: { password: pgPasswords.ferretdb, databases: ['ferretdb'] } } : {}),
      });
      if (needFerret) {
        // before FerretDB connects: a role's settings reach only sessions opened afterwards (infra/pg-indexes.ts)
        await pg.psql(
          Object.entries(FERRETDB_ROLE_SETTINGS)
            .map(([k, v]) => `ALTER ROLE ferretdb SET ${k} = ${literal(v)};`)
            .join('\n') + '\n',
        );
      }
      say(`postgresql ${PG_MAJOR} on 127.0.0.1:${settings.POSTGRES_PORT} (${pg.dir})`);
    }

    if (settings.TEMPORAL_WORKFLOW_TIME_SKIPPING) {
      say(
        needTemporal
          ? TIME_SKIPPING_WARNING
          : 'WARNING: TEMPORAL_WORKFLOW_TIME_SKIPPING is set but does nothing: TEMPORAL_ADDRESS points at a Temporal Server this stack does not start',
      );
    }
    if (needTemporal) {
      for (const tool of ['temporal-server', 'temporal-sql-tool'] as const) {
        const stamp = `${binary(tool)}.version`;
        if (!existsSync(binary(tool)) || (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() !== TEMPORAL_SERVER_VERSION)) {
          throw new ProductionError(
            'Temporal Server binaries',
            `${binary(tool)} ${TEMPORAL_SERVER_VERSION} is missing`,
            'bash scripts/provision-production.sh',
          );
        }
      }
      await ensureTemporalSchema(settings.POSTGRES_PORT, pgPasswords!.temporal);
      const env: NodeJS.ProcessEnv = {
        SKILLCERT_PG_HOST: '127.0.0.1',
        SKILLCERT_PG_PORT: String(settings.POSTGRES_PORT),
        SKILLCERT_TEMPORAL_PG_PASSWORD: pgPasswords!.temporal,
        SKILLCERT_TEMPORAL_DYNAMIC_CONFIG: dynamicConfigFile(settings.TEMPORAL_WORKFLOW_TIME_SKIPPING, runDir),
        SKILLCERT_TEMPORAL_LOG_LEVEL: 'warn',
        SKILLCERT_TEMPORAL_HTTP_PORT: String(ports.http),
      };
      for (const s of TEMPORAL_SERVICES) {
        env[`SKILLCERT_TEMPORAL_${s.toUpperCase()}_PORT`] = String(ports[s]);
        env[`SKILLCERT_TEMPORAL_${s.toUpperCase()}_MEMBERSHIP`] = String(ports.membership[s]);
      }
      for (const s of TEMPORAL_SERVICES) {
        const sup = new Supervised(
          `temporal-${s}`,
          () =>
            spawn(
              binary('temporal-server'),
              [
                '--config-file',
                join(ROOT, 'infra/production/temporal.yaml'),
                // loopback only; across machines a province puts mTLS and an authorizer in front (README)
                '--allow-no-auth',
                'start',
                '--service',
                s,
              ],
              { env: { ...process.env, ...env, SKILLCERT_TEMPORAL_METRICS_PORT: String(ports.metrics[s]) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
            ),
          runDir,
          join(logDir, `temporal-${s}.log`),
          say,
        );
        sup.start();
        stack.temporal[s] = sup;
        // one at a time on a new database: each service writes the cluster metadata record when it
        // starts, and services starting together race for it (the loser exits: version mismatch)
        await sup.listening(ports[s]);
      }
      stack.temporalPorts = ports;
      const cli = (args: string[]) => run(binary('temporal'), [...args, '--address', stack.temporalAddress, '--command-timeout', '10s']);
      await until('temporal frontend health', async () => (await cli(['operator', 'cluster', 'health'])).out.includes('SERVING'), 120_000);
      // idempotent: created once, found on every later start
      const ns = settings.TEMPORAL_NAMESPACE;
      await until(
        `temporal namespace ${ns}`,
        async () => {
          if ((await cli(['operator', 'namespace', 'describe', '--namespace', ns])).code === 0) return true;
          const created = await cli(['operator', 'namespace', 'create', '--namespace', ns, '--retention', NAMESPACE_RETENTION]);
          if (created.code !== 0 && !/already exists|AlreadyExists/i.test(created.out))
            say(`temporal: creating namespace ${ns}: ${created.out.trim().slice(0, 200)}`);
          return false;
        },
        120_000,
      );
      say(
        `temporal server ${TEMPORAL_SERVER_VERSION}: frontend ${stack.temporalAddress}, history :${ports.history}, matching :${ports.matching}, worker :${ports.worker} (4 history shards)`,
      );

      if (existsSync(binary('temporal-ui-server'))) {
        await ensureFree(settings.TEMPORAL_UI_PORT, 'TEMPORAL_UI_PORT');
        const ui = new Supervised(
          'temporal-ui',
          () =>
            spawn(binary('temporal-ui-server'), ['--root', join(ROOT, 'infra/production'), '--config', 'ui', '--env', 'production', 'start'], {
              env: {
                ...process.env,
                SKILLCERT_TEMPORAL_ADDRESS: stack.temporalAddress,
                SKILLCERT_TEMPORAL_UI_PORT: String(settings.TEMPORAL_UI_PORT),
                SKILLCERT_CODEC_ENDPOINT: settings.CODEC_PORT ? `http://${settings.CODEC_HOST}:${settings.CODEC_PORT}/codec` : '',
              },
              stdio: ['ignore', 'pipe', 'pipe'],
              detached: true,
            }),
          runDir,
          join(logDir, 'temporal-ui.log'),
          say,
        );
        ui.start();
        stack.ui = ui;
        // a convenience for operators: the system runs without it
        try {
          await ui.listening(settings.TEMPORAL_UI_PORT, 60_000);
          stack.temporalUi = `http://127.0.0.1:${settings.TEMPORAL_UI_PORT}`;
        } catch (err) {
          say(`temporal ui: ${err instanceof Error ? err.message : String(err)}; running without it (the temporal CLI does the same work)`);
          await ui.stop();
          stack.ui = undefined;
        }
      }
    }

    if (needFerret) {
      const ferretUrl = `postgres://ferretdb:${encodeURIComponent(pgPasswords!.ferretdb)}@127.0.0.1:${settings.POSTGRES_PORT}/ferretdb`;
      const stateDir = join(dataDir, 'ferretdb-state');
      mkdirSync(stateDir, { recursive: true });
      const fdb = new Supervised(
        'ferretdb',
        () =>
          spawn(
            binary('ferretdb'),
            [
              '--handler=postgresql',
              `--listen-addr=127.0.0.1:${settings.FERRETDB_PORT}`,
              `--state-dir=${stateDir}`,
              '--debug-addr=-',
              '--telemetry=disable',
              // warn logs every refused createCollection of the processes' concurrent index setup
              '--log-level=error',
            ],
            { env: { ...process.env, FERRETDB_POSTGRESQL_URL: ferretUrl }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
          ),
        runDir,
        join(logDir, 'ferretdb.log'),
        say,
      );
      fdb.start();
      stack.ferretdb = fdb;
      await fdb.listening(settings.FERRETDB_PORT, 60_000);
      say(`ferretdb on 127.0.0.1:${settings.FERRETDB_PORT} (postgresql backend, database ferretdb)`);
      // FerretDB's equality look-ups read whole tables without these (infra/pg-indexes.ts); the
      // collections that exist already get them before any process writes
      await ensureEqualityIndexes((sql, db) => stack.postgres!.psql(sql, db), ferretDatabase);
    }

    // the settings the stack was started with, whatever their source, so every process agrees
    const appEnv: NodeJS.ProcessEnv = {
      ...process.env,
      ...settingsEnv(settings),
      TEMPORAL_ADDRESS: stack.temporalAddress,
      MONGODB_URI: stack.mongoUri,
      ...opts.appEnv,
    };
    // each worker serves its runtime metrics on a port of its own: the n-th on WORKER_METRICS_ADDRESS's port + n - 1
    const metricsAddress = workerMetricsAddress(settings);
    stack.addWorker = () => {
      const i = stack.workers.length;
      const env = metricsAddress ? { ...appEnv, WORKER_METRICS_ADDRESS: nthWorkerMetricsAddress(metricsAddress, i) } : appEnv;
      const w = new Supervised(
        `worker-${i + 1}`,
        () =>
          spawn(process.execPath, [...(opts.execArgv ?? []), join(DIST, 'worker.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }),
        runDir,
        join(logDir, `worker-${i + 1}.log`),
        say,
      );
      w.start();
      stack.workers.push(w);
      return w;
    };
    for (let i = 0; i < settings.WORKER_PROCESSES; i++) stack.addWorker();
    stack.apis = new ApiCluster(settings.API_PROCESSES, appEnv, runDir, logDir, say, opts.execArgv);
    await stack.apis.startAll();
    if (needFerret) {
      // the workers create the app's collections as they start (models/index.ts, Model.init)
      const { tables, statements } = await ensureEqualityIndexes((sql, db) => stack.postgres!.psql(sql, db), ferretDatabase, { waitMs: 60_000 });
      say(`postgresql: ${statements.length} GIN indexes for FerretDB's equality look-ups on ${tables.size} collections (created when missing)`);
    }
    return stack;
  } catch (err) {
    await stack.stop().catch(() => undefined);
    throw err;
  }
}

/**
 * A throwaway production stack for `npm run chaos -- --stack production` and
 * `npm run bench -- --stack production`: provisions the Temporal Server build and compiles (both
 * skipped quickly when already done), then starts the stack on `dir` with every port not given in
 * `env` a free one, a fresh JWT secret and certificate signing key, and `env`'s settings on top.
 */
export async function startScratchProductionStack(opts: {
  dir: string;
  env: Record<string, string>;
  appEnv?: Record<string, string>;
  database?: string;
  execArgv?: string[];
  /** the caller has just provisioned and built (npm test): skip both */
  prebuilt?: boolean;
  log?: (line: string) => void;
}): Promise<{ stack: ProductionStack; settings: Settings }> {
  // the production stack runs compiled code on its own Temporal Server build: both are made (or found) first
  for (const [cmd, args] of opts.prebuilt
    ? []
    : ([
        ['bash', ['scripts/provision-production.sh']],
        ['npm', ['run', '--silent', 'build']],
      ] as const)) {
    if (spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' }).status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
  }
  // the postgres user must enter the run's directory (mkdtemp makes it 0700)
  chmodSync(opts.dir, 0o755);
  const settings = loadSettings({
    APP_MODE: 'production',
    AUTH_JWT_SECRET: randomBytes(32).toString('base64url'),
    CERT_SIGNING_KEYS: generateSigningKey('scratch').settingEntry,
    PUBLIC_BASE_URL: 'https://zs.example.gov.cn',
    DATA_DIR: opts.dir,
    PORT: String(await freePort()),
    TEMPORAL_PORT: String(await freePort()),
    FERRETDB_PORT: String(await freePort()),
    POSTGRES_PORT: String(await freePort()),
    TEMPORAL_INTERNAL_PORTS: String(await freePortBlock(12)),
    TEMPORAL_UI_PORT: String(await freePort()),
    ...opts.env,
  });
  const stack = await startProductionStack({
    settings,
    dataDir: opts.dir,
    appEnv: { ...opts.appEnv, AUTH_JWT_SECRET: settings.AUTH_JWT_SECRET! },
    database: opts.database,
    execArgv: opts.execArgv,
    log: opts.log,
  });
  return { stack, settings };
}
