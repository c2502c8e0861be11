/**
 * `npm run replay` (scripts/replay.ts, issue #14): the open workflows of a running cluster replay
 * against the working tree's code (exit 0), and a change made without patched() is caught (exit 1).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../infra/embedded';
import { filing } from '../../workflows/filing/workflow';
import { filingWorkflowId, stateQuery } from '../../workflows/filing/messages';
import { policyForProvince } from '../../domain/filing-policy';
import { actors, application } from '../fixtures/filing';
import { TEST_PAYLOAD_KEYS } from '../harness/payload-key';
import { devStack, stackInfo, uniqueName, type DevStack } from '../harness/stack';

jest.setTimeout(180_000);

const replay = (args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/replay.ts'), '--address', stackInfo().devAddress, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    // the histories are encrypted with the tests' key, as production's are with PAYLOAD_KEYS
    env: { ...process.env, PAYLOAD_KEYS: TEST_PAYLOAD_KEYS },
    timeout: 150_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
};

describe('npm run replay against a running cluster', () => {
  let s: DevStack;
  beforeAll(async () => {
    s = await devStack();
  });
  afterAll(async () => s?.close());

  it('replays the open workflows of a task queue, and fails on a change made without patched()', async () => {
    const app = application();
    const filingId = uniqueName('F');
    const client = s.services.temporal.client;
    const tq = s.settings.TEMPORAL_TASK_QUEUE;
    const h = await client.workflow.start(filing, {
      taskQueue: tq,
      workflowId: filingWorkflowId(filingId),
      args: [{ filingId, application: app, policy: policyForProvince(app.institution.province), submittedBy: actors(app).institution }],
    });
    expect((await h.query(stateQuery)).status).toBe('in-review');
    // visibility is eventually consistent: wait until the list shows it
    for (let i = 0; i < 100; i++) {
      const n = await client.workflow.count(`ExecutionStatus = "Running" AND TaskQueue = "${tq}"`);
      if (n.count >= 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const ok = replay(['--task-queue', tq]);
    expect(ok.out).toContain('1 replayed, 0 failed');
    expect(ok.status).toBe(0);

    const changed = replay(['--task-queue', tq, '--workflows', 'test/integration/fixtures/changed-filing.ts']);
    expect(changed.out).toContain(`✗ ${h.workflowId}`);
    expect(changed.out).toContain('0 replayed, 1 failed');
    expect(changed.status).toBe(1);
    await h.terminate('test over');
  });
});
