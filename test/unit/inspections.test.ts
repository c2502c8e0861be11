/** 双随机、一公开 (000 §六(三), 002 Art.25): the draw is a pure function of the pools and a seed; findings' rules. */
import { createHash } from 'node:crypto';
import {
  drawInspections,
  drawPoolRefusal,
  findingRefusal,
  inspectionMeasures,
  inspectionOutcome,
  inspectionPoolDigestInput,
  inspectionScopeOf,
  proposalDecisionRefusal,
  type EligiblePools,
  type InspectionRecord,
} from '../../domain/inspections';
import type { Actor } from '../../domain/filing';
import { inspectionCreditEntry } from '../../domain/credit';

const inst = (n: number) => ({ creditCode: `C${String(n).padStart(3, '0')}`, name: `机构${n}`, filingId: `F${n}`, province: '22', prefecture: '220100' });
const sup = (n: number) => ({ userId: `s${n}`, name: `督导${n}` });
const pools = (i: number, s: number, conflicts: [string, string][] = []): EligiblePools => {
  const p = { institutions: Array.from({ length: i }, (_, k) => inst(k + 1)), inspectors: Array.from({ length: s }, (_, k) => sup(k + 1)), conflicts };
  return { ...p, hash: createHash('sha256').update(inspectionPoolDigestInput(p)).digest('hex') };
};

