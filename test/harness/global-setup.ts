/**
 * Starts the real servers the `stack` tests need, on free random ports: one time-skipping test
 * server per jest worker (time skipping is global to a server, so files that run at the same time
 * must not share one), one Temporal dev server and one FerretDB. Bundles the workflow code once.
 * global-teardown.ts stops them all, also when tests fail.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ROOT, startFerretDB, startTemporalDev, startTestServer, type EmbeddedProcess } from '../../infra/embedded';
import { FAILURE_CONVERTER_PATH } from '../../infra/payload-codec';

/** Test files that drive workflow time: each gets a time-skipping server of its own. */
export const USES_TIME_SKIPPING = /timeSkippingEnv\(|filingBed\(|batchBed\(|timeSkippingAddress\(/;

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? testFiles(path) : name.endsWith('.test.ts') ? [path] : [];
  });
}

export interface StackInfo {
  devAddress: string;
  /** one time-skipping server per test file that uses one (by path relative to the project) */
  timeSkipping: Record<string, string>;
  mongoBase: string;
  bundlePath: string;
  dir: string;
}

declare global {
  var __SKILLCERT_STACK__: { processes: EmbeddedProcess[]; dir: string } | undefined;
}

export default async function globalSetup() {
  const dir = mkdtempSync(join(tmpdir(), 'skillcert-test-'));
  // Time skipping is global to a server, and files move its clock by years: a server per file
  // keeps each file's time its own (and starts at today's date, as the files expect).
  const skippers = testFiles(join(ROOT, 'test'))
    .filter((f) => USES_TIME_SKIPPING.test(readFileSync(f, 'utf8')))
    .map((f) => relative(ROOT, f));
  const started = await Promise.all([
    startTemporalDev({ headless: true, logFile: join(dir, 'temporal-dev.log') }),
    startFerretDB({ dataDir: join(dir, 'ferretdb'), logFile: join(dir, 'ferretdb.log') }),
    ...skippers.map((_, i) => startTestServer({ logFile: join(dir, `time-skipping-${i + 1}.log`) })),
  ]);
  globalThis.__SKILLCERT_STACK__ = { processes: started, dir };
  const [dev, fdb, ...skipping] = started;

  // with the failure converter the workers' data converter has (infra/payload-codec.ts), as npm run build bundles it
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: quietLogger,
  });
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  const info: StackInfo = {
    devAddress: dev.address,
    timeSkipping: Object.fromEntries(skippers.map((f, i) => [f, skipping[i].address])),
    mongoBase: `mongodb://${fdb.address}`,
    bundlePath,
    dir,
  };
  process.env.SKILLCERT_TEST_STACK = JSON.stringify(info);
}

const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};
