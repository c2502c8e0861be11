/**
 * Filing policies (机构评估备案): the ordered stages, who decides each, each stage's due time in
 * working days, the publicity length, validity, renewal lead, idle exit and escalation steps.
 * A policy is chosen by province when a filing starts and recorded in the workflow's input, so a
 * later change to a preset never alters a running filing (SPEC §2, last paragraph).
 *
 * The seeds give no due dates for 初评, 技术评估, 综合汇总 and 审议 (SPEC §8): the defaults below
 * are this system's choice, 10 working days for expert work and 5 for a department's decision,
 * the same order of magnitude as the deadlines the seeds do give (000: results within 10 working
 * days; 004 Art.7(5): publicity ≥5 working days).
 */

/** Who decides a stage. */
export type Decider =
  /** the expert group a reviewer assigned for this stage (POST /filings/:id/assignments) */
  | 'assigned-experts'
  /** a reviewer of the filing's jurisdiction: the prefecture bureau, or the province for province-level institutions */
  | 'jurisdiction-reviewer'
  /** a reviewer of the provincial department */
  | 'province-reviewer'
  /** the skill appraisal center of the filing's prefecture (seed 001's first review) */
  | 'prefecture-center'
  /** the provincial skill appraisal center (seed 001's summary) */
  | 'province-center'
  /** a prefecture bureau reviewer (seed 001's city bureau step) */
  | 'prefecture-reviewer'
  /** the appraisal center of the filing's jurisdiction: the prefecture's, or the provincial center for a provincial institution */
  | 'jurisdiction-center'
  /** the publicity closes by itself at its end when no objection is unresolved */
  | 'timer';

export type StageKind =
  /** waits for a reviewer to form the expert group of the next stage (受理) */
  | 'intake'
  /** an opinion: pass, 补正 (if allowed) or reject */
  | 'review'
  /** 公示: ≥N working days, objections */
  | 'publicity'
  /** 备案通知: the sequence code is assigned and the filing becomes active */
  | 'notice';

export interface StageDef {
  name: string;
  label: string;
  kind: StageKind;
  decider: Decider;
  /** due this many working days after the stage starts */
  dueWorkingDays: number;
  /** 补正 may be requested at this stage */
  allowSupplement?: boolean;
  /** the opinion carries a score against the assessment standard (技术评估) */
  scored?: boolean;
  /** for intake stages: the expert stage whose group the reviewer forms to move on */
  assigns?: string;
  /**
   * Only for institutions of this level: seed 001's city steps (市鉴定中心初审, 市人社局审核) concern
   * 市（县）属 institutions; a provincial institution goes to the provincial bodies directly.
   */
  onlyFor?: 'prefecture' | 'province';
}

/**
 * The outcomes a stage admits: 补正 only where the stage allows one, and never at a notice, which
 * is issued or refused. The workflow's decide validator and the console's decision form both ask.
 */
export function outcomesOf(def: StageDef): ('pass' | 'supplement' | 'reject')[] {
  return def.allowSupplement && def.kind !== 'notice' ? ['pass', 'supplement', 'reject'] : ['pass', 'reject'];
}

