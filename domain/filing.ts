/**
 * The filing (机构评估备案) as data: the application, the state its workflow keeps, and the pure
 * rules both the workflow's update validators and the API apply (who may decide a stage, whose
 * inbox a step sits in). No I/O here.
 */
import type { Caller, Role } from './roles';
import { outcomesOf, type FilingPolicy, type StageDef } from './filing-policy';
import { openObjections, resolutionRefusal, type ObjectionLedger } from './objections';
import { endOfDayMs } from './dates';
import type { Refusal } from './errors';
import type { FilingDocument } from './documents';

export const MATERIAL_KINDS = [
  'application-report',
  'filing-form',
  'work-plan',
  'legal-person-certificate',
  'hr-rules',
  'occupation-standards',
  'venue-equipment-proof',
  'management-rules',
  'emergency-plan',
] as const;
export type MaterialKind = (typeof MATERIAL_KINDS)[number];

/** 000 §三(二), 004 Art.6; items verifiable online may be waived (000, 002 Art.13). */
export function missingMaterials(materials: { kind: string; verifiedOnline?: boolean }[]): MaterialKind[] {
  const have = new Set(materials.map((m) => m.kind));
  return MATERIAL_KINDS.filter((k) => !have.has(k));
}

/**
 * An application before its filing starts (POST /filings; the console's filing form asks the same):
 * - an institution files for itself only: the caller's credit code is the application's (FORBIDDEN);
 * - 000 §三(二), 004 Art.6: every material of the checklist, a kind listed with `verifiedOnline`
 *   waived (000, 002 Art.13): MATERIALS_INCOMPLETE, naming the `missing` kinds;
 * - 004 Art.6(6): only an employer (Y) lists subsidiaries, whose staff it will assess (RULE_VIOLATION).
 */
export function applicationRefusal(
  caller: Pick<Caller, 'institutionId'>,
  app: Pick<Application, 'institution' | 'materials' | 'subsidiaries'>,
): Refusal | null {
  if (caller.institutionId !== app.institution.creditCode)
    return { code: 'FORBIDDEN', message: 'An institution files only for itself: institutionId must equal institution.creditCode' };
  const missing = missingMaterials(app.materials);
  if (missing.length) return { code: 'MATERIALS_INCOMPLETE', message: `Missing materials: ${missing.join(', ')}`, details: { missing } };
  if (app.institution.kind === 'S' && app.subsidiaries?.length)
    return { code: 'RULE_VIOLATION', message: 'Only an employer (Y) lists subsidiaries whose staff it assesses' };
  return null;
}

/**
 * One filing in force or under review per institution (004 Art.8, Art.9: a change or a renewal
 * goes through the filing in force, not a new application). `current` is the institution's
 * filing as the read model knows it; `filingId` the one being started (a retried start is no
 * second filing): ALREADY_EXISTS, naming the filing.
 */
export function secondFilingRefusal(current: { filingId?: string | null; filingStatus?: string | null } | null | undefined, filingId: string): Refusal | null {
  if (!current?.filingId || current.filingId === filingId || !current.filingStatus) return null;
  if (isFilingStatus(current.filingStatus) && TERMINAL_STATUSES.includes(current.filingStatus)) return null;
  return {
    code: 'ALREADY_EXISTS',
    message: `This institution already has a filing in force or under review (${current.filingId})`,
    details: { filingId: current.filingId },
  };
}

export interface Person {
  name: string;
  idNumber?: string;
  phone?: string;
  title?: string;
}

export interface Occupation {
  /** 职业分类大典 code, categories 3–6, e.g. 6-18-01-01 */
  code: string;
  name: string;
  /** 工种 */
  trade?: string;
  /** national levels 1 (高级技师) … 5 (初级工) */
  levels: number[];
  basis: 'national-standard' | 'evaluation-spec';
  /** 003 §三: the enterprise's own post grades and the national level each corresponds to (domain/grades.ts) */
  gradeMapping?: { grade: string; level: number }[];
}

export interface Institution {
  name: string;
  /** unified social credit code (GB 32100) */
  creditCode: string;
  /** Y employer (用人单位), S social training and evaluation organisation (社会培训评价组织) */
  kind: 'Y' | 'S';
  legalRepresentative: string;
  address: string;
  province: string;
  affiliation: 'province' | 'prefecture';
  prefecture?: string;
  contact: { name: string; phone: string; email?: string };
  /** the supervising body shown in the directory */
  supervisingBody?: string;
}

