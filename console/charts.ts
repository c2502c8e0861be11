/**
 * The dashboard's charts (/dashboard: filings by stage, overdue steps by prefecture, certificates
 * per month, pass rate by occupation and level) as SVG drawn on the server, so the page needs no
 * script, and with the same figures as a table for screen readers to put beside each chart.
 *
 * Each chart is a Vega spec rendered headless by vega's View.toSVG() (renderer 'none': no DOM and
 * no canvas). Written as Vega rather than Vega-Lite: three fixed chart shapes do not need the
 * compiler, and without it there is one dependency less and no compile step per chart.
 *
 * Safety of the SVG, which a page puts into its HTML unescaped:
 * - every caller string (labels, titles) reaches Vega as data or as a literal, never inside an
 *   expression, and Vega escapes text content and attribute values (& < > " in SVG markup);
 * - characters that XML forbids (C0 controls) are dropped first: Vega does not escape them, and
 *   one would make the SVG malformed;
 * - Vega's SVG has no <script>, no on* attributes and no style attributes (fills, fonts and
 *   pointer-events are presentation attributes, which no CSP governs), and no ids, so several
 *   charts can share a page.
 *
 * Text width: without the optional `canvas` package Vega guesses every character at 0.8 em, too
 * narrow for Chinese (1 em) and too wide for digits, so axis titles could overlap the labels
 * beside them. `estimateTextWidth` replaces the guess unless `canvas` is installed (then Vega
 * measures). The root element is role="img" with an aria-label and a <title>: a screen reader
 * reads the title and then the table beside the chart, not Vega's marks one by one.
 */
import type { Spec, View as VegaView } from 'vega';

export interface ChartTable {
  caption: string;
  head: string[];
  rows: (string | number)[][];
}

export interface Chart {
  svg: string;
  table: ChartTable;
}

export interface BarDatum {
  label: string;
  value: number;
}

export interface MonthDatum {
  /** YYYY-MM */
  month: string;
  value: number;
}

export interface GroupedDatum {
  /** the group along the category axis, e.g. an occupation */
  group: string;
  /** the bar within the group, e.g. a level */
  series: string;
  /** 0–100 (%); null: no one was assessed, no bar */
  value: number | null;
}

interface CommonOptions {
  title: string;
  /** the title of the horizontal axis as drawn */
  xTitle: string;
  /** the title of the vertical axis as drawn */
  yTitle: string;
  /** plot width in px (axes and title come on top); default 640 */
  width?: number;
}

export interface BarChartOptions extends CommonOptions {
  data: BarDatum[];
  /** vertical (default): labels along x, values up y; horizontal: labels down y, values along x */
  orientation?: 'vertical' | 'horizontal';
  /** plot height in px for vertical bars; horizontal bars get 24 px per bar */
  height?: number;
}

export interface LineChartOptions extends CommonOptions {
  data: MonthDatum[];
  height?: number;
  /** months between the first and the last without a value are drawn as 0 (default true) */
  fillMissingMonths?: boolean;
}

export interface GroupedBarOptions extends CommonOptions {
  data: GroupedDatum[];
  /** title of the legend and of the table's series columns, e.g. 评价等级 */
  seriesTitle: string;
  /** order of the groups; default the order of first appearance in data */
  groups?: string[];
  /** order of the series (bars within a group), e.g. LEVEL_COLUMNS' labels; default first appearance */
  series?: string[];
  /** horizontal (default): groups down y, so long occupation names stay readable */
  orientation?: 'vertical' | 'horizontal';
}

/** The console's font stack (console.css), so the SVG text matches the page's. */
export const CHART_FONT = '-apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", "Source Han Sans SC", sans-serif';
const BAR_COLOR = '#3b6ea5';
/** Tableau 10's first five, distinguishable for the common colour-vision deficiencies */
const SERIES_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const DEFAULT_WIDTH = 640;
const EMPTY_TEXT = '暂无数据';
const MAX_FILLED_MONTHS = 240;

// ---------------------------------------------------------------------------------------------
// Loading vega
// ---------------------------------------------------------------------------------------------

type VegaModule = typeof import('vega');
interface TextItem {
  fontSize?: number | string;
  limit?: number;
}
interface TextMetrics {
  width: (item: TextItem, text: unknown) => number;
  estimateWidth: (item: TextItem, text: unknown) => number;
}

let loading: Promise<VegaModule> | undefined;

/**
 * vega 6 is ESM only, and its canvas probe is a top-level await, so require() cannot load it:
 * the import() stays an import() under tsx (the server) and becomes jest's require there, where
 * jest.config.js compiles vega to CommonJS.
 */
