/** The public directory of filed institutions in force (公布目录, 000 §五(一)4). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { decodeCursor, encodeCursor, pageQuery } from '../pagination';
import { occupationCode, problemSchema, provinceCode } from '../schemas';

const entry = z.object({
  creditCode: z.string(),
  name: z.string(),
  kind: z.string(),
  institutionCode: z.string(),
  province: z.string(),
  prefecture: z.string().nullable(),
  address: z.string(),
  occupations: z.array(z.object({ code: z.string(), name: z.string(), trade: z.string().optional(), levels: z.array(z.number()) })),
  subsidiaries: z.array(z.object({ name: z.string() })),
  validUntil: z.string(),
  noticeNumber: z.string(),
  supervisingBody: z.string(),
  contact: z.object({ name: z.string(), phone: z.string() }),
});

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const directoryRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/directory',
    {
      config: { action: 'directory.read' },
      schema: {
        tags: ['public'], summary: 'Filed institutions in force: name, code, occupations and levels, validity, supervising body, contact',
        querystring: z.object({
          province: provinceCode.optional(),
          occupation: occupationCode.optional(),
          level: z.coerce.number().int().min(1).max(5).optional(),
          q: z.string().trim().min(1).max(50).optional().describe('part of the name'),
          ...pageQuery,
        }).strict(),
        response: { 200: z.object({ items: z.array(entry), nextCursor: z.string().nullable() }), 400: problemSchema },
      },
    },
    async (req) => {
      const q = req.query;
      const filter: Record<string, unknown> = {};
      if (q.province) filter.province = q.province;
      if (q.occupation) filter.occupationCodes = q.occupation;
      if (q.q) filter.name = { $regex: escapeRegex(q.q) };
      const after = decodeCursor(q.cursor, z.string());
      if (after) filter._id = { $gt: after };
      let docs = await app.services.models.Directory.find(filter).sort({ _id: 1 }).limit(q.limit + 1).lean();
      if (q.level) docs = docs.filter((d) => (d.occupations as { levels: number[]; code: string }[]).some((o) => (!q.occupation || o.code === q.occupation) && o.levels.includes(q.level!)));
      const page = docs.slice(0, q.limit);
      return {
        items: page.map((d) => ({
          creditCode: d._id, name: d.name, kind: d.kind ?? '', institutionCode: d.institutionCode ?? '', province: d.province ?? '', prefecture: d.prefecture ?? null,
          address: d.address ?? '', occupations: d.occupations as never, subsidiaries: (d.subsidiaries ?? []) as never, validUntil: d.validUntil ?? '',
          noticeNumber: d.noticeNumber ?? '', supervisingBody: d.supervisingBody ?? '', contact: d.contact as never,
        })),
        nextCursor: docs.length > q.limit ? encodeCursor(page[page.length - 1]._id) : null,
      };
    },
  );
};

export default directoryRoutes;
