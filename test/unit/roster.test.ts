/**
 * The console's spreadsheet reader (console/roster.ts): a 花名册 as CSV (UTF-8 with BOM, GBK) and
 * as a real XLSX, header variants, row-level errors (bad ID number, duplicate, outside the filed
 * scope, not own staff, missing fields) and the score sheet.
 */
import { makeCreditCode, makeIdNumber } from '../../domain/identifiers';
import { parseLevel, parseRosterFile, parseScoreFile, rosterTemplateCsv, ROSTER_TEMPLATE_HEADER, type RosterScope } from '../../console/roster';
import { xlsxOf } from '../fixtures/roster-xlsx';

const own = makeCreditCode('91220102MA1234567');
const subsidiary = makeCreditCode('91220102MA7654321');
const stranger = makeCreditCode('91110000MA0000001');
const id = (n: number) => makeIdNumber('220102', '19900101', String(n).padStart(3, '0'));
/** the same number with a wrong check character */
const wrongCheck = (x: string) => x.slice(0, 17) + (x[17] === '0' ? '1' : '0');
const scope: RosterScope = {
  occupations: [
    { code: '6-18-01-01', name: '车工', levels: [5, 4, 3] },
    { code: '6-18-02-04', name: '焊工', trade: '电焊工', levels: [5, 4] },
  ],
  today: '2026-06-01',
};
const yScope: RosterScope = { ...scope, ownCreditCodes: [own, subsidiary] };

const HEADER = ['序号', '姓名', '身份证号', '性别', '岗位/工种', '本岗位工作年限', '职业编码', '等级', '工作单位统一社会信用代码'];
const row = (n: number, over: Partial<Record<string, string | number>> = {}) => {
  const base: Record<string, string | number> = {
    序号: n,
    姓名: `考生${n}`,
    身份证号: id(n),
    性别: n % 2 ? '男' : '女',
    '岗位/工种': '车工',
    本岗位工作年限: 5,
    职业编码: '6-18-01-01',
    等级: '四级/中级工',
    工作单位统一社会信用代码: own,
    ...over,
  };
  return HEADER.map((h) => base[h]);
};
const csv = (rows: unknown[][], bom = true) =>
  Buffer.from((bom ? '\uFEFF' : '') + rows.map((r) => r.map((c) => (c === undefined ? '' : String(c))).join(',')).join('\r\n') + '\r\n', 'utf8');

