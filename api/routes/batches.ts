/**
 * Assessment batches (认定批次), API.md "Assessment batches and certificates". Every action goes
 * into the batch's workflow as an Update; reads come from the `batches` read model by _id.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  BATCH_STATUSES, buildRoster, MODULE_KINDS, rosterCsv, summaryCsv, BATCH_TERMINAL,
  type BatchState,
} from '../../domain/batch';
import { maskIdNumber } from '../../domain/identifiers';
import type { Caller } from '../../domain/roles';
import { submitBatchPlan } from '../../activities/batch';
import {
  batchWorkflowId, decideUpdate, dismissObjectionsUpdate, objectionUpdate, resolveObjectionUpdate, scoresUpdate, submitResultsUpdate, superviseUpdate,
} from '../../workflows/batch/messages';
import { DomainError, forbidden, notFound } from '../errors';
import { caseIdSuffix, runUpdate, translate, updateIdOf } from '../temporal-calls';
import { entitledToPersonalData } from '../masking';
import { investigates, publicityView, receiveObjection } from '../objections';
import { canRead, scopeFilter } from '../scope';
import { inScope } from '../../domain/access';
import { decodeCursor, encodeCursor, listCursor, pageQuery } from '../pagination';
import { creditCode, id, idNumber, isoDate, level, occupationCode, problemSchema, text } from '../schemas';
import { actorOf } from './filings';
import { publicRateLimit } from '../plugins/security';
import { stateOf } from '../../models/records';

type BatchDoc = {
  _id: string; status: string; stage: string | null; filingId: string; province: string; prefecture: string | null;
  institutionId: string; institutionName: string; supervisors: string[]; dueAt: Date | null; escalation: number;
  firstExamDate?: string; lastExamDate?: string; candidates?: number; submittedAt?: Date; updatedAt?: Date; state: string;
};

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema, 422: problemSchema };

const person = z.object({ name: text(50), idNumber: idNumber.optional() }).strict();
const candidate = z
  .object({
    name: text(50),
    idNumber,
    sex: z.enum(['M', 'F']).optional(),
    post: text(50),
    yearsInPost: z.number().min(0).max(60),
    occupationCode,
    trade: text(50).optional(),
    level,
    employerCreditCode: creditCode.optional(),
    employment: z.enum(['staff', 'dispatched', 'outsourced']).optional(),
    placedWithCreditCode: creditCode.optional(),
  })
  .strict();

export const planBody = z
  .object({
    filingId: id,
    firstExamDate: isoDate,
    lastExamDate: isoDate,
    overview: text(2000).optional(),
    venues: z
      .array(z.object({ name: text(100), address: text(200), modules: z.array(z.enum(MODULE_KINDS)).min(1).max(4).optional().describe('modules held here (all when absent)') }).strict())
      .min(1)
      .max(50)
      .describe("each one of the filing's venues (004 Art.8)"),
    modules: z.array(z.object({ kind: z.enum(MODULE_KINDS), passMark: z.number().min(0).max(100).optional(), required: z.boolean().optional() }).strict()).min(1).max(4),
    candidates: z.array(candidate).min(1).max(20_000),
    proctors: z.array(person).max(500),
    examiners: z.array(person).max(500),
    supervisors: z.array(person).max(100),
  })
  .strict()
  .refine((p) => p.lastExamDate >= p.firstExamDate, { message: 'lastExamDate is before firstExamDate', path: ['lastExamDate'] });

const score = z.number().min(0).max(100);
const scoresBody = z
  .object({
    scores: z.array(z.object({ idNumber, theory: score.optional(), skill: score.optional(), performance: score.optional(), defense: score.optional(), absent: z.boolean().optional() }).strict()).min(1).max(20_000),
  })
  .strict();

const supervisionBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('assign'), count: z.number().int().min(1).max(20) }).strict(),
  z.object({ action: z.literal('report'), severity: z.enum(['none', 'minor', 'serious']), findings: text(5000) }).strict(),
  z.object({ action: z.literal('resume'), note: text(2000).optional() }).strict(),
  z.object({ action: z.literal('cancel'), reason: text(2000) }).strict(),
]);

const decisionBody = z.object({ stage: z.enum(['plan-review', 'results-review']), outcome: z.enum(['pass', 'return', 'reject']), opinion: text(5000) }).strict();
const objectionBody = z.object({ name: text(50), contact: text(100), reason: text(5000) }).strict();
const resolutionBody = z.object({ upheld: z.boolean(), note: text(2000) }).strict();
const params = z.object({ id: z.string().min(1).max(100) }).strict();
const batchStateSchema = z.object({ id: z.string(), status: z.enum(BATCH_STATUSES), stage: z.string().nullable(), filingId: z.string(), plan: z.object({}).loose() }).loose();

/** Candidates' ID numbers are for the institution, its center and reviewers in scope. */
function entitledToBatch(s: BatchState, c: Caller | undefined): boolean {
  const scope = { province: s.jurisdiction.province, prefecture: s.jurisdiction.prefecture, institutionId: s.institution.creditCode };
  return entitledToPersonalData(c, scope) || (c?.role === 'center' && inScope(c, scope));
}

