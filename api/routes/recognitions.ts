/**
 * Competition winners recognised at a level (竞赛选拔, 000 §二(三)4, 003 §六; domain/recognitions.ts):
 * a province's reviewer records one, and `recognition/<id>` (workflows/recognition) issues its
 * certificate under the province's issuing code with a serial from the same allocator as the
 * batches'. The records name the holder in full: the province's reviewers, of their own province.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LEVEL_LABELS } from '../../domain/labels';
import type { RecognitionDoc } from '../../models/recognitions';
import { recordRecognition } from '../recognitions';
import { caseIdSuffix, envelopeOf } from '../cases';
import { DomainError, notFound, refused } from '../problems';
import { recognitionRefusal } from '../../domain/recognitions';
import { decodeCursor, encodeCursor, offsetCursor } from '../repositories/cursor';
import { caseProblems, problems } from '../schemas/common';
import { recognitionBody, recognitionCreated, recognitionParams, recognitionsQuery, recognitionView } from '../schemas/recognitions';

export function recognitionViewOf(d: RecognitionDoc): z.infer<typeof recognitionView> {
  return {
    id: d._id,
    competition: d.competition,
    rank: d.rank,
    holder: { name: d.holder.name, idNumber: d.holder.idNumber },
    occupation: d.occupation,
    trade: d.trade ?? null,
    level: d.level,
    levelName: LEVEL_LABELS[d.level] ?? String(d.level),
    number: d.number ?? null,
    recordedBy: { name: d.recordedBy.name },
    recordedAt: new Date(d.recordedAt).toISOString(),
  };
}

const recognitionsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { models, temporal, settings } = app.services;
  const security = [{ bearer: [] }];

  app.post(
    '/recognitions',
    {
      config: { action: 'recognition.create' },
      schema: {
        tags: ['certificates'],
        summary: '竞赛选拔: record a competition winner recognised at a level; issues the certificate (province’s issuing code) and answers its number',
        security,
        body: recognitionBody,
        response: { 201: recognitionCreated, ...caseProblems },
      },
    },
    async (req, reply) => {
      const c = req.caller!;
      if (!c.province) throw new DomainError('FORBIDDEN', "A province's reviewer records its province's recognitions");
      // the rules that need no records refuse before a workflow starts; the holder's levels are checked where they are read
      const early = recognitionRefusal(req.body);
      if (early) throw refused(early);
      const r = await recordRecognition(temporal.client, temporal.taskQueue, settings.TEMPORAL_CALL_TIMEOUT_MS, {
        id: `RC-${caseIdSuffix(req)}`,
        province: c.province,
        request: req.body,
        ...envelopeOf(req),
      });
      return reply.code(201).send(r);
    },
  );

  app.get(
    '/recognitions',
    {
      config: { action: 'recognition.read' },
      schema: {
        tags: ['certificates'],
        summary: 'The province’s competition recognitions, newest first, holders in full',
        security,
        querystring: recognitionsQuery,
        response: { 200: z.object({ items: z.array(recognitionView), nextCursor: z.string().nullable() }), ...problems(400, 401, 403) },
      },
    },
    async (req) => {
      const offset = decodeCursor(req.query.cursor, offsetCursor) ?? 0;
      const docs = (await models.Recognition.find({ province: req.caller!.province ?? '-' })
        .sort({ recordedAt: -1, _id: 1 })
        .skip(offset)
        .limit(req.query.limit + 1)
        .lean()) as RecognitionDoc[];
      return {
        items: docs.slice(0, req.query.limit).map(recognitionViewOf),
        nextCursor: docs.length > req.query.limit ? encodeCursor(offset + req.query.limit) : null,
      };
    },
  );

  app.get(
    '/recognitions/:id',
    {
      config: { action: 'recognition.read' },
      schema: {
        tags: ['certificates'],
        summary: 'One competition recognition of the caller’s province',
        security,
        params: recognitionParams,
        response: { 200: recognitionView, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const d = (await models.Recognition.findById(req.params.id).lean()) as RecognitionDoc | null;
      // another province's recognition does not exist for the caller (its holder is personal data)
      if (!d || d.province !== req.caller!.province) throw notFound('recognition');
      return recognitionViewOf(d);
    },
  );
};

export default recognitionsRoutes;