describe('花名册 (candidates)', () => {
  it('reads good rows from a UTF-8 CSV with BOM into API candidates', async () => {
    const r = await parseRosterFile(csv([HEADER, row(1), row(2, { 等级: 3, 性别: '' })]), yScope);
    expect(r.fileError).toBeUndefined();
    expect(r.errors).toEqual([]);
    expect(r.candidates).toEqual([
      { name: '考生1', idNumber: id(1), sex: 'M', post: '车工', yearsInPost: 5, occupationCode: '6-18-01-01', level: 4, employerCreditCode: own },
      { name: '考生2', idNumber: id(2), post: '车工', yearsInPost: 5, occupationCode: '6-18-01-01', level: 3, employerCreditCode: own },
    ]);
    expect(r.rowNumbers).toEqual([2, 3]);
  });

  it('reads a real XLSX workbook, numbers as numeric cells, with a title line above the header', async () => {
    const book = xlsxOf([
      ['企业职业技能等级认定考生花名册'],
      ['填报单位（章）：长春精工'],
      ['序号', '姓名', '性别', '身份证号码', '岗位', '工龄', '申报职业', '评价等级', '工作单位统一社会信用代码', '备注'],
      [1, '张三', '男', id(11), '车工', 12, '车工', 4, own, '班组长'],
      [2, '李四', '女', id(12), '焊接', 3, '焊工（电焊工）', '五级', subsidiary, null],
      [3, '王五', '男', wrongCheck(id(13)), '车工', 2, '车工', 4, own, null],
    ]);
    const r = await parseRosterFile(book, yScope);
    expect(r.fileError).toBeUndefined();
    expect(r.candidates.map((c) => [c.name, c.idNumber, c.occupationCode, c.level, c.yearsInPost])).toEqual([
      ['张三', id(11), '6-18-01-01', 4, 12],
      ['李四', id(12), '6-18-02-04', 5, 3],
    ]);
    // row numbers are the spreadsheet's own (title lines and header counted)
    expect(r.errors).toEqual([{ row: 6, name: '王五', idNumber: wrongCheck(id(13)), reasons: ['身份证号校验位不正确（请核对号码）'] }]);
    expect(r.ignoredColumns).toEqual(['备注']);
  });

  it('reports each bad row with its number and every reason: bad ID, duplicate, out-of-scope level and occupation, missing fields', async () => {
    const r = await parseRosterFile(
      csv([
        HEADER,
        row(1),
        row(2, { 身份证号: wrongCheck(id(3)) }),
        row(3, { 身份证号: id(1) }),
        row(4, { 等级: '一级/高级技师' }),
        row(5, { 职业编码: '6-30-01-01' }),
        row(6, { 姓名: '', 本岗位工作年限: '很久', 性别: '男' }),
        [], // a blank line (row 8) is skipped
        row(8, { 工作单位统一社会信用代码: stranger }),
        row(9, { 身份证号: '1.10101E+17' }),
      ]),
      yScope,
    );
    expect(r.candidates.map((c) => c.name)).toEqual(['考生1']);
    const byRow = Object.fromEntries(r.errors.map((e) => [e.row, e.reasons]));
    expect(Object.keys(byRow).map(Number)).toEqual([3, 4, 5, 6, 7, 9, 10]);
    expect(byRow[3]).toEqual(['身份证号校验位不正确（请核对号码）']);
    expect(byRow[4]).toEqual(['身份证号与第 2 行重复（每人每批次只能报1个职业）']);
    expect(byRow[5][0]).toMatch(/等级 一级\/高级技师 超出备案范围（车工 备案等级：五级\/初级工、四级\/中级工、三级\/高级工）/);
    expect(byRow[6]).toEqual(['职业 6-30-01-01 不在所选备案的范围内']);
    expect(byRow[7]).toEqual(expect.arrayContaining(['姓名未填写', '性别与身份证号不符', '本岗位工作年限“很久”应为 0–60 的数字']));
    expect(byRow[9][0]).toMatch(/不是本单位或所属单位的职工/);
    expect(byRow[10][0]).toMatch(/存成了数字/);
  });

  it('an S institution needs no employer code; a Y institution does', async () => {
    const header = HEADER.slice(0, -1);
    const rows = [header, row(1).slice(0, -1)];
    expect((await parseRosterFile(csv(rows), scope)).errors).toEqual([]);
    const y = await parseRosterFile(csv(rows), yScope);
    expect(y.errors[0].reasons).toEqual(['工作单位统一社会信用代码未填写（企业只能认定本单位职工）']);
  });

  it('dispatched workers count as staff of the unit they are placed with', async () => {
    const header = [...HEADER, '用工形式', '派驻单位统一社会信用代码'];
    const r = await parseRosterFile(csv([header, [...row(1, { 工作单位统一社会信用代码: stranger }), '劳务派遣', own]]), yScope);
    expect(r.errors).toEqual([]);
    expect(r.candidates[0]).toMatchObject({ employment: 'dispatched', placedWithCreditCode: own, employerCreditCode: stranger });
  });

  it('reads a GBK CSV (what Excel on Chinese Windows saves) and header variants', async () => {
    // GBK bytes (Node cannot encode GBK): the header "姓名,身份证号,岗位,工龄,职业代码,申报等级" and a row for 张三
    const gbk = Buffer.from('d0d5c3fb2cc9edb7ddd6a4bac52cb8dacebb2cb9a4c1e42cd6b0d2b5b4fac2eb2cc9eab1a8b5c8bcb6', 'hex');
    expect(new TextDecoder('gb18030').decode(gbk)).toBe('姓名,身份证号,岗位,工龄,职业代码,申报等级');
    const name = Buffer.from('d5c5c8fd', 'hex'); // 张三
    const file = Buffer.concat([gbk, Buffer.from('\r\n'), name, Buffer.from(`,${id(1)},x,1,6-18-01-01,5\r\n`)]);
    const r = await parseRosterFile(file, scope);
    expect(r.fileError).toBeUndefined();
    expect(r.candidates).toEqual([{ name: '张三', idNumber: id(1), post: 'x', yearsInPost: 1, occupationCode: '6-18-01-01', level: 5 }]);
  });

  it('refuses files it cannot use as a whole, in plain words', async () => {
    expect((await parseRosterFile(Buffer.alloc(0), scope)).fileError).toMatch(/空的/);
    expect((await parseRosterFile(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0, 0, 0]), scope)).fileError).toMatch(/\.xls/);
    expect((await parseRosterFile(Buffer.from('a,b,c\r\n1,2,3\r\n'), scope)).fileError).toMatch(/没有找到表头/);
    expect(
      (
        await parseRosterFile(
          csv([
            ['姓名', '身份证号'],
            ['张三', id(1)],
          ]),
          scope,
        )
      ).fileError,
    ).toMatch(/缺少这些列：岗位\/工种、本岗位工作年限、职业编码（或申报职业）、等级/);
    expect((await parseRosterFile(csv([HEADER]), scope)).fileError).toMatch(/没有考生/);
    expect((await parseRosterFile(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), scope)).fileError).toMatch(/无法读取这个 Excel 文件/);
  });

  it('levels in every common spelling', () => {
    expect(['1', '2级', '三级', '四级/中级工', '中级工', '中级', '初级', '技师', '高级技师', '高级工'].map(parseLevel)).toEqual([1, 2, 3, 4, 4, 4, 5, 2, 1, 3]);
    expect(parseLevel('六级')).toBeNull();
  });

  it('the template has the header, one example row and a BOM, and parses back with the filing filled in', async () => {
    const t = rosterTemplateCsv({ creditCode: own, occupationCode: '6-18-01-01', occupationName: '车工', level: 4 });
    expect(t.startsWith('\uFEFF')).toBe(true);
    const lines = t.slice(1).trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(ROSTER_TEMPLATE_HEADER.join(','));
    const r = await parseRosterFile(Buffer.from(t, 'utf8'), { ...yScope, today: '2026-06-01' });
    expect(r.errors).toEqual([]);
    expect(r.candidates).toHaveLength(1);
  });
});

