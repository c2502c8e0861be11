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

/** A certificate's later life, as its page lists it (GET /certificates/:number/record). */
export const CERTIFICATE_EVENT_LABELS: Record<string, string> = { issued: '核发', corrected: '更正', reissued: '补发', revoked: '撤销' };

/** A correctable field's value as a person reads it: 性别 in words, an emptied 工种 as —. */
export function correctionValueText(field: string, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  if (field === 'holder.sex') return value === 'M' ? '男' : value === 'F' ? '女' : value;
  return value;
}

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
  'objections-dismissed': '一并驳回异议',
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
  'objections-dismissed': '一并驳回异议',
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

/**
 * The note of a history entry (GET /filings/:id and /batches/:id `history[].note`) in words. The
 * workflows record terse notes with codes and a few English words ("until 2041-03-02", "scores due
 * 2041-04-01", "3 candidates, exams …"); recorded histories keep them so (changing what a workflow
 * writes would change its history), so they are put into Chinese where a person reads them.
 * Free text a person wrote (opinions, reasons) passes unchanged; a note no rule knows passes too.
 */
export function historyNoteText(kind: 'filing' | 'batch', event: string, note: unknown): string {
  if (typeof note !== 'string' || !note) return '';
  const stage = (code: string) =>
    kind === 'filing' ? (FILING_STAGE_LABELS[code] ?? code) : (DUE_STEP_LABELS[code] ?? (code === 'publicity' ? '结果公示' : code));
  const tail = (rest: string) => (rest ? `：${rest}` : '');
  let m: RegExpExecArray | null;
  switch (event) {
    case 'stage-entered':
      return stage(note);
    case 'experts-assigned':
      return (m = /^([a-z-]+): ([\s\S]*)$/.exec(note)) ? `${stage(m[1])}${tail(m[2])}` : note;
    case 'publicity-started':
    case 'publicity':
      return (m = /^until (\S+)$/.exec(note)) ? `公示至 ${m[1]}` : note;
    case 'publicity-ended':
      return note === 'objection upheld' ? '异议成立' : note;
    case 'publicity-closed':
      return (m = /^(\d+) objection\(s\), all dismissed$/.exec(note)) ? `收到异议 ${m[1]} 件，均不成立` : note;
    case 'objection-received':
      return (m = /^(\d+) open$/.exec(note)) ? `待处理异议 ${m[1]} 件` : note;
    case 'objection-upheld':
    case 'objection-dismissed':
      return (m = /^([^:\s]+): ([\s\S]*)$/.exec(note)) ? `异议 ${m[1]}${tail(m[2])}` : note;
    case 'objections-dismissed':
      return (m = /^(\d+) through #(\d+): ([\s\S]*)$/.exec(note)) ? `驳回待处理异议 ${m[1]} 件（截至第 ${m[2]} 件）${tail(m[3])}` : note;
    case 'escalated':
      if ((m = /^(.+) → (superior|province)$/.exec(note))) return `${stage(m[1])}逾期，升级至${m[2] === 'superior' ? '上级' : '省级'}`;
      if ((m = /^(.+) → level (\d)$/.exec(note))) return `${stage(m[1])}逾期，${m[2] === '1' ? '已升级督办' : '已升级至省级督办'}`;
      return note;
    case 'reminder':
      return (m = /^(\S+) due (\S+)$/.exec(note)) ? `${stage(m[1])}应于 ${m[2]} 前完成` : note;
    case 'deadline-recomputed':
      return note
        .split('; ')
        .map((part) => ((m = /^([a-z-]+): (\S+) → (\S+)$/.exec(part)) ? `${stage(m[1])}期限由 ${m[2]} 改为 ${m[3]}` : part))
        .join('；');
    case 'renewal-reminder':
      return (m = /^expires (\S+); on time until (\S+)$/.exec(note)) ? `有效期至 ${m[1]}，按期申请续期截止 ${m[2]}` : note;
    case 'renewed':
      return (m = /^valid until (\S+)$/.exec(note)) ? `有效期至 ${m[1]}` : note;
    case 'exams-held':
      return (m = /^(\S+): (\S+)$/.exec(note)) ? `认定批次 ${m[1]}，最后考核日 ${m[2]}` : note;
    case 'renewal-applied':
      return note === 'late' ? '逾期申请' : note === 'in time' ? '按期申请' : note;
    case 'results-submitted':
      return note === 'late' ? '逾期报送' : note === 'in time' ? '按期报送' : note;
    case 'change-applied':
      return note.startsWith('adds occupations or levels') ? '增加职业或等级：按备案申请的全部流程办理（004 第七条第（一）项）' : note;
    case 'planned':
      return (m = /^(\d+) candidates, exams (\S+) – (\S+)$/.exec(note)) ? `考生 ${m[1]} 人，考核日期 ${m[2]} 至 ${m[3]}` : note;
    case 'scores-posted':
      return (m = /^(\d+) lines$/.exec(note)) ? `成绩 ${m[1]} 条` : note;
    case 'certified':
      return (m = /^(\d+) certificates issued$/.exec(note)) ? `核发证书 ${m[1]} 本` : note;
    case 'filing-not-notified':
      // an exception's text, for operators (the worker's log has it); a person needs only the fact
      return '系统未能送达，将由管理员处理';
    case 'rejected':
    case 'expired':
    case 'terminated':
    case 'withdrawn':
      return endReasonText(note);
    default:
      if (/^decided:/.test(event)) return (m = /^([a-z-]+): ([\s\S]*)$/.exec(note)) ? `${stage(m[1])}${tail(m[2])}` : note;
      return note;
  }
}

/** Why a filing ended (its `endReason` and the note of its last history entry), in words. */
export function endReasonText(reason: unknown): string {
  if (typeof reason !== 'string') return '';
  let m: RegExpExecArray | null;
  if (reason === 'rejected in review') return '评估未通过';
  if (reason === 'voluntary termination') return '机构申请终止';
  if ((m = /^ordered: ([\s\S]*)$/.exec(reason))) return `责令终止：${m[1]}`;
  if ((m = /^valid until (\S+); not renewed$/.exec(reason))) return `有效期至 ${m[1]}，未续期`;
  if ((m = /^no exam held since (\S+) for (\d+) years/.exec(reason))) return `自 ${m[1]} 起连续 ${m[2]} 年未开展认定工作（001 §四（三））`;
  if ((m = /^(\d+) certificates issued$/.exec(reason))) return `核发证书 ${m[1]} 本`;
  return reason;
}

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
  // a batch's audit trail (GET /batches/:id/audit), written by workflows/batch
  'batch.plan': '报送认定计划',
  'batch.decide': '鉴定中心决定',
  'batch.supervision-assign': '抽取督导员',
  'batch.supervision-report': '督导报告',
  'batch.supervision-resume': '恢复批次',
  'batch.exams-start': '考核开始',
  'batch.exams-end': '考核结束',
  'batch.scores': '录入成绩',
  'batch.publicity-start': '结果公示开始',
  'batch.publicity-closed': '结果公示结束',
  'batch.results': '报送认定结果',
  'batch.reminder': '提醒',
  'batch.escalate': '逾期升级',
  'batch.deadline-recomputed': '期限重算',
  'batch.certificates-issued': '核发证书',
  'batch.resolve-objection': '处理异议',
  'batch.dismiss-objections': '一并驳回异议',
  'batch.rejected': '批次未通过',
  'batch.cancelled': '批次取消',
  'annual-plan.submit': '报送年度认定计划',
  'annual-plan.acknowledge': '确认年度认定计划',
  'annual-plan.return': '退回年度认定计划',
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
  'decide-complaint': '调查核实投诉举报',
  'acknowledge:annual-plan': '确认年度认定计划',
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
  'archive-reminder': '档案保存期将满',
  'archive-disposed': '档案保存期满',
  'complaint-received': '投诉举报受理',
  'complaint-reminder': '投诉举报处理提醒',
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
  feeBasis: '收费测算依据',
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

/** Why a competition recognition was refused, by the rule's article (domain/recognitions.ts). */
export const RECOGNITION_RULE_LABELS: Record<string, string> = {
  '000 §二(三)4': '只有取得优异成绩（前五名）的竞赛获奖人员可直接认定等级。',
  '003 §六': '该人员已持有该职业同级或更高等级的证书；竞赛认定须晋升等级。',
};

/** Short notices shown after a form (the console's `?ok=` key); never free text from the URL. */
export const FLASH_LABELS: Record<string, string> = {
  'finding-filed': '检查结果已提交。',
  'proposal-decided': '已对终止备案建议作出决定。',
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
  'correction-requested': '更正申请已提交，待鉴定中心复核。',
  'correction-decided': '复核意见已提交。',
  reissued: '已补发证书，可重新打印。',
  resolved: '异议已处理。',
  document: '文件已上传。',
  'annual-plan': '年度认定计划已报送，待鉴定中心确认。',
  'annual-plan-decided': '年度认定计划已处理。',
  'submitted-documents-failed': '备案申请已提交，但有文件未能上传（只接受 PDF、JPEG、PNG 文件，且不超过大小上限），请在“材料文件”中重新上传。',
  'complaint-decided': '投诉举报已作出处理决定。',
};

// ——— annual plans (000 §五(二)1) and fees (004 Art.6(2), Art.13) ———
export const ANNUAL_PLAN_STATUS_LABELS: Record<string, string> = { submitted: '待确认', acknowledged: '已确认', returned: '已退回' };
export const ANNUAL_PLAN_OUTCOME_LABELS: Record<string, string> = { pass: '确认（已备案）', return: '退回修改' };
export const QUARTER_LABELS: Record<number, string> = { 1: '第一季度', 2: '第二季度', 3: '第三季度', 4: '第四季度' };
/** a batch planned outside its year's acknowledged annual plan */
export const OUTSIDE_ANNUAL_PLAN_LABEL = '计划外';

/** What a refusal means to the person who made it, by problem `code` (from the one catalogue). */
export const PROBLEM_LABELS: Record<string, string> = Object.fromEntries(Object.entries(ERRORS).map(([code, e]) => [code, e.text]));

/** The label of `key` in `map`, or the key itself when it has none. */
export function label(map: Record<string, string>, key: unknown): string {
  return typeof key === 'string' || typeof key === 'number' ? (map[String(key)] ?? String(key)) : '';
}

/** The archive's media and what happens at the end of keeping (domain/archives.ts). */
export const ARCHIVE_MEDIUM_LABELS: Record<string, string> = { paper: '纸质', electronic: '电子' };
export const ARCHIVE_DISPOSAL_LABELS: Record<string, string> = { anonymise: '本系统删除个人信息（匿名化）', 'institution-disposes': '评价机构可依规处置' };
/** How a complaint stands (投诉举报, domain/complaints.ts). */
export const COMPLAINT_STATUS_LABELS: Record<string, string> = { open: '调查核实中', upheld: '投诉成立', dismissed: '投诉不成立' };

/** Events of a complaint's history (GET /complaints/:id `history[].event`, reviewers in scope). */
export const COMPLAINT_EVENT_LABELS: Record<string, string> = {
  received: '受理',
  reminder: '处理提醒',
  escalated: '逾期升级督办',
  upheld: '调查核实：投诉成立',
  dismissed: '调查核实：投诉不成立',
};

/** Fields of a complaint (POST /complaints), for naming what the API found wrong. */
export const COMPLAINT_FIELD_LABELS: Record<string, string> = {
  'subject/type': '投诉对象类别',
  'subject/id': '投诉对象编号',
  name: '姓名',
  contact: '联系方式',
  content: '投诉举报内容',
};

/** What a complaint is about. */
export const COMPLAINT_SUBJECT_LABELS: Record<string, string> = { institution: '评价机构', batch: '认定批次', certificate: '职业技能等级证书' };

/** The kinds of entry of an institution's credit file (信用档案, domain/credit.ts). */
export const CREDIT_KIND_LABELS: Record<string, string> = {
  'complaint-upheld': '投诉举报经核实成立',
  'supervision-serious': '质量督导发现严重问题',
  'inspection-serious': '双随机抽查发现严重问题',
  'termination-ordered': '责令终止备案（退出目录）',
  'certificate-revoked': '证书撤销',
};
