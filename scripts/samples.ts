/**
 * The sample institution the scripts file with (npm run scenario, chaos, bench): a Y (employer)
 * institution in 长春 (220100) with 车工 at levels 5, 4, 3, every material and one filed venue.
 * Tests have their own fixtures (test/fixtures/filing.ts); these are for the tools that drive a
 * running system over HTTP.
 */
import { MATERIAL_KINDS, type Application } from '../domain/filing';
import { makeIdNumber } from '../domain/identifiers';

export const SAMPLE_VENUE = { name: '实训楼一层', address: '吉林省长春市朝阳区人民大街1号' };

export function sampleApplication(institution: { name: string; creditCode: string; address?: string }): Application {
  return {
    institution: {
      name: institution.name,
      creditCode: institution.creditCode,
      kind: 'Y',
      legalRepresentative: '王建国',
      address: institution.address ?? '吉林省长春市',
      province: '22',
      affiliation: 'prefecture',
      prefecture: '220100',
      contact: { name: '李红', phone: '13912345678' },
    },
    occupations: [{ code: '6-18-01-01', name: '车工', levels: [5, 4, 3], basis: 'national-standard' }],
    materials: MATERIAL_KINDS.map((kind) => ({ kind, title: `${kind}.pdf` })),
    venues: [{ ...SAMPLE_VENUE, hasVideoSurveillance: true }],
  };
}

/** A one-day batch plan at the sample venue, theory and skill at 60, one of each kind of staff. */
export function samplePlan(filingId: string, examDate: string, candidates: unknown[]) {
  return {
    filingId,
    firstExamDate: examDate,
    lastExamDate: examDate,
    venues: [SAMPLE_VENUE],
    modules: [
      { kind: 'theory', passMark: 60 },
      { kind: 'skill', passMark: 60 },
    ],
    candidates,
    proctors: [{ name: '监考甲' }],
    examiners: [{ name: '考评员乙' }],
    supervisors: [{ name: '内部督导丙' }],
  };
}

/**
 * The i-th of many distinct, valid ID numbers (GB 11643): 1,000 sequence numbers per birth day,
 * the days counted from 1 January of `fromYear`, so a roster of 20,000 needs 20 days.
 */
export function sampleIdNumber(i: number, fromYear: number): string {
  const day = new Date(Date.UTC(fromYear, 0, 1) + Math.floor(i / 1000) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  return makeIdNumber('220102', day, i % 1000);
}
