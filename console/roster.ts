/**
 * Spreadsheets the console reads: the candidates of a batch plan (考生花名册) and a batch's module
 * scores (成绩表), each as XLSX or CSV. Every problem is reported per row, in Chinese, with the row
 * number the user sees in the spreadsheet, so that a plan with any bad row is never sent: the user
 * fixes the file and uploads it again.
 *
 * Layout: one header row (found among the first rows, so a title line such as
 * "企业职业技能等级认定合格人员花名册" or "填报单位（章）：" above it is fine), then one candidate per
 * row. Headers follow the 花名册 of seed 001 附件4 (序号 姓名 性别 身份证号码 岗位 工龄 申报职业 评价等级)
 * plus what the API needs (职业编码, 工作单位统一社会信用代码, …); common variants are accepted
 * (ROSTER_COLUMNS). Unknown columns (序号, 备注, scores) are ignored and listed.
 *
 * CSV files may be UTF-8 (with or without BOM) or GB18030/GBK, which is what Excel on Chinese
 * Windows writes for "CSV (逗号分隔)". XLSX cells are read as text (an 18-digit ID number stored
 * as a number has already lost digits in the file: that row gets a hint to store it as text).
 */
import Papa from 'papaparse';
import readXlsxFile from 'read-excel-file/node';
import { sexFromIdNumber, validateCreditCode, validateIdNumber } from '../domain/identifiers';
import { ID_NUMBER_PROBLEM_LABELS, LEVEL_LABELS } from '../domain/labels';
import { MODULE_KINDS, toCsv, type Candidate, type ModuleKind, type ScoreEntry } from '../domain/batch';
import { filedOccupationOf, OCCUPATION_CODE } from '../domain/filing';
import { nationalLevelOfGrade } from '../domain/grades';

/** Most candidates one plan may list (the batch policy's maxCandidates). */
export const MAX_ROSTER_ROWS = 2000;

export type RosterField =
  | 'seq'
  | 'name'
  | 'idNumber'
  | 'sex'
  | 'post'
  | 'yearsInPost'
  | 'occupationCode'
  | 'occupationName'
  | 'trade'
  | 'level'
  | 'employerCreditCode'
  | 'employment'
  | 'placedWithCreditCode';

/** Accepted headers per field (compared after `headerKey`: no spaces, ASCII brackets, lower case). */
export const ROSTER_COLUMNS: Record<RosterField, string[]> = {
  seq: ['序号', '编号'],
  name: ['姓名', '考生姓名', '申报人姓名'],
  idNumber: ['身份证号', '身份证号码', '公民身份号码', '身份证件号码', '证件号码', '身份证'],
  sex: ['性别'],
  post: ['岗位/工种', '岗位', '工作岗位', '所在岗位', '现岗位', '现从事岗位', '岗位(工种)'],
  yearsInPost: ['本岗位工作年限', '本岗位工龄', '岗位工龄', '工龄', '工作年限', '本岗位年限', '从事本职业(工种)年限', '本职业(工种)工作年限'],
  occupationCode: ['职业编码', '职业代码', '职业(工种)编码', '职业(工种)代码', '申报职业编码', '职业编号'],
  occupationName: ['申报职业', '职业名称', '申报职业(工种)', '职业(工种)', '职业(工种)名称', '职业'],
  trade: ['工种', '申报工种', '工种名称'],
  level: ['等级', '申报等级', '评价等级', '职业技能等级', '认定等级', '级别'],
  employerCreditCode: [
    '工作单位统一社会信用代码',
    '单位统一社会信用代码',
    '用人单位统一社会信用代码',
    '所在单位统一社会信用代码',
    '统一社会信用代码',
    '工作单位信用代码',
  ],
  employment: ['用工形式', '用工方式', '人员类别'],
  placedWithCreditCode: ['派驻单位统一社会信用代码', '用工单位统一社会信用代码', '实际用工单位统一社会信用代码'],
};

