/**
 * The one vocabulary (zh-CN): what every role, stage, status, outcome, module, level, track and step
 * is called, wherever a person reads it — console pages and the texts of notifications alike. A
 * thing has one name; a code's meaning is in domain/errors.ts.
 */
import type { Role } from './roles';
import type { IdentifierErrorCode } from './identifiers';
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
  change: '变更决定',
  renewal: '续期评估',
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
  // 001 §四(三): 连续两年不开展职业技能等级评价工作的，视同自行退出 (the seed's word)
  withdrawn: '视同自行退出',
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

/** The national levels (SPEC §5), as certificates and every page name them. */
export const LEVEL_LABELS: Readonly<Record<number, string>> = {
  5: '五级/初级工',
  4: '四级/中级工',
  3: '三级/高级工',
  2: '二级/技师',
  1: '一级/高级技师',
};

/** A certificate's state as the public check shows it (domain/certificates.ts certificateDisplayStatus). */
export const CERTIFICATE_STATUS_LABELS: Record<string, string> = { valid: '有效', revoked: '已撤销', corrected: '已更正' };

/** The signature of a verification link (certificates/signature.ts verifyCertificateSignature). */
export const SIGNATURE_LABELS: Record<string, string> = {
  valid: '签名有效',
  MALFORMED_SIGNATURE: '签名格式有误',
  INVALID_FIELDS: '签名无效',
  UNKNOWN_KEY: '签名所用密钥未公布',
  BAD_SIGNATURE: '签名与证书信息不符',
  missing: '链接中没有签名',
};

/** The fields a correction may change (domain/certificates.ts CORRECTABLE_FIELDS). */
export const CORRECTION_FIELD_LABELS: Record<string, string> = {
  'holder.name': '姓名',
  'holder.idNumber': '证件号码',
  'holder.sex': '性别',
  'occupation.name': '职业名称',
  trade: '工种名称',
};

export const CORRECTION_STATUS_LABELS: Record<string, string> = { pending: '复核中', approved: '已更正', rejected: '未通过' };

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

/** How a stage of a filing's timeline stands. */
export const STAGE_STATE_LABELS: Record<string, string> = { done: '已完成', current: '当前环节', pending: '未开始', refused: '未通过', skipped: '未进行' };

/** The outcomes of a 备案通知 stage: a notice is issued or refused. */
export const NOTICE_OUTCOME_LABELS: Record<string, string> = { pass: '准予备案（发出备案通知）', reject: '不予备案' };

/** How an objection was resolved. */
export const OBJECTION_RESOLUTION_LABELS: Record<string, string> = { upheld: '异议成立', dismissed: '异议不成立' };

/** Overdue steps: escalated to the superior (1), to the province (2). */
export const ESCALATION_LABELS: Record<number, string> = { 1: '已督办', 2: '已上报' };

/** Whether a working-day answer rests on an official year or an estimate. */
export const COVERAGE_LABELS: Record<string, string> = {
  official: '依据已载入的官方节假日安排',
  estimated: '估算（该年官方节假日安排尚未载入，按法定节假日推算）',
};

/** Events of a filing's history (GET /filings/:id `history[].event`). */
export const FILING_EVENT_LABELS: Record<string, string> = {
  submitted: '提交备案申请',
  'stage-entered': '进入环节',
  'experts-assigned': '组成专家组',
  'decided:pass': '决定：通过',
  'decided:supplement': '决定：要求补正',
  'decided:reject': '决定：不通过',
  supplemented: '提交补正材料',
  'document-attached': '上传材料文件',
  'publicity-started': '开始公示',
  'publicity-closed': '公示结束',
  'publicity-ended': '公示终止（异议成立）',
  'objection-received': '收到异议',
  'objection-upheld': '异议成立',
  'objection-dismissed': '异议不成立',
  escalated: '逾期升级',
  'notice-issued': '发出备案通知',
  filed: '完成备案',
  renewed: '续期备案通知',
  'renewal-reminder': '续期提醒',
  'renewal-applied': '申请续期',
  'change-applied': '申请变更',
  'termination-requested': '申请终止',
  'renewal-passed': '续期通过',
  'renewal-rejected': '续期未通过',
  'change-passed': '变更通过',
  'change-rejected': '变更未通过',
  'termination-passed': '终止评估通过',
  'termination-rejected': '终止评估未通过',
  'scope-updated': '备案内容已更新',
  'deadline-recomputed': '期限按正式日历重新计算',
  'exams-held': '认定批次考核结束',
  'scope-notice-issued': '发出变更备案通知',
  'scope-change-passed': '变更（增加职业或等级）通过',
  'scope-change-rejected': '变更（增加职业或等级）未通过',
  'batches-cancelled': '未完成的认定批次已取消',
  rejected: '未通过',
  expired: '到期',
  terminated: '终止',
  withdrawn: '视同自行退出',
};