describe('成绩表 (scores)', () => {
  const ids = [id(1), id(2), id(3)];
  it('reads 身份证号 plus module columns, skipping rows without scores', async () => {
    const r = await parseScoreFile(
      csv([
        ['身份证号', '姓名', '理论知识', '操作技能', '缺考'],
        [ids[0], '考生1', 75, '80分', ''],
        [ids[1], '考生2', '', '', ''],
        [ids[2], '考生3', '', '', '是'],
      ]),
      ['theory', 'skill'],
      ids,
    );
    expect(r.fileError).toBeUndefined();
    expect(r.errors).toEqual([]);
    expect(r.scores).toEqual([
      { idNumber: ids[0], theory: 75, skill: 80 },
      { idNumber: ids[2], absent: true },
    ]);
  });

  it('row errors for unknown candidates, duplicates and bad numbers; a module the plan lacks is a file error', async () => {
    const xlsx = xlsxOf([
      ['身份证号', '理论成绩', '技能成绩'],
      [ids[0], 75, 101],
      [id(99), 60, 60],
      [ids[1], 70, 70],
      [ids[1], 71, 71],
    ]);
    const r = await parseScoreFile(xlsx, ['theory', 'skill'], ids);
    expect(r.errors.map((e) => [e.row, e.reasons])).toEqual([
      [2, ['操作技能成绩“101”应为 0–100 的数字']],
      [3, ['不是本批次的考生']],
      [5, ['与第 4 行重复']],
    ]);
    expect(
      (
        await parseScoreFile(
          csv([
            ['身份证号', '答辩'],
            [ids[0], 60],
          ]),
          ['theory'],
          ids,
        )
      ).fileError,
    ).toMatch(/没有这些考核模块：综合评审/);
  });
});
