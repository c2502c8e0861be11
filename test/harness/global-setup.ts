/**
 * Starts the real servers the `stack` tests need, on free random ports: one time-skipping test
 * server per jest worker (time skipping is global to a server, so files that run at the same time
 * must not share one), one Temporal dev server and one FerretDB. Bundles the workflow code once.
 * global-teardown.ts stops them all, also when tests fail.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startFerretDB, startTemporalDev, startTestServer, type EmbeddedProcess } from '../../infra/embedded';

export interface StackInfo {
  devAddress: string;
  timeSkippingAddresses: string[];
  mongoBase: string;
  bundlePath: string;
  dir: string;
}

declare global {
  var __SKILLCERT_STACK__: { processes: EmbeddedProcess[]; dir: string } | undefined;
}

export default async function globalSetup(config: { maxWorkers: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'skillcert-test-'));
  const workers = Math.max(1, config.maxWorkers || 1);
  const started = await Promise.all([
    startTemporalDev({ headless: true, logFile: join(dir, 'temporal-dev.log') }),
    startFerretDB({ dataDir: join(dir, 'ferretdb'), logFile: join(dir, 'ferretdb.log') }),
    ...Array.from({ length: workers }, (_, i) => startTestServer({ logFile: join(dir, `time-skipping-${i + 1}.log`) })),
  ]);
  globalThis.__SKILLCERT_STACK__ = { processes: started, dir };
  const [dev, fdb, ...skipping] = started;

  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  const info: StackInfo = {
    devAddress: dev.address,
    timeSkippingAddresses: skipping.map((s) => s.address),
    mongoBase: `mongodb://${fdb.address}`,
    bundlePath,
    dir,
  };
  process.env.SKILLCERT_TEST_STACK = JSON.stringify(info);
}

const quietLogger = {
  log() {}, trace() {}, debug() {}, info() {},
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};
