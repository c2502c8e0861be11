/**
 * The assessment batch (认定批次) as data: the plan an institution files, the state its workflow
 * keeps, and the pure rules both the workflow (validators, transitions) and the API apply:
 * plan checks, pass/fail per module, the 结果汇总表 and 合格人员花名册, their CSV export, and whose
 * inbox a step sits in. No I/O, no clock (workflow code imports this module).
 *
 * Sources: 000 §五(二) (plan ≥10 working days ahead, supervision, publicity ≥5 working days,
 * results within 10 working days), 001 §三(五)–(七) and 附件3/附件4 (the two result tables),
 * 002 ch.4, SPEC §3–§5 and §8.
 *
 * Interpretations (SPEC: "choose what a careful official would expect, write it down"):
 * - "提前10个工作日报备" = the plan is filed at least 10 working days before the first exam day:
 *   firstExamDate ≥ addWorkingDays(filedDate, 10), where the filing day itself never counts and
 *   the exam day may be the 10th working day (SPEC §8 counting). `planLeadWorkingDays`.
 * - One occupation per candidate per batch (000 §二(一) 每次限报1个职业(工种)): a person (ID
 *   number) appears at most once in a plan.
 * - Y institutions assess only their own staff (000 §二(一)), including their listed subsidiaries
 *   (004 Art.6(6)) and dispatched or outsourced workers placed with them (003 §二): a candidate's
 *   `employerCreditCode` is the institution's or a subsidiary's, or the candidate is marked
 *   `employment: 'dispatched' | 'outsourced'` with `placedWithCreditCode` one of those.
 * - "the occupation fits the candidate's post" cannot be checked mechanically; the post is
 *   recorded and shown to the center at plan review.
 * - A candidate passes when every required module is scored at or above its pass mark (default
 *   60 of 100, SPEC §3.4); modules are required unless the plan marks them `required: false`.
 * - The plan is a 备案 (a filing), not an application for approval: when the center has not
 *   acknowledged it by the first exam day the exams still take place and the overdue review is
 *   escalated; `examsRequireAcknowledgement: true` makes an unacknowledged plan lapse instead.
 */
import { CERTIFICATE_LEVEL_NAMES, type CertificateLevel } from './certificate-code';
import { isValidIsoDate, dayNumber, startOfDayMs } from './dates';
import { filedOccupationOf, inFiledScope, jurisdictionAudience, OCCUPATION_CODE, type Actor, type Audience, type Occupation, type PendingStep } from './filing';
import { maskIdNumber, maskName, sexFromIdNumber, validateCreditCode, validateIdNumber } from './identifiers';
import { openObjections, resolutionRefusal, type ObjectionLedger } from './objections';
import type { Refusal } from './errors';
import { MODULE_LABELS } from './labels';

// ---------------------------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------------------------

/** Durations and switches of a batch, fixed in its workflow input when it starts. */
export interface BatchPolicy {
  id: string;
  /** 000 §五(二)1: 提前10个工作日将具体认定批次计划报相应鉴定中心备案 */
  planLeadWorkingDays: number;
  /** our choice (the seeds give none): the center acknowledges a plan within 5 working days */
  planReviewDueWorkingDays: number;
  /** false: a plan is a filing, the exams go ahead unacknowledged (the overdue review escalates) */
  examsRequireAcknowledgement: boolean;
  /** longest exam period, calendar days from the first to the last exam day inclusive */
  maxExamDays: number;
  maxCandidates: number;
  /** our choice: scores are due 10 working days after the last exam day */
  scoringDueWorkingDays: number;
  /** SPEC §3.4: ≥60 of 100 */
  defaultPassMark: number;
  /** 000 §五(二)3: 不少于5个工作日公示 */
  publicityWorkingDays: number;
  /** 000 §五(二)3: 经公示无异议的，10个工作日内报鉴定中心审核 */
  resultsDueWorkingDays: number;
  /** SPEC §8: a reminder before the results deadline, this many working days before it */
  resultsReminderWorkingDaysBefore: number;
  /** our choice: the center reviews submitted results within 10 working days */
  resultsReviewDueWorkingDays: number;
  /** still overdue this many working days after a due date: escalate to the province */
  escalationProvinceAfterWorkingDays: number;
  /** most supervisors one draw may take */
  maxSupervisorsPerDraw: number;
}

export const DEFAULT_BATCH_POLICY: BatchPolicy = Object.freeze({
  id: 'batch-2020',
  planLeadWorkingDays: 10,
  planReviewDueWorkingDays: 5,
  examsRequireAcknowledgement: false,
  maxExamDays: 31,
  // #14 §3: a batch's candidates, scores and certificates live in collections, not in its history
  maxCandidates: 20000,
  scoringDueWorkingDays: 10,
  defaultPassMark: 60,
  publicityWorkingDays: 5,
  resultsDueWorkingDays: 10,
  resultsReminderWorkingDaysBefore: 2,
  resultsReviewDueWorkingDays: 10,
  escalationProvinceAfterWorkingDays: 5,
  maxSupervisorsPerDraw: 10,
}) as BatchPolicy;

// ---------------------------------------------------------------------------------------------
// The plan (批次计划, 000 §五(二)1)
// ---------------------------------------------------------------------------------------------

export const MODULE_KINDS = ['theory', 'skill', 'performance', 'defense'] as const;
/** 理论知识考试, 技能操作考核, 工作业绩评审, 论文答辩/综合评审 */
export type ModuleKind = (typeof MODULE_KINDS)[number];

export interface PlanModule {
  kind: ModuleKind;
  /** 0–100; default the policy's pass mark (60) */
  passMark?: number;
  /** default true: a candidate passes only when every required module passes */
  required?: boolean;
}

export interface Candidate {
  name: string;
  /** resident ID number, GB 11643 */
  idNumber: string;
  sex?: 'M' | 'F';
  /** 岗位 */
  post: string;
  /** 岗位工龄 */
  yearsInPost: number;
  /** 职业 code of the filed scope */
  occupationCode: string;
  /** 工种, when the filed occupation has several */
  trade?: string;
  /** the national level assessed and certified */
  level: number;
  /** 003 §三: the enterprise's own grade the roster gave, which the filing maps to `level` */
  enterpriseGrade?: string;
  employerCreditCode?: string;
  /** 003 §二: dispatched or outsourced workers count as staff of the unit they are placed with */
  employment?: 'staff' | 'dispatched' | 'outsourced';
  placedWithCreditCode?: string;
}

export interface NamedPerson {
  name: string;
  idNumber?: string;
}

/** A venue of the plan: one of the filing's venues (004 Art.8), and what is held there. */
export interface PlanVenue {
  name: string;
  address: string;
  /** the modules held at this venue; all of them when absent */
  modules?: ModuleKind[];
}

export interface BatchPlan {
  firstExamDate: string;
  lastExamDate: string;
  overview?: string;
  venues: PlanVenue[];
  modules: PlanModule[];
  candidates: Candidate[];
  proctors: NamedPerson[];
  examiners: NamedPerson[];
  /** the institution's own quality supervisors (内部督导) */
  supervisors: NamedPerson[];
}

/** A candidate as accepted: normalised ID, sex, and the occupation's name from the filed scope. */
export interface PlannedCandidate extends Candidate {
  sex: 'M' | 'F';
  occupationName: string;
}

/** The plan as accepted, with its candidates (what GET /batches/:id shows; built from the collections). */
export type AcceptedPlan = Omit<BatchPlan, 'candidates'> & { candidates: PlannedCandidate[] };

/** The plan without its candidates: what travels in the workflow's input and stays in its state. */
export type PlanHeader = Omit<BatchPlan, 'candidates'>;

/**
 * Rows posted in one request (candidates of a plan, score lines), stored by the API in the
 * `uploads` collection before the workflow hears of them: the workflow's input and Updates carry
 * this reference, never the rows, so a batch of 20,000 keeps its history small (#14 §3).
 */
