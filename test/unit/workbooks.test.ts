/**
 * exports/workbooks.ts: 001 附件3 (结果汇总表) and 附件4 (合格人员花名册) as .xlsx, read back with
 * exceljs (title, merged heading, data rows, totals, print and view setup, text cells) and the
 * roster also with read-excel-file, the reader the console's uploads use, as a second opinion
 * that the file is a valid XLSX package. The figures are checked against summaryCsv/rosterCsv,
 * so the workbook and the CSV carry the same information.
 */
import { Workbook, ValueType, type Worksheet } from 'exceljs';
import readXlsxFile from 'read-excel-file/node';
import Papa from 'papaparse';
import {
  acceptPlan,
  buildRoster,
  buildSummary,
  rosterCsv,
  summaryCsv,
  ROSTER_HEADER,
  type BatchPlan,
  type ResultSource,
  type ScoreSheet,
} from '../../domain/batch';
import type { Occupation } from '../../domain/filing';
import { makeCreditCode, makeIdNumber } from '../../domain/identifiers';
import {
  OPINION_TEXT,
  ROSTER_HEADER_ROW,
  ROSTER_NOTE,
  ROSTER_TITLE,
  SUMMARY_FIRST_DATA_ROW,
  SUMMARY_NOTE,
  SUMMARY_TITLE,
  cellText,
  chineseDate,
  rosterWorkbook,
  summaryWorkbook,
} from '../../exports/workbooks';

const creditCode = makeCreditCode('91140900MA0K12345');
const occupations: Occupation[] = [
  { code: '6-18-01-01', name: '车工', levels: [5, 4, 3, 2], basis: 'national-standard' },
  { code: '6-18-02-04', name: '焊工', trade: '电焊工', levels: [5, 4], basis: 'national-standard' },
];
/** an ID number whose check character is a digit: the one a spreadsheet would turn into a number */
function digitsOnlyId(seq: number): string {
  for (let s = seq; ; s++) {
    const id = makeIdNumber('140902', '19880315', s % 1000);
    if (/^\d{18}$/.test(id)) return id;
  }
}
const FORMULA_NAME = '=HYPERLINK("http://example.invalid","点我")';

function source(): ResultSource {
  const people: [string, string, number, string][] = [
    ['张三', '6-18-01-01', 4, digitsOnlyId(11)],
    ['李四', '6-18-01-01', 4, makeIdNumber('140902', '19900101', 21)],
    ['王五', '6-18-01-01', 3, makeIdNumber('140902', '19850707', 31)],
    [FORMULA_NAME, '6-18-02-04', 5, makeIdNumber('140902', '19950505', 41)],
    ['赵六', '6-18-02-04', 5, makeIdNumber('140902', '19920202', 51)],
    ['钱七', '6-18-02-04', 4, makeIdNumber('140902', '19930303', 61)],
  ];
  const plan: BatchPlan = {
    firstExamDate: '2026-06-01',
    lastExamDate: '2026-06-03',
    venues: [{ name: '实训楼', address: '忻州市长征西街25号' }],
    modules: [{ kind: 'theory' }, { kind: 'skill' }],
    candidates: people.map(([name, occupationCode, level, idNumber]) => ({
      name,
      occupationCode,
      level,
      idNumber,
      post: '操作工',
      yearsInPost: 6,
      employerCreditCode: creditCode,
    })),
    proctors: [{ name: '考务甲' }],
    examiners: [{ name: '考评乙' }],
    supervisors: [{ name: '督导丙' }],
  };
  const scores: ScoreSheet = {};
  const s = (i: number, theory: number, skill: number) => (scores[people[i][3]] = { theory, skill });
  s(0, 80, 90);
  s(1, 55, 90);
  s(2, 88.5, 77);
  s(3, 61, 60);
  s(5, 90, 91);
  scores[people[4][3]] = { absent: true };
  return {
    id: 'B-2026-0007',
    institution: { name: '忻州重工股份有限公司', creditCode, institutionCode: '1409001400001' },
    plan: acceptPlan(plan, occupations),
    scores,
    policy: { defaultPassMark: 60 },
  };
}

