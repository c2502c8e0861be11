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
    if (r.batchId) {
      expect(r.batchStatus).toBe('certified');
      expect(r.certificates?.length).toBe(2);
    }
  });
});
