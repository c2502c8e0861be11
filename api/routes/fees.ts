/**
 * Fees (收费, 004 Art.6(2), Art.13; 002 Art.19). The fee standard travels with the filing's
 * application and the directory publishes it (activities/records.ts); this route gives the refund
 * list of a filing: every candidate of its batches cancelled short of their certificates (004
 * Art.13: 未能提供评价服务的费用应退尽退), as JSON or CSV. The batches were cancelled by the filing's
 * termination (or expiry, or a center's cancellation); nothing here changes anything.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { refundCsv, refundLines } from '../../domain/fees';
import { batchForCaller } from '../masking';
import { caseIdParams } from '../schemas/common';
import { refundFormat, refundList } from '../schemas/fees';

const feesRoutes: FastifyPluginAsyncZod = async (app) => {
  const { filings, batches } = app.repositories;

  app.get(
    '/filings/:id/refunds',
    {
      config: { action: 'filing.refunds' },
      schema: {
        tags: ['filings'],
        summary: 'The refund list (004 Art.13): candidates of the filing’s cancelled batches; ID numbers as the caller may see them; ?format=csv',
        security: [{ bearer: [] }],
        params: caseIdParams,
        querystring: refundFormat,
      },
    },
    async (req, reply) => {
      const doc = await filings.find(req.caller, req.params.id);
      const s = filings.state(doc);
      const views = (await batches.cancelledOf(doc._id)).map((v) => batchForCaller(v, req.caller));
      const items = refundLines(views);
      if (req.query.format === 'csv')
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="refunds-${doc._id}.csv"`).send(refundCsv(items));
      const list: z.infer<typeof refundList> = {
        filingId: doc._id,
        status: s.status,
        terminatedAt: s.termination?.at ?? null,
        batches: views
          .filter((v) => v.cancellation?.refund)
          .map((v) => ({ id: v.id, cancelledAt: v.cancellation!.at, reason: v.cancellation!.reason, count: v.cancellation!.refund!.count })),
        count: items.length,
        items,
      };
      return list;
    },
  );
};

export default feesRoutes;
