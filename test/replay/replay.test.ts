/**
 * Replays every recorded history (test/replay/histories/<release>/<path>/, made by
 * `npm run record-histories`) against the current workflow code. A change that breaks determinism
 * for a workflow already running in production fails here, before it ships: put such a change
 * behind patched() (README: "Changing a rule"). Older releases keep replaying; none is rewritten.
 * Histories recorded since payloads are encrypted are encrypted with the tests' fixed key
 * (test/harness/payload-key.ts); older ones hold plain payloads, which the codec passes through.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { LIFECYCLE_PATHS } from './paths';
import { FAILURE_CONVERTER_PATH } from '../../infra/payload-codec';
import { testDataConverter } from '../harness/payload-key';

const root = join(__dirname, 'histories');
const releases = existsSync(root)
  ? readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
  : [];
const filesOf = (release: string) =>
  readdirSync(join(root, release), { recursive: true, encoding: 'utf8' })
    .filter((f) => (f.endsWith('.json') || f.endsWith('.json.gz')) && f !== 'retires.json')
    .sort();

interface Recorded {
  workflowId: string;
  type: string;
  runs: { runId: string; historyBase64: string }[];
}

const read = (file: string): Recorded => {
  const bytes = readFileSync(file);
  return JSON.parse((file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8')) as Recorded;
};

/**
 * A release that had to break older histories of a workflow type says so in its `retires.json`
 * (`[{ release, type, reason }]`); those histories are skipped, by name and with the reason,
 * never rewritten or deleted. The README says what an operator does before deploying such a
 * release (let the running workflows of that type finish first; `npm run replay` tells).
 */
interface Retirement {
  release: string;
  type: string;
  reason: string;
  by: string;
}
const retirements: Retirement[] = releases.flatMap((by) => {
  const file = join(root, by, 'retires.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Omit<Retirement, 'by'>[]).map((r) => ({ ...r, by })) : [];
});
const retiredBy = (release: string, type: string) => retirements.find((r) => r.release === release && r.type === type);

let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  // one bundle for every replay (bundling per history would take most of the test's time)
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} },
  });
}, 120_000);

describe('recorded histories', () => {
  it('a retirement names an older release and a workflow type that release recorded', () => {
    for (const r of retirements) {
      expect(releases.indexOf(r.release)).toBeGreaterThanOrEqual(0);
      expect(releases.indexOf(r.release)).toBeLessThan(releases.indexOf(r.by));
      expect(filesOf(r.release).some((f) => read(join(root, r.release, f)).type === r.type)).toBe(true);
      expect(r.reason.length).toBeGreaterThan(20);
    }
  });

  it('there is at least one release, and the newest covers every lifecycle path and workflow type', () => {
    expect(releases.length).toBeGreaterThan(0);
    const newest = releases[releases.length - 1];
    const files = filesOf(newest);
    for (const p of LIFECYCLE_PATHS) expect(files.some((f) => f.startsWith(`${p.path}/`))).toBe(true);
    const types = new Set(files.map((f) => read(join(root, newest, f)).type));
    // every workflow type the worker runs (workflows/index.ts): a new one needs its paths and a new release
    const workerTypes = [...readFileSync(join(__dirname, '../../workflows/index.ts'), 'utf8').matchAll(/^export \{ (\w+) \} from/gm)].map((m) => m[1]);
    expect([...types].sort()).toEqual(workerTypes.sort());
  });
});

describe.each(releases)('release %s replays against the current workflow code', (release) => {
  const live = filesOf(release).filter((f) => !retiredBy(release, read(join(root, release, f)).type));
  const retired = filesOf(release).filter((f) => !live.includes(f));
  if (retired.length) {
    const r = retiredBy(release, read(join(root, release, retired[0])).type)!;
    it.skip.each(retired)(`%s (retired by ${r.by}: ${r.reason})`, () => undefined);
  }
  it.each(live)('%s', async (file) => {
    const doc = read(join(root, release, file));
    const histories = doc.runs.map((r) => ({
      workflowId: doc.workflowId,
      history: temporal.api.history.v1.History.decode(Buffer.from(r.historyBase64, 'base64')),
    }));
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, dataConverter: testDataConverter }, histories)) {
      if (result.error) throw result.error;
    }
  });
});
