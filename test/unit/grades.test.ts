/** Enterprise grades (003 §三): the filed correspondence, and a roster's grades turned into national levels. */
import { gradeMappingRefusal, nationalLevelOfGrade, resolveEnterpriseGrades } from '../../domain/grades';
import type { Occupation } from '../../domain/filing';
import { parseRosterFile } from '../../console/roster';
import { makeIdNumber } from '../../domain/identifiers';

const lathe: Occupation = {
  code: '6-18-01-01',
  name: '车工',
  levels: [5, 4, 3],
  basis: 'national-standard',
  gradeMapping: [
    { grade: '学徒工', level: 5 },
    { grade: '中级技工', level: 4 },
  ],
};
const welder: Occupation = { code: '6-18-02-04', name: '焊工', levels: [4], basis: 'national-standard', gradeMapping: [{ grade: '中级技工', level: 4 }] };

describe('enterprise grades (003 §三)', () => {
  it('a mapping names each grade once, onto levels the occupation is filed for', () => {
    expect(gradeMappingRefusal(lathe)).toBeNull();
    expect(gradeMappingRefusal({ levels: [4], gradeMapping: [{ grade: '首席技师', level: 1 }] })).toMatch(/not filed/);
    expect(
      gradeMappingRefusal({
        levels: [4],
        gradeMapping: [
          { grade: '技工', level: 4 },
          { grade: ' 技工', level: 4 },
        ],
      }),
    ).toMatch(/twice/);
  });

  it('a grade maps per occupation: the same name may stand for different levels in different occupations', () => {
    expect(nationalLevelOfGrade([lathe, welder], '6-18-01-01', undefined, '学徒工')).toBe(5);
    expect(nationalLevelOfGrade([lathe, welder], '6-18-02-04', undefined, '学徒工')).toBeNull();
    expect(nationalLevelOfGrade([lathe], '6-18-01-01', undefined, '中级 技工')).toBe(4);
  });

  it('turns a roster’s grades into levels, and reports an unmapped or contradicting one by its index', () => {
    const rows = [
      { occupationCode: '6-18-01-01', level: 3 },
      { occupationCode: '6-18-01-01', enterpriseGrade: '学徒工' },
      { occupationCode: '6-18-01-01', enterpriseGrade: '首席技师' },
      { occupationCode: '6-18-01-01', enterpriseGrade: '中级技工', level: 3 },
      { occupationCode: '6-18-01-01', enterpriseGrade: '中级技工', level: 4 },
    ];
    const r = resolveEnterpriseGrades(rows, [lathe]);
    expect(r.candidates.map((c) => c.level)).toEqual([3, 5, 4]);
    expect(r.unmapped.map((u) => [u.index, u.enterpriseGrade])).toEqual([
      [2, '首席技师'],
      [3, '中级技工'],
    ]);
  });

  it('the console reads an enterprise grade in the roster’s 等级 column when the filing maps it', async () => {
    const id = makeIdNumber('220102', '19900101', 11);
    const csv = `\uFEFF姓名,身份证号,岗位/工种,本岗位工作年限,职业编码,等级\n赵一,${id},车工,6,6-18-01-01,学徒工\n钱二,${makeIdNumber('220102', '19900101', 12)},车工,6,6-18-01-01,首席技师\n`;
    const parsed = await parseRosterFile(Buffer.from(csv), { occupations: [lathe] });
    expect(parsed.candidates).toEqual([expect.objectContaining({ idNumber: id, level: 5, enterpriseGrade: '学徒工' })]);
    expect(parsed.errors.map((e) => e.reasons.join())).toEqual([expect.stringContaining('首席技师')]);
  });
});
