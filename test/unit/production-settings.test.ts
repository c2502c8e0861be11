import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '../../config';
import { DYNAMIC_CONFIG, dynamicConfigFile, temporalPorts } from '../../infra/production';

describe('settings of the production stack', () => {
  it('applies the documented defaults', () => {
    const s = loadSettings({ APP_MODE: 'development' });
    expect([s.POSTGRES_PORT, s.TEMPORAL_INTERNAL_PORTS, s.WORKER_PROCESSES, s.API_PROCESSES]).toEqual([5432, 7234, 2, 2]);
  });

  it.each([
    ['POSTGRES_PORT', 'five'],
    ['POSTGRES_PORT', '70000'],
    // Temporal keeps membership ports in a PostgreSQL smallint: the block must end by 32767
    ['TEMPORAL_INTERNAL_PORTS', '32757'],
    ['WORKER_PROCESSES', '0'],
    ['API_PROCESSES', 'two'],
    ['TEMPORAL_WORKFLOW_TIME_SKIPPING', 'yes'],
  ])('a bad %s (%s) stops the start with a message naming it', (name, value) => {
    expect(() => loadSettings({ APP_MODE: 'development', [name]: value })).toThrow(new RegExp(`${name}:`));
  });

  it('lays the Temporal services out on 12 ports from TEMPORAL_INTERNAL_PORTS, the frontend on TEMPORAL_PORT', () => {
    const p = temporalPorts(7233, 7234);
    const all = [p.history, p.matching, p.worker, ...Object.values(p.membership), p.http, ...Object.values(p.metrics)];
    expect(p.frontend).toBe(7233);
    expect(new Set(all).size).toBe(12);
    expect(Math.min(...all)).toBe(7234);
    expect(Math.max(...all)).toBe(7245);
  });

  it("keeps per-workflow time skipping off unless asked for, and then only adds it to the repository's dynamic config", () => {
    expect(loadSettings({ APP_MODE: 'development' }).TEMPORAL_WORKFLOW_TIME_SKIPPING).toBe(false);
    expect(loadSettings({ APP_MODE: 'development', TEMPORAL_WORKFLOW_TIME_SKIPPING: '0' }).TEMPORAL_WORKFLOW_TIME_SKIPPING).toBe(false);
    expect(loadSettings({ APP_MODE: 'development', TEMPORAL_WORKFLOW_TIME_SKIPPING: '1' }).TEMPORAL_WORKFLOW_TIME_SKIPPING).toBe(true);
    // the stack hands settings on to its processes as String(value)
    expect(loadSettings({ APP_MODE: 'development', TEMPORAL_WORKFLOW_TIME_SKIPPING: String(true) }).TEMPORAL_WORKFLOW_TIME_SKIPPING).toBe(true);

    const runDir = mkdtempSync(join(tmpdir(), 'skillcert-dynconfig-'));
    try {
      const repo = readFileSync(DYNAMIC_CONFIG, 'utf8');
      expect(repo).not.toMatch(/WorkflowTimeSkippingEnabled/);
      const on = dynamicConfigFile(true, runDir);
      expect(on.startsWith(runDir)).toBe(true);
      const text = readFileSync(on, 'utf8');
      expect(text.startsWith(repo)).toBe(true);
      expect(text.slice(repo.length)).toMatch(/^frontend\.WorkflowTimeSkippingEnabled:\n {2}- value: true$/m);
      // started again without it: the repository's file, and the copy is gone
      expect(dynamicConfigFile(false, runDir)).toBe(DYNAMIC_CONFIG);
      expect(() => readFileSync(on)).toThrow(/ENOENT/);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });
});