export interface FilingPolicy {
  id: string;
  label: string;
  /** the seed the flow comes from */
  source: string;
  stages: StageDef[];
  /** 公示 length (004 Art.7(5): 不少于5个工作日) */
  publicityWorkingDays: number;
  /** validity of a notice (004 Art.7(5), 001 §三(四): 三年) */
  validityYears: number;
  /** renewal application lead before expiry (004 Art.9: 期满前三个月) */
  renewalLeadMonths: number;
  /** reminders repeat this often while nothing happens (SPEC §8) */
  renewalReminderEveryMonths: number;
  /** a first reminder this many days before the renewal deadline, while applying is on time (SPEC §8) */
  renewalEarlyReminderDays: number;
  /**
   * Deemed withdrawn after this many consecutive years without an exam held (001 §四(三), a
   * Xinzhou/Shanxi rule); null where the province has no such rule (004, Jilin 2025, has none).
   */
  idleExitYears: number | null;
  /**
   * May a provincial reviewer form expert groups and resolve objections on a prefecture's filings
   * (004 Art.4: 分级负责 — each level handles its own)? Escalations still reach the province.
   */
  provinceActsOnPrefectureFilings: boolean;
  escalation: {
    /** when a stage falls due: notify the assignee and escalate to their superior */
    superiorAtDue: true;
    /** still overdue this many working days after the due date: escalate to the province */
    provinceAfterWorkingDays: number;
  };
  /**
   * Stages a change of address, legal representative or venue re-runs (004 Art.8: 重新履行评估备案
   * 流程: 技术评估 + 综合汇总), then the `change` decision. A change that adds occupations or levels
   * runs the whole application path instead (`stages`, 004 Art.7(1): 增加职业（工种）的，按申报程序办理).
   */
  changeStages: StageDef[];
  /** stages a renewal runs (004 Art.9: evaluation, then a renewal notice) */
  renewalStages: StageDef[];
  /** a voluntary termination is evaluated first (004 Art.10) */
  terminationStage: StageDef;
}

const EXPERT_DAYS = 10;
const DECISION_DAYS = 5;

const expert = (name: string, label: string, extra: Partial<StageDef> = {}): StageDef => ({
  name,
  label,
  kind: 'review',
  decider: 'assigned-experts',
  dueWorkingDays: EXPERT_DAYS,
  ...extra,
});

const common = {
  publicityWorkingDays: 5,
  validityYears: 3,
  renewalLeadMonths: 3,
  renewalReminderEveryMonths: 1,
  renewalEarlyReminderDays: 30,
  provinceActsOnPrefectureFilings: false,
  escalation: { superiorAtDue: true as const, provinceAfterWorkingDays: 5 },
  changeStages: [
    expert('technical-assessment', '技术评估', { scored: true }),
    expert('comprehensive-review', '综合汇总'),
    { name: 'change', label: '变更决定', kind: 'review', decider: 'jurisdiction-reviewer', dueWorkingDays: DECISION_DAYS },
  ] satisfies StageDef[],
  renewalStages: [
    { name: 'renewal', label: '续期评估', kind: 'review', decider: 'jurisdiction-reviewer', dueWorkingDays: EXPERT_DAYS },
    { name: 'notice', label: '续期备案通知', kind: 'notice', decider: 'province-reviewer', dueWorkingDays: DECISION_DAYS },
  ] satisfies StageDef[],
  terminationStage: {
    name: 'termination',
    label: '终止评估',
    kind: 'review',
    decider: 'jurisdiction-reviewer',
    dueWorkingDays: DECISION_DAYS,
  } satisfies StageDef,
};

/** Jilin 2025, 吉人社规〔2025〕1号 Art.7: 申报 → 初评 → 技术评估 → 综合汇总 → 审议 + 公示 → 备案通知. */
export const JILIN_2025: FilingPolicy = {
  id: 'jilin-2025',
  label: '吉林省职业技能等级认定机构评估备案办法（吉人社规〔2025〕1号）',
  source: 'seeds/004',
  stages: [
    { name: 'submitted', label: '申报受理', kind: 'intake', decider: 'jurisdiction-reviewer', dueWorkingDays: DECISION_DAYS, assigns: 'preliminary-review' },
    expert('preliminary-review', '初评', { allowSupplement: true }),
    expert('technical-assessment', '技术评估', { scored: true }),
    expert('comprehensive-review', '综合汇总'),
    { name: 'deliberation', label: '专题审议', kind: 'review', decider: 'jurisdiction-reviewer', dueWorkingDays: DECISION_DAYS },
    { name: 'publicity', label: '公示', kind: 'publicity', decider: 'timer', dueWorkingDays: 5 },
    { name: 'notice', label: '备案通知', kind: 'notice', decider: 'province-reviewer', dueWorkingDays: DECISION_DAYS },
  ],
  ...common,
  // 004 has no idle-exit rule
  idleExitYears: null,
};