/** The columns of the downloadable template, in order, with one example row. */
export const ROSTER_TEMPLATE_HEADER = [
  '序号',
  '姓名',
  '身份证号',
  '性别',
  '岗位/工种',
  '本岗位工作年限',
  '职业编码',
  '申报职业',
  '工种',
  '等级',
  '工作单位统一社会信用代码',
  '用工形式',
  '派驻单位统一社会信用代码',
];
export const ROSTER_TEMPLATE_EXAMPLE = ['1', '张三', '110101199003074514', '男', '车工', '5', '6-18-01-01', '车工', '', '四级', '', '在职', ''];

/** The template CSV (UTF-8 with BOM, so that Excel opens it as UTF-8). */
export function rosterTemplateCsv(example: { creditCode?: string; occupationCode?: string; occupationName?: string; level?: number } = {}): string {
  const row = [...ROSTER_TEMPLATE_EXAMPLE];
  if (example.creditCode) row[10] = example.creditCode;
  if (example.occupationCode) row[6] = example.occupationCode;
  if (example.occupationName) row[4] = row[7] = example.occupationName;
  if (example.level) row[9] = LEVEL_LABELS[example.level] ?? row[9];
  return toCsv([ROSTER_TEMPLATE_HEADER, row]);
}

/** What the roster is checked against: the chosen filing's scope and, for a Y institution, its own staff. */
export interface RosterScope {
  occupations: { code: string; name: string; trade?: string; levels: number[]; gradeMapping?: { grade: string; level: number }[] }[];
  /** Y institutions assess only their own staff: their own and their subsidiaries' credit codes */
  ownCreditCodes?: string[];
  /** China-local date (YYYY-MM-DD): no birth date after it */
  today?: string;
}

export interface RowError {
  /** the row number as the spreadsheet shows it (the header row included) */
  row: number;
  name?: string;
  idNumber?: string;
  reasons: string[];
}

export interface RosterResult {
  candidates: Candidate[];
  /** spreadsheet row number of each candidate, by index (to place the API's refusals) */
  rowNumbers: number[];
  errors: RowError[];
  /** a problem with the file as a whole (unreadable, no header, a required column missing) */
  fileError?: string;
  /** headers that were not recognised (ignored) */
  ignoredColumns: string[];
}

export type Cell = string | number | boolean | Date | null | undefined;

/** A header cell compared: no whitespace, full-width brackets and slashes made ASCII, no required-marks, lower case. */
export function headerKey(v: Cell): string {
  return cellText(v)
    .replace(/[\s\u3000]+/g, '')
    .replace(/[（【[]/g, '(')
    .replace(/[）】\]]/g, ')')
    .replace(/[／\\、]/g, '/')
    .replace(/[*＊※:：]/g, '')
    .toLowerCase();
}

/** A cell as trimmed text (dates as YYYY-MM-DD). */
export function cellText(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  return String(v)
    .replace(/^\uFEFF/, '')
    .replace(/\u3000/g, ' ')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Reading a file into rows
// ---------------------------------------------------------------------------------------------

export class SheetError extends Error {}

/** The first worksheet of an XLSX, or the records of a CSV, as rows of cells. */
export async function readRows(file: Buffer): Promise<Cell[][]> {
  if (!file.length) throw new SheetError('上传的文件是空的。');
  if (file.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    try {
      const sheets = await readXlsxFile(file, { parseNumber: (s: string) => s, trim: true });
      return (sheets[0]?.data ?? []) as Cell[][];
    } catch {
      throw new SheetError('无法读取这个 Excel 文件，请另存为 .xlsx（Excel 工作簿）或 CSV 后重新上传。');
    }
  }
  if (file.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]))) {
    throw new SheetError('不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx（Excel 工作簿）或 CSV（UTF-8）后重新上传。');
  }
  const text = decodeText(file);
  if (text.includes('\u0000')) throw new SheetError('无法识别文件格式，请上传 .xlsx 或 .csv 文件。');
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: false });
  return parsed.data;
}

