import { ratioFigure } from '../../bench/report';

describe('bench figures against their same-run baseline', () => {
  const base = { id: 'x', what: 'x', unit: '/s' };
  it('a throughput figure meets its target when its ratio is at least the bound', () => {
    expect(ratioFigure({ ...base, value: 60, baseline: 100, atLeast: 0.6 })).toMatchObject({ ratio: 0.6, target: '≥ 0.60', met: true });
    expect(ratioFigure({ ...base, value: 59, baseline: 100, atLeast: 0.6 })).toMatchObject({ met: false });
  });
  it('a latency figure meets its target when its ratio is at most the bound', () => {
    expect(ratioFigure({ ...base, value: 30, baseline: 20, atMost: 1.5 })).toMatchObject({ ratio: 1.5, target: '≤ 1.5', met: true });
    expect(ratioFigure({ ...base, value: 31, baseline: 20, atMost: 1.5 })).toMatchObject({ met: false });
  });
  it('a figure without a target has its ratio and no verdict', () => {
    const f = ratioFigure({ ...base, value: 3, baseline: 2, note: 'n' });
    expect(f).toMatchObject({ ratio: 1.5, target: '—', note: 'n' });
    expect(f.met).toBeUndefined();
    expect(f).not.toHaveProperty('atLeast');
  });
});
