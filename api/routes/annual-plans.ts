/**
 * Annual plans (年度认定计划, 000 §五(二)1; API.md "Added: seed rules"): the institution files its
 * year's plan per filing; the appraisal center of its jurisdiction acknowledges it (or returns it).
 * Batch plans are then checked against the acknowledged items (api/routes/batches.ts, the flag
 * `outsideAnnualPlan`). Storage and why it needs no workflow: models/annual-plans.ts.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { annualPlanDecisionRefusal, annualPlanRefusal, annualPlanStatus } from '../../domain/annual-plan';
import { jurisdictionOfInstitution } from '../../domain/batch';
import { chinaDateOf } from '../../domain/dates';
import { recordRequestAudit } from '../audit';
import { envelopeOf } from '../cases';
import { DomainError, refused } from '../problems';
import { caseProblems, page } from '../schemas/common';
import { annualPlanBody, annualPlanCreated, annualPlanDecisionBody, annualPlanListQuery, annualPlanParams, annualPlanSchema } from '../schemas/annual-plans';

const annualPlansRoutes: FastifyPluginAsyncZod = async (app) => {
  const { filings, annualPlans } = app.repositories;
  const { clock } = app.services;
  const security = [{ bearer: [] }];

  app.post(
    '/annual-plans',
    {
      config: { action: 'annual-plan.submit' },
      schema: {
        tags: ['annual-plans'],
        summary: "File the year's plan of a filing in force (000 §五(二)1); filed again, it is a new version to be acknowledged again",
        security,
        body: annualPlanBody,
        response: { 201: annualPlanCreated, ...caseProblems },
      },
    },
    async (req, reply) => {
      // another's filing does not exist for the institution (404)
      const doc = await filings.find(req.caller, req.body.filingId);
      const s = filings.state(doc);
      const now = await clock.now();
      const refusal = annualPlanRefusal(
        req.body,
        { status: s.status, occupations: s.application.occupations, validUntil: s.notice?.validUntil },
        chinaDateOf(now.getTime()),
      );
      if (refusal) throw refused(refusal);
      const i = s.application.institution;
      const j = jurisdictionOfInstitution(i);
      const { actor } = envelopeOf(req);
      const { doc: plan, before } = await annualPlans.submit(
        {
          filingId: s.id,
          year: req.body.year,
          institutionId: i.creditCode,
          institutionName: i.name,
          province: j.province,
          prefecture: j.prefecture ?? null,
          level: j.level,
          submittedBy: { sub: actor.sub, name: actor.name },
        },
        req.body.items,
        now,
      );
      if (plan !== before)
        await recordRequestAudit(app, req, {
          action: 'annual-plan.submit',
          target: { type: 'annual-plan', id: plan._id },
          before: before && { version: before.version, items: before.items },
          after: { version: plan.version, items: plan.items },
        });
      const status = annualPlanStatus(plan, await annualPlans.currentDecision(plan));
      return reply
        .status(201)
        .header('location', `/api/v1/annual-plans/${encodeURIComponent(plan._id)}`)
        .send({ id: plan._id, version: plan.version, status });
    },
  );

  app.get(
    '/annual-plans',
    {
      config: { action: 'annual-plan.read' },
      schema: {
        tags: ['annual-plans'],
        summary: "Annual plans in the caller's scope, the latest year first; ?status=submitted: waiting on the center",
        security,
        querystring: annualPlanListQuery,
        response: { 200: page(annualPlanSchema), ...caseProblems },
      },
    },
    async (req) => annualPlans.list(req.caller!, req.query),
  );

  app.get(
    '/annual-plans/:id',
    {
      config: { action: 'annual-plan.read' },
      schema: {
        tags: ['annual-plans'],
        summary: 'An annual plan: its current version, status, the decision on it and the version last acknowledged',
        security,
        params: annualPlanParams,
        response: { 200: annualPlanSchema, ...caseProblems },
      },
    },
    async (req) => annualPlans.view(await annualPlans.find(req.caller!, req.params.id)),
  );

  app.post(
    '/annual-plans/:id/decision',
    {
      config: { action: 'annual-plan.decide' },
      schema: {
        tags: ['annual-plans'],
        summary:
          "The center of the institution's jurisdiction acknowledges (pass) or returns the plan's current version; once per version (409 ALREADY_DECIDED)",
        security,
        params: annualPlanParams,
        body: annualPlanDecisionBody,
        response: { 200: annualPlanSchema, ...caseProblems },
      },
    },
    async (req) => {
      const plan = await annualPlans.find(req.caller!, req.params.id);
      const { actor } = envelopeOf(req);
      const jurisdiction = { level: plan.level, province: plan.province, prefecture: plan.prefecture ?? undefined };
      const refusal = annualPlanDecisionRefusal(jurisdiction, actor, annualPlanStatus(plan, await annualPlans.currentDecision(plan)));
      if (refusal) throw refused(refusal);
      const decided = await annualPlans.decide(plan, { ...req.body, at: await clock.now(), by: { sub: actor.sub, name: actor.name } });
      // a decision by someone else on the same version got in first (the unique `_id`)
      if (!decided) throw new DomainError('ALREADY_DECIDED', 'This version of the plan has been decided meanwhile');
      await recordRequestAudit(app, req, {
        action: `annual-plan.${req.body.outcome === 'pass' ? 'acknowledge' : 'return'}`,
        target: { type: 'annual-plan', id: plan._id },
        before: { version: plan.version, status: 'submitted' },
        after: { version: plan.version, status: req.body.outcome === 'pass' ? 'acknowledged' : 'returned' },
        note: req.body.opinion,
      });
      return annualPlans.view(plan);
    },
  );
};

export default annualPlansRoutes;
