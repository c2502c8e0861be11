/**
 * Filings (机构评估备案), API.md "Filings". Reads come from the read model (hot lookups by _id);
 * every decision goes into the filing's workflow as an Update, whose validator refuses wrong
 * stages, roles and scopes before anything is recorded.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { missingMaterials, TERMINAL_STATUSES, type Actor, type FilingState } from '../../domain/filing';
import { policyForProvince } from '../../domain/filing-policy';
import { canReadFiling, filingScopeFilter } from '../scope';
import type { Caller } from '../../domain/roles';
import {
  assignExpertsUpdate, calendarUpdatedSignal, changeUpdate, decideUpdate, dismissObjectionsUpdate, FILING_WORKFLOW, filingWorkflowId, objectionUpdate,
  renewalUpdate, resolveObjectionUpdate, stateQuery, supplementUpdate, terminationUpdate, type FilingInput,
} from '../../workflows/filing/messages';
import { DomainError, forbidden, notFound, unprocessable } from '../errors';
import { stateOf } from '../../models/records';
import { caseIdSuffix, runUpdate, updateIdOf } from '../temporal-calls';
import { entitledToPersonalData, filingForCaller } from '../masking';
import { investigates, publicityView, receiveObjection } from '../objections';
import { decodeCursor, encodeCursor, listCursor, pageQuery } from '../pagination';
import { problemSchema } from '../schemas';
import { publicRateLimit } from '../plugins/security';
import {
  assignmentBody, changeBody, createFilingBody, decisionBody, filingCreated, filingIdParams, filingStateSchema, filingSummary,
  dismissalBody, objectionBody, renewalBody, resolutionBody, supplementBody, terminationBody,
} from '../filing-schemas';

type FilingDoc = {
  _id: string; status: string; stage: string | null; track?: string; province: string; prefecture: string | null;
  institutionId: string; institutionName: string; dueAt: Date | null; escalation: number; assignees: string[]; policyId?: string;
  submittedAt?: Date; updatedAt?: Date; state: string;
};

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema, 422: problemSchema };

export function actorOf(c: Caller): Actor {
  return { sub: c.sub, name: c.name, role: c.role, province: c.province, prefecture: c.prefecture, institutionId: c.institutionId };
}

const filingsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { models, temporal, clock } = app.services;
  const handleOf = (id: string) => temporal.client.workflow.getHandle(filingWorkflowId(id));

  /** The filing as the caller may see it, or 404. */
  // out of scope is 404: a filing's existence must not leak
  async function loadFiling(req: FastifyRequest, id: string): Promise<FilingDoc> {
    const doc = (await models.Filing.findById(id).lean()) as FilingDoc | null;
    if (!doc || !req.caller || !canReadFiling(req.caller, doc)) throw notFound('filing');
    return doc;
  }

  /** The filing as the caller may see it: personal data masked as the caller's rights say, objections joined to their texts. */
  async function view(req: FastifyRequest, s: FilingState) {
    const scope = { province: s.application.institution.province, prefecture: s.application.institution.prefecture, institutionId: s.application.institution.creditCode };
    const v = filingForCaller(s, req.caller, scope);
    if (!v.publicity) return v;
    return { ...v, publicity: await publicityView(app, { type: 'filing', id: s.id }, v.publicity, investigates(req.caller, entitledToPersonalData(req.caller, scope))) };
  }


  // ——— start ———

  app.post(
    '/filings',
    {
      config: { action: 'filing.create' },
      schema: { tags: ['filings'], summary: 'Start a filing (申报)', security: [{ bearer: [] }], body: createFilingBody, response: { 201: filingCreated, ...errors } },
    },
    async (req, reply) => {
      const caller = req.caller!;
      const body = req.body;
      if (caller.institutionId !== body.institution.creditCode) throw forbidden('An institution files only for itself: institutionId must equal institution.creditCode');
      // a kind listed with verifiedOnline: true is waived (000 §三(二), 002 Art.13); an absent kind is missing
      const missing = missingMaterials(body.materials);
      if (missing.length) throw unprocessable('MATERIALS_INCOMPLETE', `Missing materials: ${missing.join(', ')}`, { missing });
      if (body.institution.kind === 'S' && body.subsidiaries?.length) throw unprocessable('RULE_VIOLATION', 'Only an employer (Y) lists subsidiaries whose staff it assesses');
      const filingId = `FL${body.institution.province}-${caseIdSuffix(req)}`;
      const current = await models.Institution.findById(body.institution.creditCode).lean();
      if (current?.filingId && current.filingId !== filingId && current.filingStatus && !TERMINAL_STATUSES.includes(current.filingStatus as never)) {
        throw new DomainError(409, 'ALREADY_EXISTS', `This institution already has a filing in force or under review (${current.filingId})`, { filingId: current.filingId });
      }
      const input: FilingInput = {
        filingId,
        application: body,
        policy: policyForProvince(body.institution.province),
        submittedBy: actorOf(caller),
        requestId: req.id,
      };
      try {
        await temporal.client.workflow.start(FILING_WORKFLOW, { taskQueue: temporal.taskQueue, workflowId: filingWorkflowId(filingId), args: [input] });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError) && (err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
      }
      const doc = await waitForReadModel(filingId);
      return reply.status(201).header('location', `/api/v1/filings/${filingId}`).send({ id: filingId, status: doc.status as never, stage: doc.stage });
    },
  );

  /** The workflow writes the read model within its first task; wait for it so a GET right after finds it. */
  async function waitForReadModel(id: string): Promise<{ status: string; stage: string | null }> {
    const deadline = Date.now() + 15_000;
    for (let delay = 20; Date.now() < deadline; delay = Math.min(delay * 2, 250)) {
      const doc = await models.Filing.findById(id, { status: 1, stage: 1, version: 1 }).lean();
      if (doc && doc.stage) return doc as { status: string; stage: string | null };
      await new Promise((r) => setTimeout(r, delay));
    }
    const s = await handleOf(id).query(stateQuery);
    return { status: s.status, stage: s.stage };
  }

  // ——— read ———

  app.get(
    '/filings/:id',
    {
      config: { action: 'filing.read' },
      schema: { tags: ['filings'], summary: 'A filing: state, stage, policy, due dates, escalations, decisions, publicity, notice, history', security: [{ bearer: [] }], params: filingIdParams, response: { 200: filingStateSchema, ...errors } },
    },
    async (req) => {
      const doc = await loadFiling(req, req.params.id);
      return (await view(req, stateOf<FilingState>(doc))) as never;
    },
  );

  const listQuery = z
    .object({
      status: z.string().max(40).optional(),
      stage: z.string().max(50).optional(),
      overdue: z.enum(['true', 'false']).optional(),
      ...pageQuery,
    })
    .strict();
  const cursorSchema = listCursor;

  app.get(
    '/filings',
    {
      config: { action: 'filing.list' },
      schema: {
        tags: ['filings'], summary: 'Filings in the caller\'s scope, newest first, with cursor pagination', security: [{ bearer: [] }],
        querystring: listQuery,
        response: { 200: z.object({ items: z.array(filingSummary), nextCursor: z.string().nullable() }), ...errors },
      },
    },
    async (req) => {
      const q = req.query;
      const caller = req.caller!;
      const filter: Record<string, unknown> = { ...filingScopeFilter(caller) };
      if (q.status) filter.status = q.status;
      if (q.stage) filter.stage = q.stage;
      const now = await clock.now();
      if (q.overdue === 'true') filter.dueAt = { $lt: now };
      if (q.overdue === 'false') filter.$or = [{ dueAt: null }, { dueAt: { $gte: now } }];
      const after = decodeCursor(q.cursor, cursorSchema);
      const conditions: Record<string, unknown>[] = [filter];
      if (after) conditions.push({ $or: [{ submittedAt: { $lt: new Date(after.t) } }, { submittedAt: new Date(after.t), _id: { $lt: after.id } }] });
      const docs = (await models.Filing.find(conditions.length > 1 ? { $and: conditions } : filter, { state: 0 })
        .sort({ submittedAt: -1, _id: -1 })
        .limit(q.limit + 1)
        .lean()) as unknown as Omit<FilingDoc, 'state'>[];
      const page = docs.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((d) => ({
          id: d._id,
          institution: { name: d.institutionName, creditCode: d.institutionId },
          province: d.province,
          prefecture: d.prefecture ?? null,
          status: d.status as never,
          stage: d.stage,
          track: d.track,
          dueAt: d.dueAt ? d.dueAt.toISOString() : null,
          overdue: !!d.dueAt && d.dueAt.getTime() < now.getTime(),
          escalation: d.escalation ?? 0,
          submittedAt: d.submittedAt ? d.submittedAt.toISOString() : null,
          updatedAt: d.updatedAt ? d.updatedAt.toISOString() : null,
        })),
        nextCursor: docs.length > q.limit && last ? encodeCursor({ t: last.submittedAt?.getTime() ?? 0, id: last._id }) : null,
      };
    },
  );

  app.get(
    '/filings/:id/audit',
    {
      config: { action: 'filing.audit' },
      schema: {
        tags: ['filings'], summary: 'The audit trail of a filing (append-only)', security: [{ bearer: [] }], params: filingIdParams,
        response: { 200: z.object({ items: z.array(z.object({}).loose()) }), ...errors },
      },
    },
    async (req) => {
      await loadFiling(req, req.params.id);
      const items = await models.Audit.find({ targetType: 'filing', targetId: req.params.id }).sort({ seq: 1, at: 1 }).limit(2000).lean();
      return { items: items.map(({ _id, ...rest }) => ({ id: _id, ...rest, at: (rest.at as Date).toISOString() })) };
    },
  );

  // ——— decisions and requests, all through the workflow ———

  const stateResponse = { 200: filingStateSchema, ...errors };

  app.post(
    '/filings/:id/assignments',
    {
      config: { action: 'filing.assign' },
      schema: { tags: ['filings'], summary: 'Form the expert group for 初评, 技术评估 or 综合汇总', security: [{ bearer: [] }], params: filingIdParams, body: assignmentBody, response: stateResponse },
    },
    async (req) => {
      const doc = await loadFiling(req, req.params.id);
      const experts = await models.Expert.find({ _id: { $in: req.body.expertIds } }).lean();
      const unknown = req.body.expertIds.filter((id) => !experts.some((e) => e._id === id && e.active && e.province === doc.province));
      if (unknown.length) throw unprocessable('RULE_VIOLATION', `Not registered experts of province ${doc.province}: ${unknown.join(', ')}`, { unknown });
      const ordered = req.body.expertIds.map((id) => experts.find((e) => e._id === id)!);
      const s = await runUpdate(handleOf(doc._id), assignExpertsUpdate, {
        stage: req.body.stage,
        experts: ordered.map((e) => ({ userId: e._id, name: e.name, idNumber: e.idNumber })),
        actor: actorOf(req.caller!),
        requestId: req.id,
      }, updateIdOf(req));
      return (await view(req, s)) as never;
    },
  );

  app.post(
    '/filings/:id/decisions',
    {
      config: { action: 'filing.decide' },
      schema: { tags: ['filings'], summary: 'Decide the current stage; 409 STAGE_MISMATCH when the filing is elsewhere', security: [{ bearer: [] }], params: filingIdParams, body: decisionBody, response: stateResponse },
    },
    async (req) => {
      const doc = await loadFiling(req, req.params.id);
      const s = await runUpdate(handleOf(doc._id), decideUpdate, { ...req.body, actor: actorOf(req.caller!), requestId: req.id }, updateIdOf(req));
      return (await view(req, s)) as never;
    },
  );

  app.post(
    '/filings/:id/supplements',
    {
      config: { action: 'filing.supplement' },
      schema: { tags: ['filings'], summary: 'Supply the materials a 补正 asked for', security: [{ bearer: [] }], params: filingIdParams, body: supplementBody, response: stateResponse },
    },
    async (req) => {
      const doc = await loadFiling(req, req.params.id);
      const s = await runUpdate(handleOf(doc._id), supplementUpdate, { ...req.body, actor: actorOf(req.caller!), requestId: req.id }, updateIdOf(req));
      return (await view(req, s)) as never;
    },
  );

  app.post(
    '/filings/:id/objections',
    {
      config: { action: 'filing.object', rateLimit: publicRateLimit() },
      schema: {
        tags: ['filings', 'public'], summary: 'Object during the 公示 (public); 409 NOT_IN_PUBLICITY otherwise', params: filingIdParams, body: objectionBody,
        response: { 202: z.object({ objectionId: z.string() }), ...errors },
      },
    },
    async (req, reply) => {
      const doc = await models.Filing.findById(req.params.id).lean();
      if (!doc) throw notFound('filing');
      return receiveObjection(req, reply, { type: 'filing', id: doc._id }, stateOf<FilingState>(doc).publicity, handleOf(doc._id), objectionUpdate, req.body);
    },
  );

  app.post(
    '/filings/:id/objections/dismissal',
    {
      config: { action: 'filing.resolve-objection' },
      schema: {
        tags: ['filings'], summary: 'Dismiss every open objection of the publicity at once (a flood of duplicates, investigated together)', security: [{ bearer: [] }],
        params: filingIdParams, body: dismissalBody, response: stateResponse,
      },
    },
    async (req) => {
      const doc = await loadFiling(req, req.params.id);
      const s = await runUpdate(handleOf(doc._id), dismissObjectionsUpdate, { note: req.body.note, actor: actorOf(req.caller!), requestId: req.id }, updateIdOf(req));
      return (await view(req, s)) as never;
    },
  );

  app.post(
    '/filings/:id/objections/:objectionId/resolution',
    {
      config: { action: 'filing.resolve-objection' },
      schema: {
        tags: ['filings'], summary: 'Uphold (reject, or return to a named stage) or dismiss an objection', security: [{ bearer: [] }],
        params: z.object({ id: z.string().min(1).max(100), objectionId: z.string().min(1).max(100) }).strict(), body: resolutionBody, response: stateResponse,
      },
    },
    async (req) => {
      const doc = await loadFiling(req, req.params.id);
      const s = await runUpdate(handleOf(doc._id), resolveObjectionUpdate, { ...req.body, objectionId: req.params.objectionId, actor: actorOf(req.caller!), requestId: req.id }, updateIdOf(req));
      return (await view(req, s)) as never;
    },
  );

  app.post(
    '/filings/:id/renewal',
    {
      config: { action: 'filing.renew' },
      schema: { tags: ['filings'], summary: 'Apply for 续期 (≥3 months before expiry, else marked late)', security: [{ bearer: [] }], params: filingIdParams, body: renewalBody, response: stateResponse },
    },
    async (req) => {
      const doc = await loadFiling(req, req.params.id);
      const s = await runUpdate(handleOf(doc._id), renewalUpdate, { ...req.body, actor: actorOf(req.caller!), requestId: req.id }, updateIdOf(req));
      return (await view(req, s)) as never;
    },
  );

  app.post(
    '/filings/:id/changes',
    {
      config: { action: 'filing.change' },
      schema: { tags: ['filings'], summary: 'Apply for 变更 (address, legal representative, venue, occupations, levels): re-assessed', security: [{ bearer: [] }], params: filingIdParams, body: changeBody, response: stateResponse },
    },
    async (req) => {
      const doc = await loadFiling(req, req.params.id);
      const s = await runUpdate(handleOf(doc._id), changeUpdate, { change: req.body, actor: actorOf(req.caller!), requestId: req.id }, updateIdOf(req));
      return (await view(req, s)) as never;
    },
  );

  app.post(
    '/filings/:id/termination',
    {
      config: { action: 'filing.terminate' },
      schema: { tags: ['filings'], summary: '终止: voluntary (institution, evaluated first) or ordered (province reviewer, immediate)', security: [{ bearer: [] }], params: filingIdParams, body: terminationBody, response: stateResponse },
    },
    async (req) => {
      const doc = await loadFiling(req, req.params.id);
      const s = await runUpdate(handleOf(doc._id), terminationUpdate, { ...req.body, actor: actorOf(req.caller!), requestId: req.id }, updateIdOf(req));
      return (await view(req, s)) as never;
    },
  );

  /** Loading an official calendar year moves the deadlines of running filings that were estimated. */
  app.calendarListeners.push(async (year: number) => {
    const running = await models.Filing.find({ estimated: true, status: { $nin: TERMINAL_STATUSES } }, { _id: 1 }).lean();
    await Promise.all(
      running.map((f) =>
        handleOf(f._id)
          .signal(calendarUpdatedSignal, { years: [year] })
          .catch((err) => app.log.warn({ err, filingId: f._id }, 'could not tell a filing about the calendar')),
      ),
    );
  });
};

export default filingsRoutes;