describe('the random draw', () => {
  it('draws the same from the same pools and seed, and differently from another seed', () => {
    const p = pools(30, 8);
    const a = drawInspections(p, 5, 2, 12345);
    expect(drawInspections(p, 5, 2, 12345)).toEqual(a);
    const others = [1, 2, 3].map((seed) =>
      drawInspections(p, 5, 2, seed)
        .map((x) => x.institution.creditCode)
        .join(),
    );
    expect(others.some((o) => o !== a.map((x) => x.institution.creditCode).join())).toBe(true);
    expect(new Set(a.map((x) => x.institution.creditCode)).size).toBe(5);
    for (const x of a) expect(new Set(x.inspectors.map((s) => s.userId)).size).toBe(2);
  });

  it('spreads the work: with 10 inspections of 2 among 5 inspectors each inspects 4', () => {
    const a = drawInspections(pools(10, 5), 10, 2, 99);
    const load = new Map<string, number>();
    for (const x of a) for (const s of x.inspectors) load.set(s.userId, (load.get(s.userId) ?? 0) + 1);
    expect([...load.values()]).toEqual([4, 4, 4, 4, 4]);
  });

  it('every institution is equally likely to be drawn (chi-square over 4,000 seeds)', () => {
    const p = pools(10, 3);
    const hits = new Array(10).fill(0);
    for (let seed = 0; seed < 4000; seed++) for (const x of drawInspections(p, 2, 1, seed)) hits[Number(x.institution.creditCode.slice(1)) - 1]++;
    const expected = 800;
    const chi = hits.reduce((sum, h) => sum + (h - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: 27.9 is the 0.1% tail
    expect(chi).toBeLessThan(27.9);
  });

  it('never sends an inspector to an institution that lists them as staff, and leaves out an institution nobody can inspect', () => {
    const conflicts: [string, string][] = [
      ['C001', 's1'],
      ['C002', 's1'],
      ['C002', 's2'],
    ];
    const p = pools(2, 2, conflicts);
    for (let seed = 0; seed < 50; seed++) {
      const [x] = drawInspections(p, 1, 1, seed);
      expect(x.institution.creditCode).toBe('C001');
      expect(x.inspectors).toEqual([sup(2)]);
    }
    expect(drawPoolRefusal(p, 2, 1)).toMatchObject({ code: 'NOT_ENOUGH_SUPERVISORS', details: { eligible: 1, requested: 2 } });
  });

  it('refuses more institutions than are in force, and fewer inspectors than an inspection needs', () => {
    expect(drawPoolRefusal(pools(3, 5), 4, 1)).toMatchObject({ code: 'RULE_VIOLATION', details: { eligible: 3, requested: 4 } });
    expect(drawPoolRefusal(pools(3, 1), 2, 2)).toMatchObject({ code: 'NOT_ENOUGH_SUPERVISORS' });
    expect(drawPoolRefusal(pools(3, 2), 3, 2)).toBeNull();
  });

  it('a provincial department draws in its province, a prefecture center in its prefecture', () => {
    expect(inspectionScopeOf({ role: 'province-reviewer', province: '22' })).toEqual({ province: '22' });
    expect(inspectionScopeOf({ role: 'center', province: '22', prefecture: '220100' })).toEqual({ province: '22', prefecture: '220100' });
    expect(inspectionScopeOf({ role: 'center', province: '22' })).toEqual({ province: '22' });
    expect(inspectionScopeOf({ role: 'prefecture-reviewer', province: '22', prefecture: '220100' })).toBeNull();
  });
});

describe('findings', () => {
  const actor = (sub: string, role: Actor['role'] = 'supervisor'): Actor => ({ sub, name: sub, role, province: '22' });
  const record = (): InspectionRecord => ({
    id: 'D-001',
    seq: 1,
    institution: inst(1),
    inspectors: [sup(1), sup(2)],
    findings: [],
    proposal: null,
    concludedAt: null,
  });

  it('only a drawn inspector files, once; an order only with a serious finding', () => {
    const x = record();
    const base = { inspectionId: 'D-001', severity: 'minor' as const, text: '台账不全' };
    expect(findingRefusal([x], { ...base, inspectionId: 'D-002', actor: actor('s1') })?.code).toBe('NOT_FOUND');
    expect(findingRefusal([x], { ...base, actor: actor('s3') })?.code).toBe('NOT_ASSIGNED');
    expect(findingRefusal([x], { ...base, actor: actor('s1', 'center') })?.code).toBe('NOT_ASSIGNED');
    expect(findingRefusal([x], { ...base, order: 'suspend-batches', actor: actor('s1') })).toMatchObject({ code: 'VALIDATION_FAILED', status: 422 });
    expect(findingRefusal([x], { ...base, severity: 'serious', order: 'suspend-batches', actor: actor('s1') })).toBeNull();
    x.findings.push({ by: sup(1), severity: 'minor', text: 't', order: null, at: '2026-03-01T10:00:00+08:00' });
    expect(findingRefusal([x], { ...base, actor: actor('s1') })?.code).toBe('ALREADY_DECIDED');
  });

  it('the outcome is the most serious finding; the measures are what was ordered or proposed', () => {
    const x = record();
    expect(inspectionOutcome(x)).toBeNull();
    x.findings.push({ by: sup(1), severity: 'serious', text: 't', order: 'suspend-batches', at: 'a' });
    x.findings.push({ by: sup(2), severity: 'minor', text: 't', order: null, at: 'b' });
    expect(inspectionOutcome(x)).toBe('serious');
    expect(inspectionMeasures(x)).toEqual(['suspend-batches']);
    x.proposal = { by: sup(1), at: 'c', text: 't' };
    expect(inspectionMeasures(x)).toEqual(['suspend-batches', 'propose-termination']);
  });

  it('a serious finding is a published credit entry with its measure, under its inspection and place; by the bureau of a prefecture draw', () => {
    const x = { id: 'D2026-abc-001', institution: inst(1), scope: { province: '22' } };
    const at = '2026-03-01T23:30:00+08:00';
    expect(inspectionCreditEntry(x, 1, { severity: 'minor', order: null, at })).toBeNull();
    expect(inspectionCreditEntry(x, 2, { severity: 'serious', order: 'suspend-batches', at, suspendedBatches: ['B-1', 'B-2'] })).toEqual({
      _id: 'inspection:D2026-abc-001:2',
      creditCode: 'C001',
      kind: 'inspection-serious',
      date: '2026-03-01',
      decidedBy: '吉林省人力资源和社会保障厅（双随机抽查）',
      summary: '双随机抽查（D2026-abc-001）发现严重问题，责令暂停认定批次 B-1、B-2',
      published: true,
      source: { type: 'inspection', id: 'D2026-abc-001' },
    });
    const pref = inspectionCreditEntry({ ...x, scope: { province: '22', prefecture: '220100' } }, 1, { severity: 'serious', order: null, at })!;
    expect(pref.decidedBy).toBe('长春市人力资源和社会保障局（双随机抽查）');
    expect(pref.summary).toBe('双随机抽查（D2026-abc-001）发现严重问题');
  });

  it('a termination proposal is closed once, by a provincial reviewer of the province: terminated only after the filing’s ordered termination', () => {
    const x = { institution: inst(1), proposal: { by: sup(1), at: 'a', text: 't' } };
    const prov = { role: 'province-reviewer' as const, province: '22' };
    const declined = { decision: 'declined' as const, note: '整改', actor: prov };
    const terminated = { decision: 'terminated' as const, note: '已终止', actor: prov };
    const active = { status: 'active', termination: null };
    expect(proposalDecisionRefusal(x, false, { ...declined, actor: { role: 'province-reviewer', province: '21' } }, active)?.code).toBe('FORBIDDEN');
    expect(proposalDecisionRefusal(x, false, { ...declined, actor: { role: 'center', province: '22' } }, active)?.code).toBe('FORBIDDEN');
    expect(proposalDecisionRefusal({ ...x, proposal: null }, false, declined, active)?.code).toBe('NOT_FOUND');
    expect(proposalDecisionRefusal(x, true, declined, active)?.code).toBe('ALREADY_DECIDED');
    expect(proposalDecisionRefusal(x, false, { ...declined, note: ' ' }, active)?.code).toBe('VALIDATION_FAILED');
    expect(proposalDecisionRefusal(x, false, declined, active)).toBeNull();
    expect(proposalDecisionRefusal(x, false, terminated, active)?.code).toBe('INVALID_STATE');
    expect(proposalDecisionRefusal(x, false, terminated, { status: 'terminated', termination: { kind: 'voluntary' } })?.code).toBe('INVALID_STATE');
    expect(proposalDecisionRefusal(x, false, terminated, { status: 'terminated', termination: { kind: 'ordered' } })).toBeNull();
  });
});
