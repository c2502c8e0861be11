/** 专家库 and 督导员库 (API.md "Registries"): registered people, each keyed by their token's `sub`. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { maskIdNumber } from '../../domain/identifiers';
import type { Action } from '../../domain/access';
import { DomainError, forbidden, notFound } from '../errors';
import { recordRequestAudit } from '../audit';
import { idNumber, occupationCode, prefectureCode, problemSchema, provinceCode, text, userId } from '../schemas';

const registrantBody = z
  .object({
    userId,
    name: text(50),
    idNumber,
    province: provinceCode,
    prefecture: prefectureCode.optional(),
    occupations: z.array(occupationCode).max(50).optional(),
  })
  .strict()
  .refine((b) => !b.prefecture || b.prefecture.startsWith(b.province), { message: 'prefecture is not in the province', path: ['prefecture'] });

/** A change of a registration: its user id stays. */
const registrantUpdate = z
  .object({
    name: text(50),
    idNumber,
    province: provinceCode,
    prefecture: prefectureCode.optional(),
    occupations: z.array(occupationCode).max(50).optional(),
    active: z.boolean().optional(),
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

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema, 422: problemSchema };

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
        // a user id is registered once: never taken over from another scope (a change is PUT, in the owner's scope)
        try {
          await (model as typeof models.Expert).create(doc);
        } catch (err) {
          if ((err as { code?: number }).code === 11000) throw new DomainError(409, 'ALREADY_REGISTERED', `${doc._id} is already registered; an owner in scope changes it with PUT ${path}/${doc._id}`);
          throw err;
        }
        await recordRequestAudit(app, req, { action: `registry.register-${kind}`, target: { type: kind, id: doc._id }, before: null, after: present(doc) });
        return reply.status(201).send(present(doc));
      },
    );

    app.put(
      `${path}/:userId`,
      {
        config: { action: 'registry.update' },
        schema: {
          tags: ['registries'], summary: `Change a ${label}'s registration (in the registering scope; audited)`, security: [{ bearer: [] }],
          params: z.object({ userId }).strict(), body: registrantUpdate, response: { 200: registrantView, ...errors },
        },
      },
      async (req) => {
        const c = req.caller!;
        const m = model as typeof models.Expert;
        const previous = await m.findById(req.params.userId).lean();
        // another province's registration does not exist for this caller
        if (!previous || (c.role === 'province-reviewer' && previous.province !== c.province)) throw notFound(label);
        if (c.role === 'province-reviewer' && c.province !== req.body.province) throw forbidden('A provincial reviewer keeps a registration in its own province');
        const doc = {
          _id: previous._id, name: req.body.name, idNumber: req.body.idNumber, province: req.body.province, prefecture: req.body.prefecture ?? null,
          occupations: req.body.occupations ?? [], active: req.body.active ?? previous.active ?? true,
          registeredBy: previous.registeredBy, registeredAt: previous.registeredAt, updatedBy: c.sub, updatedAt: await app.services.clock.now(),
        };
        await m.replaceOne({ _id: doc._id }, doc);
        await recordRequestAudit(app, req, { action: `registry.update-${kind}`, target: { type: kind, id: doc._id }, before: present(previous), after: present(doc) });
        return present(doc);
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
