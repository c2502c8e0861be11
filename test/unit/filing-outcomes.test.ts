/**
 * SPEC §2 (filing steps 2–6): 初评 may return the filing for 补正, other stages pass or reject, and a
 * notice (备案通知) is issued or refused, never sent back. The workflow's decide validator and the
 * console's decision form both take the outcomes from `outcomesOf`.
 */
import { JILIN_2025, SHANXI_2020, allStages, outcomesOf, type StageDef } from '../../domain/filing-policy';

const stage = (p: typeof JILIN_2025, name: string): StageDef => allStages(p).find((s) => s.name === name)!;

describe('outcomesOf: the decisions a stage admits', () => {
  it('初评 admits 补正; 技术评估, 综合汇总 and 审议 only pass or reject', () => {
    expect(outcomesOf(stage(JILIN_2025, 'preliminary-review'))).toEqual(['pass', 'supplement', 'reject']);
    for (const name of ['technical-assessment', 'comprehensive-review', 'deliberation']) {
      expect({ name, outcomes: outcomesOf(stage(JILIN_2025, name)) }).toEqual({ name, outcomes: ['pass', 'reject'] });
    }
  });

  it('a notice is issued or refused, even where a policy marks it as open to 补正', () => {
    const notice = stage(JILIN_2025, 'notice');
    expect(outcomesOf(notice)).toEqual(['pass', 'reject']);
    expect(outcomesOf({ ...notice, allowSupplement: true })).toEqual(['pass', 'reject']);
  });

  it('every stage of both presets admits pass and reject, and 补正 only where it says so', () => {
    for (const p of [JILIN_2025, SHANXI_2020]) {
      for (const def of allStages(p)) {
        const o = outcomesOf(def);
        expect(o).toEqual(expect.arrayContaining(['pass', 'reject']));
        expect(o.includes('supplement')).toBe(!!def.allowSupplement && def.kind !== 'notice');
      }
    }
  });
});
