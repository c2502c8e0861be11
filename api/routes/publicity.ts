/** GET /publicity: every notice now under 公示, filings and batch results, with its end and where to object. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FilingState } from '../../domain/filing';
import { stateOf } from '../../models/records';

const item = z.object({
  kind: z.enum(['filing', 'batch']),
  id: z.string(),
  institution: z.object({ name: z.string(), creditCode: z.string() }),
  endDate: z.string(),
  endsAt: z.string(),
  occupations: z.array(z.object({ code: z.string(), name: z.string(), levels: z.array(z.number()).optional() })).optional(),
  counts: z.array(z.object({}).loose()).optional(),
  candidates: z
    .array(z.object({ name: z.string(), idNumber: z.string(), occupationCode: z.string(), occupationName: z.string(), trade: z.string().optional(), level: z.number(), levelName: z.string() }))
    .optional()
    .describe('batch results: each passing candidate, ID number masked (000 §五(二)3)'),
  objectionPath: z.string(),
});

const publicityRoutes: FastifyPluginAsyncZod = async (app) => {
  const { models, clock } = app.services;
  app.get(
    '/publicity',
    {
      config: { action: 'publicity.read' },
      schema: { tags: ['public'], summary: 'Notices now under 公示: filings and batch results, each with its end date and the path to object', querystring: z.object({ province: z.string().regex(/^\d{2}$/).optional() }).strict(), response: { 200: z.object({ items: z.array(item) }) } },
    },
    async (req) => {
      const now = await clock.now();
      const where = req.query.province ? { province: req.query.province } : {};
      const filings = await models.Filing.find({ ...where, stage: 'publicity' }).limit(500).lean();
      const batches = await models.Batch.find({ ...where, status: 'publicity' }, { state: 0 }).limit(500).lean();
      const items = [
        ...filings
          .map((f) => stateOf<FilingState>(f))
          .filter((s) => s.publicity && !s.publicity.closedAt && s.publicity.endsAtMs > now.getTime())
          .map((s) => ({
            kind: 'filing' as const,
            id: s.id,
            institution: { name: s.application.institution.name, creditCode: s.application.institution.creditCode },
            endDate: s.publicity!.endDate,
            endsAt: s.publicity!.endsAt,
            // a scope change publicises the scope it asks for (004 Art.7(1))
            occupations: (s.publicity!.track === 'scope-change' && s.change?.occupations ? s.change.occupations : s.application.occupations).map((o) => ({ code: o.code, name: o.name, levels: o.levels })),
            objectionPath: `/api/v1/filings/${s.id}/objections`,
          })),
        ...batches
          .filter((b) => b.publicity && (!b.publicityEndsAt || b.publicityEndsAt.getTime() > now.getTime()))
          .map((b) => ({
            kind: 'batch' as const,
            id: b._id,
            institution: { name: b.institutionName ?? '', creditCode: b.institutionId },
            endDate: (b.publicity as { endDate: string }).endDate,
            endsAt: (b.publicity as { endsAt: string }).endsAt,
            counts: ((b.publicity as { rows?: object[] }).rows ?? []) as never,
            candidates: ((b.publicity as { candidates?: unknown[] }).candidates ?? []) as never,
            objectionPath: `/api/v1/batches/${b._id}/objections`,
          })),
      ];
      items.sort((a, b) => a.endsAt.localeCompare(b.endsAt));
      return { items };
    },
  );
};

export default publicityRoutes;