function loadVega(): Promise<VegaModule> {
  loading ??= import('vega').then(
    (vega) => {
      const metrics = (vega as unknown as { textMetrics?: TextMetrics }).textMetrics;
      if (metrics && metrics.width === metrics.estimateWidth) metrics.width = estimateTextWidth;
      return vega;
    },
    (e: unknown) => {
      // a failed load is not kept: the next chart tries again
      loading = undefined;
      throw e;
    },
  );
  return loading;
}

/** Loads vega ahead of the first chart (about a second of module loading), e.g. when the server starts. */
export async function preloadCharts(): Promise<void> {
  await loadVega();
}

const WIDE_CHAR =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;

/**
 * Text width in px without a canvas: 1 em for East Asian wide characters, 0.6 em for the rest.
 * Vega truncates a label to `limit` by asking for widths of shorter candidates, so this must not
 * truncate itself; capping at the limit keeps bounds of a truncated label right.
 */
export function estimateTextWidth(item: TextItem, text: unknown): number {
  const s = text == null ? '' : String(text).trim();
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  let em = 0;
  for (const ch of s) em += WIDE_CHAR.test(ch) ? 1 : 0.6;
  const w = em * size;
  return item.limit && item.limit > 0 ? Math.min(w, item.limit) : w;
}

// ---------------------------------------------------------------------------------------------
// Input hygiene and the SVG root
// ---------------------------------------------------------------------------------------------

