/**
 * Enterprise grades (003 §三, 企业自主设置职业技能等级): an enterprise may build its own post grades on
 * the national five levels — 学徒工, 特级技师, 首席技师, or finer steps within a level — and states
 * how each corresponds to a national level. A filing's occupation may carry that correspondence
 * (`gradeMapping`); a batch roster may then give a candidate's enterprise grade in place of the
 * level, and the candidate is assessed, and certified, at the national level it maps to.
 */
import { filedOccupationOf, type Occupation } from './filing';

export interface GradeMapping {
  /** the enterprise's own name for the grade, e.g. 首席技师 */
  grade: string;
  /** the national level it corresponds to, 1 (高级技师) … 5 (初级工) */
  level: number;
}

const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');

/** A mapping as filed: each grade once, and only onto levels the occupation is filed for (else a message). */
export function gradeMappingRefusal(occupation: Pick<Occupation, 'levels'> & { gradeMapping?: GradeMapping[] }): string | null {
  const seen = new Set<string>();
  for (const m of occupation.gradeMapping ?? []) {
    const g = norm(m.grade);
    if (seen.has(g)) return `enterprise grade ${m.grade} is mapped twice`;
    seen.add(g);
    if (!occupation.levels.includes(m.level)) return `enterprise grade ${m.grade} maps to level ${m.level}, which the occupation is not filed for`;
  }
  return null;
}

/** The national level of an enterprise grade for this occupation (and trade) as filed, or null when the filing maps no such grade. */
export function nationalLevelOfGrade(occupations: readonly Occupation[], occupationCode: string, trade: string | undefined, grade: string): number | null {
  const g = norm(grade);
  const filed = occupations.filter((o) => filedOccupationOf([o], occupationCode, trade));
  for (const o of filed) {
    const m = (o.gradeMapping ?? []).find((x) => norm(x.grade) === g);
    if (m) return m.level;
  }
  return null;
}

export interface GradedCandidate {
  occupationCode: string;
  trade?: string;
  level?: number;
  enterpriseGrade?: string;
}

/**
 * The roster's candidates with every enterprise grade turned into its national level. A grade the
 * filing does not map, or one that contradicts a level also given, is reported with the row's
 * index; nothing is guessed.
 */
export function resolveEnterpriseGrades<C extends GradedCandidate>(
  candidates: readonly C[],
  occupations: readonly Occupation[],
): { candidates: (C & { level: number })[]; unmapped: { index: number; occupationCode: string; enterpriseGrade: string; level?: number }[] } {
  const out: (C & { level: number })[] = [];
  const unmapped: { index: number; occupationCode: string; enterpriseGrade: string; level?: number }[] = [];
  candidates.forEach((c, index) => {
    if (!c.enterpriseGrade) {
      out.push(c as C & { level: number });
      return;
    }
    const level = nationalLevelOfGrade(occupations, c.occupationCode, c.trade, c.enterpriseGrade);
    if (level === null || (c.level !== undefined && c.level !== level)) {
      unmapped.push({ index, occupationCode: c.occupationCode, enterpriseGrade: c.enterpriseGrade, level: c.level });
      return;
    }
    out.push({ ...c, level });
  });
  return { candidates: out, unmapped };
}