export interface UploadRef {
  id: string;
  count: number;
  /** sha256 of the rows' canonical JSON, checked by the activity that reads them */
  sha256: string;
}

/** The accepted candidates as the workflow knows them: counts and the hash of the accepted list. */
export interface RosterSummary {
  count: number;
  sha256: string;
  /** candidates per level, keyed '1'…'5' */
  byLevel: Record<string, number>;
}

/** A batch plan against its year's acknowledged annual plan (domain/annual-plan.ts). */
export interface AnnualPlanCheck {
  year: number;
  planId: string | null;
  version: number | null;
  outside: { occupationCode: string; level: number }[];
}

/** The scores as the workflow knows them; the sheet itself is in the `batchCandidates` collection. */
export interface ScoreTally {
  /** candidates with at least one score line (or marked absent) */
  scored: number;
  /** every required module scored, or absent */
  complete: number;
  passed: number;
  absent: number;
  /** score posts applied, and the last one's upload */
  posts: number;
  lastUpload?: UploadRef;
}

export const emptyTally = (): ScoreTally => ({ scored: 0, complete: 0, passed: 0, absent: 0, posts: 0 });

/** The roster's counts and hash, from the accepted candidates in plan order. */
export function rosterSummaryOf(candidates: PlannedCandidate[], sha256: string): RosterSummary {
  const byLevel: Record<string, number> = {};
  for (const c of candidates) byLevel[String(c.level)] = (byLevel[String(c.level)] ?? 0) + 1;
  return { count: candidates.length, sha256, byLevel };
}

/** The tally of a batch's outcomes (SPEC §3.4). */
export function tallyOf(outs: CandidateOutcome[], scored: number, posts: number, lastUpload?: UploadRef): ScoreTally {
  return {
    scored,
    complete: outs.filter((o) => o.complete).length,
    passed: outs.filter((o) => o.passed).length,
    absent: outs.filter((o) => o.absent).length,
    posts,
    ...(lastUpload ? { lastUpload } : {}),
  };
}

/** Every candidate has a complete line: the result publicity starts (000 §五(二)3). */
export const tallyComplete = (t: ScoreTally, roster: Pick<RosterSummary, 'count'>): boolean => roster.count > 0 && t.complete === roster.count;

/** A refused plan or message (domain/errors.ts): the ApplicationFailure `type`, message and details[0]. */
export type { Refusal } from './errors';

const LEVELS = [1, 2, 3, 4, 5];

/**
 * The checks that need nothing but the plan and today's date (China local): shape, dates, ID
 * numbers (no birth date after `today`), modules, duplicates. The first failing rule, or null.
 */
export function planRefusal(plan: BatchPlan, today: string, policy: BatchPolicy = DEFAULT_BATCH_POLICY): Refusal | null {
  const problems: string[] = [];
  const bad = (m: string) => problems.push(m);
  if (!plan || typeof plan !== 'object') return { code: 'VALIDATION_FAILED', message: 'The plan must be an object' };
  if (!isValidIsoDate(plan.firstExamDate)) bad('firstExamDate must be a date YYYY-MM-DD');
  if (!isValidIsoDate(plan.lastExamDate)) bad('lastExamDate must be a date YYYY-MM-DD');
  if (!problems.length) {
    if (plan.lastExamDate < plan.firstExamDate) bad('lastExamDate is before firstExamDate');
    else if (dayNumber(plan.lastExamDate) - dayNumber(plan.firstExamDate) + 1 > policy.maxExamDays)
      bad(`the exams may last at most ${policy.maxExamDays} days`);
    // a first exam day today or in the past is not malformed: it is PLAN_TOO_LATE (checked with the calendar)
  }
  if (!Array.isArray(plan.venues) || plan.venues.length === 0) bad('name at least one venue');
  else
    plan.venues.forEach((v, i) => {
      if (!v?.name?.trim() || !v?.address?.trim()) bad(`venues[${i}] needs a name and an address`);
      if (v?.modules !== undefined && (!Array.isArray(v.modules) || v.modules.some((m) => !MODULE_KINDS.includes(m))))
        bad(`venues[${i}].modules must list module kinds`);
    });
  if (!Array.isArray(plan.modules) || plan.modules.length === 0) bad('name at least one exam module');
  else {
    const seen = new Set<string>();
    plan.modules.forEach((m, i) => {
      if (!MODULE_KINDS.includes(m?.kind)) bad(`modules[${i}].kind must be one of ${MODULE_KINDS.join(', ')}`);
      else if (seen.has(m.kind)) bad(`modules[${i}]: ${m.kind} is listed twice`);
      else seen.add(m.kind);
      if (m?.passMark !== undefined && !(typeof m.passMark === 'number' && m.passMark >= 0 && m.passMark <= 100)) bad(`modules[${i}].passMark must be 0–100`);
    });
    if (plan.modules.every((m) => m?.required === false)) bad('at least one module must be required');
  }
  for (const key of ['proctors', 'examiners', 'supervisors'] as const) {
    const list = plan[key];
    if (!Array.isArray(list)) bad(`${key} must be a list`);
    else
      list.forEach((p, i) => {
        if (!p?.name?.trim()) bad(`${key}[${i}] needs a name`);
        if (p?.idNumber !== undefined && !validateIdNumber(p.idNumber, { today }).ok) bad(`${key}[${i}].idNumber is not a valid ID number`);
      });
  }
  if (!Array.isArray(plan.candidates) || plan.candidates.length === 0) bad('list at least one candidate');
  else if (plan.candidates.length > policy.maxCandidates) bad(`at most ${policy.maxCandidates} candidates per batch`);
  else {
    plan.candidates.forEach((c, i) => {
      const at = `candidates[${i}]`;
      if (!c || typeof c !== 'object') return bad(`${at} must be an object`);
      if (!c.name?.trim()) bad(`${at}.name is required`);
      const id = validateIdNumber(c.idNumber, { today });
      if (!id.ok) bad(`${at}.idNumber: ${id.reason}`);
      if (c.sex !== undefined && c.sex !== 'M' && c.sex !== 'F') bad(`${at}.sex must be M or F`);
      if (!c.post?.trim()) bad(`${at}.post is required`);
      if (!(typeof c.yearsInPost === 'number' && c.yearsInPost >= 0 && c.yearsInPost <= 70)) bad(`${at}.yearsInPost must be 0–70`);
      if (!OCCUPATION_CODE.test(c.occupationCode ?? '')) bad(`${at}.occupationCode must look like 6-18-01-01 (or 6-18-01-01-02 for a trade)`);
      if (!LEVELS.includes(c.level)) bad(`${at}.level must be 1–5`);
      if (c.employerCreditCode !== undefined && !validateCreditCode(c.employerCreditCode).ok)
        bad(`${at}.employerCreditCode is not a valid unified social credit code`);
      if (c.placedWithCreditCode !== undefined && !validateCreditCode(c.placedWithCreditCode).ok)
        bad(`${at}.placedWithCreditCode is not a valid unified social credit code`);
    });
  }
  if (problems.length) return { code: 'VALIDATION_FAILED', message: `The plan is invalid: ${problems.slice(0, 20).join('; ')}`, details: { problems } };
  const rule = planRuleRefusal(plan, policy);
  if (rule) return rule;

  // one occupation per candidate per batch; nobody twice (000 §二(一))
  const byId = new Map<string, number[]>();
  plan.candidates.forEach((c, i) => {
    const id = c.idNumber.trim().toUpperCase();
    byId.set(id, [...(byId.get(id) ?? []), i]);
  });
  const duplicates = [...byId.entries()]
    .filter(([, at]) => at.length > 1)
    .map(([id, at]) => ({
      idNumber: maskIdNumber(id),
      indexes: at,
      occupations: at.map((i) => `${plan.candidates[i].occupationCode}/${plan.candidates[i].level}`),
    }));
  if (duplicates.length) {
    return {
      code: 'DUPLICATE_CANDIDATE',
      message: `A candidate may apply for one occupation per batch and appear once: ${duplicates.map((d) => `${d.idNumber} (rows ${d.indexes.join(', ')})`).join('; ')}`,
      details: { duplicates },
    };
  }
  return null;
}

