/**
 * The two result forms of 001 as Excel workbooks, laid out as the seed prints them:
 * - 附件3 企业职业技能等级认定结果汇总表 (`summaryWorkbook`, GET /batches/:id/summary?format=xlsx):
 *   title, 填报单位(章) and 填报日期, 评价时间 / 申报人数 / 评价人数 / 合格人数, then one row per 评价工种
 *   under the merged heading 等级及合格人数 (初级 … 高级技师, 小计) and a 合计 row, then the opinion
 *   rows of the 市级 and 省 职业技能鉴定中心 (承办人, 负责人, 章, date) and the 注 line;
 * - 附件4 企业职业技能等级认定合格人员花名册 (`rosterWorkbook`, GET /batches/:id/roster?format=xlsx):
 *   title, 填报单位(章), one row per passed candidate under ROSTER_HEADER, and the 注 line.
 *
 * The information is that of summaryCsv and rosterCsv (domain/batch.ts), so the CSV and the
 * workbook never disagree: the CSV has 参评人数 and 合格人数 per level, and so has the workbook,
 * as two columns under each level where the paper form has one. The seed form has no column for
 * 论文答辩/综合评审 either, and neither has the CSV.
 *
 * Cell hygiene:
 * - text is written as text cells: an XLSX cell carries its type, so a name such as "=1+2" stays
 *   a string and is never evaluated (the CSV needs an apostrophe for this; a workbook does not),
 *   and text cells are formatted "@" so that re-entering one in Excel keeps it text;
 * - ID numbers likewise, so 18 digits never become 1.10101E+17 nor lose their last digits;
 * - characters XML 1.0 forbids are dropped (one in a name would make the file unreadable) and
 *   text is cut at Excel's 32,767 characters per cell.
 */
import { Workbook, type Alignment, type Borders, type Font, type Worksheet } from 'exceljs';
import { LEVEL_COLUMNS, ROSTER_HEADER, type LevelCount, type ResultSummary, type RosterEntry, type SummaryRow } from '../domain/batch';
import { CERTIFICATE_LEVEL_NAMES, type CertificateLevel } from '../domain/certificate-code';

export const SUMMARY_TITLE = '企业职业技能等级认定结果汇总表';
export const ROSTER_TITLE = '企业职业技能等级认定合格人员花名册';
export const SUMMARY_NOTE = '注：本表一式三份，省或市人社行政部门、省或市职业技能鉴定中心和企业分别留存。';
export const ROSTER_NOTE = '注：本表一式三份，省或市人社行政部门、省或市职业技能鉴定中心和企业分别留存，并附于附件3之后。';
export const OPINION_TEXT = '承办人：____________　　负责人：____________　　（章）\n年　　月　　日';
export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface RosterMeta {
  institution: { name: string; creditCode: string };
  batchId: string;
  /** YYYY-MM-DD; left as blanks to fill by hand when absent */
  reportDate?: string;
}

// ---------------------------------------------------------------------------------------------
// Styles
// ---------------------------------------------------------------------------------------------

const FONT_NAME = '宋体';
/** GB2312: Excel picks the Chinese form of the font, as a sheet saved by Chinese Excel has it */
const GB2312 = 134;
const font = (over: Partial<Font> = {}): Partial<Font> => ({ name: FONT_NAME, size: 11, charset: GB2312, ...over });
const thin = { style: 'thin' as const, color: { argb: 'FF000000' } };
const BOX: Partial<Borders> = { top: thin, left: thin, bottom: thin, right: thin };
const CENTER: Partial<Alignment> = { horizontal: 'center', vertical: 'middle', wrapText: true };
const LEFT: Partial<Alignment> = { horizontal: 'left', vertical: 'middle', wrapText: true };
/** left-aligned text inside a ruled cell keeps off the rule */
const LEFT_IN_BOX: Partial<Alignment> = { ...LEFT, indent: 1 };
/** A4 in the SpreadsheetML paper-size codes (exceljs' PaperSize.A4 is a const enum, which isolatedModules cannot inline) */
const PAPER_A4 = 9;
const TEXT_FORMAT = '@';
const MAX_CELL_TEXT = 32_767;

/** Text for a cell: no XML-forbidden characters, no more than one cell holds. */
export function cellText(v: unknown): string {
  const s = String(v ?? '').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
  return s.length > MAX_CELL_TEXT ? s.slice(0, MAX_CELL_TEXT) : s;
}