export interface Application {
  institution: Institution;
  occupations: Occupation[];
  materials: { kind: string; title: string; verifiedOnline?: boolean; ref?: string }[];
  staff?: { fullTime?: Person[]; experts?: Person[]; examiners?: Person[]; supervisors?: Person[] };
  /** 场地 (004 Art.6(4), Art.8): where exams may be held; `premises` external for a venue not the institution's own */
  venues?: { name: string; address: string; hasVideoSurveillance?: boolean; premises?: 'own' | 'external' }[];
  /** Y only: subsidiaries whose staff it will assess (004 Art.6(6)) */
  subsidiaries?: { name: string; creditCode: string }[];
  /** 收费标准 (004 Art.6(2), 002 Art.19), published in the directory */
  feeStandard?: string;
  /** how it was costed (004 Art.6(2): 根据认定标准、地区实际、工作成本等因素综合测算) */
  feeBasis?: string;
}

export const FILING_STATUSES = [
  'in-review',
  'supplement-requested',
  'rejected',
  'active',
  'renewal-pending',
  'change-pending',
  'expired',
  'terminated',
  'withdrawn',
] as const;
export type FilingStatus = (typeof FILING_STATUSES)[number];
export const TERMINAL_STATUSES: readonly FilingStatus[] = ['rejected', 'expired', 'terminated', 'withdrawn'];
export const isFilingStatus = (s: unknown): s is FilingStatus => (FILING_STATUSES as readonly unknown[]).includes(s);

/**
 * Which path of the life the current stage belongs to. `change` is a change of address, legal
 * representative or venue (the shorter path); `scope-change` adds occupations or levels and runs
 * the whole application path again (004 Art.7(1), Art.8).
 */
export type Track = 'application' | 'renewal' | 'change' | 'scope-change' | 'termination';
export const TRACKS: readonly Track[] = ['application', 'renewal', 'change', 'scope-change', 'termination'];

/** Who acted: the caller's identity as the token gave it, recorded with each decision. */
export type Actor = Caller;

export interface Decision {
  track: Track;
  stage: string;
  outcome: 'pass' | 'supplement' | 'reject';
  opinion: string;
  score?: number;
  /** 补正: what to supply */
  items?: string[];
  actor: Actor;
  at: string;
}

/** An objection as the API shows it: its text from the `objections` collection, its resolution from the ledger. */
export interface Objection {
  id: string;
  name?: string;
  contact?: string;
  reason?: string;
  receivedAt?: string;
  resolution?: { upheld: boolean; note: string; returnTo?: string; by: Actor; at: string };
}

export interface Escalation {
  level: 1 | 2;
  to: 'superior' | 'province';
  stage: string;
  at: string;
}

export interface StageDue {
  track: Track;
  stage: string;
  startedAt: string;
  /** local date of the due working day */
  dueDate: string;
  dueAt: string;
  dueAtMs: number;
  coverage: 'official' | 'estimated';
  escalation: 0 | 1 | 2;
  /** when it escalates to the province, once escalated to the superior */
  provinceAt?: string;
  provinceAtMs?: number;
}

export interface Publicity {
  track: Track;
  startedAt: string;
  endDate: string;
  endsAt: string;
  endsAtMs: number;
  coverage: 'official' | 'estimated';
  /** the filing's n-th publicity (objection ids are p<round>-<n>) */
  round: number;
  /** counts and resolutions only: the texts are in the `objections` collection (domain/objections.ts) */
  objections: ObjectionLedger;
  closedAt?: string;
  outcome?: 'closed' | 'upheld';
}

export interface Notice {
  /** the notice's document number */
  number: string;
  /** 6-digit institution sequence, unique in the province (SPEC §4 positions 8–13) */
  sequence: string;
  /** institution code: kind + route + province + sequence (certificate code positions 1–13) */
  institutionCode: string;
  issuedAt: string;
  /** the first notice: the idle-exit clock starts here */
  firstIssuedAt: string;
  /** last valid day, local date */
  validUntil: string;
  renewals: number;
  /** scope changes notified since the first notice (004 Art.7(1)) */
  changes?: number;
}

export interface ChangeRequest {
  address?: string;
  legalRepresentative?: string;
  venues?: Application['venues'];
  occupations?: Occupation[];
  reason?: string;
}

