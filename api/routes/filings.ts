/**
 * Filings (机构评估备案), API.md "Filings". Reads come from the read model (api/repositories/
 * filings.ts); every decision goes into the filing's workflow as an Update (api/cases.ts), whose
 * validator refuses wrong stages, roles and scopes before anything is recorded.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import type { UpdateDefinition } from '@temporalio/common';
import { applicationRefusal, expertGroupRefusal, secondFilingRefusal, type FilingState } from '../../domain/filing';
import { entitledToPersonalData, seesObjectors } from '../../domain/access';
import { policyForProvince } from '../../domain/filing-policy';
import {
  assignExpertsUpdate,
  changeUpdate,
  decideUpdate,
  dismissObjectionsUpdate,
  objectionUpdate,
  renewalUpdate,
  resolveObjectionUpdate,
  supplementUpdate,
  terminationUpdate,
} from '../../workflows/filing/messages';
import { refused } from '../problems';
import { caseIdSuffix, envelopeOf, updateIdOf } from '../cases';
import { filingForCaller, filingScope } from '../masking';
import { publicityView, receiveObjection } from '../objections';
import { publicRateLimit } from '../plugins/security';
import { auditTrail, caseIdParams, caseProblems, dismissalBody, objectionAccepted, objectionBody, objectionParams, page, type Json } from '../schemas/common';
import {
  assignmentBody,
  changeBody,
  createFilingBody,
  decisionBody,
  filingCreated,
  filingListQuery,
  filingStateSchema,
  filingSummary,
  renewalBody,
  resolutionBody,
  supplementBody,
  terminationBody,
} from '../schemas/filings';

const filingsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { cases } = app;
  const { filings, registries } = app.repositories;

  /** The filing as the caller may see it: personal data masked as the caller's rights say, objections joined to their texts. */
  async function view(req: FastifyRequest, s: FilingState) {
    const v: Json<FilingState> = filingForCaller(s, req.caller);
    if (!v.publicity) return v;
    const objectors = seesObjectors(req.caller, entitledToPersonalData(req.caller, filingScope(s)));
    return { ...v, publicity: await publicityView(app, { type: 'filing', id: s.id }, v.publicity, objectors) };
  }

  /** An Update of the filing `:id` the caller may see, answered with the filing as the caller may see it. */
  async function update<Arg>(req: FastifyRequest & { params: { id: string } }, def: UpdateDefinition<FilingState, [Arg]>, arg: NoInfer<Arg>) {
    const doc = await filings.find(req.caller, req.params.id);
    return view(req, await cases.updateFiling(doc._id, def, arg, updateIdOf(req)));
  }

  const security = [{ bearer: [] }];
  const stateResponse = { 200: filingStateSchema, ...caseProblems };

  // ——— start ———

  app.post(
    '/filings',
    {
      config: { action: 'filing.create' },
      schema: { tags: ['filings'], summary: 'Start a filing (申报)', security, body: createFilingBody, response: { 201: filingCreated, ...caseProblems } },
    },
    async (req, reply) => {
      const caller = req.caller!;
      const application = req.body;
      const refusal = applicationRefusal(caller, application);
      if (refusal) throw refused(refusal);
      const filingId = `FL${application.institution.province}-${caseIdSuffix(req)}`;
      const second = secondFilingRefusal(await filings.institution(application.institution.creditCode), filingId);
      if (second) throw refused(second);
      const { actor, requestId } = envelopeOf(req);
      await cases.startFiling({ filingId, application, policy: policyForProvince(application.institution.province), submittedBy: actor, requestId });
      // the worker writes the read model; waiting for it is waiting for Temporal, so it has the same deadline
      const created = (await filings.created(filingId, app.services.settings.TEMPORAL_CALL_TIMEOUT_MS)) ?? (await cases.filingState(filingId));
      return reply.status(201).header('location', `/api/v1/filings/${filingId}`).send({ id: filingId, status: created.status, stage: created.stage });
    },
  );

  // ——— read ———

  app.get(
    '/filings/:id',
    {
      config: { action: 'filing.read' },
      schema: {
        tags: ['filings'],
        summary: 'A filing: state, stage, policy, due dates, escalations, decisions, publicity, notice, history',
        security,
        params: caseIdParams,
        response: stateResponse,
      },
    },
    async (req) => view(req, filings.state(await filings.find(req.caller, req.params.id))),
  );

  app.get(
    '/filings',
    {
      config: { action: 'filing.list' },
      schema: {
        tags: ['filings'],
        summary: "Filings in the caller's scope, newest first, with cursor pagination",
        security,
        querystring: filingListQuery,
        response: { 200: page(filingSummary), ...caseProblems },
      },
    },
    async (req) => filings.list(req.caller!, req.query),
  );

  app.get(
    '/filings/:id/audit',
    {
      config: { action: 'filing.audit' },
      schema: {
        tags: ['filings'],
        summary: 'The audit trail of a filing (append-only)',
        security,
        params: caseIdParams,
        response: { 200: auditTrail, ...caseProblems },
      },
    },
    async (req) => {
      const doc = await filings.find(req.caller, req.params.id);
      return { items: await filings.audit(doc._id) };
    },
  );

  // ——— decisions and requests, all through the workflow ———

  app.post(
    '/filings/:id/assignments',
    {
      config: { action: 'filing.assign' },
      schema: {
        tags: ['filings'],
        summary: 'Form the expert group for 初评, 技术评估 or 综合汇总',
        security,
        params: caseIdParams,
        body: assignmentBody,
        response: stateResponse,
      },
    },
    async (req) => {
      const doc = await filings.find(req.caller, req.params.id);
      const registered = await registries.experts(req.body.expertIds);
      const refusal = expertGroupRefusal(req.body.expertIds, registered, doc.province);
      if (refusal) throw refused(refusal);
      const experts = req.body.expertIds
        .flatMap((id) => registered.filter((e) => e._id === id))
        .map((e) => ({ userId: e._id, name: e.name, idNumber: e.idNumber }));
      return view(req, await cases.updateFiling(doc._id, assignExpertsUpdate, { stage: req.body.stage, experts, ...envelopeOf(req) }, updateIdOf(req)));
    },
  );

  app.post(
    '/filings/:id/decisions',
    {
      config: { action: 'filing.decide' },
      schema: {
        tags: ['filings'],
        summary: 'Decide the current stage; 409 STAGE_MISMATCH when the filing is elsewhere',
        security,
        params: caseIdParams,
        body: decisionBody,
        response: stateResponse,
      },
    },
    async (req) => update(req, decideUpdate, { ...req.body, ...envelopeOf(req) }),
  );

  app.post(
    '/filings/:id/supplements',
    {
      config: { action: 'filing.supplement' },
      schema: {
        tags: ['filings'],
        summary: 'Supply the materials a 补正 asked for',
        security,
        params: caseIdParams,
        body: supplementBody,
        response: stateResponse,
      },
    },
    async (req) => update(req, supplementUpdate, { ...req.body, ...envelopeOf(req) }),
  );

  app.post(
    '/filings/:id/objections',
    {
      config: { action: 'filing.object', rateLimit: publicRateLimit() },
      schema: {
        tags: ['filings', 'public'],
        summary: 'Object during the 公示 (public); 409 NOT_IN_PUBLICITY otherwise',
        params: caseIdParams,
        body: objectionBody,
        response: { 202: objectionAccepted, ...caseProblems },
      },
    },
    async (req, reply) => {
      const doc = await filings.findAny(req.params.id);
      const count = () => cases.updateFiling(doc._id, objectionUpdate, { requestId: req.id }, updateIdOf(req));
      return receiveObjection(req, reply, { type: 'filing', id: doc._id }, filings.state(doc).publicity, count, req.body);
    },
  );

  app.post(
    '/filings/:id/objections/dismissal',
    {
      config: { action: 'filing.resolve-objection' },
      schema: {
        tags: ['filings'],
        summary: 'Dismiss every open objection of the publicity at once (a flood of duplicates, investigated together)',
        security,
        params: caseIdParams,
        body: dismissalBody,
        response: stateResponse,
      },
    },
    async (req) => update(req, dismissObjectionsUpdate, { note: req.body.note, ...envelopeOf(req) }),
  );

  app.post(
    '/filings/:id/objections/:objectionId/resolution',
    {
      config: { action: 'filing.resolve-objection' },
      schema: {
        tags: ['filings'],
        summary: 'Uphold (reject, or return to a named stage) or dismiss an objection',
        security,
        params: objectionParams,
        body: resolutionBody,
        response: stateResponse,
      },
    },
    async (req) => update(req, resolveObjectionUpdate, { ...req.body, objectionId: req.params.objectionId, ...envelopeOf(req) }),
  );

  app.post(
    '/filings/:id/renewal',
    {
      config: { action: 'filing.renew' },
      schema: {
        tags: ['filings'],
        summary: 'Apply for 续期 (≥3 months before expiry, else marked late)',
        security,
        params: caseIdParams,
        body: renewalBody,
        response: stateResponse,
      },
    },
    async (req) => update(req, renewalUpdate, { ...req.body, ...envelopeOf(req) }),
  );

  app.post(
    '/filings/:id/changes',
    {
      config: { action: 'filing.change' },
      schema: {
        tags: ['filings'],
        summary: 'Apply for 变更 (address, legal representative, venue, occupations, levels): re-assessed',
        security,
        params: caseIdParams,
        body: changeBody,
        response: stateResponse,
      },
    },
    async (req) => update(req, changeUpdate, { change: req.body, ...envelopeOf(req) }),
  );

  app.post(
    '/filings/:id/termination',
    {
      config: { action: 'filing.terminate' },
      schema: {
        tags: ['filings'],
        summary: '终止: voluntary (institution, evaluated first) or ordered (province reviewer, immediate)',
        security,
        params: caseIdParams,
        body: terminationBody,
        response: stateResponse,
      },
    },
    async (req) => update(req, terminationUpdate, { ...req.body, ...envelopeOf(req) }),
  );

  /** Loading an official calendar year moves the deadlines of running filings that were estimated. */
  app.calendarListeners.push(async (year: number) => {
    const running = await filings.estimated();
    await Promise.all(
      running.map((id) =>
        cases.calendarLoaded('filing', id, year).catch((err) => app.log.warn({ err, filingId: id }, 'could not tell a filing about the calendar')),
      ),
    );
  });
};

export default filingsRoutes;
