/**
 * Assessment batches (认定批次), API.md "Assessment batches and certificates". Every action goes
 * into the batch's workflow as an Update (api/cases.ts); reads come from the `batches` read model
 * (api/repositories/batches.ts).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UpdateDefinition } from '@temporalio/common';
import { buildRoster, rosterCsv, summaryCsv, type BatchState, type BatchView } from '../../domain/batch';
import { entitledToCandidates, seesObjectors } from '../../domain/access';
import {
  decideUpdate,
  dismissObjectionsUpdate,
  objectionUpdate,
  resolveObjectionUpdate,
  scoresUpdate,
  submitResultsUpdate,
  superviseUpdate,
} from '../../workflows/batch/messages';
import { DomainError } from '../problems';
import { chinaDateOf } from '../../domain/dates';
import { archiveIndex, examsHeld } from '../../domain/archives';
import { resolveEnterpriseGrades } from '../../domain/grades';
import { maskIdNumber } from '../../domain/identifiers';
import { annualPlanYearOf } from '../../domain/annual-plan';
import { rosterWorkbook, summaryWorkbook, XLSX_CONTENT_TYPE } from '../../exports/workbooks';
import { caseIdSuffix, envelopeOf, updateIdOf } from '../cases';
import { batchForCaller, batchScope } from '../masking';
import type { BatchDoc } from '../repositories/batches';
import { publicityView, receiveObjection } from '../objections';
import { publicRateLimit } from '../plugins/security';
import {
  auditTrail,
  caseIdParams,
  caseProblems,
  dismissalBody,
  objectionAccepted,
  objectionBody,
  objectionParams,
  page,
  problemSchema,
  type Json,
} from '../schemas/common';
import {
  batchCreated,
  batchDecisionBody,
  batchListQuery,
  batchResolutionBody,
  batchStateSchema,
  batchViewQuery,
  batchSummary,
  exportFormat,
  planBody,
  resultsBody,
  scoresBody,
  supervisionBody,
} from '../schemas/batches';

/** the bodies that carry a whole roster (a plan, a score post): 20,000 rows fit */
const LIST_BODY_LIMIT = 16 * 1024 * 1024;

const resultsNotSubmitted = () => new DomainError('INVALID_STATE', 'The results have not been submitted yet');

function xlsxReply(reply: FastifyReply, filename: string, body: Buffer) {
  return reply.type(XLSX_CONTENT_TYPE).header('content-disposition', `attachment; filename="${filename}"`).send(body);
}