export interface HistoryEntry {
  at: string;
  event: string;
  from?: string;
  to?: string;
  by?: string;
  note?: string;
}

export interface FilingState {
  id: string;
  policy: FilingPolicy;
  application: Application;
  status: FilingStatus;
  track: Track;
  stage: string | null;
  /** expert groups per stage of the current track (user ids) */
  assignments: Record<string, { userId: string; name: string }[]>;
  /** every expert ever assigned: they keep read access */
  assignedExperts: string[];
  decisions: Decision[];
  supplements: { requestedAt: string; items: string[]; stage: string; answeredAt?: string; note?: string; materials?: Application['materials'] }[];
  /** material documents attached (domain/documents.ts): their description and sha256, never their bytes; absent in runs started before them */
  documents?: FilingDocument[];
  due: StageDue | null;
  escalations: Escalation[];
  publicity: Publicity | null;
  notice: Notice | null;
  renewal: { appliedAt: string; late: boolean; remindersSent: number } | null;
  /** renewal reminders of the current validity period: the scheduled day of the last one, how many, when */
  reminders?: { lastFor: string; sent: number; lastAt: string } | null;
  change: (ChangeRequest & { appliedAt: string }) | null;
  termination: { kind: 'voluntary' | 'ordered'; reason: string; requestedAt: string; at?: string; by: Actor } | null;
  /** the last exam day held by any of its batches, reported by the batch workflows (idle exit, 001 §四(三)) */
  lastExamDate?: string;
  endedAt?: string;
  endReason?: string;
  history: HistoryEntry[];
  /** increases with every transition; the read model keeps the highest it has seen */
  version: number;
  /** how many times the workflow continued as new */
  runs: number;
  submittedAt: string;
  submittedBy: Actor;
}

/**
 * The declared province must be where the institution is registered: characters 3–8 of the unified
 * social credit code are the registering authority's region code (GB 32100-2015 §4.3), whose first
 * two digits are the province. A centrally registered institution (region 100000, 国家市场监督管理
 * 总局) has no province there; it files with a province as a 中直驻省 institution at provincial level.
 */
export function creditCodeProvinceRefusal(i: Pick<Institution, 'creditCode' | 'province' | 'affiliation'>): string | null {
  const region = i.creditCode.slice(2, 8);
  if (region.startsWith('10') && i.affiliation === 'province') return null;
  return region.slice(0, 2) === i.province ? null : `the credit code is registered in region ${region}, not in province ${i.province}`;
}

export function jurisdictionOf(app: Application): { level: 'province' | 'prefecture'; province: string; prefecture?: string } {
  const i = app.institution;
  return i.affiliation === 'province' ? { level: 'province', province: i.province } : { level: 'prefecture', province: i.province, prefecture: i.prefecture };
}

/** The stages a track runs for this filing (stages marked for the other level are left out). */
export function stagesOf(state: Pick<FilingState, 'policy' | 'application'>, track: Track): StageDef[] {
  const { policy } = state;
  const level = state.application.institution.affiliation;
  const all = (() => {
    switch (track) {
      case 'application':
      case 'scope-change':
        return policy.stages;
      case 'renewal':
        return policy.renewalStages;
      case 'change':
        return policy.changeStages;
      case 'termination':
        return [policy.terminationStage];
    }
  })();
  return all.filter((s) => !s.onlyFor || s.onlyFor === level);
}

export function stageDef(state: Pick<FilingState, 'policy' | 'track' | 'application'>, stage: string): StageDef | undefined {
  return stagesOf(state, state.track).find((s) => s.name === stage);
}

/**
 * Does a change widen the filed scope? 004 Art.7(1): 增加职业（工种）的按申报程序办理 — a new
 * occupation or trade, or a level not filed before for an occupation, goes through the whole
 * application path; dropping occupations or levels does not.
 */
export function changeWidensScope(filed: Occupation[], proposed: Occupation[] | undefined): boolean {
  if (!proposed) return false;
  return proposed.some((p) => {
    const before = filed.find((o) => o.code === p.code && (o.trade ?? '') === (p.trade ?? ''));
    return !before || p.levels.some((l) => !before.levels.includes(l));
  });
}

/** The track a change request runs (004 Art.8; Art.7(1) for a wider scope). */
export function changeTrack(filed: Occupation[], change: ChangeRequest): 'change' | 'scope-change' {
  return changeWidensScope(filed, change.occupations) ? 'scope-change' : 'change';
}