/**
 * The rules a well-formed plan must meet by itself (422 VALIDATION_FAILED, naming what breaks):
 * - SPEC §3.4: theory (理论知识考试) and skill (技能操作考核) are always required, and a module's pass
 *   mark is at least 60 of 100 — a standard may set it higher, never lower;
 * - 000 §五(二)1 (考务人员) and 002 Art.18 (内部质量督导): at least one proctor (监考), one examiner
 *   (考评员) and one internal quality supervisor (内部督导员).
 */
export function planRuleRefusal(
  plan: Pick<BatchPlan, 'modules' | 'proctors' | 'examiners' | 'supervisors'>,
  policy: Pick<BatchPolicy, 'defaultPassMark'> = DEFAULT_BATCH_POLICY,
): Refusal | null {
  const problems: string[] = [];
  for (const kind of ['theory', 'skill'] as const) {
    const m = plan.modules.find((x) => x.kind === kind);
    if (!m) problems.push(`the ${kind} module (${MODULE_LABELS[kind]}) is always required: add it`);
    else if (m.required === false) problems.push(`the ${kind} module (${MODULE_LABELS[kind]}) is always required: it cannot be optional`);
  }
  plan.modules.forEach((m, i) => {
    if (m.passMark !== undefined && m.passMark < policy.defaultPassMark) {
      problems.push(
        `modules[${i}] (${m.kind}, ${MODULE_LABELS[m.kind]}): the pass mark ${m.passMark} is below ${policy.defaultPassMark}; a standard may set it higher, never lower`,
      );
    }
  });
  const staff = { proctors: '监考人员', examiners: '考评人员', supervisors: '内部质量督导人员' } as const;
  for (const [key, label] of Object.entries(staff) as [keyof typeof staff, string][]) {
    if (!plan[key].length) problems.push(`list at least one of ${key} (${label})`);
  }
  if (!problems.length) return null;
  return { code: 'VALIDATION_FAILED', status: 422, message: `The plan breaks the assessment rules: ${problems.join('; ')}`, details: { problems } };
}

/** The filed institution as a batch knows it: who it is and where it is filed. */
export interface InstitutionRef {
  creditCode: string;
  name: string;
  kind: 'Y' | 'S';
  province: string;
  affiliation: 'province' | 'prefecture';
  prefecture?: string;
}

/** What the batch needs to know about its filing (from the filing workflow's state). */
export interface FilingSnapshot {
  found: boolean;
  filingId: string;
  status?: string;
  endedAt?: string;
  endReason?: string;
  institution?: InstitutionRef;
  occupations?: Occupation[];
  subsidiaries?: { name: string; creditCode: string }[];
  /** the filed venues (004 Art.8: exam venues must match the filing) */
  venues?: FiledVenue[];
  notice?: { number: string; sequence: string; institutionCode: string; validUntil: string } | null;
}

export interface FiledVenue {
  name: string;
  address: string;
  /** whose premises: the institution's own (default) or another's; an employer's skill exam is held on its own (000 §五(二)2) */
  premises?: 'own' | 'external';
}

/** Addresses compared without spaces and punctuation, so that "长春市 人民大街1号" is "长春市人民大街1号". */
function sameAddress(a: string, b: string): boolean {
  const norm = (x: string) =>
    x
      .normalize('NFKC')
      .replace(/[\s,，.。·、()（）-]/g, '')
      .toLowerCase();
  return norm(a) === norm(b);
}

/** The filed venue a plan venue is: same address, or same name. */
export function filedVenueOf(filed: FiledVenue[], v: Pick<PlanVenue, 'name' | 'address'>): FiledVenue | undefined {
  return filed.find((f) => sameAddress(f.address, v.address)) ?? filed.find((f) => f.name.trim() === v.name.trim());
}

/**
 * Exams are held where the filing says (004 Art.8: 考试考核场地应当与备案信息一致; a new venue
 * comes through a change first), and an employer's (Y) skill exam on its own premises (000
 * §五(二)2: 操作技能考场应设在本企业).
 */
export function venueRefusal(plan: Pick<BatchPlan, 'venues' | 'modules'>, filing: Pick<FilingSnapshot, 'venues' | 'institution'>): Refusal | null {
  const filed = filing.venues ?? [];
  const unfiled = plan.venues.map((v, index) => ({ index, name: v.name, address: v.address })).filter((v) => !filedVenueOf(filed, v));
  if (unfiled.length) {
    return {
      code: 'VENUE_NOT_FILED',
      message: `Exams are held only at the filing's venues (004 Art.8); file a venue change first: ${unfiled.map((v) => `${v.name}（${v.address}）`).join('; ')}`,
      details: { offending: unfiled, filedVenues: filed.map((f) => ({ name: f.name, address: f.address })) },
    };
  }
  if (filing.institution?.kind === 'Y' && plan.modules.some((m) => m.kind === 'skill')) {
    const offPremises = plan.venues
      .map((v, index) => ({ index, v, f: filedVenueOf(filed, v)! }))
      .filter(({ v, f }) => (!v.modules || v.modules.includes('skill')) && f.premises === 'external');
    if (offPremises.length) {
      return {
        code: 'VENUE_NOT_OWN_PREMISES',
        message: `An employer's skill exam takes place on its own premises (000 §五(二)2): ${offPremises.map(({ v }) => v.name).join('、')}`,
        details: { offending: offPremises.map(({ index, v }) => ({ index, name: v.name, address: v.address })) },
      };
    }
  }
  return null;
}

/** Filing statuses in which an institution may run batches (a renewal or change keeps it in force). */
export const FILING_IN_FORCE = ['active', 'renewal-pending', 'change-pending'];

/** Why the filing does not allow exams on [first, last], or null when it does. */
export function filingRefusal(f: FilingSnapshot, firstExamDate: string, lastExamDate: string): Refusal | null {
  if (!f.found) return { code: 'NOT_FOUND', message: `No filing ${f.filingId}` };
  if (!f.status || !FILING_IN_FORCE.includes(f.status) || !f.notice) {
    return {
      code: 'FILING_NOT_VALID',
      message: `The filing is ${f.status ?? 'unknown'}${f.endReason ? ` (${f.endReason})` : ''}: only a filing in force may run assessments`,
      details: { filingStatus: f.status ?? null, validUntil: f.notice?.validUntil ?? null },
    };
  }
  if (f.notice.validUntil < lastExamDate) {
    return {
      code: 'FILING_NOT_VALID',
      message: `The filing is valid until ${f.notice.validUntil}: it must be valid on every exam day (${firstExamDate} – ${lastExamDate})`,
      details: { filingStatus: f.status, validUntil: f.notice.validUntil },
    };
  }
  return null;
}

/**
 * The rules against the filing and the calendar, in this order: who files, the filing in force
 * on every exam day, 10 working days ahead, the filed scope, own staff. `earliestExamDate` is
 * addWorkingDays(filedDate, planLeadWorkingDays), computed by an activity.
 */
