/** The annual-plan rules (000 §五(二)1) and the refund list (004 Art.13) as pure functions. */
import { annualPlanDecisionRefusal, annualPlanRefusal, annualPlanStatus, outsideAnnualPlan } from '../../domain/annual-plan';
import { refundCsv, refundLines } from '../../domain/fees';
import type { Actor, Occupation } from '../../domain/filing';
import type { BatchView } from '../../domain/batch';

const occupations: Occupation[] = [
  { code: '6-18-01-01', name: '车工', levels: [5, 4, 3], basis: 'national-standard' },
  { code: '4-07-05-02', name: '育婴员', trade: '育婴', levels: [5], basis: 'national-standard' },
];
const filing = { status: 'active', occupations, validUntil: '2029-02-27' };
const item = { occupationCode: '6-18-01-01', level: 4, quarter: 1, expected: 10 };

describe('annual plans (000 §五(二)1)', () => {
  it('a batch is outside the plan for every occupation and level the acknowledged items do not list; a trade is covered by its occupation', () => {
    const coverage = { items: [{ occupationCode: '6-18-01-01', level: 4 }] };
    const planned = [
      { occupationCode: '6-18-01-01', level: 4 },
      { occupationCode: '6-18-01-01-02', level: 4 },
      { occupationCode: '6-18-01-01', level: 3 },
      { occupationCode: '6-18-01-01', level: 3 },
      { occupationCode: '6-18-01-011', level: 4 },
    ];
    expect(outsideAnnualPlan(planned, coverage)).toEqual([
      { occupationCode: '6-18-01-01', level: 3 },
      { occupationCode: '6-18-01-011', level: 4 },
    ]);
    expect(outsideAnnualPlan(planned.slice(0, 2), coverage)).toEqual([]);
    // no acknowledged plan covers nothing
    expect(outsideAnnualPlan(planned.slice(0, 1), null)).toEqual([{ occupationCode: '6-18-01-01', level: 4 }]);
  });

  it('is filed for a filing in force, this year or later within its validity, inside the filed scope, one line per occupation, level and quarter', () => {
    expect(annualPlanRefusal({ year: 2027, items: [item] }, filing, '2027-01-05')).toBeNull();
    expect(annualPlanRefusal({ year: 2027, items: [item] }, { ...filing, status: 'terminated' }, '2027-01-05')?.code).toBe('FILING_NOT_VALID');
    expect(annualPlanRefusal({ year: 2026, items: [item] }, filing, '2027-01-05')?.code).toBe('VALIDATION_FAILED');
    expect(annualPlanRefusal({ year: 2030, items: [item] }, filing, '2027-01-05')?.code).toBe('VALIDATION_FAILED');
    expect(annualPlanRefusal({ year: 2027, items: [item, { ...item, expected: 3 }] }, filing, '2027-01-05')?.code).toBe('VALIDATION_FAILED');
    expect(annualPlanRefusal({ year: 2027, items: [item, { ...item, quarter: 2 }] }, filing, '2027-01-05')).toBeNull();
    expect(annualPlanRefusal({ year: 2027, items: [{ ...item, level: 2 }] }, filing, '2027-01-05')).toMatchObject({
      code: 'OUT_OF_SCOPE',
      details: { offending: [{ occupationCode: '6-18-01-01', level: 2 }] },
    });
  });

  it('is decided by the center of the jurisdiction, once per revision', () => {
    const j = { level: 'prefecture' as const, province: '22', prefecture: '220100' };
    const center = (prefecture?: string): Actor => ({ sub: 'c', name: 'c', role: 'center', province: '22', prefecture });
    expect(annualPlanDecisionRefusal(j, center('220100'), 'submitted')).toBeNull();
    expect(annualPlanDecisionRefusal(j, center('220200'), 'submitted')?.code).toBe('FORBIDDEN');
    expect(annualPlanDecisionRefusal(j, center(), 'submitted')?.code).toBe('FORBIDDEN');
    expect(annualPlanDecisionRefusal({ level: 'province', province: '22' }, center(), 'submitted')).toBeNull();
    expect(annualPlanDecisionRefusal(j, center('220100'), 'acknowledged')?.code).toBe('ALREADY_DECIDED');
    expect(annualPlanStatus({ revision: 'r2' }, { revision: 'r1', outcome: 'pass' })).toBe('submitted');
    expect(annualPlanStatus({ revision: 'r1' }, { revision: 'r1', outcome: 'return' })).toBe('returned');
  });
});

describe('refund list (004 Art.13)', () => {
  const cand = (name: string, idNumber: string) => ({ name, idNumber, occupationCode: '6-18-01-01', occupationName: '车工', level: 4 });
  const batch = (id: string, cancelled: boolean) =>
    ({
      id,
      plan: { candidates: [cand('张三', '220101199201010011'), cand('=HYPERLINK("x")', '220101199201010022')] },
      cancellation: cancelled ? { reason: '备案被责令终止', at: '2027-03-01T10:00:00+08:00', refund: { count: 2, idNumbers: [] } } : undefined,
    }) as unknown as BatchView;

  it('lists every candidate of a cancelled batch, none of one that was not cancelled; the CSV is safe to open in Excel', () => {
    const lines = refundLines([batch('B1', true), batch('B2', false)]);
    expect(lines.map((l) => [l.batchId, l.name, l.idNumber])).toEqual([
      ['B1', '张三', '220101199201010011'],
      ['B1', '=HYPERLINK("x")', '220101199201010022'],
    ]);
    const csv = refundCsv(lines).split('\r\n');
    expect(csv[1]).toBe('1,B1,张三,220101199201010011,6-18-01-01,车工,四级/中级工,2027-03-01T10:00:00+08:00,备案被责令终止');
    expect(csv[2]).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