/**
 * The 补正 request the applicant has not answered yet, if any. On the application track the status
 * says so too (`supplement-requested`); during a change the filing stays `change-pending` (and in
 * force) while it waits.
 */
export function openSupplement(state: Pick<FilingState, 'supplements' | 'stage'>): FilingState['supplements'][number] | undefined {
  const last = state.supplements[state.supplements.length - 1];
  return last && !last.answeredAt && last.stage === state.stage ? last : undefined;
}

/** Why a caller may not decide the current stage, or null when they may. */
export function decisionRefusal(state: FilingState, caller: Caller, stage: string): Refusal | null {
  if (state.stage !== stage) return { code: 'STAGE_MISMATCH', message: `The filing is at ${state.stage ?? state.status}, not ${stage}` };
  const def = stageDef(state, stage);
  if (!def || def.kind === 'publicity' || def.kind === 'intake') return { code: 'STAGE_MISMATCH', message: `The ${stage} stage takes no decision` };
  if (openSupplement(state)) return { code: 'STAGE_MISMATCH', message: 'The filing waits for the applicant to supplement its materials' };
  if (!mayDecide(def, state, caller)) {
    if (def.decider === 'assigned-experts' && caller.role === 'expert')
      return { code: 'NOT_ASSIGNED', message: `Only the experts assigned to ${stage} may decide it` };
    return { code: 'FORBIDDEN', message: `The ${stage} stage is decided by ${deciderLabel(def)}` };
  }
  return fourEyesRefusal(state, stage, [caller.sub]);
}

/**
 * The outcome and score a stage admits (004 Art.7): 补正 only where the stage allows one
 * (`outcomesOf`), and a scored stage (技术评估, 001's 初审 with site check) passes only with a score.
 */
export function decisionOutcomeRefusal(def: StageDef, outcome: string, score: number | undefined): Refusal | null {
  if (!(outcomesOf(def) as string[]).includes(outcome)) {
    return { code: 'INVALID_STATE', message: def.allowSupplement ? 'A notice is issued or refused' : `补正 is not possible at ${def.name}` };
  }
  if (def.scored && outcome === 'pass' && score === undefined) return { code: 'VALIDATION_FAILED', message: `${def.name} needs a score` };
  return null;
}

/** When the procedure the filing is in began: a renewal, change or termination is a procedure of its own, started by its request. */
function procedureStartedAt(state: FilingState): string | undefined {
  switch (state.track) {
    case 'renewal':
      return state.renewal?.appliedAt;
    case 'change':
    case 'scope-change':
      return state.change?.appliedAt;
    case 'termination':
      return state.termination?.requestedAt;
    case 'application':
      return undefined;
  }
}

/**
 * Four eyes (双人审核; README "Experts", SPEC §1 expert group): nobody decides two consecutive
 * stages of one procedure (the application, or a renewal, change or termination from its request).
 * `deciders` are who would decide `stage`: the caller of a decision, or the expert group a reviewer
 * forms. Refused when every one of them made the last decision of this procedure, on another stage:
 * a decision by the person who decided the stage before; a group made only of that person, for
 * this stage or a later one (it could decide nothing but a stage that follows its own).
 */
export function fourEyesRefusal(state: FilingState, stage: string, deciders: string[]): Refusal | null {
  const last = state.decisions[state.decisions.length - 1];
  const since = procedureStartedAt(state);
  if (!last || last.track !== state.track || (since && last.at < since) || last.stage === stage) return null;
  if (!deciders.length || deciders.some((d) => d !== last.actor.sub)) return null;
  return { code: 'FOUR_EYES', message: 'The same person may not decide two consecutive stages of one filing' };
}

/**
 * Who forms an expert group, for which stage, with whom (004 Art.4 分级负责, Art.7: 专家组): a
 * reviewer of the filing's jurisdiction, for an expert stage of the current track not yet over, at
 * least one expert, none on the institution's own staff (利益冲突), and four eyes.
 */
