/** The recognition rules (000 §二(三)4, 003 §六; domain/recognitions.ts), without servers. */
import { normaliseCompetition, recognitionIssuer, recognitionKey, recognitionRefusal, RECOGNITION_MAX_RANK } from '../../domain/recognitions';
import { makeIdNumber } from '../../domain/identifiers';

const base = {
  competition: '全国技能大赛',
  rank: 1,
  holder: { name: '李竞', idNumber: makeIdNumber('220102', '19900101', '711') },
  occupationCode: '6-18-01-01',
  level: 2,
};
const code = (over: Partial<typeof base>, held: number[] = []) => recognitionRefusal({ ...base, ...over }, held)?.code ?? null;

describe('recognitionRefusal', () => {
  it('grants places 1..5 and refuses the next (优异成绩)', () => {
    expect(code({ rank: RECOGNITION_MAX_RANK })).toBeNull();
    expect(code({ rank: RECOGNITION_MAX_RANK + 1 })).toBe('RULE_VIOLATION');
    expect(code({ rank: 0 })).toBe('VALIDATION_FAILED');
    expect(code({ rank: 1.5 })).toBe('VALIDATION_FAILED');
  });
  it('promotes only above every level held in the occupation (晋升, 003 §六)', () => {
    expect(code({ level: 2 }, [4, 3])).toBeNull();
    expect(code({ level: 3 }, [4, 3])).toBe('RULE_VIOLATION');
    expect(code({ level: 4 }, [3])).toBe('RULE_VIOLATION');
  });
  it('refuses malformed data', () => {
    expect(code({ level: 0 })).toBe('VALIDATION_FAILED');
    expect(code({ occupationCode: '2-01-01-01' })).toBe('VALIDATION_FAILED');
    expect(code({ competition: '  ' })).toBe('VALIDATION_FAILED');
    expect(code({ competition: '赛'.repeat(61) })).toBe('VALIDATION_FAILED');
    expect(code({ holder: { name: 'x', idNumber: '220102199001017110' } })).toBe('VALIDATION_FAILED');
  });
  it('one key per competition, holder and occupation, however the name is spaced or widened', () => {
    const k = (competition: string) => recognitionKey({ competition, idNumber: base.holder.idNumber.toLowerCase(), occupationCode: base.occupationCode });
    expect(k('全国技能大赛 2026')).toBe(k(' 全国技能大赛　２０２６ '));
    expect(normaliseCompetition('Ａ  B')).toBe('A B');
  });
  it('issues under the province’s own code', () => {
    expect(recognitionIssuer('22')).toMatchObject({ kind: 'S', code: 'S000022999999', name: '吉林省人力资源和社会保障厅' });
  });
});