function batchForCaller(s: BatchState, c: Caller | undefined): BatchState {
  const v: BatchState = structuredClone(s);
  if (entitledToBatch(s, c)) return v;
  v.plan.candidates = v.plan.candidates.map((x) => ({ ...x, idNumber: maskIdNumber(x.idNumber) }));
  v.plan.proctors = v.plan.proctors.map((p) => ({ ...p, idNumber: p.idNumber && maskIdNumber(p.idNumber) }));
  v.plan.examiners = v.plan.examiners.map((p) => ({ ...p, idNumber: p.idNumber && maskIdNumber(p.idNumber) }));
  v.scores = Object.fromEntries(Object.entries(v.scores).map(([k, sc]) => [maskIdNumber(k), sc]));
  if (v.certificates) v.certificates.items = v.certificates.items.map((i) => ({ ...i, idNumber: maskIdNumber(i.idNumber) }));
  return v;
}

const batchesRoutes: FastifyPluginAsyncZod = async (app) => {
  const { models, temporal, clock } = app.services;
  const handleOf = (batchId: string) => temporal.client.workflow.getHandle(batchWorkflowId(batchId));

  async function loadBatch(req: FastifyRequest, batchId: string): Promise<BatchDoc> {
    const doc = (await models.Batch.findById(batchId).lean()) as unknown as BatchDoc | null;
    if (!doc || !req.caller || !canRead(req.caller, doc, doc.supervisors)) throw notFound('batch');
    return doc;
  }
  /** The batch as the caller may see it: ID numbers masked as its rights say, objections joined to their texts (objectors only for those who investigate). */
  async function view(req: FastifyRequest, s: BatchState) {
    const v = batchForCaller(s, req.caller);
    const who = investigates(req.caller, entitledToBatch(s, req.caller));
    const target = { type: 'batch' as const, id: s.id };
    return {
      ...v,
      publicity: v.publicity ? await publicityView(app, target, v.publicity, who) : null,
      publicityRounds: await Promise.all(v.publicityRounds.map((p) => publicityView(app, target, p, who))),
    } as never;
  }

  app.post(
    '/batches',
    {
      config: { action: 'batch.create' },
      schema: {
        tags: ['batches'], summary: 'Plan a batch: 422 PLAN_TOO_LATE (with earliestExamDate) under 10 working days ahead, 422 OUT_OF_SCOPE outside the filing',
        security: [{ bearer: [] }], body: planBody, response: { 201: z.object({ id: z.string(), status: z.enum(BATCH_STATUSES) }), ...errors },
      },
    },
    async (req, reply) => {
      const caller = req.caller!;
      const filing = await models.Filing.findById(req.body.filingId, { institutionId: 1 }).lean();
      if (!filing || filing.institutionId !== caller.institutionId) throw notFound('filing');
      const batchId = `B${filing.institutionId.slice(2, 8)}-${caseIdSuffix(req)}`;
      const { filingId, ...plan } = req.body;
      try {
        const s = await submitBatchPlan(temporal.client, temporal.taskQueue, { batchId, filingId, plan, submittedBy: actorOf(caller), requestId: req.id });
        return reply.status(201).header('location', `/api/v1/batches/${batchId}`).send({ id: batchId, status: s.status });
      } catch (err) {
        throw translate(err);
      }
    },
  );

  app.get(
    '/batches/:id',
    { config: { action: 'batch.read' }, schema: { tags: ['batches'], summary: 'A batch: state, plan, supervision, scores, publicity, review, certificates', security: [{ bearer: [] }], params, response: { 200: batchStateSchema, ...errors } } },
    async (req) => view(req, stateOf<BatchState>(await loadBatch(req, req.params.id))),
  );

  const cursorSchema = listCursor;
  app.get(
    '/batches',
    {
      config: { action: 'batch.list' },
      schema: {
        tags: ['batches'], summary: 'Batches in the caller\'s scope, newest first', security: [{ bearer: [] }],
        querystring: z.object({ status: z.enum(BATCH_STATUSES).optional(), filingId: id.optional(), ...pageQuery }).strict(),
        response: {
          200: z.object({
            items: z.array(z.object({
              id: z.string(), filingId: z.string(), institution: z.object({ name: z.string(), creditCode: z.string() }), status: z.string(), stage: z.string().nullable(),
              firstExamDate: z.string().nullable(), lastExamDate: z.string().nullable(), candidates: z.number().int(), dueAt: z.string().nullable(), overdue: z.boolean(),
            })),
            nextCursor: z.string().nullable(),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const filter: Record<string, unknown> = scopeFilter(req.caller!, 'supervisors');
      if (q.status) filter.status = q.status;
      if (q.filingId) filter.filingId = q.filingId;
      const after = decodeCursor(q.cursor, cursorSchema);
      const query = after ? { $and: [filter, { $or: [{ submittedAt: { $lt: new Date(after.t) } }, { submittedAt: new Date(after.t), _id: { $lt: after.id } }] }] } : filter;
      const docs = (await models.Batch.find(query, { state: 0 }).sort({ submittedAt: -1, _id: -1 }).limit(q.limit + 1).lean()) as unknown as Omit<BatchDoc, 'state'>[];
      const now = (await clock.now()).getTime();
      const page = docs.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((d) => ({
          id: d._id, filingId: d.filingId, institution: { name: d.institutionName, creditCode: d.institutionId }, status: d.status, stage: d.stage ?? null,
          firstExamDate: d.firstExamDate ?? null, lastExamDate: d.lastExamDate ?? null, candidates: d.candidates ?? 0,
          dueAt: d.dueAt ? d.dueAt.toISOString() : null, overdue: !!d.dueAt && d.dueAt.getTime() < now,
        })),
        nextCursor: docs.length > q.limit && last ? encodeCursor({ t: last.submittedAt?.getTime() ?? 0, id: last._id }) : null,
      };
    },
  );

  const stateResponse = { 200: batchStateSchema, ...errors };

  app.post(
    '/batches/:id/supervision',
    { config: { action: 'batch.supervise' }, schema: { tags: ['batches'], summary: 'Center: draw supervisors at random, lift or cancel a suspension; supervisor: file a report', security: [{ bearer: [] }], params, body: supervisionBody, response: stateResponse } },
    async (req) => {
      const doc = await loadBatch(req, req.params.id);
      const s = await runUpdate(handleOf(doc._id), superviseUpdate, { ...req.body, actor: actorOf(req.caller!), requestId: req.id } as never, updateIdOf(req));
      return view(req, s);
    },
  );

  app.post(
    '/batches/:id/scores',
    { config: { action: 'batch.score' }, schema: { tags: ['batches'], summary: 'Module scores per candidate, 0–100', security: [{ bearer: [] }], params, body: scoresBody, response: stateResponse } },
    async (req) => {
      const doc = await loadBatch(req, req.params.id);
      const s = await runUpdate(handleOf(doc._id), scoresUpdate, { scores: req.body.scores, actor: actorOf(req.caller!), requestId: req.id }, updateIdOf(req));
      return view(req, s);
    },
  );

  app.post(
    '/batches/:id/objections',
    {
      config: { action: 'batch.object', rateLimit: publicRateLimit() },
      schema: { tags: ['batches', 'public'], summary: 'Object during the result publicity (public)', params, body: objectionBody, response: { 202: z.object({ objectionId: z.string() }), ...errors, 429: problemSchema } },
    },
    async (req, reply) => {
      const doc = (await models.Batch.findById(req.params.id).lean()) as unknown as BatchDoc | null;
      if (!doc) throw notFound('batch');
      return receiveObjection(req, reply, { type: 'batch', id: doc._id }, stateOf<BatchState>(doc).publicity, handleOf(doc._id), objectionUpdate, req.body);
    },
  );

  app.post(
    '/batches/:id/objections/dismissal',
    {
      config: { action: 'batch.resolve-objection' },
      schema: {
        tags: ['batches'], summary: 'Dismiss every open objection to the results at once (a flood of duplicates, investigated together)', security: [{ bearer: [] }],
        params, body: z.object({ note: text(2000) }).strict(), response: stateResponse,
      },
    },
    async (req) => {
      const doc = await loadBatch(req, req.params.id);
      const s = await runUpdate(handleOf(doc._id), dismissObjectionsUpdate, { note: req.body.note, actor: actorOf(req.caller!), requestId: req.id }, updateIdOf(req));
      return view(req, s);
    },
  );

  app.post(
    '/batches/:id/objections/:objectionId/resolution',
    {
      config: { action: 'batch.resolve-objection' },
      schema: {
        tags: ['batches'], summary: 'Uphold (back to scoring) or dismiss an objection to the results', security: [{ bearer: [] }],
        params: z.object({ id: z.string().min(1).max(100), objectionId: z.string().min(1).max(100) }).strict(), body: resolutionBody, response: stateResponse,
      },
    },
    async (req) => {
      const doc = await loadBatch(req, req.params.id);
      const s = await runUpdate(handleOf(doc._id), resolveObjectionUpdate, { ...req.body, objectionId: req.params.objectionId, actor: actorOf(req.caller!), requestId: req.id }, updateIdOf(req));
      return view(req, s);
    },
  );

  app.post(
    '/batches/:id/results',
    { config: { action: 'batch.submit-results' }, schema: { tags: ['batches'], summary: 'Submit the 结果汇总表 and 合格人员花名册 (built from the scores)', security: [{ bearer: [] }], params, body: z.object({ note: text(2000).optional() }).strict(), response: stateResponse } },
    async (req) => {
      const doc = await loadBatch(req, req.params.id);
      const s = await runUpdate(handleOf(doc._id), submitResultsUpdate, { note: req.body.note, actor: actorOf(req.caller!), requestId: req.id }, updateIdOf(req));
      return view(req, s);
    },
  );

  app.post(
    '/batches/:id/decisions',
    { config: { action: 'batch.decide' }, schema: { tags: ['batches'], summary: 'Center: acknowledge the plan, or pass / return / reject the results', security: [{ bearer: [] }], params, body: decisionBody, response: stateResponse } },
    async (req) => {
      const doc = await loadBatch(req, req.params.id);
      const s = await runUpdate(handleOf(doc._id), decideUpdate, { ...req.body, actor: actorOf(req.caller!), requestId: req.id }, updateIdOf(req));
      return view(req, s);
    },
  );

  const format = z.object({ format: z.enum(['json', 'csv']).default('json') }).strict();
  app.get(
    '/batches/:id/summary',
    {
      config: { action: 'batch.read' },
      schema: { tags: ['batches'], summary: '结果汇总表 (per occupation, counts per level); ?format=csv gives a UTF-8 CSV that Excel opens', security: [{ bearer: [] }], params, querystring: format },
    },
    async (req, reply) => {
      const doc = await loadBatch(req, req.params.id);
      const summary = stateOf<BatchState>(doc).results?.summary;
      if (!summary) throw new DomainError(409, 'INVALID_STATE', 'The results have not been submitted yet');
      if (req.query.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="summary-${doc._id}.csv"`).send(summaryCsv(summary));
      return summary;
    },
  );

  app.get(
    '/batches/:id/roster',
    {
      config: { action: 'batch.read' },
      schema: { tags: ['batches'], summary: '合格人员花名册 (passed candidates, seed 001 layout); ?format=csv for Excel', security: [{ bearer: [] }], params, querystring: format },
    },
    async (req, reply) => {
      const doc = await loadBatch(req, req.params.id);
      const full = stateOf<BatchState>(doc);
      if (!full.results) throw new DomainError(409, 'INVALID_STATE', 'The results have not been submitted yet');
      const state = batchForCaller(full, req.caller);
      const roster = buildRoster(state as never);
      if (req.query.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="roster-${doc._id}.csv"`).send(rosterCsv(roster));
      return { items: roster };
    },
  );

  app.get(
    '/batches/:id/audit',
    { config: { action: 'batch.audit' }, schema: { tags: ['batches'], summary: 'The audit trail of a batch (append-only)', security: [{ bearer: [] }], params, response: { 200: z.object({ items: z.array(z.object({}).loose()) }), ...errors } } },
    async (req) => {
      const doc = await loadBatch(req, req.params.id);
      if (req.caller!.role === 'institution' || req.caller!.role === 'supervisor') throw forbidden();
      const items = await models.Audit.find({ targetType: 'batch', targetId: doc._id }).sort({ seq: 1, at: 1 }).limit(5000).lean();
      return { items: items.map(({ _id, ...rest }) => ({ id: _id, ...rest, at: (rest.at as Date).toISOString() })) };
    },
  );

  /** Loading an official calendar year moves the estimated deadlines of open batches too. */
  app.calendarListeners.push(async (year: number) => {
    const { calendarUpdatedSignal } = await import('../../workflows/batch/messages');
    const open = await models.Batch.find({ estimated: true, status: { $nin: BATCH_TERMINAL } }, { _id: 1 }).lean();
    await Promise.all(open.map((b) => handleOf(b._id).signal(calendarUpdatedSignal, { years: [year] }).catch((err) => app.log.warn({ err }, 'could not tell a batch about the calendar'))));
  });
};

export default batchesRoutes;