export function assignmentRefusal(
  state: FilingState,
  caller: Caller,
  stage: string,
  experts: { userId: string; name: string; idNumber?: string }[],
): Refusal | null {
  if (TERMINAL_STATUSES.includes(state.status)) return { code: 'INVALID_STATE', message: `The filing is ${state.status}` };
  // an active filing with nothing under review has no group to form (an assignment grants read access)
  if (!state.stage && state.status !== 'in-review') return { code: 'STAGE_MISMATCH', message: 'Nothing of this filing is under review' };
  if (!isJurisdictionReviewer(state, caller)) return { code: 'FORBIDDEN', message: "Only a reviewer of the filing's jurisdiction forms expert groups" };
  const def = stageDef(state, stage);
  if (!def || def.decider !== 'assigned-experts')
    return { code: 'STAGE_MISMATCH', message: `${stage} is not an expert stage of the current ${state.track} track` };
  const order = stagesOf(state, state.track).map((s) => s.name);
  if (state.stage && order.indexOf(stage) < order.indexOf(state.stage)) return { code: 'STAGE_MISMATCH', message: `${stage} is already over` };
  if (experts.length === 0) return { code: 'VALIDATION_FAILED', message: 'Assign at least one expert' };
  const conflicted = experts.filter((e) => conflictOfInterest(state.application, e));
  if (conflicted.length) return { code: 'CONFLICT_OF_INTEREST', message: `${conflicted.map((e) => e.name).join('、')} is on the institution's own staff` };
  return fourEyesRefusal(
    state,
    stage,
    experts.map((e) => e.userId),
  );
}

/** The applicant itself: the institution whose credit code the filing carries. */
export function isApplicant(state: Pick<FilingState, 'application'>, caller: Caller): boolean {
  return caller.role === 'institution' && caller.institutionId === state.application.institution.creditCode;
}

/** 补正 (004 Art.7(2)): only the applicant answers the open request, with at least one material. */
export function supplementRefusal(state: FilingState, caller: Caller, materials: unknown[]): Refusal | null {
  if (!isApplicant(state, caller)) return { code: 'FORBIDDEN', message: 'Only the applicant supplements its filing' };
  if (!openSupplement(state)) return { code: 'STAGE_MISMATCH', message: 'No 补正 is requested' };
  if (!materials.length) return { code: 'VALIDATION_FAILED', message: 'Send at least one material' };
  return null;
}

/** The publicity under way (公示, 004 Art.7(5)), or null when none is open. */
export function openPublicity(state: Pick<FilingState, 'stage' | 'publicity'>): Publicity | null {
  return state.stage === 'publicity' && state.publicity && !state.publicity.closedAt ? state.publicity : null;
}

/** 004 Art.7(5): anyone may object, during the publicity only (until its end, `nowMs` workflow time). */
export function objectionRefusal(state: Pick<FilingState, 'stage' | 'publicity'>, nowMs: number): Refusal | null {
  const p = openPublicity(state);
  return p && nowMs < p.endsAtMs ? null : { code: 'NOT_IN_PUBLICITY', message: 'Objections are accepted only during the publicity' };
}

/**
 * An objection is resolved by a reviewer of the filing's jurisdiction (004 Art.4) while the
 * publicity is open; an upheld one may send the filing back to a stage before the publicity.
 */
export function filingResolutionRefusal(state: FilingState, caller: Caller, r: { objectionId: string; upheld: boolean; returnTo?: string }): Refusal | null {
  if (!isJurisdictionReviewer(state, caller)) return { code: 'FORBIDDEN', message: "Only a reviewer of the filing's jurisdiction resolves objections" };
  const p = openPublicity(state);
  const refusal = p ? resolutionRefusal(p.objections, p.round, r.objectionId) : { code: 'NOT_FOUND' as const, message: 'No such open objection' };
  if (refusal) return refusal;
  if (r.returnTo) {
    const order = stagesOf(state, state.track).map((s) => s.name);
    const at = order.indexOf(r.returnTo);
    if (!r.upheld || at < 0 || at >= order.indexOf('publicity'))
      return { code: 'VALIDATION_FAILED', message: 'returnTo must name an earlier stage, with upheld: true' };
  }
  return null;
}

/** Every open objection dismissed at once: by a reviewer of the jurisdiction, when some are open. */
export function dismissalRefusal(state: FilingState, caller: Caller): Refusal | null {
  if (!isJurisdictionReviewer(state, caller)) return { code: 'FORBIDDEN', message: "Only a reviewer of the filing's jurisdiction resolves objections" };
  const p = openPublicity(state);
  if (!p || openObjections(p.objections) === 0) return { code: 'NOT_FOUND', message: 'No open objection to dismiss' };
  return null;
}

/**
 * A renewal (004 Art.9) or change (004 Art.8) is applied for by the institution, while the filing
 * is active with nothing else pending (`pending`: a request already handed over); a renewal until
 * the end of the last valid day (`nowMs` workflow time).
 */
