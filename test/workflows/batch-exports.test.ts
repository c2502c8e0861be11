/**
 * The pure batch rules (domain/batch.ts): pass/fail per module, the 结果汇总表 (001 附件3) and the
 * 合格人员花名册 (001 附件4) as JSON and as CSV with a UTF-8 BOM. No servers needed.
 */
import {
  acceptPlan,
  buildRoster,
  buildSummary,
  csvField,
  outcomeOf,
  planRefusal,
  rosterCsv,
  ROSTER_HEADER,
  scoresComplete,
  scoresRefusal,
  summaryCsv,
  toCsv,
  UTF8_BOM,
  type BatchPlan,
  type ResultSource,
} from '../../domain/batch';
import { makeIdNumber } from '../../domain/identifiers';

const id = (n: number, sex: 'M' | 'F' = 'M') => makeIdNumber('220102', '19900101', String(n * 2 + (sex === 'M' ? 1 : 0)).padStart(3, '0'));

function source(): ResultSource {
  const plan: BatchPlan = {
    firstExamDate: '2027-03-10',
    lastExamDate: '2027-03-11',
    venues: [{ name: '车间', address: '长春' }],
    modules: [{ kind: 'theory' }, { kind: 'skill', passMark: 70 }, { kind: 'performance', required: false }],
    candidates: [
      { name: '张伟', idNumber: id(1), post: '车工', yearsInPost: 5, occupationCode: '6-18-01-01', level: 4 },
      { name: '王芳', idNumber: id(2, 'F'), post: '车工, 班组长', yearsInPost: 8, occupationCode: '6-18-01-01', level: 4 },
      { name: '李娜', idNumber: id(3, 'F'), post: '车工', yearsInPost: 2, occupationCode: '6-18-01-01', level: 5 },
      { name: '刘洋', idNumber: id(4), post: '=HYPERLINK("x")', yearsInPost: 12, occupationCode: '6-18-01-01', level: 3 },
      { name: '陈静', idNumber: id(5, 'F'), post: '铣工', yearsInPost: 6, occupationCode: '6-18-01-02', level: 4 },
    ],
    proctors: [{ name: '监考' }],
    examiners: [{ name: '考评' }],
    supervisors: [{ name: '督导' }],
  };
  const accepted = acceptPlan(plan, [
    { code: '6-18-01-01', name: '车工', levels: [5, 4, 3], basis: 'national-standard' },
    { code: '6-18-01-02', name: '铣工', levels: [4], basis: 'national-standard' },
  ]);
  return {
    id: 'B-1',
    institution: { name: '长春精工机械有限公司', creditCode: '91220102MA0000000X', institutionCode: 'Y000022000001' },
    plan: accepted,
    policy: { defaultPassMark: 60 },
    scores: {
      [id(1)]: { theory: 60, skill: 70 }, // passes exactly at both marks
      [id(2, 'F')]: { theory: 95, skill: 69, performance: 90 }, // skill below its 70 mark
      [id(3, 'F')]: { absent: true },
      [id(4)]: { theory: 80, skill: 88, performance: 10 }, // performance is optional
      [id(5, 'F')]: { theory: 61, skill: 71 },
    },
  };
}

