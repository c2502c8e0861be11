/**
 * Backup and restore of both stacks (README "Backup and restore"), used by scripts/backup.ts and
 * scripts/restore.ts.
 *
 * - embedded (`npm start`): the Temporal dev server's SQLite file and FerretDB's SQLite files (one
 *   per database), copied with SQLite's online backup API while the stack may run, and the local
 *   payload key without which the copied histories cannot be read;
 * - production (`npm run start:production`): `pg_dump -Fc` of temporal, temporal_visibility and
 *   ferretdb, as the PostgreSQL OS user.
 *
 * Either way DIR gets a manifest.json (what, when, from which stack, every file's sha256, the
 * tools' versions), written last: a directory without one is not a backup.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { settingsSchema } from '../config';
import { binary, ROOT, type ToolName } from './embedded';
import { PG_BIN, PostgresCluster } from './production';

export const MANIFEST = 'manifest.json';
export const MANIFEST_FORMAT = 'skillcert-backup/1';
export const STACK_KINDS = ['embedded', 'production'] as const;
export type StackKind = (typeof STACK_KINDS)[number];

/** The production stack's databases, in the order they are dumped (see `backupProduction`). */
export const PRODUCTION_DATABASES = [
  { name: 'temporal', owner: 'temporal' },
  { name: 'temporal_visibility', owner: 'temporal' },
  { name: 'ferretdb', owner: 'ferretdb' },
] as const;

export class BackupError extends Error {
  override name = 'BackupError';
}

export interface ManifestFile {
  /** file name inside the backup directory */
  name: string;
  /** where it goes back, relative to DATA_DIR (embedded), or the database it restores (production) */
  restoreTo: string;
  kind: 'sqlite' | 'pg_dump' | 'payload-key';
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  stack: StackKind;
  /** when the snapshot was pinned (embedded) or the first dump began (production) */
  takenAt: string;
  tookMs: number;
  host: string;
  dataDir: string;
  app: { version: string; commit?: string };
  tools: Record<string, string>;
  files: ManifestFile[];
  notes: string[];
}

export type Say = (line: string) => void;

// ——— where the data is ———

/** What a DATA_DIR holds: the production stack's cluster, the embedded stack's files, or nothing yet. */
export function stackKindOf(dataDir: string): StackKind | undefined {
  if (existsSync(join(dataDir, 'postgres', 'PG_VERSION'))) return 'production';
  if (existsSync(join(dataDir, 'temporal.db')) || existsSync(join(dataDir, 'ferretdb'))) return 'embedded';
  return undefined;
}

/** FerretDB's SQLite backend keeps one `<database>.sqlite` per database in its directory. */
function ferretFiles(dataDir: string): string[] {
  const dir = join(dataDir, 'ferretdb');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sqlite'))
    .sort();
}

const SQLITE_SIDE_FILES = ['-wal', '-shm', '-journal'];

/**
 * Processes (other than this one) holding any of `paths` open, a file's `-wal`/`-shm` or a
 * directory's files included. Linux /proc; as root it sees every process.
 */
export function processesUsing(paths: string[]): { pid: number; command: string; file: string }[] {
  if (!existsSync('/proc/self/fd')) {
    throw new BackupError('cannot tell whether the stack is running: /proc is not available on this system; stop the stack and run again on Linux');
  }
  const found: { pid: number; command: string; file: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const hit = paths.find((p) => target === p || target.startsWith(`${p}/`) || SQLITE_SIDE_FILES.some((side) => target === `${p}${side}`));
      if (hit) {
        let command = '?';
        try {
          command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(0, 2).join(' ');
        } catch {
          /* gone meanwhile */
        }
        found.push({ pid, command, file: target });
        break;
      }
    }
  }
  return found;
}