/** 2026-06-01 → 2026年6月1日; anything else as it is. */
export function chineseDate(iso: string | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : cellText(iso);
}

const reportDateText = (iso: string | undefined) => `填报日期：${iso ? chineseDate(iso) : '　　　　年　　月　　日'}`;
const levelLabel = (level: number) => CERTIFICATE_LEVEL_NAMES[level as CertificateLevel] ?? String(level);
const occupationLabel = (name: string, trade?: string) => (trade ? `${name}（${trade}）` : name);

/** Columns are 1-based; 1 → A, 27 → AA. */
function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

/** Width in Excel's character units: a Chinese character takes two. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{20000}-\u{3fffd}]/u.test(ch) ? 2 : 1;
  return w;
}

type CellValue = string | number | null;

/** Writes one cell: strings as text cells formatted "@", numbers as numbers, null as empty. */
function put(
  ws: Worksheet,
  row: number,
  col: number,
  value: CellValue,
  style: { font?: Partial<Font>; alignment?: Partial<Alignment>; border?: boolean; numFmt?: string } = {},
) {
  const cell = ws.getCell(row, col);
  if (typeof value === 'string') {
    cell.value = cellText(value);
    cell.numFmt = TEXT_FORMAT;
  } else if (typeof value === 'number' && Number.isFinite(value)) {
    cell.value = value;
    if (style.numFmt) cell.numFmt = style.numFmt;
  } else {
    cell.value = null;
  }
  cell.font = style.font ?? font();
  cell.alignment = style.alignment ?? CENTER;
  if (style.border) cell.border = BOX;
  return cell;
}

/** Merges a range and gives every cell in it the border, so the box prints whole. */
function merge(ws: Worksheet, top: number, left: number, bottom: number, right: number, border: boolean) {
  if (bottom > top || right > left) ws.mergeCells(top, left, bottom, right);
  if (border) for (let r = top; r <= bottom; r++) for (let c = left; c <= right; c++) ws.getCell(r, c).border = BOX;
}

/** Writes a value into a merged range (the value lives in its top-left cell). */
function putMerged(ws: Worksheet, top: number, left: number, bottom: number, right: number, value: CellValue, style: Parameters<typeof put>[4] = {}) {
  put(ws, top, left, value, style);
  merge(ws, top, left, bottom, right, !!style.border);
}

function setupSheet(ws: Worksheet, o: { columns: number; lastRow: number; printTitles: string; frozen: { rows: number; columns: number } }) {
  const last = columnLetter(o.columns);
  ws.pageSetup = {
    paperSize: PAPER_A4,
    orientation: 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    // as many pages down as the rows need
    fitToHeight: 0,
    horizontalCentered: true,
    margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.7, header: 0.3, footer: 0.3 },
    printArea: `A1:${last}${o.lastRow}`,
    printTitlesRow: o.printTitles,
  };
  ws.headerFooter = { oddFooter: '&C第 &P 页，共 &N 页' };
  const topLeft = `${columnLetter(o.frozen.columns + 1)}${o.frozen.rows + 1}`;
  ws.views = [{ state: 'frozen', xSplit: o.frozen.columns, ySplit: o.frozen.rows, topLeftCell: topLeft, activeCell: topLeft }];
}

async function toBuffer(wb: Workbook): Promise<Buffer> {
  const out = await wb.xlsx.writeBuffer();
  return Buffer.isBuffer(out) ? out : Buffer.from(out as ArrayBuffer);
}

function newWorkbook(title: string, company: string): Workbook {
  const wb = new Workbook();
  wb.title = title;
  wb.company = cellText(company);
  wb.creator = '职业技能等级认定系统';
  return wb;
}

// ---------------------------------------------------------------------------------------------
// 附件3 结果汇总表
// ---------------------------------------------------------------------------------------------

/** Columns: 评价工种, 职业编码, then 参评人数 and 合格人数 for each level of LEVEL_COLUMNS and for 小计. */
export const SUMMARY_LEVEL_GROUPS = [...LEVEL_COLUMNS.map((l) => l.label), '小计'];
export const SUMMARY_COLUMNS = 2 + SUMMARY_LEVEL_GROUPS.length * 2;
/** rows 6–8 are the heading; the occupations start on row 9 */
export const SUMMARY_FIRST_DATA_ROW = 9;

