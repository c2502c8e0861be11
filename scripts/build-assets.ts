/**
 * The second half of `npm run build` (after tsc): what dist/ needs beside the compiled code.
 *   - dist/workflow-bundle.js: the workflow code bundled once here, so a compiled worker loads it
 *     (worker.ts workflowCode()) and no webpack runs when the production stack starts; with the
 *     failure converter of infra/failure-converter.ts, as the worker's data converter has it;
 *   - the console's Eta views and stylesheet, which console/ reads relative to its own files.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ROOT } from '../infra/embedded';
import { FAILURE_CONVERTER_PATH } from '../infra/payload-codec';

async function main() {
  const dist = join(ROOT, 'dist');
  const started = Date.now();
  const { code } = await bundleWorkflowCode({
    // the compiled workflows, so the bundle holds exactly what tsc type-checked and emitted
    workflowsPath: require.resolve(join(dist, 'workflows')),
    // workflow code turns its errors into failures inside the sandbox: with the worker's failure
    // converter, so their messages go into (encrypted) payloads (infra/failure-converter.ts)
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) },
  });
  writeFileSync(join(dist, 'workflow-bundle.js'), code);
  for (const dir of ['console/views', 'console/assets']) cpSync(join(ROOT, dir), join(dist, dir), { recursive: true });
  console.log(
    `build: dist/workflow-bundle.js (${(code.length / 1024).toFixed(0)} KiB, ${((Date.now() - started) / 1000).toFixed(1)} s), console views and assets`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
