/**
 * The one error catalogue: every refusal the system makes, by its stable `code` (API.md
 * "Conventions"), with its HTTP status and what it means to the person who met it, in Chinese.
 * Workflows raise these codes as ApplicationFailure types, the API answers them as problem
 * documents with this status, and the console shows this text. Nothing else defines a code.
 */

export interface ErrorEntry {
  status: number;
  /** what the refusal means to the person who made the request (console, notifications) */
  text: string;
}

export const ERRORS = {
  // ——— malformed requests (400) ———
  VALIDATION_FAILED: { status: 400, text: '填写的内容有误，请按提示修改后再提交。' },
  MALFORMED_JSON: { status: 400, text: '提交的内容格式有误。' },
  BAD_REQUEST: { status: 400, text: '请求有误，请检查填写的内容。' },
  BAD_URL: { status: 400, text: '网址有误。' },
  // ——— who is asking (401, 403) ———
  UNAUTHORIZED: { status: 401, text: '登录已失效，请重新登录。' },
  FORBIDDEN: { status: 403, text: '您的角色无权进行此项操作。' },
  NOT_ASSIGNED: { status: 403, text: '您未被指派处理这一环节。' },
  FOUR_EYES: { status: 403, text: '同一人不能连续办理同一事项的两个环节（双人审核）。' },
  // ——— what it is about (404) ———
  NOT_FOUND: { status: 404, text: '未找到该记录，或您无权查看。' },
  // ——— the case's state (409) ———
  STAGE_MISMATCH: { status: 409, text: '该事项已不在这一环节（可能已有人处理），请刷新后查看当前环节。' },
  INVALID_STATE: { status: 409, text: '该事项当前的状态不允许这项操作。' },
  NOT_IN_PUBLICITY: { status: 409, text: '该事项当前不在公示期内，无法提出异议。' },
  ALREADY_DECIDED: { status: 409, text: '这一事项已经处理过了。' },
  ALREADY_EXISTS: { status: 409, text: '该记录已存在。' },
  ALREADY_REGISTERED: { status: 409, text: '该用户已登记；如需修改，请由登记所在省份修改登记信息。' },
  ALREADY_REVOKED: { status: 409, text: '该证书已被撤销。' },
  CORRECTION_PENDING: { status: 409, text: '该证书已有一项更正申请正在复核，请待复核完毕后再申请。' },
  // ——— the rules (422) ———
  RULE_VIOLATION: { status: 422, text: '不符合认定规则。' },
  CONFLICT_OF_INTEREST: { status: 422, text: '该专家与申请单位存在利害关系，应当回避。' },
  MATERIALS_INCOMPLETE: { status: 422, text: '申报材料不全，请补齐必备材料。' },
  PLAN_TOO_LATE: { status: 422, text: '认定计划须至少提前10个工作日报送。' },
  OUT_OF_SCOPE: { status: 422, text: '计划中的职业（工种）或等级超出了备案范围。' },
  FILING_NOT_VALID: { status: 422, text: '该备案当前不在有效期内，不能开展认定。' },
  NOT_OWN_STAFF: { status: 422, text: '用人单位只能认定本单位（含所属单位）职工。' },
  DUPLICATE_CANDIDATE: { status: 422, text: '考生名单中有重复的身份证号（每人每次限报一个职业）。' },
  VENUE_NOT_FILED: { status: 422, text: '考核场地须为备案的场地；新场地请先申请场地变更。' },
  VENUE_NOT_OWN_PREMISES: { status: 422, text: '用人单位的操作技能考核应在本单位场所进行。' },
  NOT_ENOUGH_SUPERVISORS: { status: 422, text: '督导员库中符合条件的督导员不足。' },
  SERIAL_EXHAUSTED: { status: 422, text: '本年度该等级的证书序号已用完。' },
  CERTIFICATE_UNPRINTABLE: { status: 422, text: '证书信息中有无法打印的内容（如字库中没有的生僻字），请联系管理员。' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, text: '这份表单已提交过，内容不同，请刷新页面后重新填写。' },
  // ——— too much, too fast (413, 414, 415, 429) ———
  PAYLOAD_TOO_LARGE: { status: 413, text: '提交的内容过大。' },
  DOCUMENT_TOO_LARGE: { status: 413, text: '文件超过了大小上限，请压缩或拆分后再上传。' },
  URI_TOO_LONG: { status: 414, text: '网址过长。' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, text: '不支持的内容类型。' },
  DOCUMENT_TYPE_UNSUPPORTED: { status: 415, text: '只接受 PDF、JPEG 或 PNG 格式的文件（按文件内容识别，改扩展名无效）。' },
  RATE_LIMITED: { status: 429, text: '操作过于频繁，请稍后再试。' },
  TOO_MANY_OBJECTIONS: { status: 429, text: '您在本次公示中提出的异议尚未处理完毕，请待处理后再提出。' },
  TOO_MANY_COMPLAINTS: { status: 429, text: '您提交的投诉举报尚有多件正在处理，请待处理完毕后再提交。' },
  // ——— ours (500) ———
  CORS_REFUSED: { status: 403, text: '此来源的网页无权调用该接口。' },
  CODEC_FAILED: { status: 400, text: '数据无法解密：密钥不在本系统的密钥列表中，或数据已损坏。' },
  INTERNAL: { status: 500, text: '系统暂时出现问题，请稍后再试。' },
  UPLOAD_MISMATCH: { status: 500, text: '提交的名单未能完整保存，请重新提交。' },
  // ——— unavailable (503): Temporal down or overloaded, or no worker took the request in time; try again later ———
  TEMPORAL_UNAVAILABLE: { status: 503, text: '系统繁忙或正在维护，暂时无法办理，请稍后再试。' },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERRORS;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERRORS, code);
}

/**
 * A refusal as the rules in domain/ return it and workflows raise it (ApplicationFailure `type` =
 * code, details[0] = details). `status` only where it differs from the code's own: VALIDATION_FAILED
 * is 400 for malformed input and 422 for well-formed input that breaks a rule (a pass mark below 60);
 * a workflow carries it as `details[0].httpStatus`.
 */
export interface Refusal {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
  status?: number;
}

/** The HTTP status of a code (500 for a code nobody catalogued: a bug, shown as one). */
export function statusOf(code: string): number {
  return isErrorCode(code) ? ERRORS[code].status : 500;
}

/** The status a refusal is answered with: its own 4xx when it names one, else its code's. */
export function refusalStatus(code: string, own?: unknown): number {
  return typeof own === 'number' && Number.isInteger(own) && own >= 400 && own < 500 ? own : statusOf(code);
}

/** What a code means to a person, in Chinese. */
export function textOf(code: string | undefined): string | undefined {
  return isErrorCode(code) ? ERRORS[code].text : undefined;
}

/**
 * A refusal as a pure rule gives it (a validator turns it into a non-retryable ApplicationFailure
 * whose `type` is the code): the code, a message for the log, details[0] for the caller.
 */
export interface Refusal {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
  /**
   * The HTTP status when it differs from the code's usual one: VALIDATION_FAILED is 400 for a
   * malformed input and 422 for a well-formed one that breaks a rule (a pass mark below 60).
   */
  status?: number;
}