describe('batch rules and exports', () => {
  it('a candidate passes when every required module reaches its pass mark', () => {
    const s = source();
    const o = s.plan.candidates.map((c) => outcomeOf(s.plan, c, s.scores));
    expect(o.map((x) => x.passed)).toEqual([true, false, false, true, true]);
    expect(o[1].failedModules).toEqual(['skill']);
    expect(o[2]).toMatchObject({ absent: true, complete: true, passed: false });
    expect(scoresComplete(s.plan, s.scores)).toBe(true);
    expect(scoresComplete(s.plan, { ...s.scores, [id(1)]: { theory: 90 } })).toBe(false);
    expect(scoresRefusal(s.plan, [{ idNumber: id(1), defense: 80 }])?.code).toBe('VALIDATION_FAILED');
    expect(scoresRefusal(s.plan, [{ idNumber: id(9), theory: 80 }])?.code).toBe('VALIDATION_FAILED');
    expect(scoresRefusal(s.plan, [{ idNumber: id(1), theory: 80 }])).toBeNull();
  });

  it('planRefusal checks dates, modules and duplicates without the filing', () => {
    const s = source();
    const p = { ...s.plan, candidates: s.plan.candidates.map(({ occupationName: _o, ...c }) => c) };
    expect(planRefusal(p, '2027-02-01')).toBeNull();
    expect(planRefusal({ ...p, lastExamDate: '2027-03-09' }, '2027-02-01')?.code).toBe('VALIDATION_FAILED');
    expect(planRefusal({ ...p, firstExamDate: '2027-02-30' }, '2027-02-01')?.code).toBe('VALIDATION_FAILED');
    expect(planRefusal({ ...p, modules: [{ kind: 'theory' }, { kind: 'theory' }] }, '2027-02-01')?.code).toBe('VALIDATION_FAILED');
    expect(planRefusal({ ...p, candidates: [...p.candidates, { ...p.candidates[0], level: 3 }] }, '2027-02-01')?.code).toBe('DUPLICATE_CANDIDATE');
  });

  it('结果汇总表: per occupation, counts per level (candidates, assessed, passed), and totals', () => {
    const sum = buildSummary(source(), '2027-03-30');
    expect(sum).toMatchObject({ applicants: 5, assessed: 4, passed: 3, examPeriod: { from: '2027-03-10', to: '2027-03-11' }, reportDate: '2027-03-30' });
    expect(sum.rows.map((r) => r.occupationName)).toEqual(['车工', '铣工']);
    expect(sum.rows[0].levels['4']).toEqual({ candidates: 2, assessed: 2, passed: 1 });
    expect(sum.rows[0].levels['5']).toEqual({ candidates: 1, assessed: 0, passed: 0 });
    expect(sum.rows[0].levels['3']).toEqual({ candidates: 1, assessed: 1, passed: 1 });
    expect(sum.rows[0].subtotal).toEqual({ candidates: 4, assessed: 3, passed: 2 });
    expect(sum.total.subtotal).toEqual({ candidates: 5, assessed: 4, passed: 3 });
    expect(sum.total.levels['4']).toEqual({ candidates: 3, assessed: 3, passed: 2 });
  });

  it('合格人员花名册: the passed candidates in plan order with their scores', () => {
    const roster = buildRoster(source());
    expect(roster.map((r) => [r.seq, r.name, r.sex, r.level, r.theory, r.skill, r.performance])).toEqual([
      [1, '张伟', 'M', 4, 60, 70, null],
      [2, '刘洋', 'M', 3, 80, 88, 10],
      [3, '陈静', 'F', 4, 61, 71, null],
    ]);
  });

  it('CSV: UTF-8 BOM, CRLF, quoting, and no formula injection', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField(-5)).toBe('-5');
    expect(csvField(null)).toBe('');
    expect(
      toCsv([
        ['a', 'b'],
        [1, 2],
      ]),
    ).toBe(`${UTF8_BOM}a,b\r\n1,2\r\n`);

    const csv = rosterCsv(buildRoster(source()));
    expect(csv.startsWith(UTF8_BOM)).toBe(true);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0]).toBe(ROSTER_HEADER.join(','));
    expect(lines[1]).toBe(`1,张伟,男,${id(1)},车工,5,车工,四级/中级工,60,70,`);
    expect(lines[2]).toBe(`2,刘洋,男,${id(4)},"'=HYPERLINK(""x"")",12,车工,三级/高级工,80,88,10`);
    expect(lines[lines.length - 1]).toBe('');

    const s = summaryCsv(buildSummary(source(), '2027-03-30'));
    expect(s.startsWith(UTF8_BOM + '企业职业技能等级认定结果汇总表')).toBe(true);
    const rows = s.slice(1).split('\r\n');
    expect(rows[3]).toMatch(/^评价工种,职业编码,初级参评人数,初级合格人数,中级参评人数/);
    expect(rows[4]).toBe('车工,6-18-01-01,1,0,2,1,1,1,0,0,0,0,4,2');
    expect(rows[6]).toBe('合计,,1,0,3,2,1,1,0,0,0,0,5,3');
  });
});
