/**
 * Records the replay set of a release (issue #14): every lifecycle path of test/replay/paths.ts,
 * from the workflow test that drives it, into test/replay/histories/<release>/<path>/.
 *
 *   npm run record-histories -- --release 0.2.0
 *
 * A release folder is never overwritten: histories are what running workflows were recorded as.
 * Record a new release when the workflows change what they do (and put the old behaviour behind
 * patched(), so the older folders keep replaying); CI replays every folder (test/replay).
 * The beds encrypt every payload with the tests' fixed key (test/harness/payload-key.ts), so the
 * recorded histories are encrypted as production's are, and the replay test decodes with that key.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { LIFECYCLE_PATHS } from '../test/replay/paths';
import type { RecordedWorkflow } from '../test/harness/record';

const ROOT = join(__dirname, '..');
const HISTORIES = join(ROOT, 'test/replay/histories');
const DEFAULT_TYPES = ['filing', 'batch', 'certificateRevocation'];

function main() {
  const { values } = parseArgs({ options: { release: { type: 'string' } } });
  const release = values.release ?? (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  if (!/^[0-9A-Za-z][0-9A-Za-z._-]*$/.test(release)) throw new Error(`--release ${release}: use a version such as 0.2.0`);
  const dest = join(HISTORIES, release);
  if (existsSync(dest)) throw new Error(`${dest} exists: a release's histories are never overwritten; choose another --release`);

  const recordDir = mkdtempSync(join(tmpdir(), 'skillcert-record-'));
  try {
    const files = [...new Set(LIFECYCLE_PATHS.map((p) => `test/${p.file}`))];
    const names = LIFECYCLE_PATHS.map((p) => p.test.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    console.log(`recording ${LIFECYCLE_PATHS.length} paths from ${files.length} test files …`);
    const run = spawnSync('npx', ['jest', '--selectProjects', 'stack', '-t', names, ...files], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, SKILLCERT_RECORD_DIR: recordDir },
    });
    if (run.status !== 0) throw new Error(`the tests that drive the paths failed (exit ${run.status}); nothing recorded`);

    const recorded: RecordedWorkflow[] = readdirSync(recordDir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(recordDir, f), 'utf8')) as RecordedWorkflow);
    const staged = mkdtempSync(join(tmpdir(), 'skillcert-release-'));
    for (const p of LIFECYCLE_PATHS) {
      const types = p.types ?? DEFAULT_TYPES;
      const mine = recorded.filter((w) => w.test.includes(p.test) && types.includes(w.type));
      if (!mine.length) throw new Error(`path ${p.path}: no workflow of ${types.join('/')} recorded by "${p.test}" in ${p.file}`);
      mkdirSync(join(staged, p.path), { recursive: true });
      const byType = new Map<string, number>();
      for (const w of mine) {
        const n = (byType.get(w.type) ?? 0) + 1;
        byType.set(w.type, n);
        // gzip: a history carries the case's state at every step, and compresses about tenfold
        writeFileSync(join(staged, p.path, `${w.type}-${n}.json.gz`), gzipSync(JSON.stringify({ release, path: p.path, ...w }, null, 1), { level: 9 }));
      }
      console.log(
        `${p.path}: ${mine.map((w) => `${w.type} (${w.runs.length} run${w.runs.length > 1 ? 's' : ''}, ${w.runs.reduce((a, r) => a + r.events, 0)} events)`).join(', ')}`,
      );
    }
    mkdirSync(HISTORIES, { recursive: true });
    cpSync(staged, dest, { recursive: true });
    rmSync(staged, { recursive: true, force: true });
    console.log(`recorded release ${release} in ${dest}`);
  } finally {
    rmSync(recordDir, { recursive: true, force: true });
  }
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