/** Events of a batch's history (GET /batches/:id `history[].event`). */
export const BATCH_EVENT_LABELS: Record<string, string> = {
  planned: '报送认定计划',
  acknowledged: '鉴定中心确认计划',
  'supervisors-drawn': '随机抽取督导员',
  examining: '考核开始',
  'exams-start-unacknowledged': '考核开始（计划未确认，已升级督办）',
  scoring: '考核结束，开始评分',
  'scores-posted': '录入成绩',
  publicity: '结果公示开始',
  'publicity-closed': '结果公示结束',
  'objection-received': '收到公示异议',
  'objection-upheld': '异议成立，退回评分',
  'objection-dismissed': '异议不成立',
  'results-submitted': '报送认定结果',
  'results-returned': '结果被退回修改',
  certified: '结果审核通过，已发证',
  suspended: '批次暂停',
  resumed: '批次恢复',
  reminder: '提醒',
  escalated: '逾期升级',
  'deadline-recomputed': '期限按正式日历重新计算',
  'filing-notified': '已告知备案',
  'filing-not-notified': '未能告知备案',
  'filing-ended-after-exams': '备案在考核后终止',
  'supervision-report:none': '督导报告（未发现问题）',
  'supervision-report:minor': '督导报告（一般问题）',
  'supervision-report:serious': '督导报告（严重问题）',
  rejected: '批次未通过',
  cancelled: '批次取消',
};

/** Actions of a filing's audit trail (GET /filings/:id/audit `items[].action`). */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  'filing.submit': '提交申请',
  'filing.transition': '环节流转',
  'filing.assign': '组成专家组',
  'filing.decide': '作出决定',
  'filing.supplement': '补正材料',
  'filing.attach-document': '上传材料文件',
  'filing.read-document': '下载材料文件',
  'filing.object': '提出异议',
  'filing.resolve-objection': '处理异议',
  'filing.escalate': '逾期升级',
  'filing.publicity-upheld': '公示异议成立',
  'filing.publicity-closed': '公示结束',
  'filing.renewal-reminder': '续期提醒',
  'filing.apply-renewal': '申请续期',
  'filing.apply-change': '申请变更',
  'filing.apply-scope-change': '申请变更（增加职业或等级）',
  'filing.apply-termination': '申请终止',
  'filing.deadline-recomputed': '期限重算',
};

/** What a step in an inbox asks (GET /tasks `action`, before any `:stage`). */
export const TASK_ACTION_LABELS: Record<string, string> = {
  assign: '组成专家组',
  decide: '作出决定',
  supplement: '补正材料',
  'resolve-objection': '处理公示异议',
  'apply-renewal': '申请续期',
  scores: '录入成绩',
  results: '报送认定结果',
  'supervision:report': '提交督导报告',
  'supervision:resume-or-cancel': '决定恢复或终止批次',
};

/** What an e-mail is (domain/mail.ts): the four kinds mailed besides the inbox. */
export const MAIL_KIND_LABELS: Record<string, string> = {
  reminder: '提醒',
  escalation: '督办',
  decision: '审核决定',
  certificate: '证书发放',
};

/** Kinds of notification (GET /notifications `kind`); the messages themselves are Chinese already. */
export const NOTIFICATION_KIND_LABELS: Record<string, string> = {
  submitted: '新的备案申请',
  task: '待办',
  assignment: '指派',
  decision: '审核决定',
  'supplement-requested': '补正通知',
  objection: '公示异议',
  'objection-upheld': '异议成立',
  overdue: '逾期提醒',
  escalation: '督办',
  notice: '备案通知',
  request: '变更/续期/终止申请',
  'renewal-reminder': '续期提醒',
  expired: '备案到期',
  terminated: '备案终止',
  withdrawn: '视同自行退出',
  'batch-planned': '认定计划报送',
  'plan-unacknowledged': '计划未确认',
  'exams-start': '考核开始',
  'scores-due': '成绩录入提醒',
  'results-reminder': '结果报送提醒',
  'results-due': '结果报送',
  certified: '证书生成',
  'supervision-assignment': '督导指派',
  'supervision-report': '督导报告',
  suspended: '批次暂停',
  resumed: '批次恢复',
  publicity: '公示',
  'inspection-assignment': '抽查检查指派',
  'termination-proposal': '终止备案建议',
};