/** The production stack's processes that are alive, from the pid files its supervisor keeps in $DATA_DIR/run. */
export function liveProductionProcesses(dataDir: string): { name: string; pid: number }[] {
  const dir = join(dataDir, 'run');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pid'))
    .flatMap((f) => {
      const pid = Number(readFileSync(join(dir, f), 'utf8').trim());
      if (!Number.isInteger(pid) || pid <= 0) return [];
      try {
        process.kill(pid, 0);
        return [{ name: basename(f, '.pid'), pid }];
      } catch {
        return []; // a stale file: its process is gone
      }
    });
}

// ——— helpers ———

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface RunResult {
  code: number;
  out: string;
}

/** A command with stdin from a file or text, stdout to a file or kept. */
function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; stdinFile?: string; stdoutFile?: string } = {}): Promise<RunResult> {
  return new Promise((ok, fail) => {
    const outFd = opts.stdoutFile ? openSync(opts.stdoutFile, 'wx', 0o600) : undefined;
    const inFd = opts.stdinFile ? openSync(opts.stdinFile, 'r') : undefined;
    const child = spawn(cmd, args, {
      env: { ...process.env, ...opts.env },
      cwd: '/',
      stdio: [inFd ?? 'pipe', outFd ?? 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    child.once('error', (err) => {
      if (outFd !== undefined) closeSync(outFd);
      if (inFd !== undefined) closeSync(inFd);
      fail(err);
    });
    child.once('exit', (code, signal) => {
      if (outFd !== undefined) closeSync(outFd);
      if (inFd !== undefined) closeSync(inFd);
      ok({ code: code ?? (signal ? 128 : 1), out });
    });
    if (child.stdin) child.stdin.end(opts.input ?? '');
  });
}

function appInfo(): Manifest['app'] {
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    return { version, commit };
  } catch {
    return { version }; // a deployment without git
  }
}

function toolVersion(name: ToolName): string | undefined {
  try {
    return readFileSync(`${binary(name)}.version`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** A new, empty backup directory (0700: it holds everything the system knows, and maybe a key). */
function prepareTarget(dir: string): string {
  const to = resolve(dir);
  if (existsSync(to)) {
    if (!statSync(to).isDirectory()) throw new BackupError(`--to ${to}: exists and is not a directory`);
    if (readdirSync(to).length) throw new BackupError(`--to ${to}: not empty; a backup never overwrites another — choose a new directory`);
  }
  mkdirSync(to, { recursive: true, mode: 0o700 });
  chmodSync(to, 0o700);
  return to;
}

function writeManifest(dir: string, m: Manifest) {
  writeFileSync(join(dir, MANIFEST), JSON.stringify(m, null, 2) + '\n', { mode: 0o600 });
}

// ——— embedded ———

/**
 * Opens every file, pins a read snapshot of each (a WAL reader sees the database as of its first
 * read) in the order given, and only then copies each from its snapshot with the backup API: the
 * copies are of one moment, give or take the milliseconds between the pins.
 */
const SQLITE_BACKUP_PY = `
import json, sqlite3, sys
req = json.load(sys.stdin)
pinned = []
for f in req["files"]:
    src = sqlite3.connect(f["src"], isolation_level=None, timeout=60)
    src.execute("BEGIN")
    src.execute("SELECT count(*) FROM sqlite_master").fetchone()
    pinned.append((src, f))
for src, f in pinned:
    dst = sqlite3.connect(f["dst"])
    src.backup(dst)
    check = dst.execute("PRAGMA quick_check").fetchone()[0]
    dst.close()
    src.execute("COMMIT")
    src.close()
    if check != "ok":
        sys.exit(f"{f['dst']}: quick_check of the copy says {check}")
print(json.dumps({"sqlite": sqlite3.sqlite_version, "python": sys.version.split()[0]}))
`;

async function python(script: string, input: unknown): Promise<string> {
  let r: RunResult;
  try {
    r = await run('python3', ['-c', script], { input: JSON.stringify(input) });
  } catch (err) {
    throw new BackupError(`python3 could not be run (${(err as Error).message}); it is needed for SQLite's backup API`);
  }
  if (r.code !== 0) throw new BackupError(`the SQLite copy failed:\n${r.out.trim().slice(-1200)}`);
  return r.out.trim().split('\n').pop()!;
}

export async function backupEmbedded(dataDir: string, to: string, say: Say): Promise<Manifest> {
  if (stackKindOf(dataDir) !== 'embedded') {
    throw new BackupError(
      stackKindOf(dataDir) === 'production'
        ? `${dataDir} holds the production stack (postgres/): run the backup with --stack production`
        : `${dataDir} has no embedded stack (no temporal.db, no ferretdb/): is DATA_DIR right? (demo mode keeps nothing worth a backup: its Temporal is in memory)`,
    );
  }
  const temporalDb = join(dataDir, 'temporal.db');
  if (!existsSync(temporalDb)) throw new BackupError(`${temporalDb} is missing: the Temporal half of the stack is not there`);
  const ferret = ferretFiles(dataDir);
  if (!ferret.length) throw new BackupError(`${join(dataDir, 'ferretdb')} holds no .sqlite file: the database half of the stack is not there`);
  const dir = prepareTarget(to);
  const started = Date.now();
  // Temporal first: if work happens between the pins, the read models are the ones ahead, and
  // what they hold beyond Temporal is rewritten by the same activities, which Temporal then runs
  // again (every document has one writer, and its writes are idempotent). The other way round a
  // transition Temporal remembers could be missing from the read models for good.
  const files = [
    { src: temporalDb, dst: join(dir, 'temporal.db'), restoreTo: 'temporal.db' },
    ...ferret.map((f) => ({ src: join(dataDir, 'ferretdb', f), dst: join(dir, `ferretdb-${f}`), restoreTo: join('ferretdb', f) })),
  ];
  say(`backing up the embedded stack in ${dataDir} to ${dir}`);
  say(`  SQLite online backup of ${files.map((f) => f.restoreTo).join(', ')} (snapshots pinned together, Temporal first)`);
  let versions: { sqlite: string; python: string };
  try {
    versions = JSON.parse(await python(SQLITE_BACKUP_PY, { files: files.map(({ src, dst }) => ({ src, dst })) }));
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const manifestFiles: ManifestFile[] = [];
  for (const f of files) {
    chmodSync(f.dst, 0o600);
    manifestFiles.push({ name: basename(f.dst), restoreTo: f.restoreTo, kind: 'sqlite', bytes: statSync(f.dst).size, sha256: await sha256Of(f.dst) });
  }
  const notes = [
    'Temporal and the read models are copies of one moment: a restore loses everything after takenAt.',
    'Restore with: npm run restore -- --from <this directory> (the stack stopped).',
  ];
  const keyFile = join(dataDir, 'payload-key');
  if (existsSync(keyFile)) {
    // without it the copied histories cannot be decrypted; development and demo generate it
    copyFileSync(keyFile, join(dir, 'payload-key'));
    chmodSync(join(dir, 'payload-key'), 0o600);
    manifestFiles.push({
      name: 'payload-key',
      restoreTo: 'payload-key',
      kind: 'payload-key',
      bytes: statSync(keyFile).size,
      sha256: await sha256Of(join(dir, 'payload-key')),
    });
    notes.push('payload-key is the local key that encrypts these histories: keep this directory as safely as the key.');
  } else {
    notes.push(
      'No $DATA_DIR/payload-key: the histories are encrypted with PAYLOAD_KEYS, which this backup does not hold; keep those keys as long as this backup.',
    );
  }
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    stack: 'embedded',
    takenAt: new Date(started).toISOString(),
    tookMs: Date.now() - started,
    host: hostname(),
    dataDir,
    app: appInfo(),
    tools: {
      python: versions.python,
      sqlite: versions.sqlite,
      ...(toolVersion('temporal') ? { temporalCli: toolVersion('temporal')! } : {}),
      ...(toolVersion('ferretdb') ? { ferretdb: toolVersion('ferretdb')! } : {}),
    },
    files: manifestFiles,
    notes,
  };
  writeManifest(dir, manifest);
  const bytes = manifestFiles.reduce((n, f) => n + f.bytes, 0);
  say(`  ${manifestFiles.length} files, ${(bytes / 1e6).toFixed(1)} MB, in ${manifest.tookMs} ms; manifest ${join(dir, MANIFEST)}`);
  return manifest;
}

/** Reads and checks a backup: its manifest, the stack it is of, and every file against its sha256. */
export async function readBackup(from: string): Promise<{ dir: string; manifest: Manifest }> {
  const dir = resolve(from);
  const file = join(dir, MANIFEST);
  if (!existsSync(file)) throw new BackupError(`--from ${dir}: no ${MANIFEST} there, so it is not a backup (or one that did not finish)`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BackupError(`${file}: not JSON (${(err as Error).message})`);
  }
  if (manifest.format !== MANIFEST_FORMAT) throw new BackupError(`${file}: format ${JSON.stringify(manifest.format)}, expected ${MANIFEST_FORMAT}`);
  if (!(STACK_KINDS as readonly string[]).includes(manifest.stack)) throw new BackupError(`${file}: unknown stack ${JSON.stringify(manifest.stack)}`);
  if (!Array.isArray(manifest.files) || !manifest.files.length) throw new BackupError(`${file}: lists no files`);
  for (const f of manifest.files) {
    // names and targets come from a file on disk: nothing may point outside DIR or DATA_DIR
    if (basename(f.name) !== f.name || f.restoreTo.split('/').includes('..') || f.restoreTo.startsWith('/')) {
      throw new BackupError(`${file}: file entry ${JSON.stringify(f.name)} → ${JSON.stringify(f.restoreTo)} is not a plain name`);
    }
    const path = join(dir, f.name);
    if (!existsSync(path)) throw new BackupError(`${path} is missing: the backup is incomplete`);
    const sum = await sha256Of(path);
    if (sum !== f.sha256) throw new BackupError(`${path}: sha256 ${sum} differs from the manifest's ${f.sha256}: the backup is damaged`);
  }
  return { dir, manifest };
}

export async function restoreEmbedded(dataDir: string, dir: string, manifest: Manifest, say: Say): Promise<string | undefined> {
  assertStopped('embedded', dataDir);
  const ferretDir = join(dataDir, 'ferretdb');
  // what is there now is moved aside, not deleted: a restore run by mistake can be undone
  // the key only when the backup brings one: without, the histories may be encrypted with it
  const replaced = [
    'temporal.db',
    'temporal.db-wal',
    'temporal.db-shm',
    'ferretdb',
    ...(manifest.files.some((f) => f.kind === 'payload-key') ? ['payload-key'] : []),
  ];
  const present = replaced.filter((f) => existsSync(join(dataDir, f)));
  let aside: string | undefined;
  if (present.length) {
    aside = join(dataDir, `pre-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(aside, { mode: 0o700 });
    for (const f of present) renameSync(join(dataDir, f), join(aside, f));
    say(`  moved the current ${present.join(', ')} to ${aside}`);
  }
  mkdirSync(ferretDir, { recursive: true });
  for (const f of manifest.files) {
    const target = join(dataDir, f.restoreTo);
    copyFileSync(join(dir, f.name), target);
    chmodSync(target, 0o600);
    if ((await sha256Of(target)) !== f.sha256) throw new BackupError(`${target}: the copy does not match the backup's sha256 (disk full?)`);
    say(`  ${f.restoreTo} ← ${f.name} (${f.bytes} bytes, sha256 ${f.sha256.slice(0, 12)}…)`);
  }
  return aside;
}

/**
 * A restore replaces the files or databases under running servers otherwise: the embedded stack's
 * servers hold its files open; the production stack's supervisor keeps a pid file per process
 * (PostgreSQL itself may run: the restore needs it).
 */
export function assertStopped(kind: StackKind, dataDir: string) {
  if (kind === 'embedded') {
    const users = processesUsing([join(dataDir, 'temporal.db'), join(dataDir, 'ferretdb')]);
    if (users.length) {
      throw new BackupError(
        `the embedded stack is running on ${dataDir} (${users.map((u) => `pid ${u.pid} ${u.command}`).join('; ')}): stop it (Ctrl-C on npm start), then restore`,
      );
    }
  } else {
    const live = liveProductionProcesses(dataDir);
    if (live.length) {
      throw new BackupError(
        `the production stack is running on ${dataDir} (${live.map((p) => `${p.name} pid ${p.pid}`).join(', ')}): stop it (Ctrl-C or SIGTERM to npm run start:production), then restore`,
      );
    }
  }
}

// ——— production ———

const asRoot = process.getuid?.() === 0;
const PG_USER = 'postgres';

/** A PostgreSQL client program as the unprivileged PostgreSQL user when we are root, the superuser's password in its environment. */
function pgClient(program: string, args: string[], password: string, opts: { stdinFile?: string; stdoutFile?: string } = {}) {
  const exe = join(PG_BIN, program);
  const env = { PGPASSWORD: password, PGCONNECT_TIMEOUT: '10' };
  // runuser keeps the environment, so the password never appears on a command line
  return asRoot ? run('runuser', ['-u', PG_USER, '--', exe, ...args], { ...opts, env }) : run(exe, args, { ...opts, env });
}

interface ProductionTarget {
  dataDir: string;
  port: number;
}

function superPassword(dataDir: string): string {
  const file = join(dataDir, 'secrets', 'postgres');
  if (!existsSync(file))
    throw new BackupError(`${file} is missing: the production stack keeps its superuser's password there (was it ever started on this DATA_DIR?)`);
  return readFileSync(file, 'utf8').trim();
}

/** The stack's PostgreSQL, started alone for the time of `work` when it is not running, then stopped again. */
async function withPostgres<T>(t: ProductionTarget, say: Say, work: (pg: PostgresCluster, password: string) => Promise<T>): Promise<T> {
  if (!existsSync(join(PG_BIN, 'pg_dump'))) throw new BackupError(`${PG_BIN}/pg_dump is missing: bash scripts/provision-production.sh (or set PG_BIN_DIR)`);
  const password = superPassword(t.dataDir);
  mkdirSync(join(t.dataDir, 'logs'), { recursive: true });
  const pg = new PostgresCluster(join(t.dataDir, 'postgres'), t.port, join(t.dataDir, 'logs', 'postgres.log'), password, say);
  const wasRunning = pg.pid() !== undefined;
  if (!wasRunning) {
    say(`  starting PostgreSQL alone on 127.0.0.1:${t.port} (it is not running)`);
    await pg.start();
  }
  try {
    return await work(pg, password);
  } finally {
    if (!wasRunning) {
      await pg.stop('fast');
      say('  stopped PostgreSQL again');
    }
  }
}

export async function backupProduction(t: ProductionTarget, to: string, say: Say): Promise<Manifest> {
  if (stackKindOf(t.dataDir) !== 'production') {
    throw new BackupError(`${t.dataDir} has no production stack (no postgres/PG_VERSION): is DATA_DIR right? For npm start's data use --stack embedded`);
  }
  const dir = prepareTarget(to);
  const started = Date.now();
  say(`backing up the production stack in ${t.dataDir} to ${dir}`);
  try {
    return await withPostgres(t, say, async (pg, password) => {
      const server = (await pg.psql('SHOW server_version;')).trim();
      const dumpVersion = (await pgClient('pg_dump', ['--version'], password)).out.trim();
      const files: ManifestFile[] = [];
      // Temporal's two databases first, the read models last: as for the embedded stack, the read
      // models may then be a little ahead of Temporal, never behind (each pg_dump is one consistent
      // snapshot of its database; the three are taken one after another)
      for (const db of PRODUCTION_DATABASES) {
        const name = `${db.name}.dump`;
        const t0 = Date.now();
        const r = await pgClient('pg_dump', ['-h', '127.0.0.1', '-p', String(t.port), '-U', 'postgres', '-Fc', '-d', db.name], password, {
          stdoutFile: join(dir, name),
        });
        if (r.code !== 0) throw new BackupError(`pg_dump of ${db.name} failed:\n${r.out.trim().slice(-800)}`);
        chmodSync(join(dir, name), 0o600);
        const bytes = statSync(join(dir, name)).size;
        files.push({ name, restoreTo: db.name, kind: 'pg_dump', bytes, sha256: await sha256Of(join(dir, name)) });
        say(`  pg_dump -Fc ${db.name}: ${(bytes / 1e6).toFixed(1)} MB in ${Date.now() - t0} ms`);
      }
      const manifest: Manifest = {
        format: MANIFEST_FORMAT,
        stack: 'production',
        takenAt: new Date(started).toISOString(),
        tookMs: Date.now() - started,
        host: hostname(),
        dataDir: t.dataDir,
        app: appInfo(),
        tools: {
          pg_dump: dumpVersion,
          postgresql: server,
          ...(toolVersion('temporal-server') ? { temporalServer: toolVersion('temporal-server')! } : {}),
          ...(toolVersion('ferretdb') ? { ferretdb: toolVersion('ferretdb')! } : {}),
        },
        files,
        notes: [
          'Each database is one consistent snapshot; the three were dumped one after another, Temporal first.',
          'The histories are encrypted with PAYLOAD_KEYS, which this backup does not hold: keep those keys as long as this backup.',
          'Restore with: npm run restore -- --from <this directory> (the stack stopped).',
        ],
      };
      writeManifest(dir, manifest);
      say(`  done in ${manifest.tookMs} ms; manifest ${join(dir, MANIFEST)}`);
      return manifest;
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

export async function restoreProduction(t: ProductionTarget, dir: string, manifest: Manifest, say: Say): Promise<void> {
  assertStopped('production', t.dataDir);
  await withPostgres(t, say, async (pg, password) => {
    for (const f of manifest.files) {
      const db = PRODUCTION_DATABASES.find((d) => d.name === f.restoreTo);
      if (!db || f.kind !== 'pg_dump') throw new BackupError(`the manifest lists ${f.name} for ${f.restoreTo}, which is not one of the stack's databases`);
      const t0 = Date.now();
      // a database made anew rather than pg_restore --clean: --clean drops only what the dump
      // holds, and a collection FerretDB created after the backup would stay behind as a table
      await pg.psql(`DROP DATABASE IF EXISTS ${ident(db.name)} WITH (FORCE);\nCREATE DATABASE ${ident(db.name)} OWNER ${ident(db.owner)} ENCODING 'UTF8';`);
      const r = await pgClient(
        'pg_restore',
        ['-h', '127.0.0.1', '-p', String(t.port), '-U', 'postgres', '-d', db.name, '--exit-on-error', '--single-transaction'],
        password,
        { stdinFile: join(dir, f.name) },
      );
      if (r.code !== 0)
        throw new BackupError(`pg_restore of ${db.name} failed (the database is now empty or partial; run the restore again):\n${r.out.trim().slice(-800)}`);
      say(`  ${db.name}: dropped, created (owner ${db.owner}) and restored from ${f.name} in ${Date.now() - t0} ms`);
    }
  });
}

// ——— the commands ———

/** DATA_DIR and POSTGRES_PORT as the stacks read them (config.ts), without the settings these commands do not need. */
export function targetOf(env: NodeJS.ProcessEnv = process.env): ProductionTarget {
  const raw = { DATA_DIR: env.DATA_DIR || undefined, POSTGRES_PORT: env.POSTGRES_PORT || undefined };
  const parsed = settingsSchema.pick({ DATA_DIR: true, POSTGRES_PORT: true }).safeParse(raw);
  if (!parsed.success) throw new BackupError(`Invalid settings:\n  ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`);
  return { dataDir: resolve(parsed.data.DATA_DIR), port: parsed.data.POSTGRES_PORT };
}

/** `--name value` options; anything else is refused with the usage. */
export function parseArgs(argv: string[], allowed: readonly string[], usage: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? (eq > 0 ? a.slice(2, eq) : a.slice(2)) : '';
    if (!allowed.includes(name)) throw new BackupError(`unknown argument ${JSON.stringify(a)}\n${usage}`);
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '' || value.startsWith('--')) throw new BackupError(`--${name} needs a value\n${usage}`);
    out[name] = value;
  }
  return out;
}

export function stackOption(value: string | undefined, usage: string): StackKind | undefined {
  if (value === undefined) return undefined;
  if (!(STACK_KINDS as readonly string[]).includes(value))
    throw new BackupError(`--stack must be embedded or production, not ${JSON.stringify(value)}\n${usage}`);
  return value as StackKind;
}

export const BACKUP_USAGE = 'usage: npm run backup -- --to DIR [--stack embedded|production]   (DATA_DIR, POSTGRES_PORT as for the stack)';
export const RESTORE_USAGE = 'usage: npm run restore -- --from DIR [--stack embedded|production]   (DATA_DIR, POSTGRES_PORT as for the stack)';

export async function backupCommand(argv: string[], env: NodeJS.ProcessEnv, say: Say): Promise<Manifest> {
  const args = parseArgs(argv, ['to', 'stack'], BACKUP_USAGE);
  if (!args.to) throw new BackupError(`--to DIR is required\n${BACKUP_USAGE}`);
  const target = targetOf(env);
  const kind = stackOption(args.stack, BACKUP_USAGE) ?? stackKindOf(target.dataDir);
  if (!kind) throw new BackupError(`${target.dataDir} holds no stack (no temporal.db or ferretdb/, no postgres/): is DATA_DIR right?`);
  return kind === 'embedded' ? backupEmbedded(target.dataDir, args.to, say) : backupProduction(target, args.to, say);
}

export async function restoreCommand(argv: string[], env: NodeJS.ProcessEnv, say: Say): Promise<Manifest> {
  const args = parseArgs(argv, ['from', 'stack'], RESTORE_USAGE);
  if (!args.from) throw new BackupError(`--from DIR is required\n${RESTORE_USAGE}`);
  const target = targetOf(env);
  const { dir, manifest } = await readBackup(args.from);
  const present = stackKindOf(target.dataDir);
  const kind = stackOption(args.stack, RESTORE_USAGE) ?? present ?? 'embedded';
  if (present && present !== kind) throw new BackupError(`${target.dataDir} holds the ${present} stack, not the ${kind} one`);
  if (manifest.stack !== kind) {
    throw new BackupError(
      `${dir} is a backup of the ${manifest.stack} stack; ${target.dataDir} is for the ${kind} stack: refusing to restore one into the other`,
    );
  }
  if (kind === 'production' && present !== 'production') {
    throw new BackupError(
      `${target.dataDir} has no PostgreSQL cluster yet: start the production stack once on it (npm run start:production creates the cluster, roles and databases), stop it, then restore`,
    );
  }
  assertStopped(kind, target.dataDir);
  say(`restoring the ${kind} stack in ${target.dataDir} from ${dir}`);
  say(`  snapshot taken ${manifest.takenAt} on ${manifest.host}; everything the stack did after that moment is lost`);
  if (kind === 'embedded') {
    const aside = await restoreEmbedded(target.dataDir, dir, manifest, say);
    say(`restored. Start the stack with npm start${aside ? `; once it is right, ${aside} can go` : ''}.`);
  } else {
    await restoreProduction(target, dir, manifest, say);
    say('restored. Start the stack with npm run start:production.');
  }
  return manifest;
}
