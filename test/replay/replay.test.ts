/**
 * Replays every recorded history (test/replay/histories, made by scripts/record-histories.ts)
 * against the current workflow code. A change that breaks determinism for a workflow already
 * running in production fails here, before it ships: gate such changes behind patched().
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';

const dir = join(__dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('recorded histories replay against the current workflow code', () => {
  it('has recorded histories of every workflow type', () => {
    const types = new Set(files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')).type));
    expect([...types].sort()).toEqual(expect.arrayContaining(['allocator', 'batch', 'certificateRevocation', 'filing']));
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const { workflowId, historyBase64 } = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const history = temporal.api.history.v1.History.decode(Buffer.from(historyBase64, 'base64'));
    await Worker.runReplayHistory({ workflowsPath: require.resolve('../../workflows') }, history, workflowId);
  });
});
