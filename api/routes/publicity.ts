/** GET /publicity: every notice now under 公示, filings and batch results, with its end and where to object. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { publicityItem, publicityQuery } from '../schemas/public';

const publicityRoutes: FastifyPluginAsyncZod = async (app) => {
  const { filings, batches } = app.repositories;
  app.get(
    '/publicity',
    {
      config: { action: 'publicity.read' },
      schema: {
        tags: ['public'],
        summary: 'Notices now under 公示: filings and batch results, each with its end date and the path to object',
        querystring: publicityQuery,
        response: { 200: z.object({ items: z.array(publicityItem) }) },
      },
    },
    async (req) => {
      const [open, results] = await Promise.all([filings.inPublicity(req.query.province), batches.inPublicity(req.query.province)]);
      const items = [
        ...open.map((s) => ({
          kind: 'filing' as const,
          id: s.id,
          institution: { name: s.application.institution.name, creditCode: s.application.institution.creditCode },
          endDate: s.publicity.endDate,
          endsAt: s.publicity.endsAt,
          // a scope change publicises the scope it asks for (004 Art.7(1))
          occupations: (s.publicity.track === 'scope-change' && s.change?.occupations ? s.change.occupations : s.application.occupations).map((o) => ({
            code: o.code,
            name: o.name,
            levels: o.levels,
          })),
          objectionPath: `/api/v1/filings/${s.id}/objections`,
        })),
        ...(await Promise.all(
          results.map(async (b) => ({
            kind: 'batch' as const,
            id: b._id,
            institution: { name: b.institutionName ?? '', creditCode: b.institutionId },
            endDate: b.publicity.endDate,
            endsAt: b.publicity.endsAt,
            counts: b.publicity.rows ?? [],
            // written once when the publicity started, not copied into the read model at every change (#14 §3)
            candidates: await batches.publicityNames(b._id, b.publicity.round),
            objectionPath: `/api/v1/batches/${b._id}/objections`,
          })),
        )),
      ];
      items.sort((a, b) => a.endsAt.localeCompare(b.endsAt));
      return { items };
    },
  );
};

export default publicityRoutes;