/** Caller text as one line, without the characters XML 1.0 forbids (Vega would pass them through). */
export function cleanText(s: unknown): string {
  return String(s ?? '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);

function finiteNumber(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${what} must be a finite number, got ${String(v)}`);
  return v;
}

/** role="img", an aria-label and a <title> on the root, in place of any ARIA Vega put there. */
function labelRoot(svg: string, title: string): string {
  const end = svg.indexOf('>');
  if (!svg.startsWith('<svg') || end < 0) throw new Error('vega did not return an SVG document');
  const attrs = svg.slice(4, end).replace(/\s(?:role|aria-[a-z]+)="[^"]*"/g, '');
  const label = escapeXml(title);
  return `<svg${attrs} role="img" aria-label="${label}"><title>${label}</title>${svg.slice(end + 1)}`;
}

async function render(spec: Spec, title: string): Promise<string> {
  const vega = await loadVega();
  const view: VegaView = new vega.View(vega.parse(spec), { renderer: 'none', logLevel: vega.Warn });
  try {
    return labelRoot(await view.toSVG(), title);
  } finally {
    view.finalize();
  }
}

// ---------------------------------------------------------------------------------------------
// Spec pieces
// ---------------------------------------------------------------------------------------------

const config = {
  axis: {
    labelFont: CHART_FONT,
    titleFont: CHART_FONT,
    labelFontSize: 11,
    titleFontSize: 12,
    labelColor: '#333',
    titleColor: '#333',
    gridColor: '#e5e5e5',
    domainColor: '#888',
    tickColor: '#888',
  },
  legend: { labelFont: CHART_FONT, titleFont: CHART_FONT, labelFontSize: 11, titleFontSize: 12 },
  title: { font: CHART_FONT, fontSize: 14, anchor: 'start' as const, color: '#111', offset: 12 },
  text: { font: CHART_FONT },
};

function baseSpec(o: { title: string; width: number; height: number }): Spec {
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width: o.width,
    height: o.height,
    padding: 8,
    autosize: { type: 'pad' },
    background: 'white',
    config,
    title: { text: o.title, aria: false },
  };
}

/** A literal array as a signal value: data, never parsed as an expression. */
const labelSignal = (name: string, labels: (string | string[])[]) => ({ name, value: labels });

/** Chinese set sideways is hard to read: a left axis's title stands level above its top end. */
const titleAtTop = (orient: 'bottom' | 'left') =>
  orient === 'left' ? { titleAngle: 0, titleAlign: 'right' as const, titleBaseline: 'bottom' as const, titleX: 0, titleY: -10 } : {};

/** An axis whose ticks are indexes into a label signal (labels may repeat; indexes do not). */
function indexAxis(orient: 'bottom' | 'left', scale: string, title: string, signal: string, labelAngle = 0) {
  return {
    orient,
    scale,
    title,
    aria: false,
    labelLimit: 160,
    labelOverlap: false,
    zindex: 1,
    ...titleAtTop(orient),
    ...(labelAngle ? { labelAngle, labelAlign: 'right' as const, labelBaseline: 'middle' as const } : {}),
    encode: { labels: { update: { text: { signal: `${signal}[datum.value]` } } } },
  };
}

function valueAxis(orient: 'bottom' | 'left', scale: string, title: string, percent = false) {
  // counts are whole numbers: no 0.5 ticks
  return { orient, scale, title, aria: false, grid: true, tickCount: 5, format: ',d', ...(percent ? {} : { tickMinStep: 1 }), ...titleAtTop(orient) };
}

const emptyNote = (width: number, height: number) => ({
  type: 'text' as const,
  aria: false,
  encode: {
    enter: {
      x: { value: width / 2 },
      y: { value: height / 2 },
      text: { value: EMPTY_TEXT },
      align: { value: 'center' as const },
      baseline: { value: 'middle' as const },
      fill: { value: '#666' },
      fontSize: { value: 13 },
    },
  },
});

/** Rotate category labels when they cannot fit side by side. */
function labelAngleFor(labels: (string | string[])[], step: number): number {
  const widest = labels.flat().reduce((m, l) => Math.max(m, estimateTextWidth({ fontSize: 11 }, l)), 0);
  return widest > step - 4 ? -40 : 0;
}

// ---------------------------------------------------------------------------------------------
// The charts
// ---------------------------------------------------------------------------------------------

/** One bar per datum, in the given order (e.g. filings by stage, overdue steps by prefecture). */
export async function barChartSvg(o: BarChartOptions): Promise<Chart> {
  const title = cleanText(o.title);
  const xTitle = cleanText(o.xTitle);
  const yTitle = cleanText(o.yTitle);
  const labels = o.data.map((d) => cleanText(d.label));
  const values = o.data.map((d, i) => finiteNumber(d.value, `data[${i}].value`));
  const horizontal = o.orientation === 'horizontal';
  const width = o.width ?? DEFAULT_WIDTH;
  const height = horizontal ? Math.max(1, labels.length) * 24 : (o.height ?? 280);
  const rows = labels.map((label, i) => ({ i, value: values[i] }));
  const spec = baseSpec({ title, width, height });
  const cat = horizontal ? { range: 'height', axis: 'left' as const } : { range: 'width', axis: 'bottom' as const };
  const val = horizontal ? { range: 'width', axis: 'bottom' as const } : { range: 'height', axis: 'left' as const };
  const angle = horizontal ? 0 : labelAngleFor(labels, width / Math.max(1, labels.length));
  Object.assign(spec, {
    signals: [labelSignal('labels', labels)],
    data: [{ name: 'table', values: rows }],
    scales: [
      { name: 'cat', type: 'band', domain: labels.map((_, i) => i), range: cat.range, padding: 0.2 },
      { name: 'val', type: 'linear', domain: rows.length ? { data: 'table', field: 'value' } : [0, 1], range: val.range, nice: true, zero: true },
    ],
    axes: [indexAxis(cat.axis, 'cat', horizontal ? yTitle : xTitle, 'labels', angle), valueAxis(val.axis, 'val', horizontal ? xTitle : yTitle)],
    marks: [
      {
        type: 'rect',
        name: 'bars',
        aria: false,
        from: { data: 'table' },
        encode: {
          enter: horizontal
            ? {
                y: { scale: 'cat', field: 'i' },
                height: { scale: 'cat', band: 1 },
                x: { scale: 'val', value: 0 },
                x2: { scale: 'val', field: 'value' },
                fill: { value: BAR_COLOR },
              }
            : {
                x: { scale: 'cat', field: 'i' },
                width: { scale: 'cat', band: 1 },
                y: { scale: 'val', field: 'value' },
                y2: { scale: 'val', value: 0 },
                fill: { value: BAR_COLOR },
              },
        },
      },
      {
        // the figure at the end of each bar, so a sighted reader needs no tooltip
        type: 'text',
        aria: false,
        from: { data: 'bars' },
        encode: {
          enter: horizontal
            ? {
                x: { field: 'x2', offset: 4 },
                y: { field: 'y', offset: { field: 'height', mult: 0.5 } },
                baseline: { value: 'middle' },
                text: { signal: "format(datum.datum.value, ',')" },
                fontSize: { value: 11 },
                fill: { value: '#333' },
              }
            : {
                x: { field: 'x', offset: { field: 'width', mult: 0.5 } },
                y: { field: 'y', offset: -4 },
                align: { value: 'center' },
                text: { signal: "format(datum.datum.value, ',')" },
                fontSize: { value: 11 },
                fill: { value: '#333' },
              },
        },
      },
      ...(labels.length ? [] : [emptyNote(width, height)]),
    ],
  });
  const svg = await render(spec, title);
  const [catTitle, valTitle] = horizontal ? [yTitle, xTitle] : [xTitle, yTitle];
  return { svg, table: { caption: title, head: [catTitle, valTitle], rows: labels.map((l, i) => [l, values[i]]) } };
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const monthIndex = (m: string) => {
  const [, y, mo] = MONTH.exec(m) as RegExpExecArray;
  return Number(y) * 12 + Number(mo) - 1;
};
const monthName = (i: number) => `${Math.floor(i / 12)}年${(i % 12) + 1}月`;

/**
 * One line over months (e.g. certificates issued per month). Months are text, not dates, so the
 * server's time zone cannot shift a value into the neighbouring month.
 */
export async function lineChartSvg(o: LineChartOptions): Promise<Chart> {
  const title = cleanText(o.title);
  const xTitle = cleanText(o.xTitle);
  const yTitle = cleanText(o.yTitle);
  const byMonth = new Map<number, number>();
  o.data.forEach((d, i) => {
    if (typeof d.month !== 'string' || !MONTH.test(d.month)) throw new RangeError(`data[${i}].month must be YYYY-MM, got ${String(d.month)}`);
    const k = monthIndex(d.month);
    byMonth.set(k, (byMonth.get(k) ?? 0) + finiteNumber(d.value, `data[${i}].value`));
  });
  let months = [...byMonth.keys()].sort((a, b) => a - b);
  if (o.fillMissingMonths !== false && months.length > 1) {
    const first = months[0];
    const last = months[months.length - 1];
    if (last - first + 1 > MAX_FILLED_MONTHS) throw new RangeError(`at most ${MAX_FILLED_MONTHS} months in one chart`);
    months = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  }
  const values = months.map((m) => byMonth.get(m) ?? 0);
  // the year under the first month and under every January; the month alone elsewhere
  const labels = months.map((m, i) => (i === 0 || m % 12 === 0 ? [`${(m % 12) + 1}月`, `${Math.floor(m / 12)}年`] : `${(m % 12) + 1}月`));
  const width = o.width ?? DEFAULT_WIDTH;
  const height = o.height ?? 260;
  const spec = baseSpec({ title, width, height });
  Object.assign(spec, {
    signals: [labelSignal('labels', labels)],
    data: [{ name: 'table', values: values.map((value, i) => ({ i, value })) }],
    scales: [
      { name: 'x', type: 'point', domain: months.map((_, i) => i), range: 'width', padding: 0.5 },
      { name: 'y', type: 'linear', domain: values.length ? { data: 'table', field: 'value' } : [0, 1], range: 'height', nice: true, zero: true },
    ],
    axes: [indexAxis('bottom', 'x', xTitle, 'labels', labelAngleFor(labels, width / Math.max(1, labels.length))), valueAxis('left', 'y', yTitle)],
    marks: [
      {
        type: 'line',
        aria: false,
        from: { data: 'table' },
        encode: { enter: { x: { scale: 'x', field: 'i' }, y: { scale: 'y', field: 'value' }, stroke: { value: BAR_COLOR }, strokeWidth: { value: 2 } } },
      },
      {
        type: 'symbol',
        name: 'points',
        aria: false,
        from: { data: 'table' },
        encode: {
          enter: {
            x: { scale: 'x', field: 'i' },
            y: { scale: 'y', field: 'value' },
            size: { value: 36 },
            fill: { value: BAR_COLOR },
            stroke: { value: 'white' },
            strokeWidth: { value: 1 },
          },
        },
      },
      ...(months.length <= 24
        ? [
            {
              type: 'text',
              aria: false,
              from: { data: 'points' },
              encode: {
                enter: {
                  x: { field: 'x' },
                  y: { field: 'y', offset: -8 },
                  align: { value: 'center' },
                  text: { signal: "format(datum.datum.value, ',')" },
                  fontSize: { value: 10 },
                  fill: { value: '#333' },
                },
              },
            },
          ]
        : []),
      ...(months.length ? [] : [emptyNote(width, height)]),
    ],
  });
  const svg = await render(spec, title);
  return { svg, table: { caption: title, head: [xTitle, yTitle], rows: months.map((m, i) => [monthName(m), values[i]]) } };
}

/**
 * Bars grouped by one key and coloured by another, on a 0–100 % axis (e.g. pass rate by
 * occupation × level). The table pivots the same: one row per group, one column per series,
 * '—' where there is no value.
 */
export async function groupedBarSvg(o: GroupedBarOptions): Promise<Chart> {
  const title = cleanText(o.title);
  const xTitle = cleanText(o.xTitle);
  const yTitle = cleanText(o.yTitle);
  const seriesTitle = cleanText(o.seriesTitle);
  const unique = (xs: string[]) => [...new Set(xs)];
  const groups = unique([...(o.groups ?? []).map(cleanText), ...o.data.map((d) => cleanText(d.group))]);
  const series = unique([...(o.series ?? []).map(cleanText), ...o.data.map((d) => cleanText(d.series))]);
  const cell = new Map<string, number>();
  o.data.forEach((d, i) => {
    if (d.value === null) return;
    const v = finiteNumber(d.value, `data[${i}].value`);
    if (v < 0 || v > 100) throw new RangeError(`data[${i}].value must be 0–100 (%), got ${v}`);
    cell.set(`${groups.indexOf(cleanText(d.group))}|${series.indexOf(cleanText(d.series))}`, v);
  });
  const rows: { g: number; s: number; value: number }[] = [];
  groups.forEach((_, g) =>
    series.forEach((__, s) => {
      const v = cell.get(`${g}|${s}`);
      if (v !== undefined) rows.push({ g, s, value: v });
    }),
  );
  const horizontal = o.orientation !== 'vertical';
  const width = o.width ?? DEFAULT_WIDTH;
  const bar = 6;
  const step = Math.max(1, series.length) * bar + 10;
  const height = horizontal ? Math.max(1, groups.length) * step : 300;
  const plotWidth = horizontal ? width : Math.max(width, groups.length * step);
  const spec = baseSpec({ title, width: plotWidth, height });
  const catRange = horizontal ? 'height' : 'width';
  const angle = horizontal ? 0 : labelAngleFor(groups, step);
  const bars = horizontal
    ? {
        y: { scale: 'pos', field: 's' },
        height: { scale: 'pos', band: 1 },
        x: { scale: 'val', value: 0 },
        x2: { scale: 'val', field: 'value' },
        fill: { scale: 'color', field: 's' },
      }
    : {
        x: { scale: 'pos', field: 's' },
        width: { scale: 'pos', band: 1 },
        y: { scale: 'val', field: 'value' },
        y2: { scale: 'val', value: 0 },
        fill: { scale: 'color', field: 's' },
      };
  Object.assign(spec, {
    signals: [labelSignal('groups', groups), labelSignal('series', series)],
    data: [{ name: 'table', values: rows }],
    scales: [
      { name: 'cat', type: 'band', domain: groups.map((_, i) => i), range: catRange, paddingInner: 0.15, paddingOuter: 0.05 },
      { name: 'val', type: 'linear', domain: [0, 100], range: horizontal ? 'width' : 'height', nice: false, zero: true },
      { name: 'color', type: 'ordinal', domain: series.map((_, i) => i), range: SERIES_COLORS },
    ],
    axes: [
      indexAxis(horizontal ? 'left' : 'bottom', 'cat', horizontal ? yTitle : xTitle, 'groups', angle),
      valueAxis(horizontal ? 'bottom' : 'left', 'val', horizontal ? xTitle : yTitle, true),
    ],
    legends: series.length
      ? [
          {
            fill: 'color',
            title: seriesTitle,
            orient: 'top',
            direction: 'horizontal',
            aria: false,
            symbolType: 'square',
            offset: 28,
            encode: { labels: { update: { text: { signal: 'series[datum.value]' } } } },
          },
        ]
      : [],
    marks: [
      {
        type: 'group',
        aria: false,
        from: { facet: { data: 'table', name: 'facet', groupby: 'g' } },
        encode: {
          enter: horizontal
            ? { y: { scale: 'cat', field: 'g' }, height: { scale: 'cat', band: 1 } }
            : { x: { scale: 'cat', field: 'g' }, width: { scale: 'cat', band: 1 } },
        },
        // every group places its bars on the same slots, so a level missing in one group leaves a gap
        signals: [{ name: horizontal ? 'height' : 'width', update: "bandwidth('cat')" }],
        scales: [{ name: 'pos', type: 'band', domain: series.map((_, i) => i), range: catRange, padding: 0.05 }],
        marks: [{ type: 'rect', name: 'bars', aria: false, from: { data: 'facet' }, encode: { enter: bars } }],
      },
      ...(rows.length ? [] : [emptyNote(plotWidth, height)]),
    ],
  });
  const svg = await render(spec, title);
  const table: ChartTable = {
    caption: title,
    head: [horizontal ? yTitle : xTitle, ...series],
    rows: groups.map((g, gi) => [g, ...series.map((_, si) => cell.get(`${gi}|${si}`) ?? '—')]),
  };
  return { svg, table };
}
