/** 专家库 and 督导员库 (API.md "Registries"): registered people, each keyed by their token's `sub`. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { registrationRefusal, type Action } from '../../domain/access';
import { DomainError, notFound, refused } from '../problems';
import { recordRequestAudit } from '../audit';
import { present, presentReviewer } from '../repositories/registries';
import { caseProblems } from '../schemas/common';
import {
  registrantBody,
  registrantParams,
  registrantUpdate,
  registrantView,
  registryQuery,
  reviewerBody,
  reviewerUpdate,
  reviewerView,
} from '../schemas/registries';

const REGISTRIES = [
  { path: '/experts', kind: 'expert', label: 'expert', readAction: 'registry.read-experts' },
  { path: '/supervisors', kind: 'supervisor', label: 'quality supervisor', readAction: 'registry.read-supervisors' },
] as const satisfies readonly { path: string; kind: 'expert' | 'supervisor'; label: string; readAction: Action }[];

const registriesRoutes: FastifyPluginAsyncZod = async (app) => {
  const { registries } = app.repositories;
  const security = [{ bearer: [] }];

  for (const { path, kind, label, readAction } of REGISTRIES) {
    app.post(
      path,
      {
        config: { action: 'registry.register' },
        schema: { tags: ['registries'], summary: `Register a ${label}`, security, body: registrantBody, response: { 201: registrantView, ...caseProblems } },
      },
      async (req, reply) => {
        const c = req.caller!;
        const refusal = registrationRefusal(c, req.body.province, false);
        if (refusal) throw refused(refusal);
        const doc = {
          _id: req.body.userId,
          name: req.body.name,
          idNumber: req.body.idNumber,
          province: req.body.province,
          prefecture: req.body.prefecture ?? null,
          occupations: req.body.occupations ?? [],
          email: req.body.email ?? null,
          active: true,
          registeredBy: c.sub,
          registeredAt: await app.services.clock.now(),
        };
        // a user id is registered once: never taken over from another scope (a change is PUT, in the owner's scope)
        if (!(await registries.register(kind, doc))) {
          throw new DomainError('ALREADY_REGISTERED', `${doc._id} is already registered; an owner in scope changes it with PUT ${path}/${doc._id}`);
        }
        await recordRequestAudit(app, req, { action: `registry.register-${kind}`, target: { type: kind, id: doc._id }, before: null, after: present(doc) });
        return reply.status(201).send(present(doc, c));
      },
    );

    app.put(
      `${path}/:userId`,
      {
        config: { action: 'registry.update' },
        schema: {
          tags: ['registries'],
          summary: `Change a ${label}'s registration (in the registering scope; audited)`,
          security,
          params: registrantParams,
          body: registrantUpdate,
          response: { 200: registrantView, ...caseProblems },
        },
      },
      async (req) => {
        const c = req.caller!;
        // another province's registration does not exist for this caller
        const previous = await registries.findKept(kind, c, req.params.userId);
        if (!previous) throw notFound(label);
        const refusal = registrationRefusal(c, req.body.province, true);
        if (refusal) throw refused(refusal);
        const doc = {
          _id: previous._id,
          name: req.body.name,
          idNumber: req.body.idNumber,
          province: req.body.province,
          prefecture: req.body.prefecture ?? null,
          occupations: req.body.occupations ?? [],
          email: req.body.email === undefined ? (previous.email ?? null) : req.body.email,
          active: req.body.active ?? previous.active ?? true,
          registeredBy: previous.registeredBy,
          registeredAt: previous.registeredAt,
          updatedBy: c.sub,
          updatedAt: await app.services.clock.now(),
        };
        await registries.replace(kind, doc);
        await recordRequestAudit(app, req, {
          action: `registry.update-${kind}`,
          target: { type: kind, id: doc._id },
          before: present(previous),
          after: present(doc),
        });
        return present(doc, c);
      },
    );

    app.get(
      path,
      {
        config: { action: readAction },
        schema: {
          tags: ['registries'],
          summary: `The ${label}s in the caller's scope`,
          security,
          querystring: registryQuery,
          response: { 200: z.object({ items: z.array(registrantView) }), ...caseProblems },
        },
      },
      async (req) => ({ items: (await registries.list(kind, req.caller!, req.query.occupation)).map((d) => present(d, req.caller)) }),
    );
  }

  // the reviewers' address book: where the mail of a step addressed to a role in a region goes (README "E-mail")
  app.post(
    '/reviewers',
    {
      config: { action: 'registry.register' },
      schema: {
        tags: ['registries'],
        summary: "Add a reviewer's or center's mail address",
        security,
        body: reviewerBody,
        response: { 201: reviewerView, ...caseProblems },
      },
    },
    async (req, reply) => {
      const c = req.caller!;
      const refusal = registrationRefusal(c, req.body.province, false);
      if (refusal) throw refused(refusal);
      const { userId, ...fields } = req.body;
      const doc = {
        _id: userId,
        ...fields,
        prefecture: fields.prefecture ?? null,
        active: true,
        registeredBy: c.sub,
        registeredAt: await app.services.clock.now(),
      };
      if (!(await registries.reviewers.register(doc)))
        throw new DomainError('ALREADY_REGISTERED', `${userId} is already in the address book; an owner in scope changes it with PUT /reviewers/${userId}`);
      await recordRequestAudit(app, req, {
        action: 'registry.register-reviewer',
        target: { type: 'reviewer', id: userId },
        before: null,
        after: presentReviewer(doc),
      });
      return reply.status(201).send(presentReviewer(doc, c));
    },
  );

  app.put(
    '/reviewers/:userId',
    {
      config: { action: 'registry.update' },
      schema: {
        tags: ['registries'],
        summary: "Change a reviewer's mail address, role or region, or set it inactive (in the registering scope; audited)",
        security,
        params: registrantParams,
        body: reviewerUpdate,
        response: { 200: reviewerView, ...caseProblems },
      },
    },
    async (req) => {
      const c = req.caller!;
      const previous = await registries.reviewers.findKept(c, req.params.userId);
      if (!previous) throw notFound('reviewer');
      const refusal = registrationRefusal(c, req.body.province, true);
      if (refusal) throw refused(refusal);
      const doc = {
        ...previous,
        ...req.body,
        prefecture: req.body.prefecture ?? null,
        active: req.body.active ?? previous.active ?? true,
        updatedBy: c.sub,
        updatedAt: await app.services.clock.now(),
      };
      await registries.reviewers.replace(doc);
      await recordRequestAudit(app, req, {
        action: 'registry.update-reviewer',
        target: { type: 'reviewer', id: doc._id },
        before: presentReviewer(previous),
        after: presentReviewer(doc),
      });
      return presentReviewer(doc, c);
    },
  );

  app.get(
    '/reviewers',
    {
      config: { action: 'registry.read-reviewers' },
      schema: {
        tags: ['registries'],
        summary: "The reviewers' and centers' mail addresses of the caller's province",
        security,
        response: { 200: z.object({ items: z.array(reviewerView) }), ...caseProblems },
      },
    },
    async (req) => ({ items: (await registries.reviewers.list(req.caller!)).map((d) => presentReviewer(d, req.caller)) }),
  );
};

export default registriesRoutes;