export function requestRefusal(state: FilingState, caller: Caller, track: 'renewal' | 'change', nowMs: number, pending: boolean): Refusal | null {
  if (!isApplicant(state, caller)) return { code: 'FORBIDDEN', message: 'Only the institution applies' };
  if (state.status !== 'active' || state.stage !== null || pending)
    return { code: 'INVALID_STATE', message: `A ${track} can be applied for only while the filing is active with nothing else pending (now ${state.status})` };
  if (track === 'renewal' && nowMs > endOfDayMs(state.notice!.validUntil)) return { code: 'INVALID_STATE', message: 'The filing has expired' };
  return null;
}

/** 004 Art.10–11: the institution terminates voluntarily (evaluated first); a provincial reviewer of its province orders termination. */
export function terminationKindOf(state: Pick<FilingState, 'application'>, caller: Caller): 'voluntary' | 'ordered' | null {
  if (isApplicant(state, caller)) return 'voluntary';
  return caller.role === 'province-reviewer' && caller.province === state.application.institution.province ? 'ordered' : null;
}

/** A filed institution is terminated; a voluntary termination needs an active filing with nothing else pending. */
export function terminationRefusal(state: FilingState, caller: Caller, pending: boolean): Refusal | null {
  const kind = terminationKindOf(state, caller);
  if (!kind) return { code: 'FORBIDDEN', message: 'The institution terminates voluntarily; a provincial reviewer orders termination' };
  if (!state.notice || TERMINAL_STATUSES.includes(state.status))
    return { code: 'INVALID_STATE', message: `Only a filed institution can be terminated (now ${state.status})` };
  if (kind === 'voluntary' && (state.status !== 'active' || state.stage !== null || pending))
    return { code: 'INVALID_STATE', message: `A voluntary termination needs an active filing with nothing else pending (now ${state.status})` };
  return null;
}

export function deciderLabel(def: StageDef): string {
  return {
    'assigned-experts': 'the assigned expert group',
    'jurisdiction-reviewer': "a reviewer of the filing's jurisdiction",
    'province-reviewer': 'a provincial reviewer',
    'prefecture-center': 'the prefecture appraisal center',
    'province-center': 'the provincial appraisal center',
    'prefecture-reviewer': 'the prefecture bureau',
    'jurisdiction-center': "the appraisal center of the filing's jurisdiction",
    timer: 'the end of the publicity',
  }[def.decider];
}

export function mayDecide(def: StageDef, state: Pick<FilingState, 'application' | 'assignments'>, caller: Caller): boolean {
  const j = jurisdictionOf(state.application);
  switch (def.decider) {
    case 'assigned-experts':
      return caller.role === 'expert' && (state.assignments[def.name] ?? []).some((e) => e.userId === caller.sub);
    case 'jurisdiction-reviewer':
      return j.level === 'province'
        ? caller.role === 'province-reviewer' && caller.province === j.province
        : caller.role === 'prefecture-reviewer' && caller.prefecture === j.prefecture;
    case 'province-reviewer':
      return caller.role === 'province-reviewer' && caller.province === j.province;
    case 'prefecture-reviewer':
      return caller.role === 'prefecture-reviewer' && caller.prefecture === j.prefecture;
    case 'prefecture-center':
      return caller.role === 'center' && caller.province === j.province && caller.prefecture === j.prefecture;
    case 'province-center':
      return caller.role === 'center' && caller.province === j.province && !caller.prefecture;
    case 'jurisdiction-center':
      return caller.role === 'center' && caller.province === j.province && (j.level === 'province' ? !caller.prefecture : caller.prefecture === j.prefecture);
    case 'timer':
      return false;
  }
}

/**
 * Who forms expert groups and resolves objections: a reviewer of the filing's jurisdiction (004
 * Art.4, 分级负责). A provincial reviewer acts on a prefecture's filing only where the policy says so.
 */
export function isJurisdictionReviewer(state: Pick<FilingState, 'application' | 'policy'>, caller: Caller): boolean {
  const j = jurisdictionOf(state.application);
  if (caller.role === 'province-reviewer') return caller.province === j.province && (j.level === 'province' || !!state.policy.provinceActsOnPrefectureFilings);
  return caller.role === 'prefecture-reviewer' && j.level === 'prefecture' && caller.prefecture === j.prefecture;
}

