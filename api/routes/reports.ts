/**
 * Reporting upward (#15 §7): the certificate data for the national query system (002 Art.21,
 * 004 Art.13) and the figures for the national skills statistics (003 §九, 001 §三(七)).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { recordRequestAudit } from '../audit';
import { DomainError } from '../problems';
import { problems } from '../schemas/common';
import { certificateReportQuery, statisticsQuery, statisticsResponse } from '../schemas/reports';
import { certificateReportCsv } from '../../domain/statistics';
import { REPORT_ACTION } from '../repositories/statistics';

const reportsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { statistics } = app.repositories;
  const security = [{ bearer: [] }];

  app.get(
    '/statistics',
    {
      config: { action: 'statistics.read' },
      schema: {
        tags: ['reports'],
        summary:
          'National skills statistics for a year: certificates by occupation, level and quarter (and per month), pass rates of certified batches, institutions by status, filings by stage, overdue steps by prefecture',
        security,
        querystring: statisticsQuery,
        response: { 200: statisticsResponse, ...problems(400, 401, 403) },
      },
    },
    async (req) => {
      const c = req.caller!;
      // only an admin chooses the province; anyone else sees their own (asking for another is refused, not silently narrowed)
      if (req.query.province && c.role !== 'admin' && req.query.province !== c.province)
        throw new DomainError('FORBIDDEN', `Statistics of province ${req.query.province} are outside your scope`);
      return statistics.statistics(c, req.query);
    },
  );

  app.get(
    '/reports/certificates',
    {
      config: { action: 'reports.certificates' },
      schema: {
        tags: ['reports'],
        summary:
          "Certificate data of the caller's province for the national query system, issued from..to, plus every certificate corrected or revoked since the previous report (flagged); ?format=csv for a UTF-8 CSV",
        security,
        querystring: certificateReportQuery,
      },
    },
    async (req, reply) => {
      const province = req.caller!.province!;
      const since = await statistics.lastReportAt(province);
      const items = await statistics.certificateReport(province, req.query, since);
      const generatedAt = await app.services.clock.now();
      // the report hands out ID numbers in full: the audit keeps who took it, and it marks the next report's "since"
      await recordRequestAudit(app, req, {
        action: REPORT_ACTION,
        target: { type: 'province', id: province },
        before: null,
        after: { from: req.query.from, to: req.query.to, rows: items.length, changed: items.filter((r) => r.change).length, format: req.query.format },
      });
      if (req.query.format === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="certificates-${province}-${req.query.from}-${req.query.to}.csv"`)
          .send(certificateReportCsv(items));
      return { province, from: req.query.from, to: req.query.to, since: since?.toISOString() ?? null, generatedAt: generatedAt.toISOString(), items };
    },
  );
};

export default reportsRoutes;
