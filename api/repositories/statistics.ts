/**
 * The reads behind GET /statistics and GET /reports/certificates (#15 §7), in the caller's scope.
 * The rules (what is counted, how a change is flagged) are domain/statistics.ts.
 *
 * FerretDB v1 has $match and $group but no date operators in $group and no $lookup, so counts by
 * code are aggregations and counts by date are made in memory from one projected read.
 * Certificates are counted from their batches' tallies (infra/certificate-tallies.ts), which carry
 * the institution's province but not its prefecture: for a prefecture's callers they are found
 * through the batches in scope.
 */
import type { Models } from '../../models';
import type { Clock } from '../../infra/clock';
import type { Caller } from '../../domain/roles';
import { TERMINAL_STATUSES } from '../../domain/filing';
import { BATCH_TERMINAL, type BatchState } from '../../domain/batch';
import {
  certificateReportRow,
  countCertificates,
  tallyRows,
  dateRangeBounds,
  passRates,
  yearBounds,
  type CertificateReportRow,
  type ReportableCertificate,
} from '../../domain/statistics';
import { filingScopeFilter, scopeFilter } from './scope';

type Group = { _id: string | null; n: number };

/** Statistics are counted over a province's (or the caller's prefecture's) cases; `province` narrows an admin's view. */
function caseFilter(c: Caller, province: string | undefined, kind: 'filing' | 'batch'): Record<string, unknown> {
  const base = kind === 'filing' ? filingScopeFilter(c) : scopeFilter(c, 'supervisors');
  return province ? { ...base, province } : base;
}

export const REPORT_ACTION = 'report.certificates';

export function createStatisticsRepository(models: Models, clock: Clock) {
  /** The filter on certificate tallies for the caller's scope: by province, or through the batches of a prefecture. */
  async function tallyFilter(c: Caller, province: string | undefined): Promise<Record<string, unknown>> {
    const prefecture = c.role === 'prefecture-reviewer' || (c.role === 'center' && c.prefecture) ? c.prefecture : undefined;
    if (prefecture) {
      const batches = await models.Batch.find(caseFilter(c, province, 'batch'), { _id: 1 }).lean();
      return { batchId: { $in: batches.map((b) => b._id) } };
    }
    const p = province ?? (c.role === 'admin' ? undefined : c.province);
    return p ? { province: p } : {};
  }

  return {
    async statistics(c: Caller, q: { year: number; province?: string }) {
      const now = await clock.now();
      const { start, end } = yearBounds(q.year);
      const filingScope = caseFilter(c, q.province, 'filing');
      const batchScope = caseFilter(c, q.province, 'batch');
      const tallyScope = await tallyFilter(c, q.province);

      const [issued, batchesWithResults, filingsByStage, filings, overdueFilings, overdueBatches] = await Promise.all([
        // one tally per batch and issue time, not every certificate (infra/certificate-tallies.ts)
        models.CertificateTally.find({ ...tallyScope, issuedAt: { $gte: start, $lt: end } }, { issuedAt: 1, counts: 1 }).lean(),
        // the 结果汇总表 of every certified batch (its results final), by the year its exams ended
        models.Batch.find({ ...batchScope, status: 'certified', lastExamDate: { $gte: `${q.year}-01-01`, $lte: `${q.year}-12-31` } }, { state: 1 }).lean(),
        models.Filing.aggregate<Group>([
          { $match: { ...filingScope, stage: { $ne: null }, status: { $nin: TERMINAL_STATUSES } } },
          { $group: { _id: '$stage', n: { $sum: 1 } } },
        ]),
        models.Filing.find(filingScope, { institutionId: 1, status: 1, updatedAt: 1 }).lean(),
        models.Filing.aggregate<Group>([
          { $match: { ...filingScope, dueAt: { $lt: now }, status: { $nin: TERMINAL_STATUSES } } },
          { $group: { _id: '$prefecture', n: { $sum: 1 } } },
        ]),
        models.Batch.aggregate<Group>([
          { $match: { ...batchScope, dueAt: { $lt: now }, status: { $nin: BATCH_TERMINAL } } },
          { $group: { _id: '$prefecture', n: { $sum: 1 } } },
        ]),
      ]);

      const counted = countCertificates(issued.flatMap(tallyRows), q.year);
      const summaries = batchesWithResults.flatMap((b) => {
        const results = (JSON.parse(b.state) as Pick<BatchState, 'results'>).results;
        return results ? [results.summary] : [];
      });

      // an institution's status is that of its latest filing (a refused applicant may file again)
      const latest = new Map<string, { status: string; at: number }>();
      for (const f of filings) {
        const at = f.updatedAt ? new Date(f.updatedAt).getTime() : 0;
        const cur = latest.get(f.institutionId);
        if (!cur || at >= cur.at) latest.set(f.institutionId, { status: f.status, at });
      }
      const byStatus = new Map<string, number>();
      for (const { status } of latest.values()) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);

      const overdue = new Map<string, { prefecture: string | null; filings: number; batches: number }>();
      const bump = (rows: Group[], kind: 'filings' | 'batches') => {
        for (const r of rows) {
          const key = r._id ?? '';
          const cur = overdue.get(key) ?? { prefecture: r._id ?? null, filings: 0, batches: 0 };
          cur[kind] += r.n;
          overdue.set(key, cur);
        }
      };
      bump(overdueFilings, 'filings');
      bump(overdueBatches, 'batches');
      const overdueRows = [...overdue.values()].sort((a, b) => String(a.prefecture).localeCompare(String(b.prefecture)));

      return {
        year: q.year,
        province: q.province ?? (c.role === 'admin' ? null : (c.province ?? null)),
        asOf: now.toISOString(),
        certificates: { total: counted.perMonth.reduce((a, b) => a + b, 0), byQuarter: counted.byQuarter, perMonth: counted.perMonth },
        passRates: { batches: summaries.length, items: passRates(summaries) },
        institutions: { byStatus: [...byStatus.entries()].map(([status, count]) => ({ status, count })).sort((a, b) => a.status.localeCompare(b.status)) },
        filings: { byStage: filingsByStage.map((g) => ({ stage: String(g._id), count: g.n })).sort((a, b) => a.stage.localeCompare(b.stage)) },
        overdue: {
          total: overdueRows.reduce((n, r) => n + r.filings + r.batches, 0),
          byPrefecture: overdueRows,
        },
      };
    },

    /** When this province's certificate report was last given out (the audit trail keeps every one), or null. */
    async lastReportAt(province: string): Promise<Date | null> {
      const last = await models.Audit.find({ action: REPORT_ACTION, targetType: 'province', targetId: province }, { at: 1 })
        .sort({ at: -1 })
        .limit(1)
        .lean<{ at: Date }[]>();
      return last[0]?.at ?? null;
    },

    /**
     * The rows of the certificate report: every certificate issued from..to, and every other one
     * corrected or revoked since the last report (those the national copy must redo), number order.
     */
    async certificateReport(province: string, q: { from: string; to: string }, since: Date | null): Promise<CertificateReportRow[]> {
      const { start, end } = dateRangeBounds(q.from, q.to);
      const inProvince = { 'institution.province': province };
      const changed = since
        ? [{ 'revocation.at': { $gt: since } }, { 'corrections.at': { $gt: since } }]
        : [{ status: 'revoked' }, { 'corrections.0': { $exists: true } }];
      const docs = await models.Certificate.find({ ...inProvince, $or: [{ issuedAt: { $gte: start, $lt: end } }, ...changed] })
        .sort({ _id: 1 })
        .lean<ReportableCertificate[]>();
      return docs.map((d) => certificateReportRow(d, since));
    },
  };
}
