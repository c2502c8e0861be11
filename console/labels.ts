/**
 * The console's words (zh-CN): roles, stages, statuses, outcomes, and the plain-language meaning of
 * every problem `code` the API returns, so a refusal reads as a sentence, not a code.
 */
import type { Role } from '../domain/roles';

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
  renewal: '续期',
  change: '变更',
  termination: '终止',
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
  withdrawn: '已撤回',
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

export const MODULE_LABELS: Record<string, string> = {
  theory: '理论知识',
  skill: '操作技能',
  performance: '工作业绩评审',
  defense: '综合评审（答辩）',
};

export const LEVEL_LABELS: Record<number, string> = {
  5: '五级/初级工',
  4: '四级/中级工',
  3: '三级/高级工',
  2: '二级/技师',
  1: '一级/高级技师',
};

export const CERTIFICATE_STATUS_LABELS: Record<string, string> = { valid: '有效', revoked: '已撤销' };

/** What a refusal means to the person who made it, by problem `code`. */
export const PROBLEM_LABELS: Record<string, string> = {
  VALIDATION_FAILED: '填写的内容有误，请按提示修改后再提交。',
  BAD_REQUEST: '请求有误，请检查填写的内容。',
  MALFORMED_JSON: '提交的内容格式有误。',
  UNAUTHORIZED: '登录已失效，请重新登录。',
  FORBIDDEN: '您的角色无权进行此项操作。',
  NOT_FOUND: '未找到该记录，或您无权查看。',
  STAGE_MISMATCH: '该事项已不在这一环节（可能已有人处理），请刷新后查看当前环节。',
  INVALID_STATE: '该事项当前的状态不允许这项操作。',
  ALREADY_DECIDED: '您已在这一环节作出过决定。',
  NOT_ASSIGNED: '您未被指派处理这一环节。',
  FOUR_EYES: '同一人不能既提出又审核同一事项（双人审核）。',
  CONFLICT_OF_INTEREST: '您与该机构存在利害关系，应当回避。',
  NOT_IN_PUBLICITY: '该事项当前不在公示期内，无法提出异议。',
  PLAN_TOO_LATE: '认定计划须至少提前10个工作日报送。',
  OUT_OF_SCOPE: '计划中的职业（工种）或等级超出了备案范围。',
  NOT_OWN_STAFF: '考评人员须为本机构人员。',
  DUPLICATE_CANDIDATE: '考生名单中有重复的身份证号。',
  MATERIALS_INCOMPLETE: '申报材料不全，请补齐必备材料。',
  FILING_NOT_VALID: '该备案当前不在有效期内，不能开展认定。',
  NOT_ENOUGH_SUPERVISORS: '督导员库中符合条件的督导员不足。',
  ALREADY_EXISTS: '该记录已存在。',
  ALREADY_REVOKED: '该证书已被撤销。',
  IDEMPOTENCY_KEY_REUSED: '这份表单已提交过，内容不同，请刷新页面后重新填写。',
  RATE_LIMITED: '操作过于频繁，请稍后再试。',
  PAYLOAD_TOO_LARGE: '提交的内容过大。',
  RULE_VIOLATION: '不符合认定规则。',
  INTERNAL: '系统暂时出现问题，请稍后再试。',
};

export function label(map: Record<string, string>, key: unknown): string {
  return typeof key === 'string' || typeof key === 'number' ? (map as Record<string, string>)[String(key)] ?? String(key) : '';
}
