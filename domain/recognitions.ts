/**
 * Competition winners recognised at a level (竞赛选拔, 直接认定): seed 000 §二(三)4 — "在经过备案的
 * 职业技能竞赛中取得优异成绩，按规定直接认定相应等级" — and seed 003 §六 — "对在职业技能竞赛中取得
 * 优异成绩的人员，可按规定晋升相应职业技能等级". Pure: the recognition workflow's activity and the
 * route call these; none re-derives them.
 *
 * The seeds leave the thresholds to "按规定" (national competition rules they do not quote). What
 * this system reads into them, each in one place below:
 * - 优异成绩: a place from 1 to RECOGNITION_MAX_RANK (5, the widest band of places the national
 *   competition rules grant a level for); a lower place is no recognition (RULE_VIOLATION).
 * - 晋升 (003 §六): the level granted is above every level the holder already holds in that
 *   occupation; recognising a level one already has, or a lower one, promotes nobody.
 * - 经过备案的竞赛 (000 §二(三)4): the province's reviewer records it, and is the one who knows the
 *   competition was filed; the competition is named on the record and on the certificate.
 * - Who issues: the province's department records the recognition, so the certificate carries the
 *   province's own issuing code (RECOGNITION_ISSUER): kind S, the provincial route 0000, the
 *   province, and the institution sequence 999999, the last one the province would ever hand to an
 *   institution (its sequence allocator counts up from 1). Its serials come from the same allocator
 *   workflow as an institution's (per year and level), under the province's own scope, so a number
 *   never repeats one of a batch's.
 */
import type { Refusal } from './errors';
import { isValidIdNumber } from './identifiers';
import { OCCUPATION_CODE } from './filing';
import { provinceName } from './regions';
import { LEVEL_LABELS } from './labels';

/** 优异成绩 (000 §二(三)4, 003 §六): places 1..5 (reading: module comment). */
export const RECOGNITION_MAX_RANK = 5;
/** Bounds of the competition's name as recorded and printed. */
export const COMPETITION_MAX_CHARS = 60;

/** POLICY: the province's own issuing code for the certificates of its recognitions (module comment). */
export const RECOGNITION_ISSUER = Object.freeze({ kind: 'S' as const, route: '0000', sequence: 999_999 });

export interface RecognitionRequest {
  competition: string;
  rank: number;
  holder: { name: string; idNumber: string };
  occupationCode: string;
  level: number;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The competition's name as compared and stored: widths folded, spaces collapsed. */
export function normaliseCompetition(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

/**
 * The recognition rules (000 §二(三)4, 003 §六), given the levels the holder already holds in the
 * occupation (certificates in force). Refuses malformed data with VALIDATION_FAILED, a place
 * outside 优异成绩 or a level that is no promotion with RULE_VIOLATION.
 */
export function recognitionRefusal(r: RecognitionRequest, heldLevels: readonly number[] = []): Refusal | null {
  const competition = typeof r.competition === 'string' ? normaliseCompetition(r.competition) : '';
  if (!competition || [...competition].length > COMPETITION_MAX_CHARS || CONTROL.test(competition)) {
    return { code: 'VALIDATION_FAILED', message: `competition is the competition's name, 1–${COMPETITION_MAX_CHARS} characters` };
  }
  if (!isValidIdNumber(r.holder?.idNumber)) return { code: 'VALIDATION_FAILED', message: 'holder.idNumber is not a valid 居民身份证 number (GB 11643-1999)' };
  if (!OCCUPATION_CODE.test(String(r.occupationCode))) return { code: 'VALIDATION_FAILED', message: 'occupationCode must look like 6-18-01-01' };
  if (![1, 2, 3, 4, 5].includes(r.level)) return { code: 'VALIDATION_FAILED', message: 'level must be 1..5' };
  if (!Number.isSafeInteger(r.rank) || r.rank < 1) return { code: 'VALIDATION_FAILED', message: 'rank must be a positive integer' };
  if (r.rank > RECOGNITION_MAX_RANK) {
    return {
      code: 'RULE_VIOLATION',
      message: `Only excellent results (优异成绩: places 1–${RECOGNITION_MAX_RANK}) are recognised at a level (000 §二(三)4, 003 §六); place ${r.rank} is not`,
      details: { rule: '000 §二(三)4', maxRank: RECOGNITION_MAX_RANK },
    };
  }
  const best = heldLevels.length ? Math.min(...heldLevels) : null;
  if (best !== null && r.level >= best) {
    return {
      code: 'RULE_VIOLATION',
      message: `A recognition promotes (晋升, 003 §六): the holder already holds ${LEVEL_LABELS[best]} in ${r.occupationCode}`,
      details: { rule: '003 §六', heldLevel: best },
    };
  }
  return null;
}

/** The issuing body of a province's recognitions, as a certificate names it (module comment). */
export function recognitionIssuer(province: string) {
  const seq = String(RECOGNITION_ISSUER.sequence).padStart(6, '0');
  return {
    kind: RECOGNITION_ISSUER.kind,
    province,
    sequence: RECOGNITION_ISSUER.sequence,
    /** not a credit code: no institution's id can equal it, so no institution acts as its issuer */
    creditCode: `province-${province}`,
    name: `${provinceName(province) ?? province}人力资源和社会保障厅`,
    code: `${RECOGNITION_ISSUER.kind}${RECOGNITION_ISSUER.route}${province}${seq}`,
  };
}

/** The serial allocator's scope of a province's recognitions (never an institution's `serials/<creditCode>`). */
export const recognitionAllocatorId = (province: string) => `serials/recognition-${province}`;

/** The uniqueness of a recognition: one per competition, holder and occupation. */
export const recognitionKey = (r: Pick<RecognitionRequest, 'competition' | 'occupationCode'> & { idNumber: string }) =>
  `${normaliseCompetition(r.competition)}\n${r.idNumber.toUpperCase()}\n${r.occupationCode}`;