/** 双随机抽查 (domain/inspections.ts): an inspection's state, and the measures a serious finding orders or proposes. */
export const INSPECTION_STATUS_LABELS: Record<string, string> = { 'in-progress': '检查中', concluded: '已完成' };
export const INSPECTION_ORDER_LABELS: Record<string, string> = {
  'suspend-batches': '责令暂停该机构进行中的认定批次',
  'propose-termination': '提请省级人社部门终止其备案',
};
export const INSPECTION_DRAWER_LABELS: Record<string, string> = { 'province-reviewer': '省级人社部门', center: '职业技能鉴定中心' };

/** Fields of the filing body (POST /filings, /changes), for naming what the API found wrong. */
export const FILING_FIELD_LABELS: Record<string, string> = {
  'institution/name': '机构名称',
  'institution/creditCode': '统一社会信用代码',
  'institution/kind': '机构类别',
  'institution/legalRepresentative': '法定代表人',
  'institution/address': '注册地址',
  'institution/province': '省份',
  'institution/affiliation': '隶属关系',
  'institution/prefecture': '所在地市',
  'institution/contact/name': '联系人',
  'institution/contact/phone': '联系电话',
  'institution/contact/email': '电子邮箱',
  'institution/supervisingBody': '监管部门',
  code: '职业编码',
  name: '名称',
  trade: '工种',
  levels: '等级',
  basis: '依据',
  title: '材料名称',
  address: '地址',
  legalRepresentative: '法定代表人',
  feeStandard: '收费标准',
  reason: '原因',
};

/** Why a resident ID number is wrong (domain/identifiers.ts codes), as a person reads it. */
export const ID_NUMBER_PROBLEM_LABELS: Record<IdentifierErrorCode, string> = {
  NOT_A_STRING: '身份证号未填写',
  LENGTH: '身份证号应为18位',
  FORMAT: '身份证号应为17位数字加1位数字或X',
  REGION: '身份证号的地址码不正确',
  BIRTH_DATE: '身份证号中的出生日期不正确',
  CHECK_CHAR: '身份证号校验位不正确（请核对号码）',
};

/** Short notices shown after a form (the console's `?ok=` key); never free text from the URL. */
export const FLASH_LABELS: Record<string, string> = {
  'finding-filed': '检查结果已提交。',
  'signed-in': '已登录。',
  'signed-out': '已退出登录。',
  submitted: '已提交。',
  decided: '决定已提交。',
  assigned: '专家组已组成。',
  objected: '异议已提交，公示期内将由审核部门核实处理。',
  supplemented: '补正材料已提交。',
  renewal: '续期申请已提交。',
  change: '变更申请已提交。',
  terminated: '终止申请已提交。',
  planned: '认定计划已报送。',
  scored: '成绩已保存。',
  results: '结果已报送。',
  supervision: '督导信息已提交。',
  registered: '已登记。',
  calendar: '日历已载入。',
  clock: '演示时间已推进。',
  revoked: '证书已撤销。',
  resolved: '异议已处理。',
  document: '文件已上传。',
  'submitted-documents-failed': '备案申请已提交，但有文件未能上传（只接受 PDF、JPEG、PNG 文件，且不超过大小上限），请在“材料文件”中重新上传。',
};

/** What a refusal means to the person who made it, by problem `code` (from the one catalogue). */
export const PROBLEM_LABELS: Record<string, string> = Object.fromEntries(Object.entries(ERRORS).map(([code, e]) => [code, e.text]));

/** The label of `key` in `map`, or the key itself when it has none. */
export function label(map: Record<string, string>, key: unknown): string {
  return typeof key === 'string' || typeof key === 'number' ? (map[String(key)] ?? String(key)) : '';
}