const batchesRoutes: FastifyPluginAsyncZod = async (app) => {
  const { cases } = app;
  const { batches, filings, annualPlans } = app.repositories;

  /** The batch as the caller may see it: ID numbers masked as its rights say, objections joined to their texts (objectors only for those who investigate). */
  async function view(req: FastifyRequest, s: BatchView) {
    const v: Json<BatchState> = batchForCaller(s, req.caller);
    const objectors = seesObjectors(req.caller, entitledToCandidates(req.caller, batchScope(s)));
    const target = { type: 'batch' as const, id: s.id };
    return {
      ...v,
      publicity: v.publicity ? await publicityView(app, target, v.publicity, objectors) : null,
      publicityRounds: await Promise.all(v.publicityRounds.map((p) => publicityView(app, target, p, objectors))),
    };
  }

  /**
   * An Update of the batch `:id` the caller may see, answered with the batch as the caller may see
   * it. The Update answers with the workflow's state, which has no lists (#14 §3); the answer joins
   * them here, as GET /batches/:id does.
   */
  async function update<Arg>(req: FastifyRequest & { params: { id: string } }, def: UpdateDefinition<BatchState, [Arg]>, arg: NoInfer<Arg>) {
    return updateOf(req, await batches.find(req.caller, req.params.id), def, arg);
  }

  /** The same for a batch already looked up; the deadline grows with its roster (scores, results and certificates go through every candidate). */
  async function updateOf<Arg>(req: FastifyRequest, doc: BatchDoc, def: UpdateDefinition<BatchState, [Arg]>, arg: NoInfer<Arg>) {
    return view(req, await batches.view(await cases.updateBatch(doc._id, def, arg, updateIdOf(req), doc.candidates)));
  }

  const security = [{ bearer: [] }];
  const stateResponse = { 200: batchStateSchema, ...caseProblems };

  app.post(
    '/batches',
    {
      config: { action: 'batch.create' },
      // a plan of 20,000 candidates is about 5 MB of JSON (#14 §3)
      bodyLimit: LIST_BODY_LIMIT,
      schema: {
        tags: ['batches'],
        summary: 'Plan a batch: 422 PLAN_TOO_LATE (with earliestExamDate) under 10 working days ahead, 422 OUT_OF_SCOPE outside the filing',
        security,
        body: planBody,
        response: { 201: batchCreated, ...caseProblems },
      },
    },
    async (req, reply) => {
      // the institution plans on its own filing only (another's does not exist for it)
      const filing = await filings.find(req.caller, req.body.filingId);
      const batchId = `B${filing.institutionId.slice(2, 8)}-${caseIdSuffix(req)}`;
      const { filingId, candidates: rows, ...plan } = req.body;
      // 003 §三: a candidate given by the enterprise's own grade is planned at the national level the filing maps it to
      const graded = resolveEnterpriseGrades(rows, filings.state(filing).application?.occupations ?? []);
      if (graded.unmapped.length)
        throw new DomainError('OUT_OF_SCOPE', 'Enterprise grades the filing does not map to a national level (003 §三), or that contradict the level given', {
          offending: graded.unmapped.map((u) => ({ ...u, name: rows[u.index].name, idNumber: maskIdNumber(rows[u.index].idNumber) })),
        });
      const candidates = graded.candidates;
      const { actor, requestId } = envelopeOf(req);
      // 000 §五(二)1: the workflow reads no database, so the acknowledged annual plan of the batch's year travels in its input
      const annualPlan = await annualPlans.coverage(filing._id, annualPlanYearOf(plan.firstExamDate));
      // the candidates go to the database, the workflow gets their reference (#14 §3)
      const s = await batches.withUpload(`${batchId}:candidates`, candidates, (ref) =>
        cases.submitBatchPlan({ batchId, filingId, plan, candidates: ref, submittedBy: actor, requestId, annualPlan }),
      );
      return reply
        .status(201)
        .header('location', `/api/v1/batches/${batchId}`)
        .send({ id: batchId, status: s.status, outsideAnnualPlan: s.outsideAnnualPlan ?? false });
    },
  );

  app.get(
    '/batches/:id',
    {
      config: { action: 'batch.read' },
      schema: {
        tags: ['batches'],
        summary:
          'A batch: state, plan, supervision, scores, publicity, review, certificates; with candidatesOffset and candidatesLimit, the lists of that slice of the roster only (and candidatesPage)',
        security,
        params: caseIdParams,
        querystring: batchViewQuery,
        response: stateResponse,
      },
    },
    async (req) => {
      const { candidatesOffset: offset, candidatesLimit: limit } = req.query;
      const slice = offset !== undefined && limit !== undefined ? { offset, limit } : undefined;
      return view(req, await batches.view(await batches.find(req.caller, req.params.id), slice));
    },
  );

  app.get(
    '/batches',
    {
      config: { action: 'batch.list' },
      schema: {
        tags: ['batches'],
        summary: "Batches in the caller's scope, newest first",
        security,
        querystring: batchListQuery,
        response: { 200: page(batchSummary), ...caseProblems },
      },
    },
    async (req) => batches.list(req.caller!, req.query),
  );

  app.post(
    '/batches/:id/supervision',
    {
      config: { action: 'batch.supervise' },
      schema: {
        tags: ['batches'],
        summary: 'Center: draw supervisors at random, lift or cancel a suspension; supervisor: file a report',
        security,
        params: caseIdParams,
        body: supervisionBody,
        response: stateResponse,
      },
    },
    async (req) => update(req, superviseUpdate, { ...req.body, ...envelopeOf(req) }),
  );

  app.post(
    '/batches/:id/scores',
    {
      config: { action: 'batch.score' },
      bodyLimit: LIST_BODY_LIMIT,
      schema: { tags: ['batches'], summary: 'Module scores per candidate, 0–100', security, params: caseIdParams, body: scoresBody, response: stateResponse },
    },
    async (req) => {
      const doc = await batches.find(req.caller, req.params.id);
      return batches.withUpload(`${doc._id}:scores`, req.body.scores, (upload) => updateOf(req, doc, scoresUpdate, { upload, ...envelopeOf(req) }));
    },
  );

  app.post(
    '/batches/:id/objections',
    {
      config: { action: 'batch.object', rateLimit: publicRateLimit() },
      schema: {
        tags: ['batches', 'public'],
        summary: 'Object during the result publicity (public)',
        params: caseIdParams,
        body: objectionBody,
        response: { 202: objectionAccepted, ...caseProblems, 429: problemSchema },
      },
    },
    async (req, reply) => {
      const doc = await batches.findAny(req.params.id);
      const count = () => cases.updateBatch(doc._id, objectionUpdate, { requestId: req.id }, updateIdOf(req));
      return receiveObjection(req, reply, { type: 'batch', id: doc._id }, batches.state(doc).publicity, count, req.body);
    },
  );

  app.post(
    '/batches/:id/objections/dismissal',
    {
      config: { action: 'batch.resolve-objection' },
      schema: {
        tags: ['batches'],
        summary: 'Dismiss every open objection to the results at once (a flood of duplicates, investigated together)',
        security,
        params: caseIdParams,
        body: dismissalBody,
        response: stateResponse,
      },
    },
    async (req) => update(req, dismissObjectionsUpdate, { note: req.body.note, ...envelopeOf(req) }),
  );

  app.post(
    '/batches/:id/objections/:objectionId/resolution',
    {
      config: { action: 'batch.resolve-objection' },
      schema: {
        tags: ['batches'],
        summary: 'Uphold (back to scoring) or dismiss an objection to the results',
        security,
        params: objectionParams,
        body: batchResolutionBody,
        response: stateResponse,
      },
    },
    async (req) => update(req, resolveObjectionUpdate, { ...req.body, objectionId: req.params.objectionId, ...envelopeOf(req) }),
  );

  app.post(
    '/batches/:id/results',
    {
      config: { action: 'batch.submit-results' },
      schema: {
        tags: ['batches'],
        summary: 'Submit the 结果汇总表 and 合格人员花名册 (built from the scores)',
        security,
        params: caseIdParams,
        body: resultsBody,
        response: stateResponse,
      },
    },
    async (req) => update(req, submitResultsUpdate, { note: req.body.note, ...envelopeOf(req) }),
  );

  app.post(
    '/batches/:id/decisions',
    {
      config: { action: 'batch.decide' },
      schema: {
        tags: ['batches'],
        summary: 'Center: acknowledge the plan, or pass / return / reject the results',
        security,
        params: caseIdParams,
        body: batchDecisionBody,
        response: stateResponse,
      },
    },
    async (req) => update(req, decideUpdate, { ...req.body, ...envelopeOf(req) }),
  );

  app.get(
    '/batches/:id/summary',
    {
      config: { action: 'batch.read' },
      schema: {
        tags: ['batches'],
        summary: '结果汇总表 (per occupation, counts per level); ?format=csv gives a UTF-8 CSV, ?format=xlsx the seed form (001 附件3) as a workbook',
        security,
        params: caseIdParams,
        querystring: exportFormat,
      },
    },
    async (req, reply) => {
      const doc = await batches.find(req.caller, req.params.id);
      const summary = batches.state(doc).results?.summary;
      if (!summary) throw resultsNotSubmitted();
      if (req.query.format === 'csv')
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="summary-${doc._id}.csv"`).send(summaryCsv(summary));
      if (req.query.format === 'xlsx') return xlsxReply(reply, `summary-${doc._id}.xlsx`, await summaryWorkbook(summary));
      return summary;
    },
  );

  app.get(
    '/batches/:id/roster',
    {
      config: { action: 'batch.read' },
      schema: {
        tags: ['batches'],
        summary: '合格人员花名册 (passed candidates); ?format=csv a UTF-8 CSV, ?format=xlsx the seed form (001 附件4) as a workbook',
        security,
        params: caseIdParams,
        querystring: exportFormat,
      },
    },
    async (req, reply) => {
      const doc = await batches.find(req.caller, req.params.id);
      const full = await batches.view(doc);
      if (!full.results) throw resultsNotSubmitted();
      const roster = buildRoster(batchForCaller(full, req.caller));
      if (req.query.format === 'csv')
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="roster-${doc._id}.csv"`).send(rosterCsv(roster));
      if (req.query.format === 'xlsx') {
        const meta = { institution: full.institution, batchId: full.id, reportDate: chinaDateOf(Date.parse(full.results.submittedAt)) };
        return xlsxReply(reply, `roster-${doc._id}.xlsx`, await rosterWorkbook(roster, meta));
      }
      return { items: roster };
    },
  );

  app.get(
    '/batches/:id/archive',
    {
      config: { action: 'batch.read' },
      schema: {
        tags: ['batches'],
        summary:
          "The batch's archive index: each part with its medium and the last day it must be kept (paper 3 years, electronic 5, exam video 1; 002 Art.21, 000 §五(二)2), and the retention steps done",
        security,
        params: caseIdParams,
      },
    },
    async (req) => {
      const doc = await batches.find(req.caller, req.params.id);
      const s = batches.state(doc);
      const endedOn = s.endedAt ? s.endedAt.slice(0, 10) : null;
      const steps = await app.services.models.Audit.find({ targetType: 'batch', targetId: doc._id, action: { $in: ['archive.reminder', 'archive.disposed'] } })
        .sort({ seq: 1 })
        .lean<{ action: string; at: Date; after: unknown }[]>();
      return {
        batchId: doc._id,
        status: s.status,
        endedOn,
        items: archiveIndex({ endedOn, lastExamDate: s.plan.lastExamDate }, examsHeld(s)),
        // 004 Art.12: certificate data is kept for review, correction and revocation, whatever the archive
        certificates: { count: s.certificates?.count ?? 0, kept: 'permanent' as const },
        steps: steps.map((a) => ({ action: a.action, at: new Date(a.at).toISOString(), detail: a.after })),
      };
    },
  );

  app.get(
    '/batches/:id/audit',
    {
      config: { action: 'batch.audit' },
      schema: {
        tags: ['batches'],
        summary: 'The audit trail of a batch (append-only)',
        security,
        params: caseIdParams,
        response: { 200: auditTrail, ...caseProblems },
      },
    },
    async (req) => {
      const doc = await batches.find(req.caller, req.params.id);
      return { items: await batches.audit(doc._id) };
    },
  );

  /** Loading an official calendar year moves the estimated deadlines of open batches too. */
  app.calendarListeners.push(async (year: number) => {
    const open = await batches.estimated();
    await Promise.all(
      open.map((id) => cases.calendarLoaded('batch', id, year).catch((err) => app.log.warn({ err }, 'could not tell a batch about the calendar'))),
    );
  });
};

export default batchesRoutes;