/** Whom a pending step waits on, for inboxes (GET /tasks) and notifications. */
export interface Audience {
  role?: Role;
  province?: string;
  prefecture?: string;
  institutionId?: string;
  userIds?: string[];
}

export function audienceOf(def: StageDef, state: Pick<FilingState, 'application' | 'assignments'>): Audience {
  const j = jurisdictionOf(state.application);
  switch (def.decider) {
    case 'assigned-experts': {
      const ids = (state.assignments[def.name] ?? []).map((e) => e.userId);
      // no group yet: the jurisdiction's reviewers must form one
      return ids.length ? { role: 'expert', userIds: ids } : jurisdictionAudience(j);
    }
    case 'jurisdiction-reviewer':
      return jurisdictionAudience(j);
    case 'province-reviewer':
      return { role: 'province-reviewer', province: j.province };
    case 'prefecture-reviewer':
      return { role: 'prefecture-reviewer', province: j.province, prefecture: j.prefecture };
    case 'prefecture-center':
      return { role: 'center', province: j.province, prefecture: j.prefecture };
    case 'province-center':
      return { role: 'center', province: j.province };
    case 'jurisdiction-center':
      return j.level === 'province' ? { role: 'center', province: j.province } : { role: 'center', province: j.province, prefecture: j.prefecture };
    case 'timer':
      return jurisdictionAudience(j);
  }
}

export function jurisdictionAudience(j: { level: string; province: string; prefecture?: string }): Audience {
  return j.level === 'province'
    ? { role: 'province-reviewer', province: j.province }
    : { role: 'prefecture-reviewer', province: j.province, prefecture: j.prefecture };
}

/** Escalation (SPEC §8): level 1 to the assignee's superior, level 2 to the province. */
export function escalationAudience(level: 1 | 2, def: StageDef, state: Pick<FilingState, 'application' | 'assignments'>): Audience {
  const j = jurisdictionOf(state.application);
  if (level === 2) return { role: 'province-reviewer', province: j.province };
  switch (def.decider) {
    case 'assigned-experts':
    case 'prefecture-center':
    case 'jurisdiction-center':
    case 'timer':
      return jurisdictionAudience(j);
    case 'province-center':
    case 'jurisdiction-reviewer':
    case 'prefecture-reviewer':
    case 'province-reviewer':
      // a department's own overdue decision goes to its leadership; at province level that is the province
      return j.level === 'prefecture' && def.decider !== 'province-reviewer' && def.decider !== 'province-center'
        ? { role: 'prefecture-reviewer', province: j.province, prefecture: j.prefecture }
        : { role: 'province-reviewer', province: j.province };
  }
}

export interface PendingStep {
  action: string;
  stage: string | null;
  audience: Audience;
  dueAt?: string;
  dueAtMs?: number;
}

/** Every step of the filing that waits on someone now. */
export function pendingSteps(state: FilingState): PendingStep[] {
  const steps: PendingStep[] = [];
  if (TERMINAL_STATUSES.includes(state.status)) return steps;
  const j = jurisdictionOf(state.application);
  const due = state.due ? { dueAt: state.due.dueAt, dueAtMs: state.due.dueAtMs } : {};
  if (openSupplement(state)) {
    steps.push({
      action: 'supplement',
      stage: state.stage,
      audience: { role: 'institution', institutionId: state.application.institution.creditCode },
      ...due,
    });
    return steps;
  }
  const def = state.stage ? stageDef(state, state.stage) : undefined;
  if (def?.kind === 'intake') {
    steps.push({
      action: `assign:${def.assigns}`,
      stage: def.name,
      audience: def.decider === 'prefecture-center' || def.decider === 'jurisdiction-center' ? audienceOf(def, state) : jurisdictionAudience(j),
      ...due,
    });
  } else if (def?.kind === 'publicity') {
    if (state.publicity && openObjections(state.publicity.objections) > 0)
      steps.push({
        action: 'resolve-objection',
        stage: def.name,
        audience: jurisdictionAudience(j),
        dueAt: state.publicity?.endsAt,
        dueAtMs: state.publicity?.endsAtMs,
      });
  } else if (def) {
    const needsGroup = def.decider === 'assigned-experts' && !state.assignments[def.name]?.length;
    steps.push({ action: needsGroup ? `assign:${def.name}` : `decide:${def.name}`, stage: def.name, audience: audienceOf(def, state), ...due });
  }
  if (state.status === 'active' && state.reminders && !state.renewal) {
    steps.push({ action: 'apply-renewal', stage: null, audience: { role: 'institution', institutionId: state.application.institution.creditCode } });
  }
  return steps;
}