export function planAgainstFilingRefusal(
  plan: BatchPlan,
  filing: FilingSnapshot,
  submittedBy: Actor,
  earliest: { date: string; coverage: 'official' | 'estimated' },
  leadWorkingDays = DEFAULT_BATCH_POLICY.planLeadWorkingDays,
): Refusal | null {
  const inst = filing.institution;
  if (filing.found && inst && (submittedBy.role !== 'institution' || submittedBy.institutionId !== inst.creditCode)) {
    return { code: 'FORBIDDEN', message: 'Only the filed institution plans its batches' };
  }
  const f = filingRefusal(filing, plan.firstExamDate, plan.lastExamDate);
  if (f) return f;
  if (plan.firstExamDate < earliest.date) {
    return {
      code: 'PLAN_TOO_LATE',
      message: `A batch plan is filed at least ${leadWorkingDays} working days before its first exam day (000 §五(二)1): the earliest first exam day for a plan filed today is ${earliest.date}`,
      details: { earliestExamDate: earliest.date, coverage: earliest.coverage, firstExamDate: plan.firstExamDate },
    };
  }
  const venue = venueRefusal(plan, filing);
  if (venue) return venue;
  const offending = plan.candidates
    .map((c, index) => ({ c, index }))
    .filter(({ c }) => !inFiledScope(filing.occupations ?? [], c.occupationCode, c.level, c.trade))
    .map(({ c, index }) => ({ index, name: c.name, idNumber: maskIdNumber(c.idNumber), occupationCode: c.occupationCode, level: c.level }));
  if (offending.length) {
    return {
      code: 'OUT_OF_SCOPE',
      message: `Occupations or levels outside the filed scope (001 §四(三)): ${offending
        .map((o) => `${o.name} ${o.occupationCode} level ${o.level}`)
        .slice(0, 10)
        .join('; ')}`,
      details: { offending, filedScope: (filing.occupations ?? []).map((o) => ({ code: o.code, trade: o.trade, levels: o.levels })) },
    };
  }
  if (inst?.kind === 'Y') {
    const own = new Set([inst.creditCode, ...(filing.subsidiaries ?? []).map((s) => s.creditCode)].map((x) => x.toUpperCase()));
    const outsiders = plan.candidates
      .map((c, index) => ({ c, index }))
      .filter(({ c }) => !isOwnStaff(c, own))
      .map(({ c, index }) => ({ index, name: c.name, idNumber: maskIdNumber(c.idNumber), employerCreditCode: c.employerCreditCode ?? null }));
    if (outsiders.length) {
      return {
        code: 'NOT_OWN_STAFF',
        message: `An employer institution assesses only its own staff and its subsidiaries' (000 §二(一)): ${outsiders
          .map((o) => o.name)
          .slice(0, 10)
          .join('、')}`,
        details: { offending: outsiders },
      };
    }
  }
  return null;
}

function isOwnStaff(c: Candidate, own: Set<string>): boolean {
  if (c.employerCreditCode && own.has(c.employerCreditCode.toUpperCase())) return true;
  return (c.employment === 'dispatched' || c.employment === 'outsourced') && !!c.placedWithCreditCode && own.has(c.placedWithCreditCode.toUpperCase());
}

