/** The README's quick tour (scripts/scenario.ts) runs against a listening demo-mode server. */
import { devStack, timeSkippingAddress, type DevStack } from '../harness/stack';
import { runScenario } from '../../scripts/scenario';

describe('npm run scenario', () => {
  let s: DevStack;
  let base: string;
  beforeAll(async () => {
    s = await devStack({ settings: { APP_MODE: 'demo' }, temporalAddress: timeSkippingAddress() });
    base = await s.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => s?.close());

  it('walks a filing to active and into the directory, printing each step', async () => {
    const lines: string[] = [];
    const r = await runScenario(base, s.settings.AUTH_JWT_SECRET!, (l) => lines.push(l));
    expect(r.filingStatus).toBe('active');
    expect(r.inDirectory).toBe(true);
    expect(lines.join('\n')).toMatch(/备案通知 issued/);
    // the complaint, upheld, is the file's one published entry
    expect([r.complaintId, r.creditEntries]).toEqual([expect.stringMatching(/^cp-/), 1]);
    expect(lines.join('\n')).toMatch(/credit file entry .*长春市人力资源和社会保障局: 投诉举报经调查核实成立/);
    if (r.batchId) {
      expect(r.batchStatus).toBe('certified');
      expect(r.certificates?.length).toBe(2);
    }
  });
});
