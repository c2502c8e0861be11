/**
 * Certificates (职业技能等级证书): public checks, the electronic document with its signed QR code
 * (002 Art.20, 001 附件6), the published signing keys, revocation, correction with the center's
 * review and reissue (SPEC §4, seed 004 Art.12).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { correctionRefusal, correctionValue, mayReadCertificateDocument, mayReadCertificateRecord, reissueRefusal, versionOf } from '../../domain/certificates';
import type { CertificateDoc } from '../../models/batch';
import { CertificateDocumentError, certificateDocumentInput, renderCertificatePdf } from '../../certificates/document';
import { caseIdSuffix, envelopeOf, updateIdOf } from '../cases';
import { recordRequestAudit } from '../audit';
import { DomainError, notFound, refused } from '../problems';
import type { Refusal } from '../../domain/errors';
import { publicRateLimit } from '../plugins/security';
import { page, problems } from '../schemas/common';
import { publicView, recordView, verifyUrlOf } from '../repositories/certificates';
import {
  certificateNumberParams,
  certificateRecordView,
  certificateView,
  correctionListItem,
  correctionListQuery,
  correctionAccepted,
  correctionBody,
  correctionDecisionBody,
  correctionParams,
  correctionView,
  holderQuery,
  reissueBody,
  reissueView,
  revocationBody,
  signingKeysView,
} from '../schemas/certificates';
import { z } from 'zod';

const certificatesRoutes: FastifyPluginAsyncZod = async (app) => {
  const { cases } = app;
  const { certificates } = app.repositories;
  const { signing } = app.services;
  const security = [{ bearer: [] }];

  /** A pure rule's refusal, as the API answers it. */
  const refuse = (r: Refusal | null) => {
    if (r) throw refused(r);
  };

  app.get(
    '/certificates/signing-keys',
    {
      // its own budget, not the look-ups': a verifier fetches the keys once and checks many prints
      config: { action: 'certificate.signing-keys', rateLimit: publicRateLimit() },
      schema: {
        tags: ['public'],
        summary: "The province's published Ed25519 keys, to check a certificate's signature offline",
        response: { 200: signingKeysView },
      },
    },
    async (_req, reply) => {
      // public and the same for everyone until the keys rotate: caches may keep it a while
      reply.header('cache-control', 'public, max-age=3600');
      return { keys: signing.publicKeys.keys.map((k) => ({ kid: k.kid, alg: k.alg, publicKey: k.publicKey })) };
    },
  );

  app.get(
    '/certificates/:number',
    {
      config: { action: 'certificate.read', rateLimit: publicRateLimit('certificate-lookup') },
      schema: {
        tags: ['public'],
        summary: 'Check a certificate by its number; the holder is masked',
        params: certificateNumberParams,
        response: { 200: certificateView, ...problems(400, 404, 429) },
      },
    },
    async (req) => certificates.byNumber(req.params.number),
  );

  // a static path: it wins over /certificates/:number (which would refuse "corrections" as a number anyway)
  app.get(
    '/certificates/corrections',
    {
      config: { action: 'certificate.corrections' },
      schema: {
        tags: ['certificates'],
        summary:
          'Correction requests in scope, oldest first (?status=pending: the queue): a center those it reviews; the issuing institution and the reviewers in scope theirs',
        security,
        querystring: correctionListQuery,
        response: { 200: page(correctionListItem), ...problems(400, 401, 403) },
      },
    },
    async (req) => certificates.corrections(req.caller!, req.query),
  );

  app.get(
    '/certificates/:number/record',
    {
      config: { action: 'certificate.record' },
      schema: {
        tags: ['certificates'],
        summary:
          'The certificate with its holder in full, its revocation, corrections (what each replaced), reissues and correction requests: the issuing institution, reviewers and center in scope',
        security,
        params: certificateNumberParams,
        response: { 200: certificateRecordView, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const doc = await certificates.find(req.params.number);
      // the full ID number, as the document prints it, and the center's review needs it (SPEC §7)
      const scope = await certificates.scopeOf(doc);
      if (!mayReadCertificateRecord(req.caller!, scope)) {
        throw new DomainError('FORBIDDEN', "The record is for the issuing institution, and the reviewers and center of the certificate's batch");
      }
      return recordView(doc, scope, await certificates.requestsOf(doc._id), signing);
    },
  );

  app.get(
    '/certificates',
    {
      config: { action: 'certificate.read', rateLimit: publicRateLimit('certificate-lookup') },
      schema: {
        tags: ['public'],
        summary: "One person's certificates: both the ID number and the name are required",
        querystring: holderQuery,
        response: { 200: z.object({ items: z.array(certificateView) }), ...problems(400, 429) },
      },
    },
    async (req) => ({ items: await certificates.byHolder(req.query.idNumber, req.query.name) }),
  );

  app.get(
    '/certificates/:number/document',
    {
      config: { action: 'certificate.document' },
      schema: {
        tags: ['certificates'],
        summary: 'The certificate as a PDF (001 附件6 fields, QR code of the signed verification link): the issuing institution and reviewers in scope',
        security,
        params: certificateNumberParams,
      },
    },
    async (req, reply) => {
      const doc = await certificates.find(req.params.number);
      const scope = await certificates.scopeOf(doc);
      // it prints the holder's full ID number: only for those entitled to it (SPEC §7)
      if (!mayReadCertificateDocument(req.caller!, scope)) {
        throw new DomainError('FORBIDDEN', 'The document is for the issuing institution and the reviewers in scope');
      }
      if (doc.status === 'revoked') throw new DomainError('ALREADY_REVOKED', `Certificate ${doc._id} is revoked: it has no document`);
      const pdf = await renderDocument(doc);
      await recordRequestAudit(app, req, {
        action: 'certificate.document',
        target: { type: 'certificate', id: doc._id },
        before: null,
        after: { version: versionOf(doc), reissues: doc.reissues?.length ?? 0, bytes: pdf.length },
      });
      return reply.type('application/pdf').header('content-disposition', `inline; filename="${doc._id}.pdf"`).send(pdf);
    },
  );

  async function renderDocument(doc: CertificateDoc): Promise<Buffer> {
    const last = doc.reissues?.at(-1);
    try {
      const input = certificateDocumentInput(doc, verifyUrlOf(doc, signing), {
        version: versionOf(doc),
        ...(last ? { reissued: { at: new Date(last.at).toISOString(), count: doc.reissues!.length } } : {}),
      });
      // the link is checked against what is printed before anything is sent (a wiring mistake fails here)
      return await renderCertificatePdf(input, { verifyWith: signing.publicKeys });
    } catch (err) {
      if (err instanceof CertificateDocumentError) throw new DomainError('CERTIFICATE_UNPRINTABLE', err.message);
      throw err;
    }
  }

  app.post(
    '/certificates/:number/revocation',
    {
      config: { action: 'certificate.revoke' },
      schema: {
        tags: ['certificates'],
        summary: 'Revoke: the issuing institution (also after its filing ended) or a provincial reviewer',
        security,
        params: certificateNumberParams,
        body: revocationBody,
        response: { 200: certificateView, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (req) => publicView(await cases.revokeCertificate({ number: req.params.number, reason: req.body.reason, ...envelopeOf(req) }), signing),
  );

  app.post(
    '/certificates/:number/corrections',
    {
      config: { action: 'certificate.correct' },
      schema: {
        tags: ['certificates'],
        summary: 'Request a correction (004 Art.12, also after the filing ended): the issuing institution; the center in scope reviews it',
        security,
        params: certificateNumberParams,
        body: correctionBody,
        response: { 202: correctionAccepted, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req, reply) => {
      const doc = await certificates.find(req.params.number);
      refuse(correctionRefusal(req.caller!, doc, req.body));
      const v = correctionValue(req.body.field, req.body.value);
      if ('code' in v) return refuse(v);
      const scope = await certificates.scopeOf(doc);
      const correctionId = `cc-${caseIdSuffix(req)}`;
      await cases.requestCorrection({
        correctionId,
        number: doc._id,
        field: req.body.field,
        value: v.value,
        reason: req.body.reason,
        institutionId: scope.institutionId,
        jurisdiction: scope.jurisdiction,
        ...envelopeOf(req),
      });
      return reply.code(202).send({ correctionId });
    },
  );

  app.post(
    '/certificates/:number/corrections/:correctionId/decision',
    {
      config: { action: 'certificate.decide-correction' },
      schema: {
        tags: ['certificates'],
        summary: "The center of the certificate's batch approves (a new version, same number) or rejects a correction",
        security,
        params: correctionParams,
        body: correctionDecisionBody,
        response: { 200: correctionView, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req) => {
      const { number, correctionId } = req.params;
      const decided = async () => {
        const c = await certificates.correction(number, correctionId).catch(() => null);
        return c && c.status !== 'pending' ? new DomainError('ALREADY_DECIDED', `Correction ${correctionId} was ${c.status}`) : notFound('correction');
      };
      // the request's own record is written by its workflow just after the 202, so it may not be there
      // yet: the workflow's validator is what knows the open request (NOT_FOUND for another id)
      const known = await certificates.correction(number, correctionId).catch(() => null);
      if (known && known.status !== 'pending') throw await decided();
      let s;
      try {
        s = await cases.decideCorrection(number, { correctionId, ...req.body, ...envelopeOf(req) }, updateIdOf(req));
      } catch (err) {
        // no workflow of this certificate is open: the request was decided already, or never made
        if (err instanceof DomainError && err.code === 'INVALID_STATE') throw await decided();
        throw err;
      }
      return {
        correctionId: s.correctionId,
        number: s.number,
        field: s.field,
        status: s.status,
        decision: s.decision
          ? { outcome: s.decision.outcome, opinion: s.decision.opinion, at: s.decision.at, ...(s.decision.version ? { version: s.decision.version } : {}) }
          : null,
      };
    },
  );

  app.post(
    '/certificates/:number/reissue',
    {
      config: { action: 'certificate.reissue' },
      schema: {
        tags: ['certificates'],
        summary: 'A replacement document for a lost or damaged one, same number (audited): the issuing institution',
        security,
        params: certificateNumberParams,
        body: reissueBody,
        response: { 200: reissueView, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (req: FastifyRequest<{ Params: { number: string }; Body: { reason: string } }>) => {
      const doc = await certificates.find(req.params.number);
      refuse(reissueRefusal(req.caller!, doc, req.body.reason));
      const r = await cases.reissueCertificate({ kind: 'reissue', number: doc._id, reason: req.body.reason, ...envelopeOf(req) });
      return { number: r.number, version: r.version, reissues: r.reissues, reissuedAt: r.at, document: `/api/v1/certificates/${r.number}/document` };
    },
  );
};

export default certificatesRoutes;
