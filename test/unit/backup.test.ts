/**
 * npm run backup / restore without servers: the embedded form on small SQLite files made here
 * (the copy, the manifest and the way back), and every refusal — bad arguments, a target that is
 * not empty, a backup of the other stack kind, a damaged or incomplete backup. The drill on the
 * real servers is test/integration/restore-drill.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupCommand, BackupError, restoreCommand, type Manifest } from '../../infra/backup';

const quiet = () => undefined;

/** SQL on a SQLite file in WAL mode, as the stacks' files are: a script, or a query answering Python's repr of its rows. */
const PY = `
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA journal_mode=WAL")
if sys.argv[2] == "exec":
    c.executescript(sys.argv[3])
else:
    print(c.execute(sys.argv[3]).fetchall())
c.commit()
c.close()
`;
const exec = (file: string, script: string) => execFileSync('python3', ['-c', PY, file, 'exec', script]);
const query = (file: string, sql: string) => execFileSync('python3', ['-c', PY, file, 'query', sql]).toString().trim();

describe('backup and restore of the embedded stack (files only)', () => {
  const root = mkdtempSync(join(tmpdir(), 'skillcert-backup-unit-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const fresh = (name: string) => join(root, `${name}-${++n}`);

  function embeddedDataDir(): string {
    const dir = fresh('data');
    mkdirSync(join(dir, 'ferretdb'), { recursive: true });
    exec(join(dir, 'temporal.db'), "CREATE TABLE executions (id TEXT PRIMARY KEY, state TEXT); INSERT INTO executions VALUES ('filing/1', 'open');");
    exec(join(dir, 'ferretdb', 'skillcert.sqlite'), "CREATE TABLE filings (id TEXT); INSERT INTO filings VALUES ('1');");
    exec(join(dir, 'ferretdb', 'other.sqlite'), 'CREATE TABLE t (x); INSERT INTO t VALUES (1);');
    writeFileSync(join(dir, 'payload-key'), 'dev:a2V5\n', { mode: 0o600 });
    return dir;
  }

  it('copies every SQLite file and the local key, with a manifest, and restores them into a DATA_DIR', async () => {
    const data = embeddedDataDir();
    const to = fresh('backup');
    const manifest = await backupCommand(['--to', to], { DATA_DIR: data }, quiet);
    expect(manifest).toMatchObject({ format: 'skillcert-backup/1', stack: 'embedded', dataDir: data });
    expect(manifest.tools).toEqual(expect.objectContaining({ sqlite: expect.stringMatching(/^3\./), python: expect.stringMatching(/^3\./) }));
    expect(manifest.files.map((f) => [f.restoreTo, f.kind])).toEqual([
      ['temporal.db', 'sqlite'],
      ['ferretdb/other.sqlite', 'sqlite'],
      ['ferretdb/skillcert.sqlite', 'sqlite'],
      ['payload-key', 'payload-key'],
    ]);
    expect(readdirSync(to).sort()).toEqual(['ferretdb-other.sqlite', 'ferretdb-skillcert.sqlite', 'manifest.json', 'payload-key', 'temporal.db']);

    // work after the backup
    exec(join(data, 'ferretdb', 'skillcert.sqlite'), "INSERT INTO filings VALUES ('2');");
    expect(query(join(data, 'ferretdb', 'skillcert.sqlite'), 'SELECT count(*) FROM filings')).toBe('[(2,)]');

    // into an empty DATA_DIR, as after a wipe
    const wiped = fresh('wiped');
    await restoreCommand(['--from', to], { DATA_DIR: wiped }, quiet);
    expect(query(join(wiped, 'temporal.db'), 'SELECT state FROM executions')).toBe("[('open',)]");
    expect(query(join(wiped, 'ferretdb', 'skillcert.sqlite'), 'SELECT count(*) FROM filings')).toBe('[(1,)]');
    expect(readFileSync(join(wiped, 'payload-key'), 'utf8')).toBe('dev:a2V5\n');

    // over the stack's own DATA_DIR: the later row is gone, the files that were there are kept aside
    const lines: string[] = [];
    await restoreCommand(['--from', to], { DATA_DIR: data }, (l) => lines.push(l));
    expect(query(join(data, 'ferretdb', 'skillcert.sqlite'), 'SELECT count(*) FROM filings')).toBe('[(1,)]');
    const aside = readdirSync(data).find((f) => f.startsWith('pre-restore-'));
    expect(aside).toBeDefined();
    expect(query(join(data, aside!, 'ferretdb', 'skillcert.sqlite'), 'SELECT count(*) FROM filings')).toBe('[(2,)]');
    expect(lines.join('\n')).toMatch(/everything the stack did after that moment is lost/);
  });

  it('refuses bad arguments, a DATA_DIR without a stack, and a target that is not empty', async () => {
    const data = embeddedDataDir();
    await expect(backupCommand([], { DATA_DIR: data }, quiet)).rejects.toThrow(/--to DIR is required/);
    await expect(backupCommand(['--to'], { DATA_DIR: data }, quiet)).rejects.toThrow(/--to needs a value/);
    await expect(backupCommand(['--into', 'x'], { DATA_DIR: data }, quiet)).rejects.toThrow(/unknown argument "--into"/);
    await expect(backupCommand(['--to', fresh('b'), '--stack', 'cloud'], { DATA_DIR: data }, quiet)).rejects.toThrow(/--stack must be embedded or production/);
    await expect(backupCommand(['--to', fresh('b')], { DATA_DIR: fresh('empty') }, quiet)).rejects.toThrow(/holds no stack/);
    await expect(backupCommand(['--to', fresh('b'), '--stack', 'production'], { DATA_DIR: data }, quiet)).rejects.toThrow(/has no production stack/);
    const used = fresh('used');
    mkdirSync(used);
    writeFileSync(join(used, 'something'), 'x');
    await expect(backupCommand(['--to', used], { DATA_DIR: data }, quiet)).rejects.toThrow(/not empty; a backup never overwrites another/);
    await expect(restoreCommand([], { DATA_DIR: data }, quiet)).rejects.toThrow(/--from DIR is required/);
  });

  it('refuses a backup of the other stack kind, and a damaged or incomplete one, before touching DATA_DIR', async () => {
    const data = embeddedDataDir();
    const to = fresh('backup');
    await backupCommand(['--to', to], { DATA_DIR: data }, quiet);
    const before = readFileSync(join(data, 'temporal.db'));

    // a production DATA_DIR (its cluster is there) is not the target of an embedded backup
    const production = fresh('production');
    mkdirSync(join(production, 'postgres'), { recursive: true });
    writeFileSync(join(production, 'postgres', 'PG_VERSION'), '15\n');
    await expect(restoreCommand(['--from', to], { DATA_DIR: production }, quiet)).rejects.toThrow(
      /is a backup of the embedded stack; .* is for the production stack: refusing/,
    );
    await expect(restoreCommand(['--from', to, '--stack', 'production'], { DATA_DIR: fresh('empty') }, quiet)).rejects.toThrow(
      /refusing to restore one into the other/,
    );
    await expect(restoreCommand(['--from', to, '--stack', 'production'], { DATA_DIR: data }, quiet)).rejects.toThrow(
      /holds the embedded stack, not the production one/,
    );

    const manifest = JSON.parse(readFileSync(join(to, 'manifest.json'), 'utf8')) as Manifest;
    const edited = (change: (m: Manifest) => void) => {
      const copy = fresh('edited');
      execFileSync('cp', ['-a', to, copy]);
      const m = structuredClone(manifest);
      change(m);
      writeFileSync(join(copy, 'manifest.json'), JSON.stringify(m));
      return copy;
    };
    await expect(restoreCommand(['--from', edited((m) => (m.stack = 'production'))], { DATA_DIR: data }, quiet)).rejects.toThrow(
      /is a backup of the production stack; .* is for the embedded stack/,
    );
    await expect(restoreCommand(['--from', edited((m) => ((m as { format: string }).format = 'other/9'))], { DATA_DIR: data }, quiet)).rejects.toThrow(
      /format "other\/9", expected skillcert-backup\/1/,
    );
    await expect(restoreCommand(['--from', edited((m) => (m.files[0].restoreTo = '../../etc/passwd'))], { DATA_DIR: data }, quiet)).rejects.toThrow(
      /is not a plain name/,
    );

    const damaged = edited(() => undefined);
    appendFileSync(join(damaged, 'ferretdb-skillcert.sqlite'), 'x');
    await expect(restoreCommand(['--from', damaged], { DATA_DIR: data }, quiet)).rejects.toThrow(/ferretdb-skillcert\.sqlite: sha256 .* the backup is damaged/);
    const incomplete = edited(() => undefined);
    rmSync(join(incomplete, 'temporal.db'));
    await expect(restoreCommand(['--from', incomplete], { DATA_DIR: data }, quiet)).rejects.toThrow(/temporal\.db is missing: the backup is incomplete/);
    const unfinished = edited(() => undefined);
    rmSync(join(unfinished, 'manifest.json'));
    await expect(restoreCommand(['--from', unfinished], { DATA_DIR: data }, quiet)).rejects.toThrow(/no manifest\.json there/);

    // nothing of that changed the stack's files
    expect(readFileSync(join(data, 'temporal.db')).equals(before)).toBe(true);
    expect(readdirSync(data).some((f) => f.startsWith('pre-restore-'))).toBe(false);
    expect(existsSync(join(data, 'ferretdb', 'skillcert.sqlite'))).toBe(true);
  });

  it('is a BackupError with a plain message, not a stack trace, for the operator', async () => {
    await expect(backupCommand([], {}, quiet)).rejects.toBeInstanceOf(BackupError);
  });
});
