/**
 * console/charts.ts: the dashboard's charts rendered by vega to SVG in Node, with no canvas.
 * Each chart: a well-formed SVG root with role="img", aria-label and <title>; the labels as text;
 * one bar (or point) per datum; caller text escaped (a label "<script>" stays text); nothing a
 * CSP would block or a page could run (no script, no on* or style attributes, no ids); the same
 * SVG for the same input; and the table for screen readers. Timings are printed, not asserted.
 */
import { barChartSvg, cleanText, estimateTextWidth, groupedBarSvg, lineChartSvg, preloadCharts, type Chart } from '../../console/charts';

const ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
const TAG = /^<(\/)?([A-Za-z][\w:.-]*)((?:\s+[A-Za-z_:][\w:.-]*="[^"<]*")*)\s*(\/)?>$/;

/** Well-formed XML as vega writes it (elements, attributes, text; no comments, CDATA or PIs). */
function expectWellFormed(svg: string) {
  expect(svg.startsWith('<svg ')).toBe(true);
  expect(svg.endsWith('</svg>')).toBe(true);
  expect(svg).not.toMatch(/<[!?]/);
  const stack: string[] = [];
  for (const token of svg.match(/<[^>]*>|[^<]+/g) ?? []) {
    if (!token.startsWith('<')) {
      expect(token).not.toMatch(ENTITY);
      continue;
    }
    const m = TAG.exec(token);
    if (!m) throw new Error(`malformed tag: ${token.slice(0, 120)}`);
    const [, closing, name, attrs, selfClosing] = m;
    expect(attrs ?? '').not.toMatch(ENTITY);
    const names = [...(attrs ?? '').matchAll(/\s([\w:.-]+)=/g)].map((a) => a[1]);
    expect(new Set(names).size).toBe(names.length);
    if (closing) expect(stack.pop()).toBe(name);
    else if (!selfClosing) stack.push(name);
  }
  expect(stack).toEqual([]);
}

/** The root start tag. */
const rootTag = (svg: string) => svg.slice(0, svg.indexOf('>') + 1);

/** Rects (vega writes them as <path>) of the named rect marks; a grouped chart has one mark per group. */
function countMarks(svg: string, kind: 'rect' | 'symbol', name: string): number {
  const groups = svg.match(new RegExp(`<g class="mark-${kind} role-mark ${name}"[^>]*>(.*?)</g>`, 'g')) ?? [];
  return groups.reduce((n, g) => n + (g.match(/<path /g) ?? []).length, 0);
}

const decode = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The lines of every <text> element (a multi-line label is one <tspan> a line), entities decoded. */
const texts = (svg: string) =>
  [...svg.matchAll(/<text[^>]*>(.*?)<\/text>/g)]
    .flatMap((m) => (m[1].includes('<tspan') ? [...m[1].matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((t) => t[1]) : [m[1]]))
    .map(decode);

/** Element and attribute names of every start tag. */
const tags = (svg: string) =>
  [...svg.matchAll(/<([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*\/?>/g)].map((m) => ({
    name: m[1],
    attrs: [...m[2].matchAll(/\s([\w:.-]+)="([^"]*)"/g)].map((a) => ({ name: a[1], value: a[2] })),
  }));

/** Nothing CSP blocks or a browser runs: no script, no handlers, no style, no links, no ids. */
function expectInert(svg: string) {
  const all = tags(svg);
  const elements = new Set(all.map((t) => t.name));
  expect([...elements].filter((e) => !['svg', 'title', 'g', 'rect', 'path', 'line', 'text', 'tspan'].includes(e))).toEqual([]);
  const attrs = new Set(all.flatMap((t) => t.attrs.map((a) => a.name)));
  expect([...attrs].filter((a) => /^on|^style$|href$|^id$/i.test(a))).toEqual([]);
  expect(all.flatMap((t) => t.attrs).filter((a) => /javascript:|url\(/i.test(a.value))).toEqual([]);
  expect(svg).not.toMatch(/NaN|undefined|Infinity/);
}

function expectAccessible(chart: Chart, title: string) {
  const root = rootTag(chart.svg);
  expect(root).toContain('role="img"');
  expect(root).toContain(`aria-label="${title}"`);
  expect(root).not.toContain('aria-roledescription');
  expect(chart.svg).toContain(`<title>${title}</title>`);
  expect(chart.table.caption).toBe(title);
}

const STAGES = [
  { label: '材料审核', value: 12 },
  { label: '补正', value: 3 },
  { label: '现场核查', value: 5 },
  { label: '公示', value: 0 },
  { label: '已备案', value: 120 },
];
const PREFECTURES = ['太原市', '大同市', '阳泉市', '长治市', '晋城市', '朔州市', '晋中市', '运城市', '忻州市', '临汾市', '吕梁市'];
const LEVELS = ['初级', '中级', '高级', '技师', '高级技师'];

beforeAll(async () => {
  const t0 = performance.now();
  await preloadCharts();
  console.log(`charts: loading vega took ${(performance.now() - t0).toFixed(0)} ms (jest, vega compiled to CommonJS)`);
});

describe('barChartSvg', () => {
  it('draws one bar per datum, with the labels and values as text', async () => {
    const c = await barChartSvg({ title: '各阶段备案数', xTitle: '阶段', yTitle: '备案数', data: STAGES });
    expectWellFormed(c.svg);
    expectInert(c.svg);
    expectAccessible(c, '各阶段备案数');
    expect(countMarks(c.svg, 'rect', 'bars')).toBe(STAGES.length);
    const t = texts(c.svg);
    for (const s of STAGES) expect(t).toContain(s.label);
    expect(t).toEqual(expect.arrayContaining(['阶段', '备案数', '各阶段备案数', '120', '12']));
    expect(c.table).toEqual({ caption: '各阶段备案数', head: ['阶段', '备案数'], rows: STAGES.map((s) => [s.label, s.value]) });
  });

  it('lays bars along y when horizontal (e.g. overdue steps by prefecture)', async () => {
    const data = PREFECTURES.map((label, i) => ({ label, value: (i * 7) % 11 }));
    const c = await barChartSvg({ title: '各市逾期环节', xTitle: '逾期环节数', yTitle: '地市', orientation: 'horizontal', data });
    expectWellFormed(c.svg);
    expect(countMarks(c.svg, 'rect', 'bars')).toBe(data.length);
    expect(texts(c.svg)).toEqual(expect.arrayContaining(PREFECTURES));
    expect(c.table.head).toEqual(['地市', '逾期环节数']);
  });

  it('escapes a label "<script>" and quotes in titles; drops characters XML forbids', async () => {
    const c = await barChartSvg({
      title: '标题"><script>alert(1)</script>',
      xTitle: '阶段 & 状态',
      yTitle: "数量'",
      data: [
        { label: '<script>', value: 1 },
        { label: '<img src=x onerror=alert(1)>', value: 2 },
        { label: 'a\u0000b\u001fc', value: 3 },
      ],
    });
    expectWellFormed(c.svg);
    expectInert(c.svg);
    expect(c.svg).toContain('&lt;script&gt;');
    expect(rootTag(c.svg)).toContain('aria-label="标题&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(c.svg).not.toMatch(/<img/);
    expect(c.svg).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const t = texts(c.svg);
    expect(t).toEqual(expect.arrayContaining(['<script>', 'abc', '阶段 & 状态', "数量'"]));
    expect(c.table.rows.map((r) => r[0])).toEqual(['<script>', '<img src=x onerror=alert(1)>', 'abc']);
  });

  it('keeps repeated labels apart and renders no data as a note', async () => {
    const twice = await barChartSvg({
      title: 't',
      xTitle: 'x',
      yTitle: 'y',
      data: [
        { label: '同名', value: 1 },
        { label: '同名', value: 2 },
      ],
    });
    expect(countMarks(twice.svg, 'rect', 'bars')).toBe(2);
    const none = await barChartSvg({ title: '无数据', xTitle: 'x', yTitle: 'y', data: [] });
    expectWellFormed(none.svg);
    expect(countMarks(none.svg, 'rect', 'bars')).toBe(0);
    expect(texts(none.svg)).toContain('暂无数据');
    await expect(barChartSvg({ title: 't', xTitle: 'x', yTitle: 'y', data: [{ label: 'a', value: Number.NaN }] })).rejects.toThrow(/finite/);
  });

  it('is deterministic: the same input gives the same SVG', async () => {
    const o = { title: '各阶段备案数', xTitle: '阶段', yTitle: '备案数', data: STAGES };
    const [a, b] = [await barChartSvg(o), await barChartSvg(o)];
    expect(a.svg).toBe(b.svg);
    const [c, d] = await Promise.all([barChartSvg(o), barChartSvg(o)]);
    expect(c.svg).toBe(a.svg);
    expect(d.svg).toBe(a.svg);
  });
});

describe('lineChartSvg', () => {
  const months = Array.from({ length: 12 }, (_, i) => ({
    month: `${i < 3 ? 2025 : 2026}-${String(((i + 9) % 12) + 1).padStart(2, '0')}`,
    value: 100 + ((i * 37) % 90),
  }));

  it('draws one point per month, the year under the first month and under January', async () => {
    const c = await lineChartSvg({ title: '每月发证数', xTitle: '月份', yTitle: '证书数', data: months });
    expectWellFormed(c.svg);
    expectInert(c.svg);
    expectAccessible(c, '每月发证数');
    expect(countMarks(c.svg, 'symbol', 'points')).toBe(12);
    expect(c.svg.match(/<g class="mark-line role-mark/g)).toHaveLength(1);
    const t = texts(c.svg);
    expect(t).toEqual(expect.arrayContaining(['10月', '2025年', '1月', '2026年', '9月']));
    expect(t.filter((x) => /^\d{4}年$/.test(x))).toEqual(['2025年', '2026年']);
    expect(c.table.head).toEqual(['月份', '证书数']);
    expect(c.table.rows[0]).toEqual(['2025年10月', 100]);
    expect(c.table.rows[3]).toEqual(['2026年1月', months[3].value]);
  });

  it('fills months without a value with 0, sums repeats, and refuses a malformed month', async () => {
    const c = await lineChartSvg({
      title: 't',
      xTitle: 'x',
      yTitle: 'y',
      data: [
        { month: '2026-03', value: 2 },
        { month: '2026-01', value: 5 },
        { month: '2026-01', value: 1 },
      ],
    });
    expect(countMarks(c.svg, 'symbol', 'points')).toBe(3);
    expect(c.table.rows).toEqual([
      ['2026年1月', 6],
      ['2026年2月', 0],
      ['2026年3月', 2],
    ]);
    const sparse = await lineChartSvg({
      title: 't',
      xTitle: 'x',
      yTitle: 'y',
      fillMissingMonths: false,
      data: [
        { month: '2026-03', value: 2 },
        { month: '2026-01', value: 5 },
      ],
    });
    expect(sparse.table.rows).toEqual([
      ['2026年1月', 5],
      ['2026年3月', 2],
    ]);
    await expect(lineChartSvg({ title: 't', xTitle: 'x', yTitle: 'y', data: [{ month: '2026-13', value: 1 }] })).rejects.toThrow(/YYYY-MM/);
  });
});

describe('groupedBarSvg', () => {
  const occupations = ['车工', '焊工（电焊工）', '电工', '<b>钳工</b>'];
  const data = occupations.flatMap((group, g) => LEVELS.map((series, s) => ({ group, series, value: (g + s) % 3 === 0 ? null : (g * 13 + s * 17) % 101 })));
  const present = data.filter((d) => d.value !== null).length;

  it('draws one bar per value present, a legend of the levels, and a pivoted table', async () => {
    const c = await groupedBarSvg({ title: '各职业各等级合格率（%）', xTitle: '合格率（%）', yTitle: '职业', seriesTitle: '等级', series: LEVELS, data });
    expectWellFormed(c.svg);
    expectInert(c.svg);
    expectAccessible(c, '各职业各等级合格率（%）');
    expect(countMarks(c.svg, 'rect', 'bars')).toBe(present);
    const t = texts(c.svg);
    expect(t).toEqual(expect.arrayContaining([...occupations, ...LEVELS, '等级', '100']));
    expect(c.svg).toContain('&lt;b&gt;钳工&lt;/b&gt;');
    expect(c.table.head).toEqual(['职业', ...LEVELS]);
    expect(c.table.rows[0]).toEqual(['车工', '—', 17, 34, '—', 68]);
    expect(c.table.rows).toHaveLength(occupations.length);
  });

  it('keeps the given series order, draws vertically on request, and refuses values outside 0–100', async () => {
    const c = await groupedBarSvg({
      title: 't',
      xTitle: '职业',
      yTitle: '合格率',
      seriesTitle: '等级',
      orientation: 'vertical',
      series: [...LEVELS].reverse(),
      data,
    });
    expect(c.table.head).toEqual(['职业', ...[...LEVELS].reverse()]);
    expect(countMarks(c.svg, 'rect', 'bars')).toBe(present);
    await expect(groupedBarSvg({ title: 't', xTitle: 'x', yTitle: 'y', seriesTitle: 's', data: [{ group: 'a', series: 'b', value: 101 }] })).rejects.toThrow(
      /0–100/,
    );
    const none = await groupedBarSvg({ title: 't', xTitle: 'x', yTitle: 'y', seriesTitle: 's', data: [] });
    expectWellFormed(none.svg);
    expect(texts(none.svg)).toContain('暂无数据');
  });
});

describe('text measurement without canvas', () => {
  it('takes Chinese characters as 1 em and the rest as 0.6 em, capped at the label limit', () => {
    expect(estimateTextWidth({ fontSize: 10 }, '车工')).toBe(20);
    expect(estimateTextWidth({ fontSize: 10 }, '12345')).toBeCloseTo(30);
    expect(estimateTextWidth({}, '中')).toBe(11);
    expect(estimateTextWidth({ fontSize: 10, limit: 15 }, '高级技师')).toBe(15);
    expect(cleanText(' a\n\tb\u0007 ')).toBe('a b');
  });

  it('is what vega uses: a long Chinese label is cut where 1 em a character says (vega alone guesses 0.8 em)', async () => {
    const long = '一二三四五六七八九十一二三四五六七八九十';
    const c = await barChartSvg({ title: 't', xTitle: 'x', yTitle: 'y', orientation: 'horizontal', data: [{ label: long, value: 1 }] });
    // label limit 160 px at 11 px: 13 characters and the ellipsis fit, where vega's guess would keep 17
    expect(texts(c.svg)).toContain(`${long.slice(0, 13)}…`);
  });
});

describe('a full dashboard: 12 months × 50 occupations (timings printed, not asserted)', () => {
  it('renders the four charts', async () => {
    const occupations = Array.from({ length: 50 }, (_, i) => `职业${String(i + 1).padStart(2, '0')}（工种名称）`);
    const grouped = occupations.flatMap((group, g) => LEVELS.map((series, s) => ({ group, series, value: (g * 7 + s * 11) % 101 })));
    const months = Array.from({ length: 12 }, (_, i) => ({ month: `2026-${String(i + 1).padStart(2, '0')}`, value: 50 * i }));
    const render = () =>
      Promise.all([
        barChartSvg({ title: '各阶段备案数', xTitle: '阶段', yTitle: '备案数', data: STAGES }),
        barChartSvg({
          title: '各市逾期环节',
          xTitle: '逾期环节数',
          yTitle: '地市',
          orientation: 'horizontal',
          data: PREFECTURES.map((label, i) => ({ label, value: i })),
        }),
        lineChartSvg({ title: '每月发证数', xTitle: '月份', yTitle: '证书数', data: months }),
        groupedBarSvg({ title: '各职业各等级合格率（%）', xTitle: '合格率（%）', yTitle: '职业', seriesTitle: '等级', series: LEVELS, data: grouped }),
      ]);
    const times: number[] = [];
    let charts: Chart[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      charts = await render();
      times.push(performance.now() - t0);
    }
    const t1 = performance.now();
    const big = await groupedBarSvg({ title: 'g', xTitle: 'x', yTitle: 'y', seriesTitle: 's', series: LEVELS, data: grouped });
    const groupedMs = performance.now() - t1;
    expect(countMarks(big.svg, 'rect', 'bars')).toBe(250);
    expect(countMarks(charts[2].svg, 'symbol', 'points')).toBe(12);
    charts.forEach((c) => expectWellFormed(c.svg));
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      [
        `charts: dashboard of 4 charts (5 stages, 11 prefectures, 12 months, 50 occupations × 5 levels): first ${times[0].toFixed(0)} ms, median ${sorted[2].toFixed(0)} ms, min ${sorted[0].toFixed(0)} ms`,
        `charts: 250-bar grouped chart alone ${groupedMs.toFixed(0)} ms; SVG sizes ${charts.map((c) => `${(c.svg.length / 1024).toFixed(1)} KiB`).join(', ')}`,
      ].join('\n'),
    );
  });
});
