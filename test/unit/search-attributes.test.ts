import { batchIndex, filingIndex, searchAttributesOf } from '../../domain/search-attributes';
import type { FilingState } from '../../domain/filing';
import type { BatchState } from '../../domain/batch';
import { application } from '../fixtures/filing';

describe('what Temporal indexes about a case', () => {
  const app = application();
  const filing = (over: Partial<FilingState>) =>
    ({ application: app, status: 'in-review', stage: 'preliminary-review', due: null, publicity: null, ...over }) as unknown as FilingState;

  it('a filing: its jurisdiction, stage, status, and the due instant of its step or of its open 公示', () => {
    expect(filingIndex(filing({ due: { dueAt: '2041-02-01T23:59:59.999+08:00' } as FilingState['due'] }))).toEqual({
      Kind: 'filing',
      Province: '22',
      Prefecture: '220100',
      Stage: 'preliminary-review',
      Status: 'in-review',
      DueAt: '2041-02-01T23:59:59.999+08:00',
    });
    const publicity = { endsAt: '2041-03-08T23:59:59.999+08:00', endsAtMs: 0 } as FilingState['publicity'];
    expect(filingIndex(filing({ stage: 'publicity', publicity })).DueAt).toBe('2041-03-08T23:59:59.999+08:00');
    expect(filingIndex(filing({ stage: 'notice', publicity: { ...publicity!, closedAt: '2041-03-09T00:00:00+08:00' } })).DueAt).toBeNull();
    const provincial = { ...app, institution: { ...app.institution, affiliation: 'province' as const, prefecture: undefined } };
    expect(filingIndex(filing({ application: provincial })).Prefecture).toBeNull();
  });

  it("a batch: the institution's jurisdiction and its result publicity's end", () => {
    const b = {
      institution: { province: '14', affiliation: 'prefecture', prefecture: '140900' },
      status: 'publicity',
      stage: null,
      due: null,
      publicity: { endsAt: '2041-05-01T23:59:59.999+08:00' },
    } as unknown as BatchState;
    expect(batchIndex(b)).toEqual({
      Kind: 'batch',
      Province: '14',
      Prefecture: '140900',
      Stage: null,
      Status: 'publicity',
      DueAt: '2041-05-01T23:59:59.999+08:00',
    });
  });

  it('clears what is absent instead of writing an empty value', () => {
    const sa = searchAttributesOf({ Kind: 'filing', Province: '22', Prefecture: null, Stage: null, Status: 'active', DueAt: null });
    expect(sa).toEqual({ Kind: ['filing'], Province: ['22'], Prefecture: [], Stage: [], Status: ['active'], DueAt: [] });
  });
});