const ZERO: LevelCount = { candidates: 0, assessed: 0, passed: 0 };

function summaryCounts(r: SummaryRow): number[] {
  const counts = [...LEVEL_COLUMNS.map((l) => r.levels[String(l.level)] ?? ZERO), r.subtotal ?? ZERO];
  return counts.flatMap((c) => [c.candidates, c.passed]);
}

/** 附件3 企业职业技能等级认定结果汇总表 as an .xlsx file. */
export async function summaryWorkbook(summary: ResultSummary): Promise<Buffer> {
  const wb = newWorkbook(SUMMARY_TITLE, summary.institution.name);
  const ws = wb.addWorksheet('结果汇总表');
  const n = SUMMARY_COLUMNS;
  const split = 8; // A–H left, I–N right in the lines above the table

  putMerged(ws, 1, 1, 1, n, SUMMARY_TITLE, { font: font({ size: 18, bold: true }) });
  ws.getRow(1).height = 36;
  putMerged(ws, 2, 1, 2, split, `填报单位（章）：${summary.institution.name}`, { alignment: LEFT });
  putMerged(ws, 2, split + 1, 2, n, `统一社会信用代码：${summary.institution.creditCode}`, { alignment: LEFT });
  putMerged(ws, 3, 1, 3, split, `认定批次：${summary.batchId}`, { alignment: LEFT });
  putMerged(ws, 3, split + 1, 3, n, reportDateText(summary.reportDate), { alignment: LEFT });

  const { from, to } = summary.examPeriod;
  const period = from === to ? chineseDate(from) : `${chineseDate(from)} 至 ${chineseDate(to)}`;
  const box = { border: true };
  putMerged(ws, 4, 1, 4, 2, '评价时间', box);
  putMerged(ws, 4, 3, 4, split, period, box);
  putMerged(ws, 4, split + 1, 4, 11, '申报人数', box);
  putMerged(ws, 4, 12, 4, n, summary.applicants, box);
  putMerged(ws, 5, 1, 5, 2, '评价人数', box);
  putMerged(ws, 5, 3, 5, split, summary.assessed, box);
  putMerged(ws, 5, split + 1, 5, 11, '合格人数', box);
  putMerged(ws, 5, 12, 5, n, summary.passed, box);

  const head = { border: true, font: font({ bold: true }) };
  putMerged(ws, 6, 1, 8, 1, '评价工种', head);
  putMerged(ws, 6, 2, 8, 2, '职业编码', head);
  putMerged(ws, 6, 3, 6, n, '等级及合格人数', head);
  SUMMARY_LEVEL_GROUPS.forEach((label, i) => {
    const c = 3 + i * 2;
    putMerged(ws, 7, c, 7, c + 1, label, head);
    put(ws, 8, c, '参评人数', head);
    put(ws, 8, c + 1, '合格人数', head);
  });

  let row = SUMMARY_FIRST_DATA_ROW;
  const line = (values: CellValue[], style: Parameters<typeof put>[4]) => {
    values.forEach((v, i) => put(ws, row, i + 1, v, { ...style, alignment: i === 0 ? LEFT_IN_BOX : CENTER, numFmt: '0' }));
    row += 1;
  };
  for (const r of summary.rows) line([occupationLabel(r.occupationName, r.trade), r.occupationCode, ...summaryCounts(r)], box);
  put(ws, row, 1, '合计', head);
  merge(ws, row, 1, row, 2, true);
  summaryCounts(summary.total).forEach((v, i) => put(ws, row, 3 + i, v, { ...head, numFmt: '0' }));
  const totalRow = row;
  row += 1;

  for (const who of ['市级职业技能鉴定中心意见', '省职业技能鉴定中心意见']) {
    putMerged(ws, row, 1, row, 2, who, head);
    putMerged(ws, row, 3, row, n, OPINION_TEXT, { border: true, alignment: { horizontal: 'right', vertical: 'bottom', wrapText: true } });
    ws.getRow(row).height = 72;
    row += 1;
  }
  putMerged(ws, row, 1, row, n, SUMMARY_NOTE, { alignment: LEFT, font: font({ size: 10 }) });

  const labels = [...summary.rows.map((r) => occupationLabel(r.occupationName, r.trade)), '评价工种'];
  ws.getColumn(1).width = Math.min(40, Math.max(16, ...labels.map((l) => displayWidth(cellText(l)) + 2)));
  ws.getColumn(2).width = 13;
  for (let c = 3; c <= n; c++) ws.getColumn(c).width = 9;
  for (let r = 2; r <= 5; r++) ws.getRow(r).height = 22;
  ws.getRow(8).height = 30;
  for (let r = SUMMARY_FIRST_DATA_ROW; r <= totalRow; r++) ws.getRow(r).height = 20;

  setupSheet(ws, { columns: n, lastRow: row, printTitles: '6:8', frozen: { rows: 8, columns: 2 } });
  return toBuffer(wb);
}

