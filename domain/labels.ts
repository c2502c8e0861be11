/**
 * The one vocabulary (zh-CN): what every role, stage, status, outcome, module, level, track and step
 * is called, wherever a person reads it — console pages and the texts of notifications alike. A
 * thing has one name; a code's meaning is in domain/errors.ts.
 */
import type { Role } from './roles';
import { ERRORS } from './errors';

export const ROLE_LABELS: Record<Role, string> = {
  institution: '评价机构',
  'prefecture-reviewer': '市级人社部门审核员',
  'province-reviewer': '省级人社部门审核员',
  expert: '评估专家',
  center: '职业技能鉴定（指导）中心',
  supervisor: '质量督导员',
  admin: '系统管理员',
};

export const FILING_STAGE_LABELS: Record<string, string> = {
  submitted: '申报',
  'preliminary-review': '初评',
  'technical-assessment': '技术评估',
  'comprehensive-review': '综合汇总',
  deliberation: '审议',
  publicity: '公示',
  notice: '备案通知',
  renewal: '续期评估',
  change: '变更决定',
  termination: '终止评估',
  'city-first-review': '鉴定中心初审（含实地核查）',
  'city-bureau-review': '市人社局审核',
  'province-center-summary': '省鉴定中心汇总',
  'ministry-report': '报人社部备案',
};

export const FILING_STATUS_LABELS: Record<string, string> = {
  'in-review': '审核中',
  'supplement-requested': '待补正',
  rejected: '未通过',
  active: '已备案',
  'renewal-pending': '续期审核中',
  'change-pending': '变更审核中',
  expired: '已到期',
  terminated: '已终止',
  withdrawn: '视为自行退出',
};

export const BATCH_STATUS_LABELS: Record<string, string> = {
  planned: '计划已报',
  acknowledged: '计划已确认',
  examining: '考核中',
  scoring: '评分中',
  publicity: '结果公示中',
  'results-due': '待报送结果',
  'results-review': '结果审核中',
  certified: '已发证',
  suspended: '已暂停',
  rejected: '未通过',
  cancelled: '已取消',
};

export const BATCH_STAGE_LABELS: Record<string, string> = {
  'plan-review': '计划确认',
  'results-review': '结果审核',
};

export const OUTCOME_LABELS: Record<string, string> = {
  pass: '通过',
  supplement: '要求补正',
  reject: '不通过',
  return: '退回修改',
};

export const MATERIAL_LABELS: Record<string, string> = {
  'application-report': '申请报告',
  'filing-form': '评价机构备案表',
  'work-plan': '职业技能等级认定工作方案',
  'legal-person-certificate': '法人登记证书',
  'hr-rules': '人事管理制度',
  'occupation-standards': '职业（工种）标准或评价规范',
  'venue-equipment-proof': '场地设施设备证明',
  'management-rules': '认定管理制度',
  'emergency-plan': '应急预案',
};

/** 000 §五(二)1 and 002 ch.4: the seed's names of the exam modules. */
export const MODULE_LABELS: Record<string, string> = {
  theory: '理论知识考试',
  skill: '技能操作考核',
  performance: '工作业绩评审',
  defense: '论文答辩/综合评审',
};

export const LEVEL_LABELS: Record<number, string> = {
  5: '五级/初级工',
  4: '四级/中级工',
  3: '三级/高级工',
  2: '二级/技师',
  1: '一级/高级技师',
};

export const CERTIFICATE_STATUS_LABELS: Record<string, string> = { valid: '有效', revoked: '已撤销' };

export const TRACK_LABELS: Record<string, string> = {
  application: '备案申请',
  renewal: '续期',
  change: '变更',
  'scope-change': '变更（增加职业或等级）',
  termination: '终止',
};

/** Steps of a batch with a due date. */
export const DUE_STEP_LABELS: Record<string, string> = {
  'plan-review': '计划确认',
  scores: '成绩录入',
  results: '结果报送',
  'results-review': '结果审核',
};

export const SEVERITY_LABELS: Record<string, string> = { none: '未发现问题', minor: '一般问题', serious: '严重问题' };

export const DECIDER_LABELS: Record<string, string> = {
  'assigned-experts': '已指派的评估专家组',
  'jurisdiction-reviewer': '属地人社部门审核员',
  'province-reviewer': '省级人社部门审核员',
  'prefecture-center': '市级职业技能鉴定中心',
  'province-center': '省级职业技能鉴定中心',
  'prefecture-reviewer': '市级人社局审核员',
  'jurisdiction-center': '属地职业技能鉴定中心',
  timer: '公示期满自动结束（无未处理异议时）',
};

export const BASIS_LABELS: Record<string, string> = { 'national-standard': '国家职业技能标准', 'evaluation-spec': '评价规范（已备案）' };
export const KIND_LABELS: Record<string, string> = { Y: '用人单位（Y）', S: '社会培训评价组织（S）' };

/** What a refusal means to the person who made it, by problem `code` (from the one catalogue). */
export const PROBLEM_LABELS: Record<string, string> = Object.fromEntries(Object.entries(ERRORS).map(([code, e]) => [code, e.text]));

/** The label of `key` in `map`, or the key itself when it has none. */
export function label(map: Record<string, string>, key: unknown): string {
  return typeof key === 'string' || typeof key === 'number' ? map[String(key)] ?? String(key) : '';
}
