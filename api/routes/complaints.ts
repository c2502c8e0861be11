/**
 * Complaints (投诉举报, 000 §六(一), 001 §四(二), 002 Art.25) and the institution's credit file
 * (信用档案, 002 Art.26–27): rules in domain/complaints.ts and domain/credit.ts.
 *
 * The public files a complaint and gets its id and a tracking code, once: the code is stored only
 * as its sha256 (in the complaint's workflow and read model). The complainant's name, contact and
 * text go to the intake collection, never through the workflow, never to the log, never to anyone
 * but the reviewers in scope. A wrong or missing code is 404, as for an unknown id (no oracle).
 * One complainant (a contact, and separately a client address) may have a bounded number of
 * complaints open, and the route is rate-limited per address: nobody can flood the reviewers.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { DEFAULT_COMPLAINT_POLICY, handlesComplaint, OPEN_COMPLAINTS_PER_COMPLAINANT } from '../../domain/complaints';
import { envelopeOf, updateIdOf } from '../cases';
import { recordRequestAudit } from '../audit';
import { insertOnce } from '../../activities/records';
import { keyOf } from '../objections';
import { publicRateLimit } from '../plugins/security';
import { DomainError, notFound } from '../problems';
import { problems } from '../schemas/common';
import {
  complaintAccepted,
  complaintBody,
  complaintDecisionBody,
  complaintParams,
  complaintQuery,
  complaintView,
  creditFile,
  creditParams,
} from '../schemas/complaints';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The tracking code's stored form is compared in constant time. */
function codeMatches(code: string | undefined, hash: string): boolean {
  if (!code) return false;
  const a = Buffer.from(sha256(code), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

const complaintsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { complaints } = app.repositories;
  const { cases } = app;
  const { settings, models } = app.services;
  const security = [{ bearer: [] }];

  /**
   * A complaint's id: from the Idempotency-Key bound to the body (anonymous callers share one key
   * space, api/cases.ts updateIdOf), so a retried request files nothing twice; else random.
   */
  const complaintIdOf = (req: FastifyRequest): string => {
    const key = req.headers['idempotency-key'];
    const hex = typeof key === 'string' && key ? sha256(`${key}\n${JSON.stringify(req.body ?? null)}`).slice(0, 12) : randomBytes(6).toString('hex');
    return `cp-${hex}`;
  };

  /**
   * Random, unless the request carries an Idempotency-Key: then keyed to the complaint's id with
   * the server's secret, so a retried request is answered the same code. The answer is never kept
   * by the idempotency store (it would hold the code in clear): a retry runs again instead.
   */
  const trackingCodeOf = (req: FastifyRequest, id: string): string => {
    const secret = settings.AUTH_JWT_SECRET;
    if (req.headers['idempotency-key'] && secret) return createHmac('sha256', `${secret}:complaint-tracking`).update(id).digest('base64url').slice(0, 22);
    return randomBytes(16).toString('base64url');
  };

  app.post(
    '/complaints',
    {
      config: { action: 'complaint.file', rateLimit: publicRateLimit() },
      schema: {
        tags: ['public'],
        summary: 'File a complaint (投诉举报) about an institution, a batch or a certificate; the tracking code is shown once',
        body: complaintBody,
        response: { 202: complaintAccepted, ...problems(400, 404, 409, 429) },
      },
    },
    async (req, reply) => {
      // the answer carries the tracking code: never stored by the idempotency plugin
      req.idempotency = undefined;
      const { subject, name, contact, content } = req.body;
      const about = await complaints.subjectOf(subject.type, subject.id);
      const id = complaintIdOf(req);
      const contactKey = keyOf(app, 'complaint-contact', contact);
      const addressKey = keyOf(app, 'complaint-address', req.ip);
      const retried = !!(await models.ComplaintSubmission.exists({ _id: id }));
      if (!retried) {
        for (const [field, key, who] of [
          ['contactKey', contactKey, 'this contact'],
          ['addressKey', addressKey, 'this address'],
        ] as const) {
          const open = await complaints.openOf(field, key);
          if (open >= OPEN_COMPLAINTS_PER_COMPLAINANT) {
            reply.header('retry-after', '3600');
            throw new DomainError('TOO_MANY_COMPLAINTS', `${open} complaints from ${who} are still being handled; more are accepted once they are decided`);
          }
        }
      }
      // the text first: a complaint the reviewers see always has it (a start that fails leaves only an invisible submission)
      await insertOnce(models.ComplaintSubmission, [
        { _id: id, subjectType: subject.type, subjectId: subject.id, name, contact, content, contactKey, addressKey, receivedAt: new Date() },
      ]);
      const trackingCode = trackingCodeOf(req, id);
      const s = await cases.startComplaint({
        complaintId: id,
        subject: { type: subject.type, id: subject.id },
        institution: about.institution,
        jurisdiction: about.jurisdiction,
        policy: DEFAULT_COMPLAINT_POLICY,
        trackingHash: sha256(trackingCode),
        requestId: req.id,
      });
      // a retry that found its complaint running under another code (no secret to derive it): it exists already
      if (s.trackingHash !== sha256(trackingCode)) throw new DomainError('ALREADY_EXISTS', `Complaint ${id} was filed already`);
      // the trail says a complaint came in, never who sent it
      await recordRequestAudit(app, req, {
        action: 'complaint.file',
        target: { type: 'complaint', id },
        before: null,
        after: { subject: s.subject, dueDate: s.due?.dueDate },
      });
      return reply.code(202).send({ id, trackingCode, dueDate: s.due?.dueDate ?? null });
    },
  );

  app.get(
    '/complaints/:id',
    {
      // the tracking code can be guessed only at this pace
      config: { action: 'complaint.read', rateLimit: publicRateLimit('complaint-tracking') },
      schema: {
        tags: ['public'],
        summary: 'Follow a complaint: with its tracking code (status, due date, outcome), or as a reviewer in scope (also who complained and what)',
        params: complaintParams,
        querystring: complaintQuery,
        response: { 200: complaintView, ...problems(400, 404, 429) },
      },
    },
    async (req) => {
      const doc = await models.Complaint.findById(req.params.id).lean();
      if (!doc) throw notFound('complaint');
      const j = { level: doc.level as 'province' | 'prefecture', province: doc.province, prefecture: doc.prefecture ?? undefined };
      if (handlesComplaint(req.caller, j)) return complaints.reviewerView(doc);
      if (codeMatches(req.query.trackingCode, doc.trackingHash)) return complaints.publicView(doc);
      throw notFound('complaint');
    },
  );

  app.post(
    '/complaints/:id/decision',
    {
      config: { action: 'complaint.decide' },
      schema: {
        tags: ['complaints'],
        summary: 'Decide a complaint: upheld (an entry in the credit file) or dismissed, with a note; the reviewer in scope',
        security,
        params: complaintParams,
        body: complaintDecisionBody,
        response: { 200: complaintView, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req) => {
      const doc = await complaints.find(req.params.id);
      const j = { level: doc.level as 'province' | 'prefecture', province: doc.province, prefecture: doc.prefecture ?? undefined };
      if (!handlesComplaint(req.caller, j)) throw notFound('complaint');
      if (doc.status !== 'open') throw new DomainError('ALREADY_DECIDED', `Complaint ${doc._id} was ${doc.status}`);
      try {
        await cases.decideComplaint(doc._id, { upheld: req.body.upheld, note: req.body.note, ...envelopeOf(req) }, updateIdOf(req));
      } catch (err) {
        // the workflow has ended: decided meanwhile
        if (err instanceof DomainError && err.code === 'INVALID_STATE') throw new DomainError('ALREADY_DECIDED', `Complaint ${doc._id} was decided`);
        throw err;
      }
      return complaints.reviewerView(await complaints.find(doc._id));
    },
  );

  app.get(
    '/institutions/:creditCode/credit',
    {
      config: { action: 'credit.read' },
      schema: {
        tags: ['public'],
        summary: "An institution's credit file (信用档案): the published entries, with dates and the deciding body; complainants are never named",
        params: creditParams,
        response: { 200: creditFile, ...problems(400) },
      },
    },
    async (req) => complaints.credit(req.params.creditCode),
  );
};

export default complaintsRoutes;