// ---------------------------------------------------------------------------------------------
// 附件4 合格人员花名册
// ---------------------------------------------------------------------------------------------

export const ROSTER_HEADER_ROW = 4;
const ROSTER_WIDTHS = [6, 12, 6, 21, 14, 7, 22, 15, 9, 9, 12];

/** 附件4 企业职业技能等级认定合格人员花名册 as an .xlsx file (the columns of ROSTER_HEADER). */
export async function rosterWorkbook(roster: RosterEntry[], meta: RosterMeta): Promise<Buffer> {
  const wb = newWorkbook(ROSTER_TITLE, meta.institution.name);
  const ws = wb.addWorksheet('合格人员花名册');
  const n = ROSTER_HEADER.length;
  const split = 6;

  putMerged(ws, 1, 1, 1, n, ROSTER_TITLE, { font: font({ size: 18, bold: true }) });
  ws.getRow(1).height = 36;
  putMerged(ws, 2, 1, 2, split, `填报单位（章）：${meta.institution.name}`, { alignment: LEFT });
  putMerged(ws, 2, split + 1, 2, n, `统一社会信用代码：${meta.institution.creditCode}`, { alignment: LEFT });
  putMerged(ws, 3, 1, 3, split, `认定批次：${meta.batchId}`, { alignment: LEFT });
  putMerged(ws, 3, split + 1, 3, n, reportDateText(meta.reportDate), { alignment: LEFT });

  const head = { border: true, font: font({ bold: true }) };
  ROSTER_HEADER.forEach((h, i) => put(ws, ROSTER_HEADER_ROW, i + 1, h, head));
  ws.getRow(ROSTER_HEADER_ROW).height = 30;

  let row = ROSTER_HEADER_ROW + 1;
  const box = { border: true };
  for (const r of roster) {
    const values: CellValue[] = [
      r.seq,
      r.name,
      r.sex === 'F' ? '女' : '男',
      r.idNumber,
      r.post,
      r.yearsInPost,
      occupationLabel(r.occupationName, r.trade),
      levelLabel(r.level),
      r.theory,
      r.skill,
      r.performance,
    ];
    values.forEach((v, i) => put(ws, row, i + 1, v, { ...box, alignment: i === 4 || i === 6 ? LEFT_IN_BOX : CENTER }));
    row += 1;
  }
  if (!roster.length) {
    putMerged(ws, row, 1, row, n, '（本批次无合格人员）', box);
    row += 1;
  }
  const lastTableRow = row - 1;
  putMerged(ws, row, 1, row, n, ROSTER_NOTE, { alignment: LEFT, font: font({ size: 10 }) });

  ROSTER_WIDTHS.forEach((w, i) => (ws.getColumn(i + 1).width = w));
  // long occupation names or posts widen their column, up to a point
  const widest = (pick: (r: RosterEntry) => string) => Math.max(0, ...roster.map((r) => displayWidth(cellText(pick(r))) + 2));
  ws.getColumn(5).width = Math.min(
    30,
    Math.max(
      ROSTER_WIDTHS[4],
      widest((r) => r.post),
    ),
  );
  ws.getColumn(7).width = Math.min(
    36,
    Math.max(
      ROSTER_WIDTHS[6],
      widest((r) => occupationLabel(r.occupationName, r.trade)),
    ),
  );
  for (let r = 2; r <= 3; r++) ws.getRow(r).height = 22;
  if (roster.length) ws.autoFilter = { from: { row: ROSTER_HEADER_ROW, column: 1 }, to: { row: lastTableRow, column: n } };

  setupSheet(ws, { columns: n, lastRow: row, printTitles: `${ROSTER_HEADER_ROW}:${ROSTER_HEADER_ROW}`, frozen: { rows: ROSTER_HEADER_ROW, columns: 2 } });
  return toBuffer(wb);
}