/** The plan as accepted: ID numbers normalised, sex filled from the ID number, occupation names. */
export function acceptPlan(plan: BatchPlan, occupations: Occupation[]): AcceptedPlan {
  return {
    ...plan,
    candidates: plan.candidates.map((c) => {
      const idNumber = c.idNumber.trim().toUpperCase();
      const occ = filedOccupationOf(occupations, c.occupationCode, c.trade);
      return {
        ...c,
        idNumber,
        sex: c.sex ?? sexFromIdNumber(idNumber) ?? 'M',
        occupationName: occ?.name ?? c.occupationCode,
        trade: c.trade ?? occ?.trade,
      };
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Scores and outcomes (SPEC §3.4)
// ---------------------------------------------------------------------------------------------

export interface ScoreEntry {
  idNumber: string;
  theory?: number;
  skill?: number;
  performance?: number;
  defense?: number;
  /** did not sit the exams (counts as an applicant, not as assessed, and fails) */
  absent?: boolean;
}
export type ScoreSheet = Record<string, Omit<ScoreEntry, 'idNumber'>>;

/** Why a score post is refused, or null. */
export function scoresRefusal(plan: Pick<BatchPlan, 'modules' | 'candidates'>, entries: ScoreEntry[]): Refusal | null {
  if (!Array.isArray(entries) || entries.length === 0) return { code: 'VALIDATION_FAILED', message: 'Send at least one score line' };
  const ids = new Set(plan.candidates.map((c) => c.idNumber.toUpperCase()));
  const kinds = new Set(plan.modules.map((m) => m.kind));
  const seen = new Set<string>();
  const problems: string[] = [];
  entries.forEach((e, i) => {
    const id = typeof e?.idNumber === 'string' ? e.idNumber.trim().toUpperCase() : '';
    if (!ids.has(id)) problems.push(`scores[${i}]: ${id ? maskIdNumber(id) : '(no idNumber)'} is not a candidate of this batch`);
    if (seen.has(id)) problems.push(`scores[${i}]: ${maskIdNumber(id)} appears twice`);
    seen.add(id);
    for (const k of MODULE_KINDS) {
      const v = e?.[k];
      if (v === undefined || v === null) continue;
      if (!kinds.has(k)) problems.push(`scores[${i}].${k}: the plan has no ${k} module`);
      else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) problems.push(`scores[${i}].${k} must be a number 0–100`);
    }
    if (e?.absent !== undefined && typeof e.absent !== 'boolean') problems.push(`scores[${i}].absent must be true or false`);
  });
  return problems.length ? { code: 'VALIDATION_FAILED', message: problems.slice(0, 20).join('; '), details: { problems } } : null;
}

/** Merges a post into the sheet (a later value replaces an earlier one; `absent` clears scores). */
export function mergeScores(sheet: ScoreSheet, entries: ScoreEntry[]): ScoreSheet {
  const out: ScoreSheet = { ...sheet };
  for (const e of entries) {
    const id = e.idNumber.trim().toUpperCase();
    if (e.absent) {
      out[id] = { absent: true };
      continue;
    }
    const prev = out[id]?.absent ? {} : { ...(out[id] ?? {}) };
    for (const k of MODULE_KINDS) if (typeof e[k] === 'number') prev[k] = e[k];
    if (e.absent === false) delete prev.absent;
    out[id] = prev;
  }
  return out;
}

export interface CandidateOutcome {
  idNumber: string;
  /** every required module is scored, or the candidate is absent */
  complete: boolean;
  absent: boolean;
  passed: boolean;
  failedModules: ModuleKind[];
}

export function passMarkOf(m: PlanModule, policy: Pick<BatchPolicy, 'defaultPassMark'> = DEFAULT_BATCH_POLICY): number {
  return m.passMark ?? policy.defaultPassMark;
}

/** Pass/fail per candidate: passed = present and every required module ≥ its pass mark. */
export function outcomeOf(
  plan: Pick<BatchPlan, 'modules'>,
  c: Pick<Candidate, 'idNumber'>,
  sheet: ScoreSheet,
  policy: Pick<BatchPolicy, 'defaultPassMark'> = DEFAULT_BATCH_POLICY,
): CandidateOutcome {
  const id = c.idNumber.toUpperCase();
  const s = sheet[id];
  if (s?.absent) return { idNumber: id, complete: true, absent: true, passed: false, failedModules: [] };
  const required = plan.modules.filter((m) => m.required !== false);
  const complete = !!s && required.every((m) => typeof s[m.kind] === 'number');
  const failedModules = required.filter((m) => typeof s?.[m.kind] !== 'number' || (s[m.kind] as number) < passMarkOf(m, policy)).map((m) => m.kind);
  return { idNumber: id, complete, absent: false, passed: complete && failedModules.length === 0, failedModules };
}

export function outcomes(
  plan: Pick<BatchPlan, 'modules' | 'candidates'>,
  sheet: ScoreSheet,
  policy: Pick<BatchPolicy, 'defaultPassMark'> = DEFAULT_BATCH_POLICY,
): CandidateOutcome[] {
  return plan.candidates.map((c) => outcomeOf(plan, c, sheet, policy));
}

export function scoresComplete(plan: Pick<BatchPlan, 'modules' | 'candidates'>, sheet: ScoreSheet): boolean {
  return outcomes(plan, sheet).every((o) => o.complete);
}

// ---------------------------------------------------------------------------------------------
// 结果汇总表 (001 附件3) and 合格人员花名册 (001 附件4)
// ---------------------------------------------------------------------------------------------

export const LEVEL_COLUMNS: { level: CertificateLevel; label: string }[] = [
  { level: 5, label: '初级' },
  { level: 4, label: '中级' },
  { level: 3, label: '高级' },
  { level: 2, label: '技师' },
  { level: 1, label: '高级技师' },
];

export interface LevelCount {
  /** candidates at this level (申报) */
  candidates: number;
  /** sat the exams (评价) */
  assessed: number;
  passed: number;
}

export interface SummaryRow {
  occupationCode: string;
  occupationName: string;
  trade?: string;
  /** keyed by level '1'…'5' */
  levels: Record<string, LevelCount>;
  subtotal: LevelCount;
}

export interface ResultSummary {
  title: '企业职业技能等级认定结果汇总表';
  institution: { name: string; creditCode: string; code?: string };
  batchId: string;
  /** 评价时间 */
  examPeriod: { from: string; to: string };
  /** 填报日期 */
  reportDate?: string;
  /** 申报人数, 评价人数, 合格人数 */
  applicants: number;
  assessed: number;
  passed: number;
  rows: SummaryRow[];
  total: SummaryRow;
}

export interface RosterEntry {
  seq: number;
  name: string;
  sex: 'M' | 'F';
  idNumber: string;
  post: string;
  yearsInPost: number;
  occupationCode: string;
  occupationName: string;
  trade?: string;
  level: number;
  theory: number | null;
  skill: number | null;
  performance: number | null;
  defense: number | null;
}

export interface ResultSource {
  id: string;
  institution: { name: string; creditCode: string; institutionCode?: string };
  plan: AcceptedPlan;
  scores: ScoreSheet;
  policy: Pick<BatchPolicy, 'defaultPassMark'>;
}

const emptyCount = (): LevelCount => ({ candidates: 0, assessed: 0, passed: 0 });
const addCount = (a: LevelCount, o: CandidateOutcome) => {
  a.candidates += 1;
  if (!o.absent) a.assessed += 1;
  if (o.passed) a.passed += 1;
};

/** 结果汇总表: per 职业/工种, counts per level (candidates, assessed, passed), plus the totals. */
export function buildSummary(src: ResultSource, reportDate?: string): ResultSummary {
  const outs = outcomes(src.plan, src.scores, src.policy);
  const rows = new Map<string, SummaryRow>();
  const newRow = (code: string, name: string, trade?: string): SummaryRow => ({
    occupationCode: code,
    occupationName: name,
    trade,
    levels: Object.fromEntries(LEVEL_COLUMNS.map((l) => [String(l.level), emptyCount()])),
    subtotal: emptyCount(),
  });
  const total = newRow('', '合计');
  src.plan.candidates.forEach((c, i) => {
    const key = `${c.occupationCode}|${c.trade ?? ''}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = newRow(c.occupationCode, c.occupationName, c.trade)));
    for (const r of [row, total]) {
      addCount(r.levels[String(c.level)], outs[i]);
      addCount(r.subtotal, outs[i]);
    }
  });
  return {
    title: '企业职业技能等级认定结果汇总表',
    institution: { name: src.institution.name, creditCode: src.institution.creditCode, code: src.institution.institutionCode },
    batchId: src.id,
    examPeriod: { from: src.plan.firstExamDate, to: src.plan.lastExamDate },
    reportDate,
    applicants: total.subtotal.candidates,
    assessed: total.subtotal.assessed,
    passed: total.subtotal.passed,
    rows: [...rows.values()].sort((a, b) => a.occupationCode.localeCompare(b.occupationCode) || (a.trade ?? '').localeCompare(b.trade ?? '')),
    total,
  };
}

/** 合格人员花名册: every passed candidate, in plan order, with module scores. */
export function buildRoster(src: ResultSource): RosterEntry[] {
  const outs = outcomes(src.plan, src.scores, src.policy);
  const roster: RosterEntry[] = [];
  src.plan.candidates.forEach((c, i) => {
    if (!outs[i].passed) return;
    const s = src.scores[c.idNumber.toUpperCase()] ?? {};
    roster.push({
      seq: roster.length + 1,
      name: c.name,
      sex: c.sex,
      idNumber: c.idNumber,
      post: c.post,
      yearsInPost: c.yearsInPost,
      occupationCode: c.occupationCode,
      occupationName: c.occupationName,
      trade: c.trade,
      level: c.level,
      theory: s.theory ?? null,
      skill: s.skill ?? null,
      performance: s.performance ?? null,
      defense: s.defense ?? null,
    });
  });
  return roster;
}

/**
 * 000 §五(二)3 (认定结果公示): the publicity names each passing candidate, so that the public can
 * object to a named result: the name, the ID number masked, the occupation (and trade) and level.
 */
export function publicityRoster(
  src: ResultSource,
): { name: string; idNumber: string; occupationCode: string; occupationName: string; trade?: string; level: number; levelName: string }[] {
  return buildRoster(src).map((r) => ({
    name: r.name,
    idNumber: maskIdNumber(r.idNumber),
    occupationCode: r.occupationCode,
    occupationName: r.occupationName,
    ...(r.trade ? { trade: r.trade } : {}),
    level: r.level,
    levelName: LEVEL_LABEL(r.level),
  }));
}

// ---------------------------------------------------------------------------------------------
// CSV (UTF-8 with BOM, so that Excel on Chinese Windows opens it as UTF-8; CRLF; RFC 4180 quoting)
// ---------------------------------------------------------------------------------------------

export const UTF8_BOM = '\uFEFF';

/**
 * One CSV field: quoted when it holds a comma, quote, CR or LF; a text cell starting with = + - @
 * (or a tab / CR) gets a leading apostrophe so that a spreadsheet never runs it as a formula.
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows to a CSV document: BOM first, CRLF after every row. */
export function toCsv(rows: unknown[][]): string {
  return UTF8_BOM + rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

const LEVEL_LABEL = (level: number) => CERTIFICATE_LEVEL_NAMES[level as CertificateLevel] ?? String(level);
const SEX_LABEL = (s: 'M' | 'F') => (s === 'F' ? '女' : '男');

/** 结果汇总表 as CSV (the layout of 001 附件3, with 参评 and 合格 per level). */
export function summaryCsv(s: ResultSummary): string {
  const head = ['评价工种', '职业编码', ...LEVEL_COLUMNS.flatMap((l) => [`${l.label}参评人数`, `${l.label}合格人数`]), '小计参评人数', '小计合格人数'];
  const line = (r: SummaryRow, label: string) => [
    label,
    r.occupationCode,
    ...LEVEL_COLUMNS.flatMap((l) => [r.levels[String(l.level)].candidates, r.levels[String(l.level)].passed]),
    r.subtotal.candidates,
    r.subtotal.passed,
  ];
  return toCsv([
    [s.title],
    ['填报单位', s.institution.name, '统一社会信用代码', s.institution.creditCode, '填报日期', s.reportDate ?? ''],
    ['评价时间', `${s.examPeriod.from}至${s.examPeriod.to}`, '申报人数', s.applicants, '评价人数', s.assessed, '合格人数', s.passed],
    head,
    ...s.rows.map((r) => line(r, r.trade ? `${r.occupationName}（${r.trade}）` : r.occupationName)),
    line(s.total, '合计'),
  ]);
}

export const ROSTER_HEADER = ['序号', '姓名', '性别', '身份证号码', '岗位', '工龄', '申报职业', '评价等级', '理论成绩', '技能成绩', '业绩评审成绩'];

/** 合格人员花名册 as CSV (the columns of 001 附件4). */
export function rosterCsv(roster: RosterEntry[]): string {
  return toCsv([
    ROSTER_HEADER,
    ...roster.map((r) => [
      r.seq,
      r.name,
      SEX_LABEL(r.sex),
      r.idNumber,
      r.post,
      r.yearsInPost,
      r.trade ? `${r.occupationName}（${r.trade}）` : r.occupationName,
      LEVEL_LABEL(r.level),
      r.theory,
      r.skill,
      r.performance,
    ]),
  ]);
}

// ---------------------------------------------------------------------------------------------
// The batch's state (kept by its workflow, shown by GET /batches/:id)
// ---------------------------------------------------------------------------------------------

export const BATCH_STATUSES = [
  'planned',
  'acknowledged',
  'examining',
  'scoring',
  'publicity',
  'results-due',
  'results-review',
  'certified',
  'suspended',
  'rejected',
  'cancelled',
] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];
export const BATCH_TERMINAL: readonly BatchStatus[] = ['certified', 'rejected', 'cancelled'];
/**
 * 000 §五(二)2, 001 §三(六) (双随机 spot checks of the assessment's key steps): quality supervisors
 * are drawn from the plan until the result publicity closes, and while a batch is suspended.
 */
export const SUPERVISION_STATUSES: readonly BatchStatus[] = ['planned', 'acknowledged', 'examining', 'scoring', 'publicity', 'suspended'];

/** Decision stages (POST /batches/:id/decisions `{ stage }`). */
export type BatchStage = 'plan-review' | 'results-review';

/** Steps with a due date, each with its audience and escalation path. */
export type DueStep = 'plan-review' | 'scores' | 'results' | 'results-review';

export interface BatchDue {
  step: DueStep;
  startedAt: string;
  dueDate: string;
  dueAt: string;
  dueAtMs: number;
  coverage: 'official' | 'estimated';
  /** results only: the reminder before the deadline (SPEC §8) */
  reminderAtMs?: number;
  reminderAt?: string;
  reminded?: boolean;
  escalation: 0 | 1 | 2;
  provinceAt?: string;
  provinceAtMs?: number;
}

export interface BatchDecision {
  stage: BatchStage;
  outcome: 'pass' | 'return' | 'reject';
  opinion: string;
  actor: Actor;
  at: string;
}

export interface SupervisionReport {
  id: string;
  by: { userId: string; name: string };
  severity: 'none' | 'minor' | 'serious';
  findings: string;
  at: string;
  statusAt: BatchStatus;
  /** filed by an inspector of a random inspection who ordered the institution's batches suspended */
  inspectionId?: string;
}

export interface BatchPublicity {
  round: number;
  startedAt: string;
  endDate: string;
  endsAt: string;
  endsAtMs: number;
  coverage: 'official' | 'estimated';
  /** counts and resolutions only: the texts are in the `objections` collection (domain/objections.ts) */
  objections: ObjectionLedger;
  closedAt?: string;
  outcome?: 'closed' | 'upheld' | 'interrupted';
}

export interface IssuedCertificate {
  number: string;
  idNumber: string;
  name: string;
  level: number;
  occupationCode: string;
}

export interface BatchInstitution extends InstitutionRef {
  /** positions 1–13 of its certificate codes */
  institutionCode: string;
  /** 6-digit sequence from the filing notice */
  sequence: string;
}

export interface Jurisdiction {
  level: 'province' | 'prefecture';
  province: string;
  prefecture?: string;
}

/**
 * A batch as its workflow keeps it: ids, counts and hashes, never the candidate list, the score
 * sheet or the certificates (those are in the `batchCandidates` and `certificates` collections,
 * written by activities; #14 §3). BatchView is what GET /batches/:id shows, lists included.
 */
export interface BatchState {
  id: string;
  filingId: string;
  policy: BatchPolicy;
  institution: BatchInstitution;
  jurisdiction: Jurisdiction;
  plan: PlanHeader & { roster: RosterSummary };
  /**
   * 000 §五(二)1: the plan lists occupations and levels its year's acknowledged annual plan does not
   * (accepted, flagged for the center); absent for batches planned before annual plans existed
   */
  outsideAnnualPlan?: boolean;
  /** what the flag rests on: the annual plan checked against (null: none acknowledged) and the pairs outside it */
  annualPlan?: AnnualPlanCheck;
  status: BatchStatus;
  /** the decision stage waiting, if any */
  stage: BatchStage | null;
  /** while suspended: the status to return to */
  suspendedFrom?: BatchStatus;
  /** plan filing: the day, and the earliest first exam day that day allowed */
  planFiledAt: string;
  earliestExamDate: string;
  decisions: BatchDecision[];
  acknowledgedAt?: string;
  supervision: {
    assigned: { userId: string; name: string; at: string; by: string }[];
    draws: { at: string; by: string; count: number; eligible: number; picked: string[] }[];
    reports: SupervisionReport[];
    suspensions: { at: string; reportId: string; from: BatchStatus; liftedAt?: string; liftedBy?: string; note?: string; cancelled?: boolean }[];
  };
  scoreTally: ScoreTally;
  scoresUpdatedAt?: string;
  publicity: BatchPublicity | null;
  publicityRounds: BatchPublicity[];
  /** the 结果汇总表 as published with the current publicity (counts per occupation and level) */
  publishedSummary?: ResultSummary | null;
  results: { submittedAt: string; submissions: number; late: boolean; note?: string; summary: ResultSummary } | null;
  due: BatchDue | null;
  escalations: { level: 1 | 2; step: DueStep; at: string }[];
  certificates: { issuedAt: string; year: number; count: number; blocks: { level: number; first: number; last: number }[] } | null;
  /** refund: the candidates whose assessment was not completed, owed their fee back (004 Art.13); the list is the roster */
  cancellation?: { reason: string; at: string; by?: string; refund?: { count: number } };
  history: { at: string; event: string; by?: string; note?: string; status?: string }[];
  version: number;
  submittedAt: string;
  submittedBy: Actor;
  endedAt?: string;
  endReason?: string;
}

/** GET /batches/:id: the workflow's state with the lists from the collections (api/repositories/batches.ts). */
export type BatchView = Omit<BatchState, 'plan' | 'certificates' | 'cancellation'> & {
  plan: AcceptedPlan & { roster: RosterSummary };
  scores: ScoreSheet;
  certificates: (NonNullable<BatchState['certificates']> & { items: IssuedCertificate[] }) | null;
  cancellation?: Omit<NonNullable<BatchState['cancellation']>, 'refund'> & { refund?: { count: number; idNumbers: string[] } };
  /** present when one slice of the roster was asked for: the lists above are that slice's */
  candidatesPage?: { offset: number; limit: number; total: number };
};

// ---------------------------------------------------------------------------------------------
// Jurisdiction, actors and inboxes
// ---------------------------------------------------------------------------------------------

export function jurisdictionOfInstitution(i: Pick<BatchInstitution, 'affiliation' | 'province' | 'prefecture'>): Jurisdiction {
  return i.affiliation === 'province' ? { level: 'province', province: i.province } : { level: 'prefecture', province: i.province, prefecture: i.prefecture };
}

/** The appraisal center that receives the plan and reviews the results (000 §五(二)): the prefecture's, or the province's. */
export function centerAudience(j: Jurisdiction): Audience {
  return j.level === 'prefecture' ? { role: 'center', province: j.province, prefecture: j.prefecture } : { role: 'center', province: j.province };
}

/**
 * The appraisal center that decides a batch (000 §五(二): 报相应鉴定中心): the prefecture's center for
 * a prefecture's institution, the provincial center for a provincial one. The provincial center
 * oversees the province (it reads every batch and hears escalations) but does not decide a
 * prefecture's batches.
 */
export function isBatchCenter(j: Jurisdiction, a: Actor): boolean {
  if (a.role !== 'center' || a.province !== j.province) return false;
  return j.level === 'province' ? !a.prefecture : a.prefecture === j.prefecture;
}

/**
 * Who draws quality supervisors for a batch (双随机, 000 §五(二)2, 001 §三(六)): its own center, or the
 * provincial center, which spot-checks the whole province. Drawing is supervision, not a decision.
 */
export function maySuperviseBatch(j: Jurisdiction, a: Actor): boolean {
  return isBatchCenter(j, a) || (a.role === 'center' && a.province === j.province && !a.prefecture);
}

/** Objections are resolved by the batch's center or a reviewer of the batch's own jurisdiction (分级负责). */
export function mayResolveObjection(j: Jurisdiction, a: Actor): boolean {
  if (isBatchCenter(j, a)) return true;
  if (a.role === 'province-reviewer') return a.province === j.province && j.level === 'province';
  return a.role === 'prefecture-reviewer' && j.level === 'prefecture' && a.prefecture === j.prefecture;
}

export function isOwnInstitution(s: Pick<BatchState, 'institution'>, a: Actor): boolean {
  return a.role === 'institution' && a.institutionId === s.institution.creditCode;
}

export function institutionAudience(s: Pick<BatchState, 'institution'>): Audience {
  return { role: 'institution', institutionId: s.institution.creditCode };
}

/** Who a due step waits on. */
export function dueAudience(step: DueStep, s: Pick<BatchState, 'institution' | 'jurisdiction'>): Audience {
  return step === 'scores' || step === 'results' ? institutionAudience(s) : centerAudience(s.jurisdiction);
}

/**
 * Escalation (SPEC §8): the institution's overdue step goes to the appraisal center (level 1) and
 * then to the provincial center; the center's overdue review goes to the department it answers
 * to (the jurisdiction's reviewers, 000 §四(二)) and then to the province.
 */
export function batchEscalationAudience(level: 1 | 2, step: DueStep, s: Pick<BatchState, 'institution' | 'jurisdiction'>): Audience {
  const j = s.jurisdiction;
  if (step === 'scores' || step === 'results') return level === 1 ? centerAudience(j) : { role: 'center', province: j.province };
  return level === 1 ? jurisdictionAudience(j) : { role: 'province-reviewer', province: j.province };
}

/** Every step of the batch waiting on someone now (GET /tasks). */
export function batchPendingSteps(s: BatchState): PendingStep[] {
  if (BATCH_TERMINAL.includes(s.status)) return [];
  const steps: PendingStep[] = [];
  const due = s.due ? { dueAt: s.due.dueAt, dueAtMs: s.due.dueAtMs } : {};
  const center = centerAudience(s.jurisdiction);
  switch (s.status) {
    case 'planned':
      steps.push({ action: 'decide:plan-review', stage: 'plan-review', audience: center, ...due });
      break;
    case 'suspended':
      steps.push({ action: 'supervision:resume-or-cancel', stage: null, audience: center });
      break;
    case 'scoring':
      steps.push({ action: 'scores', stage: null, audience: institutionAudience(s), ...due });
      break;
    case 'publicity': {
      if (s.publicity && openObjections(s.publicity.objections) > 0)
        steps.push({ action: 'resolve-objection', stage: null, audience: center, dueAt: s.publicity?.endsAt, dueAtMs: s.publicity?.endsAtMs });
      break;
    }
    case 'results-due':
      steps.push({ action: 'results', stage: null, audience: institutionAudience(s), ...due });
      break;
    case 'results-review':
      steps.push({ action: 'decide:results-review', stage: 'results-review', audience: center, ...due });
      break;
  }
  // an assigned supervisor who has not reported yet, while the exams or the grading run
  if (['acknowledged', 'examining', 'scoring'].includes(s.status)) {
    const reported = new Set(s.supervision.reports.map((r) => r.by.userId));
    const waiting = s.supervision.assigned.filter((a) => !reported.has(a.userId)).map((a) => a.userId);
    if (waiting.length) steps.push({ action: 'supervision:report', stage: null, audience: { role: 'supervisor', userIds: waiting } });
  }
  return steps;
}

// ---------------------------------------------------------------------------------------------
// Who may do what to a batch, and when (the batch workflow's Update validators ask these)
// ---------------------------------------------------------------------------------------------

/** Longest free text of a message (opinion, findings, note, reason). */
export const TEXT_MAX = 4000;

/** A required text of 1–`max` characters. */
export function textRefusal(v: unknown, what: string, max = TEXT_MAX): Refusal | null {
  return typeof v !== 'string' || !v.trim() || v.length > max ? { code: 'VALIDATION_FAILED', message: `${what} must be 1–${max} characters` } : null;
}

/**
 * 000 §五(二): the appraisal center of the batch's jurisdiction acknowledges the plan (pass |
 * reject) and reviews the results (pass | return | reject), each at its own step.
 */
export function batchDecisionRefusal(s: BatchState, d: { actor?: Actor; stage: string; outcome: string; opinion: unknown }): Refusal | null {
  if (!d?.actor || !isBatchCenter(s.jurisdiction, d.actor))
    return { code: 'FORBIDDEN', message: "Batch decisions are taken by the appraisal center of the batch's jurisdiction" };
  const expected: BatchStatus | null = d.stage === 'plan-review' ? 'planned' : d.stage === 'results-review' ? 'results-review' : null;
  if (!expected) return { code: 'VALIDATION_FAILED', message: 'stage must be plan-review or results-review' };
  if (s.status !== expected) return { code: 'STAGE_MISMATCH', message: `The batch is ${s.status}, not at ${d.stage}` };
  const allowed = d.stage === 'plan-review' ? ['pass', 'reject'] : ['pass', 'return', 'reject'];
  if (!allowed.includes(d.outcome)) return { code: 'VALIDATION_FAILED', message: `${d.stage} takes ${allowed.join(' | ')}` };
  return textRefusal(d.opinion, 'opinion');
}

/** Statuses in which a spot check may still be drawn (000 §五(二)2: supervision of the exams and their grading). */
const SUPERVISED_STATUSES: readonly BatchStatus[] = ['planned', 'acknowledged', 'examining', 'scoring', 'publicity', 'suspended'];

/**
 * 质量督导 (000 §五(二)2, 001 §三(六)): the center (or the provincial center) draws supervisors at
 * random; an assigned supervisor reports; a serious finding suspends the batch until its center
 * resumes or cancels it.
 */
export function supervisionRefusal(
  s: BatchState,
  i: { actor?: Actor; action: string; count?: number; severity?: string; findings?: unknown; reason?: unknown; inspectionId?: string },
  policy: Pick<BatchPolicy, 'maxSupervisorsPerDraw'>,
): Refusal | null {
  if (!i?.actor) return { code: 'VALIDATION_FAILED', message: 'actor is required' };
  if (BATCH_TERMINAL.includes(s.status)) return { code: 'INVALID_STATE', message: `The batch is ${s.status}` };
  const a = i.actor;
  switch (i.action) {
    case 'assign':
      if (!maySuperviseBatch(s.jurisdiction, a))
        return { code: 'FORBIDDEN', message: "Supervisors are drawn by the appraisal center of the batch's jurisdiction or the provincial center" };
      if (!Number.isSafeInteger(i.count) || i.count! < 1 || i.count! > policy.maxSupervisorsPerDraw)
        return { code: 'VALIDATION_FAILED', message: `count must be 1–${policy.maxSupervisorsPerDraw}` };
      if (!SUPERVISED_STATUSES.includes(s.status)) return { code: 'INVALID_STATE', message: `No spot check is drawn once the batch is ${s.status}` };
      return null;
    case 'report':
      // or an inspector drawn to inspect the institution (双随机, 002 Art.25) who ordered its batches
      // suspended: only the inspection workflow's activity sets inspectionId (the route's body is strict)
      if (a.role !== 'supervisor' || !(s.supervision.assigned.some((x) => x.userId === a.sub) || (i.inspectionId && i.severity === 'serious')))
        return { code: 'FORBIDDEN', message: 'Only a supervisor assigned to this batch reports on it' };
      if (!['none', 'minor', 'serious'].includes(i.severity!)) return { code: 'VALIDATION_FAILED', message: 'severity must be none, minor or serious' };
      return textRefusal(i.findings, 'findings');
    case 'resume':
    case 'cancel':
      if (!isBatchCenter(s.jurisdiction, a))
        return { code: 'FORBIDDEN', message: 'A suspension is lifted or ends the batch by decision of the appraisal center' };
      if (s.status !== 'suspended') return { code: 'INVALID_STATE', message: `The batch is ${s.status}, not suspended` };
      return i.action === 'cancel' ? textRefusal(i.reason, 'reason') : null;
    default:
      return { code: 'VALIDATION_FAILED', message: 'action must be assign, report, resume or cancel' };
  }
}

/** SPEC §3.4: the institution posts its batch's module scores after the exams, while scoring. */
/** The lines themselves are checked against the candidates (scoresRefusal) by the activity that applies them. */
export function scorePostRefusal(s: BatchState, i: { actor?: Actor }): Refusal | null {
  if (!i?.actor || !isOwnInstitution(s, i.actor)) return { code: 'FORBIDDEN', message: "Only the institution posts its batch's scores" };
  if (s.status !== 'scoring') return { code: 'INVALID_STATE', message: `Scores are posted after the exams, while scoring (the batch is ${s.status})` };
  return null;
}

/** The result publicity under way (000 §五(二)3), or null when none is open. */
export function openBatchPublicity(s: Pick<BatchState, 'status' | 'publicity'>): BatchPublicity | null {
  return s.status === 'publicity' && s.publicity && !s.publicity.closedAt ? s.publicity : null;
}

/** 000 §五(二)3: anyone may object to the results during their publicity (until its end, `nowMs` workflow time). */
export function batchObjectionRefusal(s: Pick<BatchState, 'status' | 'publicity'> | null, nowMs: number): Refusal | null {
  const p = s ? openBatchPublicity(s) : null;
  return p && nowMs < p.endsAtMs ? null : { code: 'NOT_IN_PUBLICITY', message: 'Objections are accepted only during the result publicity' };
}

/** An objection to the results is resolved by the center or a reviewer of the batch's jurisdiction (分级负责), with a note. */
export function batchResolutionRefusal(s: BatchState, r: { actor?: Actor; objectionId: string; upheld: unknown; note: unknown }): Refusal | null {
  if (!r?.actor || !mayResolveObjection(s.jurisdiction, r.actor))
    return { code: 'FORBIDDEN', message: "Objections are resolved by the appraisal center or a reviewer of the batch's jurisdiction" };
  const p = openBatchPublicity(s);
  const refusal = p
    ? resolutionRefusal(p.objections, p.round, r.objectionId)
    : { code: 'NOT_FOUND' as const, message: 'No such objection in the current publicity' };
  if (refusal) return refusal;
  if (typeof r.upheld !== 'boolean') return { code: 'VALIDATION_FAILED', message: 'upheld must be true or false' };
  return textRefusal(r.note, 'note');
}

/** Every open objection dismissed at once, by whoever may resolve them, with a note. */
export function batchDismissalRefusal(s: BatchState, d: { actor?: Actor; note: unknown }): Refusal | null {
  if (!d?.actor || !mayResolveObjection(s.jurisdiction, d.actor))
    return { code: 'FORBIDDEN', message: "Objections are resolved by the appraisal center or a reviewer of the batch's jurisdiction" };
  const p = openBatchPublicity(s);
  if (!p || openObjections(p.objections) === 0) return { code: 'NOT_FOUND', message: 'No open objection to dismiss' };
  return textRefusal(d.note, 'note');
}

/** 000 §五(二)3: the institution submits its results once the publicity closed without objection. */
export function resultsRefusal(s: BatchState, i: { actor?: Actor; note?: unknown }): Refusal | null {
  if (!i?.actor || !isOwnInstitution(s, i.actor)) return { code: 'FORBIDDEN', message: "Only the institution submits its batch's results" };
  if (s.status !== 'results-due') return { code: 'INVALID_STATE', message: `Results are submitted after the publicity closes (the batch is ${s.status})` };
  if (i.note !== undefined && (typeof i.note !== 'string' || i.note.length > TEXT_MAX)) return { code: 'VALIDATION_FAILED', message: 'note must be text' };
  return null;
}

/** 004 Art.13: only the batch's own filing ends it when terminated. */
export function filingTerminatedRefusal(s: BatchState, i: { filingId?: string }): Refusal | null {
  return i?.filingId !== s.filingId ? { code: 'FORBIDDEN', message: "Only the batch's own filing ends it" } : null;
}

/**
 * Whether the filing ended before the end of the last exam day (its end cancels the batch); one
 * in force, or one that ended later, does not.
 */
export function filingEndedBefore(f: FilingSnapshot, instantMs: number): boolean {
  if (f.found && f.status && FILING_IN_FORCE.includes(f.status)) return false;
  const endedMs = f.endedAt ? Date.parse(f.endedAt) : NaN;
  return !(endedMs >= instantMs);
}

/**
 * Who revokes a certificate (004 Art.12; API.md): its issuing institution — also after its filing
 * ended — or a reviewer of the issuing institution's province. Nobody else, the admin included.
 */
export function mayRevokeCertificate(a: Actor, cert: { institution: { creditCode: string; province: string } }): boolean {
  if (a.role === 'institution') return a.institutionId === cert.institution.creditCode;
  return a.role === 'province-reviewer' && a.province === cert.institution.province;
}

/** Start of the local China day `date` (00:00 +08:00), epoch ms (domain/dates startOfDayMs). */
export const startOfChinaDayMs = startOfDayMs;

// ---------------------------------------------------------------------------------------------
// The public certificate query (GET /certificates/:number, GET /certificates?idNumber=&name=)
// ---------------------------------------------------------------------------------------------

/** What the public sees of a certificate: the holder masked (SPEC §7), status and revocation date. */
export function publicCertificateView(doc: {
  _id: string;
  holder: { name: string; idNumber: string; sex: 'M' | 'F' };
  occupation: { code: string; name: string };
  trade?: string | null;
  level: number;
  institution: { name: string; code: string };
  issuedAt: Date | string;
  status: 'valid' | 'revoked';
  revocation?: { at: Date | string } | null;
  source?: { kind: 'recognition'; competition: string; rank: number } | null;
}) {
  const isoOf = (d: Date | string) => (typeof d === 'string' ? d : d.toISOString());
  return {
    number: doc._id,
    holder: { name: maskName(doc.holder.name), idNumber: maskIdNumber(doc.holder.idNumber), sex: doc.holder.sex },
    occupation: doc.occupation,
    trade: doc.trade ?? null,
    level: doc.level,
    levelName: LEVEL_LABEL(doc.level),
    institution: { name: doc.institution.name, code: doc.institution.code },
    issuedAt: isoOf(doc.issuedAt),
    status: doc.status,
    ...(doc.status === 'revoked' && doc.revocation ? { revokedAt: isoOf(doc.revocation.at) } : {}),
    ...(doc.source?.kind === 'recognition' ? { competition: { name: doc.source.competition, rank: doc.source.rank } } : {}),
  };
}