/** UTF-8 (BOM or not), else GB18030 (a superset of GBK, which Excel on Chinese Windows writes). */
function decodeText(buf: Buffer): string {
  const body = buf.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])) ? buf.subarray(3) : buf;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    try {
      return new TextDecoder('gb18030').decode(body);
    } catch {
      throw new SheetError('无法识别文件的字符编码，请另存为“CSV UTF-8（逗号分隔）”后重新上传。');
    }
  }
}

interface Header<F extends string> {
  /** 0-based index of the header row */
  at: number;
  columns: Partial<Record<F, number>>;
  ignored: string[];
}

/** Finds the header row among the first ten: the first that names every `must` field. */
function findHeader<F extends string>(rows: Cell[][], names: Record<F, string[]>, must: NoInfer<F>[]): Header<F> | undefined {
  const lookup = new Map<string, F>();
  for (const [field, variants] of Object.entries(names) as [F, string[]][]) for (const v of variants) lookup.set(headerKey(v), field);
  for (let at = 0; at < Math.min(rows.length, 10); at++) {
    const columns: Partial<Record<F, number>> = {};
    const ignored: string[] = [];
    (rows[at] ?? []).forEach((cell, i) => {
      const key = headerKey(cell);
      if (!key) return;
      // "性别(男/女)", "本岗位工作年限(年)": try without the bracketed note too
      const field = lookup.get(key) ?? lookup.get(key.replace(/\([^)]*\)/g, ''));
      if (field && columns[field] === undefined) columns[field] = i;
      else ignored.push(cellText(cell));
    });
    if (must.every((f) => columns[f] !== undefined)) return { at, columns, ignored };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The candidates (考生花名册)
// ---------------------------------------------------------------------------------------------

/** Why an ID number is wrong, in Chinese, or null when it is valid. */
export function idNumberProblem(raw: string, today?: string): string | null {
  if (!raw) return '身份证号未填写';
  if (/e\+?\d+$/i.test(raw) || /^\d+\.\d+$/.test(raw)) return '身份证号被存成了数字（Excel 会截断长数字），请将该列设为“文本”格式后重新填写';
  const v = validateIdNumber(raw.replace(/\s/g, ''), today ? { today } : undefined);
  if (v.ok) return null;
  if (v.code === 'LENGTH' && /^\d{15}$/.test(raw)) return '不接受15位旧身份证号，请填写18位号码';
  return ID_NUMBER_PROBLEM_LABELS[v.code];
}

const LEVEL_WORDS: [RegExp, number][] = [
  [/^(一级|高级技师)/, 1],
  [/^(二级|技师)/, 2],
  [/^(三级|高级工?)/, 3],
  [/^(四级|中级工?)/, 4],
  [/^(五级|初级工?)/, 5],
];

/** 1–5 from "4", "4级", "四级", "四级/中级工", "中级工", "技师", …; null when unrecognised. */
export function parseLevel(raw: string): number | null {
  const s = raw.replace(/\s/g, '');
  const n = /^([1-5])(级)?(\/.*)?$/.exec(s);
  if (n) return Number(n[1]);
  for (const [re, level] of LEVEL_WORDS) if (re.test(s)) return level;
  return null;
}

function parseSex(raw: string): 'M' | 'F' | null {
  const s = raw.trim().toUpperCase();
  if (['男', 'M', 'MALE', '男性'].includes(s)) return 'M';
  if (['女', 'F', 'FEMALE', '女性'].includes(s)) return 'F';
  return null;
}

function parseEmployment(raw: string): Candidate['employment'] | null {
  const s = raw.replace(/\s/g, '');
  if (/派遣/.test(s) || s === 'dispatched') return 'dispatched';
  if (/外包/.test(s) || s === 'outsourced') return 'outsourced';
  if (/^(在职|在岗|正式|正式职工|本单位职工|合同制|职工|staff)$/.test(s)) return 'staff';
  return null;
}

/** "5", "5年", "5.5" → number; null when not a number. */
function parseYears(raw: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*年?$/.exec(raw);
  return m ? Number(m[1]) : null;
}

function normalizeOccupationCode(raw: string): string {
  return raw.replace(/\s/g, '').replace(/[－—–‐_]/g, '-');
}

const levelName = (l: number) => LEVEL_LABELS[l] ?? String(l);

/** Candidates and row errors from the rows of a 花名册. */
export function parseRosterRows(rows: Cell[][], scope: RosterScope): RosterResult {
  const empty = (fileError: string): RosterResult => ({ candidates: [], rowNumbers: [], errors: [], fileError, ignoredColumns: [] });
  const header = findHeader(rows, ROSTER_COLUMNS, ['name', 'idNumber']);
  if (!header) return empty('没有找到表头：第一行（或标题下的一行）应为列名，至少包括“姓名”和“身份证号”。请使用花名册模板。');
  const col = header.columns;
  const missing: string[] = [];
  if (col.post === undefined) missing.push('岗位/工种');
  if (col.yearsInPost === undefined) missing.push('本岗位工作年限');
  if (col.occupationCode === undefined && col.occupationName === undefined) missing.push('职业编码（或申报职业）');
  if (col.level === undefined) missing.push('等级');
  if (missing.length) return empty(`花名册缺少这些列：${missing.join('、')}。请使用花名册模板。`);

  const own = new Set((scope.ownCreditCodes ?? []).map((c) => c.toUpperCase()));
  const candidates: Candidate[] = [];
  const rowNumbers: number[] = [];
  const errors: RowError[] = [];
  const firstRowOf = new Map<string, number>();
  const get = (r: Cell[], f: RosterField) => (col[f] === undefined ? '' : cellText(r[col[f]!]));

  for (let i = header.at + 1; i < rows.length; i++) {
    const r = rows[i] ?? [];
    if (r.every((c) => cellText(c) === '')) continue;
    const rowNo = i + 1;
    const reasons: string[] = [];
    const name = get(r, 'name');
    const rawId = get(r, 'idNumber');
    const idNumber = rawId.replace(/\s/g, '').toUpperCase();
    // a note line under the table ("注：本表一式三份…") is not a candidate
    if (!idNumber && /^注/.test(cellText(r.find((c) => cellText(c) !== '')))) continue;

    if (!name) reasons.push('姓名未填写');
    else if (name.length > 50) reasons.push('姓名过长（不超过50字）');
    const idProblem = idNumberProblem(idNumber, scope.today);
    if (idProblem) reasons.push(idProblem);
    else if (firstRowOf.has(idNumber)) reasons.push(`身份证号与第 ${firstRowOf.get(idNumber)} 行重复（每人每批次只能报1个职业）`);
    else firstRowOf.set(idNumber, rowNo);

    let sex: 'M' | 'F' | undefined;
    const rawSex = get(r, 'sex');
    if (rawSex) {
      const s = parseSex(rawSex);
      if (!s) reasons.push(`性别“${rawSex}”无法识别（填写 男 或 女）`);
      else if (!idProblem && sexFromIdNumber(idNumber) !== s) reasons.push('性别与身份证号不符');
      else sex = s;
    }

    const post = get(r, 'post');
    if (!post) reasons.push('岗位/工种未填写');
    else if (post.length > 50) reasons.push('岗位/工种过长（不超过50字）');

    const rawYears = get(r, 'yearsInPost');
    const years = parseYears(rawYears);
    if (!rawYears) reasons.push('本岗位工作年限未填写');
    else if (years === null || years > 60) reasons.push(`本岗位工作年限“${rawYears}”应为 0–60 的数字`);

    // occupation: by code, or by the name of a filed occupation (and 工种)
    const trade = get(r, 'trade') || undefined;
    if (trade && trade.length > 50) reasons.push('工种过长（不超过50字）');
    let occupationCode = normalizeOccupationCode(get(r, 'occupationCode'));
    const occupationName = get(r, 'occupationName');
    if (!occupationCode && occupationName) {
      const byName = scope.occupations.filter(
        (o) => o.name === occupationName || `${o.name}(${o.trade ?? ''})` === occupationName.replace(/[（]/g, '(').replace(/[）]/g, ')'),
      );
      const codes = [...new Set(byName.map((o) => o.code))];
      if (codes.length === 1) occupationCode = codes[0];
      else if (!codes.length) reasons.push(`申报职业“${occupationName}”不在所选备案的范围内`);
      else reasons.push(`申报职业“${occupationName}”对应多个职业编码，请填写职业编码`);
    }
    const rawLevel = get(r, 'level');
    let level = parseLevel(rawLevel);
    // 003 §三: the enterprise's own grade (首席技师, 学徒工 …), where the filing maps it to a national level
    let enterpriseGrade: string | undefined;
    if (rawLevel && level === null && occupationCode) {
      const mapped = nationalLevelOfGrade(
        scope.occupations.map((o) => ({ ...o, basis: 'national-standard' as const })),
        occupationCode,
        trade,
        rawLevel,
      );
      if (mapped !== null) [level, enterpriseGrade] = [mapped, rawLevel];
    }
    if (!rawLevel) reasons.push('等级未填写');
    else if (level === null) reasons.push(`等级“${rawLevel}”无法识别（填写 1–5、如“四级/中级工”，或备案中对应了国家等级的企业技能等级）`);

    if (!occupationCode) {
      if (!occupationName) reasons.push('职业编码未填写');
    } else if (!OCCUPATION_CODE.test(occupationCode)) {
      reasons.push(`职业编码“${occupationCode}”格式不正确（应如 6-18-01-01）`);
    } else {
      // the same rule as the plan check (domain filedOccupationOf): code, trade, or a trade of a whole filed occupation
      const filed = scope.occupations.filter((o) => filedOccupationOf([{ ...o, basis: 'national-standard' }], occupationCode, trade));
      if (!filed.length) reasons.push(`职业 ${occupationCode}${trade ? `（${trade}）` : ''} 不在所选备案的范围内`);
      else if (level !== null && !filed.some((o) => o.levels.includes(level))) {
        const levels = [...new Set(filed.flatMap((o) => o.levels))]
          .sort((a, b) => b - a)
          .map(levelName)
          .join('、');
        reasons.push(`等级 ${levelName(level)} 超出备案范围（${filed[0].name} 备案等级：${levels}）`);
      }
    }

    const credit = (f: 'employerCreditCode' | 'placedWithCreditCode', what: string) => {
      const raw = get(r, f).replace(/\s/g, '').toUpperCase();
      if (!raw) return undefined;
      if (!validateCreditCode(raw).ok) {
        reasons.push(`${what}“${raw}”不是有效的统一社会信用代码`);
        return undefined;
      }
      return raw;
    };
    const employerCreditCode = credit('employerCreditCode', '工作单位统一社会信用代码');
    const placedWithCreditCode = credit('placedWithCreditCode', '派驻单位统一社会信用代码');
    let employment: Candidate['employment'];
    const rawEmployment = get(r, 'employment');
    if (rawEmployment) {
      const e = parseEmployment(rawEmployment);
      if (!e) reasons.push(`用工形式“${rawEmployment}”无法识别（填写 在职、劳务派遣 或 劳务外包）`);
      else employment = e;
    }
    if (own.size) {
      // employer institutions (Y) assess their own staff, incl. dispatched / outsourced workers placed with them
      const placed = (employment === 'dispatched' || employment === 'outsourced') && !!placedWithCreditCode && own.has(placedWithCreditCode);
      if (!employerCreditCode && !placedWithCreditCode && !reasons.some((x) => x.includes('统一社会信用代码')))
        reasons.push('工作单位统一社会信用代码未填写（企业只能认定本单位职工）');
      else if (employerCreditCode && !own.has(employerCreditCode) && !placed)
        reasons.push('不是本单位或所属单位的职工（劳务派遣、外包人员请填写用工形式和派驻单位统一社会信用代码）');
    }

    if (reasons.length) {
      errors.push({ row: rowNo, name: name || undefined, idNumber: idNumber || undefined, reasons });
      continue;
    }
    const c: Candidate = { name, idNumber, post, yearsInPost: years!, occupationCode, level: level! };
    if (sex) c.sex = sex;
    if (trade) c.trade = trade;
    if (enterpriseGrade) c.enterpriseGrade = enterpriseGrade;
    if (employerCreditCode) c.employerCreditCode = employerCreditCode;
    if (employment) c.employment = employment;
    if (placedWithCreditCode) c.placedWithCreditCode = placedWithCreditCode;
    candidates.push(c);
    rowNumbers.push(rowNo);
  }
  const ignoredColumns = header.ignored.filter((h) => headerKey(h) !== '序号');
  if (!candidates.length && !errors.length) return { ...empty('花名册中没有考生：表头下面一行起，每行填写一名考生。'), ignoredColumns };
  if (candidates.length + errors.length > MAX_ROSTER_ROWS) return { ...empty(`一个批次最多 ${MAX_ROSTER_ROWS} 名考生，请分批报送。`), ignoredColumns };
  return { candidates, rowNumbers, errors, ignoredColumns };
}

/** Reads an uploaded 花名册 (XLSX or CSV) into candidates and row errors. */
export async function parseRosterFile(file: Buffer, scope: RosterScope): Promise<RosterResult> {
  try {
    return parseRosterRows(await readRows(file), scope);
  } catch (err) {
    if (err instanceof SheetError) return { candidates: [], rowNumbers: [], errors: [], fileError: err.message, ignoredColumns: [] };
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Scores (成绩表): 身份证号 plus one column per module
// ---------------------------------------------------------------------------------------------

type ScoreField = 'idNumber' | 'name' | ModuleKind | 'absent';
export const SCORE_COLUMNS: Record<ScoreField, string[]> = {
  idNumber: ROSTER_COLUMNS.idNumber,
  name: ROSTER_COLUMNS.name,
  theory: ['理论知识', '理论', '理论成绩', '理论知识考试', '理论知识成绩', '理论考试成绩'],
  skill: ['操作技能', '技能', '技能成绩', '技能操作考核', '操作技能成绩', '实操成绩', '技能操作成绩'],
  performance: ['工作业绩评审', '业绩评审', '业绩评审成绩', '业绩成绩', '业绩'],
  defense: ['综合评审(答辩)', '综合评审', '论文答辩', '答辩', '答辩成绩', '综合评审成绩', '论文答辩/综合评审'],
  absent: ['缺考', '是否缺考'],
};

export const SCORE_MODULE_HEADERS: Record<ModuleKind, string> = {
  theory: '理论知识',
  skill: '操作技能',
  performance: '工作业绩评审',
  defense: '综合评审(答辩)',
};

/** A score-sheet template for a batch: 身份证号, 姓名 and one empty column per module of the plan. */
export function scoreTemplateCsv(modules: ModuleKind[], candidates: { idNumber: string; name: string }[]): string {
  return toCsv([
    ['身份证号', '姓名', ...modules.map((m) => SCORE_MODULE_HEADERS[m]), '缺考'],
    ...candidates.map((c) => [c.idNumber, c.name, ...modules.map(() => ''), '']),
  ]);
}

export interface ScoreSheetResult {
  scores: ScoreEntry[];
  errors: RowError[];
  fileError?: string;
}

/** "85", "85.5", "85分" → number 0–100; undefined when empty; NaN when not a score. */
export function parseScore(raw: string): number | undefined {
  const s = raw.replace(/\s/g, '').replace(/分$/, '');
  if (!s) return undefined;
  if (!/^\d{1,3}(\.\d+)?$/.test(s)) return NaN;
  const n = Number(s);
  return n >= 0 && n <= 100 ? n : NaN;
}

/** Score lines and row errors from the rows of a 成绩表, checked against the batch's modules and candidates. */
export function parseScoreRows(rows: Cell[][], modules: ModuleKind[], candidateIds: string[]): ScoreSheetResult {
  const header = findHeader(rows, SCORE_COLUMNS, ['idNumber']);
  if (!header) return { scores: [], errors: [], fileError: '没有找到表头：应有“身份证号”列，以及各考核模块的成绩列。' };
  const present = MODULE_KINDS.filter((k) => header.columns[k] !== undefined);
  const extra = present.filter((k) => !modules.includes(k));
  if (!present.length && header.columns.absent === undefined) {
    return { scores: [], errors: [], fileError: `没有找到成绩列：应有 ${modules.map((m) => SCORE_MODULE_HEADERS[m]).join('、')} 列。` };
  }
  if (extra.length) return { scores: [], errors: [], fileError: `本批次没有这些考核模块：${extra.map((m) => SCORE_MODULE_HEADERS[m]).join('、')}。` };
  const ids = new Set(candidateIds.map((x) => x.toUpperCase()));
  const seen = new Map<string, number>();
  const scores: ScoreEntry[] = [];
  const errors: RowError[] = [];
  for (let i = header.at + 1; i < rows.length; i++) {
    const r = rows[i] ?? [];
    if (r.every((c) => cellText(c) === '')) continue;
    const rowNo = i + 1;
    const reasons: string[] = [];
    const idNumber = cellText(r[header.columns.idNumber!]).replace(/\s/g, '').toUpperCase();
    const name = header.columns.name === undefined ? undefined : cellText(r[header.columns.name]) || undefined;
    if (!idNumber) reasons.push('身份证号未填写');
    else if (!ids.has(idNumber)) reasons.push('不是本批次的考生');
    else if (seen.has(idNumber)) reasons.push(`与第 ${seen.get(idNumber)} 行重复`);
    else seen.set(idNumber, rowNo);
    const entry: ScoreEntry = { idNumber };
    const rawAbsent = header.columns.absent === undefined ? '' : cellText(r[header.columns.absent]);
    if (rawAbsent && /^(是|缺考|y|yes|1|√|✓|true)$/i.test(rawAbsent)) entry.absent = true;
    else if (rawAbsent && !/^(否|n|no|0|false)$/i.test(rawAbsent)) reasons.push(`缺考“${rawAbsent}”无法识别（填写 是 或 留空）`);
    let any = !!entry.absent;
    for (const k of present) {
      const raw = cellText(r[header.columns[k]!]);
      const v = parseScore(raw);
      if (v === undefined) continue;
      if (Number.isNaN(v)) reasons.push(`${SCORE_MODULE_HEADERS[k]}成绩“${raw}”应为 0–100 的数字`);
      else if (!entry.absent) {
        entry[k] = v;
        any = true;
      }
    }
    if (!any && !reasons.length) continue; // nothing entered for this candidate yet
    if (reasons.length) errors.push({ row: rowNo, name, idNumber: idNumber || undefined, reasons });
    else scores.push(entry);
  }
  if (!scores.length && !errors.length) return { scores, errors, fileError: '成绩表中没有填写任何成绩。' };
  return { scores, errors };
}

/** Reads an uploaded 成绩表 (XLSX or CSV). */
export async function parseScoreFile(file: Buffer, modules: ModuleKind[], candidateIds: string[]): Promise<ScoreSheetResult> {
  try {
    return parseScoreRows(await readRows(file), modules, candidateIds);
  } catch (err) {
    if (err instanceof SheetError) return { scores: [], errors: [], fileError: err.message };
    throw err;
  }
}
