/**
 * /dashboard (#16 §5): a province's overview for its reviewers, centers and admins — filings by
 * stage, overdue steps by prefecture, certificates per month and pass rates by occupation and
 * level. The figures are GET /statistics, called with the user's own token, so the scope is the
 * API's; the charts are SVG drawn on the server (console/charts.ts), no script in the page, each
 * with its figures as a table beside it for screen readers.
 */
import type { FastifyInstance } from 'fastify';
import { roleAllows } from '../../domain/access';
import { PREFECTURE_NAMES, PROVINCES } from '../../domain/regions';
import { api, chinaDate, one, problemText, render, signedInOnly } from '../core';
import { barChartSvg, groupedBarSvg, lineChartSvg, type Chart } from '../charts';
import * as labels from '../labels';

interface Statistics {
  year: number;
  province: string | null;
  asOf: string;
  certificates: { total: number; perMonth: number[] };
  passRates: {
    batches: number;
    items: { occupationCode: string; occupationName: string; level: number; assessed: number; passed: number; rate: number | null }[];
  };
  institutions: { byStatus: { status: string; count: number }[] };
  filings: { byStage: { stage: string; count: number }[] };
  overdue: { total: number; byPrefecture: { prefecture: string | null; filings: number; batches: number }[] };
}

/** The four charts of the dashboard from the statistics, labelled in the console's vocabulary. */
export async function dashboardCharts(st: Statistics): Promise<Record<'stages' | 'overdue' | 'months' | 'passRates', Chart>> {
  const [stages, overdue, months, passRates] = await Promise.all([
    barChartSvg({
      title: '在办备案（按环节）',
      xTitle: '件数',
      yTitle: '环节',
      orientation: 'horizontal',
      data: st.filings.byStage.map((s) => ({ label: labels.label(labels.FILING_STAGE_LABELS, s.stage), value: s.count })),
    }),
    barChartSvg({
      title: '逾期事项（按地市）',
      xTitle: '件数（备案与认定批次）',
      yTitle: '地市',
      orientation: 'horizontal',
      data: st.overdue.byPrefecture.map((p) => ({
        label: p.prefecture ? (PREFECTURE_NAMES[p.prefecture] ?? p.prefecture) : '省级',
        value: p.filings + p.batches,
      })),
    }),
    lineChartSvg({
      title: `${st.year}年每月发放证书`,
      xTitle: '月份',
      yTitle: '证书数',
      data: st.certificates.perMonth.map((value, i) => ({ month: `${st.year}-${String(i + 1).padStart(2, '0')}`, value })),
    }),
    groupedBarSvg({
      title: '合格率（按职业与等级）',
      xTitle: '合格率（%）',
      yTitle: '职业',
      seriesTitle: '等级',
      series: [5, 4, 3, 2, 1].map((l) => labels.LEVEL_LABELS[l]),
      data: st.passRates.items.map((p) => ({
        group: `${p.occupationName}（${p.occupationCode}）`,
        series: labels.LEVEL_LABELS[p.level] ?? String(p.level),
        value: p.rate === null ? null : Math.round(p.rate * 1000) / 10,
      })),
    }),
  ]);
  return { stages, overdue, months, passRates };
}

export default async function dashboardPages(app: FastifyInstance) {
  app.addHook('onRequest', signedInOnly);

  app.get('/dashboard', async (req, reply) => {
    const caller = req.consoleCaller!;
    if (!roleAllows(caller, 'statistics.read'))
      return render(req, reply, 'message', { title: '统计概览', message: '统计概览供审核部门、鉴定中心和管理员使用。' }, 403);
    const q = req.query as Record<string, unknown>;
    const thisYear = Number(chinaDate(await req.server.services.clock.now()).slice(0, 4));
    const asked = Number(one(q.year));
    const year = Number.isInteger(asked) && asked >= 2000 && asked <= thisYear + 1 ? asked : thisYear;
    const province = caller.role === 'admin' ? one(q.province) || undefined : undefined;
    const r = await api<Statistics>(req, 'GET', '/statistics', { query: { year, province } });
    const base = {
      title: '统计概览',
      year,
      years: Array.from({ length: 5 }, (_, i) => thisYear - i),
      province,
      provinces: caller.role === 'admin' ? PROVINCES : [],
    };
    if (!r.ok) return render(req, reply, 'dashboard', { ...base, problem: problemText(r) }, r.status);
    return render(req, reply, 'dashboard', {
      ...base,
      st: r.body,
      charts: await dashboardCharts(r.body),
      statusLabel: (s: string) => labels.label(labels.FILING_STATUS_LABELS, s),
      asOf: chinaDate(r.body.asOf),
      mayReport: roleAllows(caller, 'reports.certificates'),
    });
  });

  // the certificate report as a download, with the user's own token (GET /reports/certificates?format=csv)
  app.get('/reports/certificates.csv', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const from = one(q.from) ?? '';
    const to = one(q.to) ?? '';
    const r = await api(req, 'GET', '/reports/certificates', { query: { from, to, format: 'csv' } });
    if (!r.ok) return render(req, reply, 'message', { title: '证书数据报送', message: problemText(r) }, r.status);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${`certificates-${from}-${to}.csv`.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
      .header('cache-control', 'no-store')
      .send(String(r.body));
  });
}
