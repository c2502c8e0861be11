/** GET /tasks (the caller's inbox), POST /tasks/decisions (several at once) and GET /notifications (their own mail). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { roleAllows } from '../../domain/access';
import type { BatchStage } from '../../domain/batch';
import { decideUpdate as filingDecideUpdate } from '../../workflows/filing/messages';
import { decideUpdate as batchDecideUpdate } from '../../workflows/batch/messages';
import { envelopeOf, updateIdOf } from '../cases';
import { DomainError } from '../problems';
import { page, problems } from '../schemas/common';
import { bulkDecisionsBody, bulkDecisionsResult, notification, notificationsQuery, task, tasksQuery } from '../schemas/inbox';

type Item = z.infer<typeof bulkDecisionsBody>['items'][number];
type Result = z.infer<typeof bulkDecisionsResult>['results'][number];

/** decisions in flight at once: each is one Update, and a reviewer's forty should not queue behind each other */
const BULK_CONCURRENCY = 4;

const inboxRoutes: FastifyPluginAsyncZod = async (app) => {
  const { inbox, filings, batches } = app.repositories;
  const { cases } = app;
  const security = [{ bearer: [] }];

  app.get(
    '/tasks',
    {
      config: { action: 'tasks.read' },
      schema: {
        tags: ['inbox'],
        summary: 'Every filing or batch step waiting on the caller, soonest due first',
        security,
        querystring: tasksQuery,
        response: { 200: page(task), ...problems(400, 401) },
      },
    },
    async (req) => inbox.tasks(req.caller!, req.query),
  );

  /**
   * One decision, exactly as POST /filings/:id/decisions or /batches/:id/decisions takes it: the
   * same role rule, scope look-up, validators and Update. Its Update id is derived from the
   * request's Idempotency-Key and the item, so a retried request decides nothing twice.
   */
  async function decideOne(req: FastifyRequest, item: Item, index: number): Promise<Result> {
    const base = { id: item.id, type: item.type };
    const key = updateIdOf(req);
    const updateId = key ? `${key}:${index}:${item.type}:${item.id}` : undefined;
    try {
      if (item.type === 'filing') {
        if (!roleAllows(req.caller, 'filing.decide')) throw new DomainError('FORBIDDEN', 'Your role does not decide filing stages');
        if (item.outcome === 'return') throw new DomainError('VALIDATION_FAILED', 'A filing stage is decided pass, supplement or reject');
        const doc = await filings.find(req.caller, item.id);
        const s = await cases.updateFiling(
          doc._id,
          filingDecideUpdate,
          { stage: item.stage, outcome: item.outcome, opinion: item.opinion, score: item.score, ...envelopeOf(req) },
          updateId,
        );
        return { ...base, status: 200, caseStatus: s.status, stage: s.stage };
      }
      if (!roleAllows(req.caller, 'batch.decide')) throw new DomainError('FORBIDDEN', 'Only the appraisal center decides batches');
      if (item.outcome === 'supplement') throw new DomainError('VALIDATION_FAILED', 'A batch is decided pass, return or reject');
      if (item.stage !== 'plan-review' && item.stage !== 'results-review')
        throw new DomainError('VALIDATION_FAILED', 'stage must be plan-review or results-review');
      const doc = await batches.find(req.caller, item.id);
      const s = await cases.updateBatch(
        doc._id,
        batchDecideUpdate,
        { stage: item.stage as BatchStage, outcome: item.outcome, opinion: item.opinion, ...envelopeOf(req) },
        updateId,
        doc.candidates,
      );
      return { ...base, status: 200, caseStatus: s.status, stage: s.stage };
    } catch (err) {
      // one refusal never blocks the others; what is not a refusal is logged and hidden, as the error handler does
      if (err instanceof DomainError) return { ...base, status: err.status, code: err.code, detail: err.message };
      req.log.error({ err, item: base }, 'bulk decision failed');
      return { ...base, status: 500, code: 'INTERNAL' };
    }
  }

  app.post(
    '/tasks/decisions',
    {
      config: { action: 'tasks.decide' },
      schema: {
        tags: ['inbox'],
        summary: 'Decide up to 100 tasks at once; each item goes through the same rules and Update as a single decision and gets its own answer',
        security,
        body: bulkDecisionsBody,
        response: { 200: bulkDecisionsResult, ...problems(400, 401, 403) },
      },
    },
    async (req) => {
      const items = req.body.items;
      const results: Result[] = new Array(items.length);
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(BULK_CONCURRENCY, items.length) }, async () => {
          while (next < items.length) {
            const i = next++;
            results[i] = await decideOne(req, items[i], i);
          }
        }),
      );
      return { results };
    },
  );

  app.get(
    '/notifications',
    {
      config: { action: 'notifications.read' },
      schema: {
        tags: ['inbox'],
        summary: "The caller's notifications: reminders, escalations, decisions; newest first",
        security,
        querystring: notificationsQuery,
        response: { 200: page(notification), ...problems(400, 401) },
      },
    },
    async (req) => inbox.notifications(req.caller!, req.query),
  );
};

export default inboxRoutes;