async function load(buf: Buffer): Promise<Worksheet> {
  const wb = new Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  expect(wb.worksheets).toHaveLength(1);
  return wb.worksheets[0];
}
const text = (ws: Worksheet, address: string) => ws.getCell(address).value;
const rowValues = (ws: Worksheet, row: number, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ws.getCell(row, from + i).value);
const csvRows = (csv: string) => Papa.parse<string[]>(csv.replace(/^\uFEFF/, ''), { skipEmptyLines: true }).data;

describe('结果汇总表 (001 附件3)', () => {
  const src = source();
  const summary = buildSummary(src, '2026-07-01');

  it('is an xlsx (a ZIP package) with the seed title, 填报单位 and 填报日期', async () => {
    const buf = await summaryWorkbook(summary);
    expect(buf.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    const ws = await load(buf);
    expect(ws.name).toBe('结果汇总表');
    expect(text(ws, 'A1')).toBe(SUMMARY_TITLE);
    expect(ws.getCell('A1').font.name).toBe('宋体');
    expect(ws.getCell('A1').font.bold).toBe(true);
    expect(text(ws, 'A2')).toBe('填报单位（章）：忻州重工股份有限公司');
    expect(text(ws, 'I2')).toBe(`统一社会信用代码：${creditCode}`);
    expect(text(ws, 'A3')).toBe('认定批次：B-2026-0007');
    expect(text(ws, 'I3')).toBe('填报日期：2026年7月1日');
    expect(rowValues(ws, 4, 1, 14).filter((v) => v !== null)).toEqual(expect.arrayContaining(['评价时间', '2026年6月1日 至 2026年6月3日', '申报人数', 6]));
    expect([text(ws, 'A5'), text(ws, 'C5'), text(ws, 'I5'), text(ws, 'L5')]).toEqual(['评价人数', 5, '合格人数', 4]);
  });

  it('has the merged heading 评价工种 | 等级及合格人数 (初级 … 高级技师, 小计), 参评 and 合格 under each', async () => {
    const ws = await load(await summaryWorkbook(summary));
    const merges = (ws.model as unknown as { merges: string[] }).merges;
    expect(merges).toEqual(
      expect.arrayContaining(['A1:N1', 'A6:A8', 'B6:B8', 'C6:N6', 'C7:D7', 'E7:F7', 'G7:H7', 'I7:J7', 'K7:L7', 'M7:N7', 'A4:B4', 'C4:H4']),
    );
    expect([text(ws, 'A6'), text(ws, 'B6'), text(ws, 'C6')]).toEqual(['评价工种', '职业编码', '等级及合格人数']);
    expect(['C7', 'E7', 'G7', 'I7', 'K7', 'M7'].map((a) => text(ws, a))).toEqual(['初级', '中级', '高级', '技师', '高级技师', '小计']);
    expect(rowValues(ws, 8, 3, 6)).toEqual(['参评人数', '合格人数', '参评人数', '合格人数']);
    expect(ws.getCell('D6').isMerged).toBe(true);
    expect(ws.getCell('D6').master.address).toBe('C6');
    expect(ws.getCell('C8').border.top?.style).toBe('thin');
  });

  it('has one row per 评价工种 and the 合计 row, with the figures of summaryCsv', async () => {
    const ws = await load(await summaryWorkbook(summary));
    const r = SUMMARY_FIRST_DATA_ROW;
    // 车工 4级: 张三 passes, 李四 fails; 3级: 王五 passes
    expect(rowValues(ws, r, 1, 14)).toEqual(['车工', '6-18-01-01', 0, 0, 2, 1, 1, 1, 0, 0, 0, 0, 3, 2]);
    expect(rowValues(ws, r + 1, 1, 14)).toEqual(['焊工（电焊工）', '6-18-02-04', 2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 3, 2]);
    // B is merged into A: exceljs reports the master's value there
    expect(rowValues(ws, r + 2, 1, 14)).toEqual(['合计', '合计', 2, 1, 3, 2, 1, 1, 0, 0, 0, 0, 6, 4]);
    expect(ws.getCell(r + 2, 2).master.address).toBe(`A${r + 2}`);

    // the CSV's data lines hold the same numbers in the same order
    const csv = csvRows(summaryCsv(summary));
    const dataLines = csv.slice(4);
    expect(dataLines).toHaveLength(3);
    dataLines.forEach((line, i) => {
      const cells = rowValues(ws, r + i, 3, 14).map(String);
      expect(line.slice(2)).toEqual(cells);
      expect(line[0]).toBe(ws.getCell(r + i, 1).value);
    });
  });

  it('ends with the opinion rows of the 市级 and 省 centers and the 注 line', async () => {
    const ws = await load(await summaryWorkbook(summary));
    const r = SUMMARY_FIRST_DATA_ROW + 3;
    expect([text(ws, `A${r}`), text(ws, `C${r}`)]).toEqual(['市级职业技能鉴定中心意见', OPINION_TEXT]);
    expect([text(ws, `A${r + 1}`), text(ws, `C${r + 1}`)]).toEqual(['省职业技能鉴定中心意见', OPINION_TEXT]);
    expect(String(text(ws, `C${r}`))).toMatch(/承办人：.*负责人：.*（章）\n年　　月　　日/);
    expect(text(ws, `A${r + 2}`)).toBe(SUMMARY_NOTE);
    expect((ws.model as unknown as { merges: string[] }).merges).toEqual(expect.arrayContaining([`C${r}:N${r}`, `A${r + 2}:N${r + 2}`]));
  });

  it('prints on A4 landscape, one page wide, repeating the heading; the heading is frozen', async () => {
    const ws = await load(await summaryWorkbook(summary));
    expect(ws.pageSetup.paperSize).toBe(9);
    expect(ws.pageSetup.orientation).toBe('landscape');
    expect(ws.pageSetup.fitToPage).toBe(true);
    expect(ws.pageSetup.fitToWidth).toBe(1);
    expect(ws.pageSetup.printTitlesRow).toBe('6:8');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 8, xSplit: 2 });
    expect(ws.getColumn(1).width).toBeGreaterThanOrEqual(16);
  });

  it('leaves the date blank to fill by hand when there is no 填报日期, and writes no formula for a formula-looking name', async () => {
    const s = buildSummary(src);
    s.rows[0] = { ...s.rows[0], occupationName: '=SUM(A1:A9)', trade: undefined };
    const ws = await load(await summaryWorkbook(s));
    expect(text(ws, 'I3')).toBe('填报日期：　　　　年　　月　　日');
    const cell = ws.getCell(SUMMARY_FIRST_DATA_ROW, 1);
    expect(cell.type).toBe(ValueType.String);
    expect(cell.formula).toBeUndefined();
    expect(cell.value).toBe('=SUM(A1:A9)');
  });
});

