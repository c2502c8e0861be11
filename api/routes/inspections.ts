/**
 * Random inspections, 双随机、一公开 (000 §六(三), 001 §三(六), 002 Art.25; domain/inspections.ts):
 * a provincial department or a skills center draws institutions and inspectors at random
 * (`inspection-draw/<id>`, workflows/inspection), the drawn inspectors file findings, and the
 * results are public.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Caller } from '../../domain/roles';
import { inspectionMeasures, inspectionOutcome, inspectionScopeOf, proposalDecisionRefusal } from '../../domain/inspections';
import type { FilingState } from '../../domain/filing';
import { isDuplicateKey } from '../../activities/records';
import { stateOf } from '../../models/records';
import type { InspectionProposalDecisionDoc } from '../../models/inspections';
import { recordRequestAudit } from '../audit';
import type { InspectionDoc } from '../../models/inspections';
import { drawIdOfInspection } from '../../workflows/inspection/messages';
import { drawInspectionsCall, fileFindingCall } from '../inspections';
import { caseIdSuffix, envelopeOf, updateIdOf } from '../cases';
import { DomainError, notFound, refused } from '../problems';
import { decodeCursor, encodeCursor, offsetCursor } from '../repositories/cursor';
import { caseProblems, pageQuery, problems } from '../schemas/common';
import {
  drawBody,
  drawView,
  findingBody,
  inspectionParams,
  inspectionsQuery,
  inspectionView,
  proposalDecision,
  proposalDecisionBody,
  publicInspection,
} from '../schemas/inspections';

/**
 * 一公开 publishes the inspection results (000 §六(三) 公开督导结果; 002 Art.26 动态公布评估结果): which
 * institution was inspected, in which year, when it was drawn and by which kind of department, by
 * how many inspectors, whether it is concluded, the outcome (the most serious finding) and the
 * measures ordered or proposed. Not published: the inspectors' names and user ids (the seeds publish
 * results, not the inspectors; naming them before or during an inspection would defeat the random
 * choice), and the findings' text, which may name candidates and staff (personal data, SPEC §7) —
 * the inspectors and the province's reviewers read it at GET /inspections/mine.
 */
export function publicInspectionOf(d: InspectionDoc): z.infer<typeof publicInspection> {
  return {
    id: d._id,
    drawId: d.drawId,
    year: d.year,
    province: d.province,
    drawnAt: new Date(d.drawnAt).toISOString(),
    drawnBy: d.drawnBy?.role ?? '',
    institution: { creditCode: d.institution.creditCode, name: d.institution.name },
    inspectors: d.inspectorIds.length,
    status: d.concludedAt ? 'concluded' : 'in-progress',
    outcome: d.outcome,
    measures: d.measures as z.infer<typeof publicInspection>['measures'],
    concludedAt: d.concludedAt ? new Date(d.concludedAt).toISOString() : null,
  };
}

const decisionView = (d: InspectionProposalDecisionDoc): z.infer<typeof proposalDecision> => ({
  decision: d.decision as z.infer<typeof proposalDecision>['decision'],
  note: d.note,
  filingId: d.filingId,
  by: { userId: d.by.userId, name: d.by.name },
  at: new Date(d.at).toISOString(),
});

/** Which inspections a caller works on: an inspector those drawn for them; a province's reviewers and centers those of their jurisdiction. */
function workFilter(c: Caller): Record<string, unknown> {
  if (c.role === 'supervisor') return { inspectorIds: c.sub };
  if (c.role === 'center' && c.prefecture) return { province: c.province ?? '-', 'institution.prefecture': c.prefecture };
  return { province: c.province ?? '-' };
}

const inspectionsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { models, temporal, settings } = app.services;
  const ms = settings.TEMPORAL_CALL_TIMEOUT_MS;
  const security = [{ bearer: [] }];

  app.post(
    '/inspections/draws',
    {
      config: { action: 'inspection.draw' },
      schema: {
        tags: ['inspections'],
        summary: '双随机: draw `count` filed institutions in force in the caller’s jurisdiction and inspectors for each from the supervisor registry',
        security,
        body: drawBody,
        response: { 201: drawView, ...caseProblems },
      },
    },
    async (req, reply) => {
      const scope = inspectionScopeOf(req.caller!);
      if (!scope) throw new DomainError('FORBIDDEN', 'A provincial department or a skills center draws inspections of its jurisdiction');
      const drawId = `D${req.body.year}-${caseIdSuffix(req)}`;
      const s = await drawInspectionsCall(temporal.client, temporal.taskQueue, ms, { drawId, ...req.body, scope, ...envelopeOf(req) });
      return reply.code(201).send({
        id: s.drawId,
        year: s.year,
        drawnAt: s.drawnAt,
        seed: s.seed,
        eligible: s.eligible,
        inspections: s.inspections.map((x) => ({
          id: x.id,
          institution: { creditCode: x.institution.creditCode, name: x.institution.name },
          inspectors: x.inspectors.map((i) => ({ userId: i.userId, name: i.name })),
        })),
      });
    },
  );

  app.get(
    '/inspections',
    {
      config: { action: 'inspection.read' },
      schema: {
        tags: ['public'],
        summary: '一公开: inspections with their dates, number of inspectors, outcome and measures (newest draws first)',
        querystring: inspectionsQuery,
        response: { 200: z.object({ items: z.array(publicInspection), nextCursor: z.string().nullable() }), ...problems(400) },
      },
    },
    async (req) => {
      const { year, province, cursor, limit } = req.query;
      const offset = decodeCursor(cursor, offsetCursor) ?? 0;
      const filter = { ...(year ? { year } : {}), ...(province ? { province } : {}) };
      const docs = await models.Inspection.find(filter)
        .sort({ drawnAt: -1, _id: 1 })
        .skip(offset)
        .limit(limit + 1)
        .lean();
      return { items: docs.slice(0, limit).map(publicInspectionOf), nextCursor: docs.length > limit ? encodeCursor(offset + limit) : null };
    },
  );

  app.get(
    '/inspections/mine',
    {
      config: { action: 'inspection.work' },
      schema: {
        tags: ['inspections'],
        summary: 'The inspections a caller works on, with findings: an inspector’s own; the jurisdiction’s for its reviewers and centers',
        security,
        querystring: z.object(pageQuery).strict(),
        response: { 200: z.object({ items: z.array(inspectionView), nextCursor: z.string().nullable() }), ...problems(400, 401, 403) },
      },
    },
    async (req) => {
      const c = req.caller!;
      const offset = decodeCursor(req.query.cursor, offsetCursor) ?? 0;
      const docs = await models.Inspection.find(workFilter(c))
        .sort({ drawnAt: -1, _id: 1 })
        .skip(offset)
        .limit(req.query.limit + 1)
        .lean();
      const page = docs.slice(0, req.query.limit);
      // a termination proposal waits on the province's reviewers until decided, while the institution is still in force
      const proposed = page.filter((d) => d.proposal).map((d) => d._id);
      const decided = new Map((await models.InspectionProposalDecision.find({ _id: { $in: proposed } }).lean()).map((d) => [d._id, decisionView(d)]));
      const inForce = new Set(
        (await models.Directory.find({ _id: { $in: page.filter((d) => d.proposal).map((d) => d.institution.creditCode) } }, { _id: 1 }).lean()).map(
          (d) => d._id,
        ),
      );
      return {
        items: page.map((d) => ({
          ...publicInspectionOf(d),
          institution: { creditCode: d.institution.creditCode, name: d.institution.name, filingId: d.institution.filingId },
          inspectorList: d.inspectors.map((i) => ({ userId: i.userId, name: i.name })),
          findings: d.findings,
          proposal: d.proposal
            ? { ...d.proposal, open: !decided.has(d._id) && inForce.has(d.institution.creditCode), decision: decided.get(d._id) ?? null }
            : null,
          filedByMe: d.findings.some((f) => f.by.userId === c.sub),
        })),
        nextCursor: docs.length > req.query.limit ? encodeCursor(offset + req.query.limit) : null,
      };
    },
  );

  app.post(
    '/inspections/:id/findings',
    {
      config: { action: 'inspection.report' },
      schema: {
        tags: ['inspections'],
        summary:
          'A drawn inspector files findings: severity, text; a serious one may order the institution’s open batches suspended or propose terminating its filing',
        security,
        params: inspectionParams,
        body: findingBody,
        response: { 200: publicInspection, ...caseProblems },
      },
    },
    async (req) => {
      const c = req.caller!;
      const doc = await models.Inspection.findById(req.params.id).lean();
      if (!doc) throw notFound('inspection');
      // the list of inspections is public: who was drawn is not, so a stranger learns only that it is not theirs
      if (!doc.inspectorIds.includes(c.sub)) throw new DomainError('NOT_ASSIGNED', 'Only an inspector drawn for this inspection files its findings');
      if (doc.findings.some((f) => f.by.userId === c.sub)) throw new DomainError('ALREADY_DECIDED', 'You have filed your findings on this inspection');
      if (req.body.order && req.body.severity !== 'serious')
        throw new DomainError('VALIDATION_FAILED', 'Only a serious finding orders a suspension or proposes a termination', {}, 422);
      // a suspension order waits for each open batch's own Update
      const x = await fileFindingCall(
        temporal.client,
        ms * 3,
        drawIdOfInspection(doc._id),
        { inspectionId: doc._id, severity: req.body.severity, text: req.body.text, order: req.body.order ?? null, ...envelopeOf(req) },
        updateIdOf(req),
      );
      const concludedAt = x.concludedAt ? new Date(x.concludedAt) : null;
      return publicInspectionOf({ ...doc, findings: x.findings, concludedAt, outcome: inspectionOutcome(x), measures: inspectionMeasures(x) });
    },
  );

  app.post(
    '/inspections/:id/proposal-decision',
    {
      config: { action: 'inspection.decide-proposal' },
      schema: {
        tags: ['inspections'],
        summary:
          'A provincial reviewer closes a termination proposal: `terminated` once the filing’s termination is ordered (POST /filings/:id/termination), or `declined` with the reason',
        security,
        params: inspectionParams,
        body: proposalDecisionBody,
        response: { 201: proposalDecision, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const c = req.caller!;
      const doc = await models.Inspection.findById(req.params.id).lean();
      // outside the province an inspection's proposal is not the caller's to see
      if (!doc || doc.province !== c.province) throw notFound('inspection');
      const [decided, filing] = await Promise.all([
        models.InspectionProposalDecision.exists({ _id: doc._id }),
        models.Filing.findById(doc.institution.filingId, { status: 1, state: 1 }).lean(),
      ]);
      const termination = filing ? stateOf<Partial<FilingState>>(filing).termination : null;
      const r = proposalDecisionRefusal(doc, !!decided, { ...req.body, actor: c }, filing ? { status: filing.status, termination } : null);
      if (r) throw refused(r);
      const d: InspectionProposalDecisionDoc = {
        _id: doc._id,
        ...req.body,
        filingId: doc.institution.filingId,
        by: { userId: c.sub, name: c.name },
        at: await app.services.clock.now(),
      };
      try {
        await models.InspectionProposalDecision.create(d);
      } catch (err) {
        // two reviewers at once: the first one's decision stands
        if (isDuplicateKey(err)) throw new DomainError('ALREADY_DECIDED', 'This termination proposal has been decided');
        throw err;
      }
      await recordRequestAudit(app, req, {
        action: 'inspection.decide-proposal',
        target: { type: 'inspection', id: doc._id },
        before: null,
        after: { decision: d.decision, filingId: d.filingId },
        note: d.note,
      });
      return reply.code(201).send(decisionView(d));
    },
  );
};

export default inspectionsRoutes;