/**
 * Xinzhou (Shanxi) 2020, 忻人社发〔2020〕14号 §三: the city appraisal center's first review with a
 * site check → the city bureau → the provincial center's summary → the provincial department's
 * review and publicity → report to the ministry → directory (备案通知).
 */
export const SHANXI_2020: FilingPolicy = {
  id: 'shanxi-2020',
  label: '忻州市职业技能等级认定工作实施方案（忻人社发〔2020〕14号）',
  source: 'seeds/001',
  stages: [
    { name: 'submitted', label: '申报', kind: 'intake', decider: 'jurisdiction-center', dueWorkingDays: DECISION_DAYS, assigns: 'city-first-review' },
    // a provincial institution's first review is the provincial center's; there is no city bureau step
    {
      name: 'city-first-review',
      label: '鉴定中心初审（含实地核查）',
      kind: 'review',
      decider: 'jurisdiction-center',
      dueWorkingDays: EXPERT_DAYS,
      allowSupplement: true,
      scored: true,
    },
    { name: 'city-bureau-review', label: '市人社局审核', kind: 'review', decider: 'prefecture-reviewer', dueWorkingDays: DECISION_DAYS, onlyFor: 'prefecture' },
    { name: 'province-center-summary', label: '省鉴定中心汇总', kind: 'review', decider: 'province-center', dueWorkingDays: DECISION_DAYS },
    { name: 'deliberation', label: '省人社厅审核', kind: 'review', decider: 'province-reviewer', dueWorkingDays: DECISION_DAYS },
    { name: 'publicity', label: '公示', kind: 'publicity', decider: 'timer', dueWorkingDays: 5 },
    { name: 'ministry-report', label: '报人社部备案', kind: 'review', decider: 'province-reviewer', dueWorkingDays: DECISION_DAYS },
    { name: 'notice', label: '备案通知（纳入目录）', kind: 'notice', decider: 'province-reviewer', dueWorkingDays: DECISION_DAYS },
  ],
  ...common,
  // 001 §四(三): 连续两年不开展职业技能等级评价工作的，视同自行退出
  idleExitYears: 2,
};

export const POLICY_PRESETS: Record<string, FilingPolicy> = { [JILIN_2025.id]: JILIN_2025, [SHANXI_2020.id]: SHANXI_2020 };

/** Which preset a province uses. Provinces without their own rules get the default (Jilin 2025). */
export const POLICY_BY_PROVINCE: Record<string, string> = { '22': JILIN_2025.id, '14': SHANXI_2020.id };

export function policyForProvince(province: string): FilingPolicy {
  return POLICY_PRESETS[POLICY_BY_PROVINCE[province] ?? JILIN_2025.id];
}

const CENTER_DECIDERS: readonly Decider[] = ['prefecture-center', 'province-center', 'jurisdiction-center'];

/**
 * Does an appraisal center decide stages of filings under this policy? API.md gives centers no
 * access to filings (Jilin 2025, the default, has them decide none); where a preset makes a center
 * a decider (Shanxi 2020's 初审 and 汇总), the center in scope reads and decides those filings.
 */
export function centersDecide(policyId: string | undefined): boolean {
  const p = policyId ? POLICY_PRESETS[policyId] : undefined;
  return !!p && allStages(p).some((s) => CENTER_DECIDERS.includes(s.decider));
}

/** The presets in which centers decide filing stages. */
export const CENTER_POLICY_IDS = (): string[] => Object.keys(POLICY_PRESETS).filter((id) => centersDecide(id));

/** Every stage name any path of the policy can be at. */
export function allStages(p: FilingPolicy): StageDef[] {
  const seen = new Map<string, StageDef>();
  for (const s of [...p.stages, ...p.changeStages, ...p.renewalStages, p.terminationStage]) if (!seen.has(s.name)) seen.set(s.name, s);
  return [...seen.values()];
}