export function audienceIncludes(a: Audience, c: Caller): boolean {
  if (a.userIds) return a.userIds.includes(c.sub);
  if (a.role && a.role !== c.role) return false;
  if (a.institutionId && a.institutionId !== c.institutionId) return false;
  if (a.province && a.province !== c.province) return false;
  if (a.prefecture && a.prefecture !== c.prefecture) return false;
  // a provincial role (no prefecture claim) does not receive a prefecture's mail unless addressed to its level
  if (!a.prefecture && c.prefecture && a.role === 'center') return false;
  return true;
}

/** 利益冲突: an expert listed among the institution's own staff or experts cannot be assigned. */
export function conflictOfInterest(app: Application, expert: { userId: string; name: string; idNumber?: string }): boolean {
  const people = [...(app.staff?.fullTime ?? []), ...(app.staff?.experts ?? []), ...(app.staff?.examiners ?? []), ...(app.staff?.supervisors ?? [])];
  return people.some((p) => expert.idNumber && p.idNumber && p.idNumber.toUpperCase() === expert.idNumber.toUpperCase());
}

/**
 * An expert group (POST /filings/:id/assignments) is formed from the registry (专家库) of the
 * filing's province: every expert registered there and active, else RULE_VIOLATION naming the
 * `unknown` ones. (Conflict of interest and four eyes are the workflow's to check.)
 */
export function expertGroupRefusal(
  expertIds: readonly string[],
  registered: readonly { _id: string; active?: boolean | null; province: string }[],
  province: string,
): Refusal | null {
  const unknown = expertIds.filter((id) => !registered.some((e) => e._id === id && e.active && e.province === province));
  return unknown.length
    ? { code: 'RULE_VIOLATION', message: `Not registered experts of province ${province}: ${unknown.join(', ')}`, details: { unknown } }
    : null;
}

/**
 * 职业分类大典 codes, one format everywhere (filing, batch plans, rosters, directory): a 4-segment
 * occupation code (6-18-01-01) with an optional 5th segment for a trade (工种, 6-18-01-01-02).
 * Filed occupations come from categories 3–6 (SPEC §2), so the first digit is 3–6.
 */
export const OCCUPATION_CODE = /^[3-6]-\d{2}-\d{2}-\d{2}(?:-\d{2})?$/;

/**
 * The filed occupation a candidate's occupation and trade fall under (001 §四(三): no assessment
 * outside the filed scope): the entry with the same code (and the same trade name when both give
 * one), or, for a trade code (5 segments), the whole occupation (4 segments) filed without a trade.
 */
export function filedOccupationOf(occupations: Occupation[], occupationCode: string, trade?: string): Occupation | undefined {
  const sameTrade = (o: Occupation) => !trade || !o.trade || o.trade === trade;
  const exact = occupations.filter((o) => o.code === occupationCode && sameTrade(o));
  if (exact.length) return exact.find((o) => !trade || o.trade === trade) ?? exact[0];
  const parent = occupationCode.split('-').slice(0, 4).join('-');
  return parent !== occupationCode ? occupations.find((o) => o.code === parent && !o.trade) : undefined;
}

/** The filed scope: may this institution assess this occupation (and trade) at this level? */
export function inFiledScope(occupations: Occupation[], occupationCode: string, level: number, trade?: string): boolean {
  const matches = occupations.filter((o) => filedOccupationOf([o], occupationCode, trade));
  return matches.some((o) => o.levels.includes(level));
}

const PROVINCE_ABBR: Record<string, string> = { '11': '京', '14': '晋', '22': '吉', '32': '苏' };

/**
 * A notice's document number (备案通知文号): the province's abbreviation, 人社技备, the year of
 * issue, the institution's sequence; a renewal's ends -续N, a scope change's -变N.
 */
export function noticeNumber(province: string, today: string, sequence: string, suffix: { renewal?: number; change?: number } = {}): string {
  const tail = suffix.renewal ? `-续${suffix.renewal}` : suffix.change ? `-变${suffix.change}` : '';
  return `${PROVINCE_ABBR[province] ?? province}人社技备〔${today.slice(0, 4)}〕${sequence}${tail}号`;
}