describe('合格人员花名册 (001 附件4)', () => {
  const src = source();
  const roster = buildRoster(src);
  const meta = { institution: src.institution, batchId: src.id, reportDate: '2026-07-01' };

  it('has the seed title, 填报单位 and the columns of ROSTER_HEADER', async () => {
    const ws = await load(await rosterWorkbook(roster, meta));
    expect(ws.name).toBe('合格人员花名册');
    expect(text(ws, 'A1')).toBe(ROSTER_TITLE);
    expect((ws.model as unknown as { merges: string[] }).merges).toEqual(expect.arrayContaining(['A1:K1', 'A2:F2', 'G2:K2']));
    expect(text(ws, 'A2')).toBe('填报单位（章）：忻州重工股份有限公司');
    expect(text(ws, 'G3')).toBe('填报日期：2026年7月1日');
    expect(rowValues(ws, ROSTER_HEADER_ROW, 1, ROSTER_HEADER.length)).toEqual(ROSTER_HEADER);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: ROSTER_HEADER_ROW });
    expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', printTitlesRow: `${ROSTER_HEADER_ROW}:${ROSTER_HEADER_ROW}` });
  });

  it('lists the passed candidates as rosterCsv does, ID numbers as text', async () => {
    expect(roster.map((r) => r.name)).toEqual(['张三', '王五', FORMULA_NAME, '钱七']);
    const ws = await load(await rosterWorkbook(roster, meta));
    const first = ROSTER_HEADER_ROW + 1;
    expect(rowValues(ws, first, 1, 11)).toEqual([1, '张三', '男', roster[0].idNumber, '操作工', 6, '车工', '四级/中级工', 80, 90, null]);
    expect(rowValues(ws, first + 1, 9, 10)).toEqual([88.5, 77]);

    const csv = csvRows(rosterCsv(roster)).slice(1);
    csv.forEach((line, i) => {
      // the CSV guards formula-looking text with an apostrophe; the workbook does not need to
      const expected = line.map((c) => c.replace(/^'(?=[=+\-@])/, ''));
      expect(rowValues(ws, first + i, 1, 11).map((v) => (v === null ? '' : String(v)))).toEqual(expected);
    });

    for (let i = 0; i < roster.length; i++) {
      const id = ws.getCell(first + i, 4);
      expect(id.type).toBe(ValueType.String);
      expect(id.value).toBe(roster[i].idNumber);
      expect(id.numFmt).toBe('@');
    }
    expect(roster[0].idNumber).toMatch(/^\d{18}$/);
  });

  it('stores a formula-looking name as a string, never a formula', async () => {
    const ws = await load(await rosterWorkbook(roster, meta));
    const cell = ws.getCell(ROSTER_HEADER_ROW + 3, 2);
    expect(cell.value).toBe(FORMULA_NAME);
    expect(cell.type).toBe(ValueType.String);
    expect(cell.formula).toBeUndefined();
    expect(cell.numFmt).toBe('@');
  });

  it('reads back with read-excel-file (a second XLSX reader): header, ID numbers and the name as strings', async () => {
    const buf = await rosterWorkbook(roster, meta);
    const sheets = await readXlsxFile(buf);
    const data = sheets[0].data as unknown[][];
    const header = data.findIndex((r) => r[0] === '序号');
    expect(data[0][0]).toBe(ROSTER_TITLE);
    expect(data[header]).toEqual(ROSTER_HEADER);
    const rows = data.slice(header + 1, header + 1 + roster.length);
    expect(rows.map((r) => r[3])).toEqual(roster.map((r) => r.idNumber));
    expect(rows.every((r) => typeof r[3] === 'string')).toBe(true);
    expect(rows[2][1]).toBe(FORMULA_NAME);
    expect(data[header + 1 + roster.length][0]).toBe(ROSTER_NOTE);
  });

  it('writes an empty roster as a readable form saying so', async () => {
    const ws = await load(await rosterWorkbook([], { ...meta, reportDate: undefined }));
    expect(text(ws, `A${ROSTER_HEADER_ROW + 1}`)).toBe('（本批次无合格人员）');
    expect(text(ws, 'G3')).toBe('填报日期：　　　　年　　月　　日');
  });

  it('drops characters XML forbids instead of writing a file Excel cannot open', async () => {
    const bad = [{ ...roster[0], name: '张\u0001三\u0008', post: 'a\u000bb' }];
    const buf = await rosterWorkbook(bad, meta);
    const ws = await load(buf);
    expect(text(ws, `B${ROSTER_HEADER_ROW + 1}`)).toBe('张三');
    expect((await readXlsxFile(buf))[0].data.length).toBeGreaterThan(ROSTER_HEADER_ROW);
    expect(cellText('x'.repeat(40_000))).toHaveLength(32_767);
    expect(chineseDate('2026-01-09')).toBe('2026年1月9日');
  });

  it('writes 2000 candidates (a batch at its maximum) in reasonable time', async () => {
    const many = Array.from({ length: 2000 }, (_, i) => ({
      ...roster[0],
      seq: i + 1,
      name: `考生${i + 1}`,
      idNumber: makeIdNumber('140902', '19900101', i % 1000),
    }));
    const t0 = performance.now();
    const buf = await rosterWorkbook(many, meta);
    const ms = performance.now() - t0;
    const ws = await load(buf);
    expect(ws.getCell(ROSTER_HEADER_ROW + 2000, 2).value).toBe('考生2000');
    console.log(`rosterWorkbook: 2000 rows in ${ms.toFixed(0)} ms, ${(buf.length / 1024).toFixed(0)} KiB`);
  });
});
