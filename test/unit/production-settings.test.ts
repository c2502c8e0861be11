import { loadSettings } from '../../config';
import { temporalPorts } from '../../infra/production';

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
});
