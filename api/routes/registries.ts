/** 专家库 and 督导员库 (API.md "Registries"): registered people, each keyed by their token's `sub`. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { maskIdNumber } from '../../domain/identifiers';
import type { Action } from '../../domain/policy';
import { forbidden } from '../errors';
import { recordRequestAudit } from '../audit';
import { idNumber, occupationCode, prefectureCode, problemSchema, provinceCode, text } from '../schemas';

const registrantBody = z
  .object({
    userId: z.string().min(1).max(128),
    name: text(50),
    idNumber,
    province: provinceCode,
    prefecture: prefectureCode.optional(),
    occupations: z.array(occupationCode).max(50).optional(),
  })
  .strict()
  .refine((b) => !b.prefecture || b.prefecture.startsWith(b.province), { message: 'prefecture is not in the province', path: ['prefecture'] });

const registrantView = z.object({
  userId: z.string(),
  name: z.string(),
  idNumber: z.string().describe('masked'),
  province: z.string(),
  prefecture: z.string().nullable(),
  occupations: z.array(z.string()),
  active: z.boolean(),
});

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 422: problemSchema };

const registriesRoutes: FastifyPluginAsyncZod = async (app) => {
  const { models } = app.services;

  for (const [path, model, label, readAction, kind] of [
    ['/experts', models.Expert, 'expert', 'registry.read-experts', 'expert'],
    ['/supervisors', models.Supervisor, 'quality supervisor', 'registry.read-supervisors', 'supervisor'],
  ] as const) {
    app.post(
      path,
      {
        config: { action: 'registry.register' },
        schema: { tags: ['registries'], summary: `Register a ${label}`, security: [{ bearer: [] }], body: registrantBody, response: { 201: registrantView, ...errors } },
      },
      async (req, reply) => {
        const c = req.caller!;
        if (c.role === 'province-reviewer' && c.province !== req.body.province) throw forbidden('A provincial reviewer registers people of its own province');
        const doc = {
          _id: req.body.userId,
          name: req.body.name,
          idNumber: req.body.idNumber,
          province: req.body.province,
          prefecture: req.body.prefecture ?? null,
          occupations: req.body.occupations ?? [],
          active: true,
          registeredBy: c.sub,
          registeredAt: await app.services.clock.now(),
        };
        const previous = await (model as typeof models.Expert).findById(doc._id).lean();
        await (model as typeof models.Expert).replaceOne({ _id: doc._id }, doc, { upsert: true });
        await recordRequestAudit(app, req, {
          action: `registry.register-${kind}`,
          target: { type: kind, id: doc._id },
          before: previous ? present(previous) : null,
          after: present(doc),
        });
        return reply.status(201).send(present(doc));
      },
    );

    app.get(
      path,
      {
        config: { action: readAction as Action },
        schema: {
          tags: ['registries'], summary: `The ${label}s in the caller's scope`, security: [{ bearer: [] }],
          querystring: z.object({ occupation: occupationCode.optional() }).strict(),
          response: { 200: z.object({ items: z.array(registrantView) }), ...errors },
        },
      },
      async (req) => {
        const filter: Record<string, unknown> = scopeOf(req);
        if (req.query.occupation) filter.occupations = req.query.occupation;
        const docs = await (model as typeof models.Expert).find(filter).sort({ _id: 1 }).limit(1000).lean();
        return { items: docs.map(present) };
      },
    );
  }

  function scopeOf(req: FastifyRequest): Record<string, unknown> {
    const c = req.caller!;
    if (c.role === 'admin') return {};
    // a prefecture's people are those registered for it, or for the whole province
    if (c.prefecture) return { province: c.province, $or: [{ prefecture: null }, { prefecture: c.prefecture }] };
    return { province: c.province };
  }
};

function present(d: { _id: string; name: string; idNumber: string; province: string; prefecture?: string | null; occupations?: string[]; active?: boolean }) {
  return {
    userId: d._id, name: d.name, idNumber: maskIdNumber(d.idNumber), province: d.province, prefecture: d.prefecture ?? null,
    occupations: d.occupations ?? [], active: d.active ?? true,
  };
}

export default registriesRoutes;
