/** Certificates (职业技能等级证书): public checks and revocation (SPEC §4, seed 004 Art.12). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { publicCertificateView } from '../../domain/batch';
import { envelopeOf } from '../cases';
import { publicRateLimit } from '../plugins/security';
import { problems } from '../schemas/common';
import { certificateNumberParams, certificateView, holderQuery, revocationBody } from '../schemas/certificates';
import { z } from 'zod';

const certificatesRoutes: FastifyPluginAsyncZod = async (app) => {
  const { cases } = app;
  const { certificates } = app.repositories;

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

  app.post(
    '/certificates/:number/revocation',
    {
      config: { action: 'certificate.revoke' },
      schema: {
        tags: ['certificates'],
        summary: 'Revoke: the issuing institution (also after its filing ended) or a provincial reviewer',
        security: [{ bearer: [] }],
        params: certificateNumberParams,
        body: revocationBody,
        response: { 200: certificateView, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (req) => publicCertificateView(await cases.revokeCertificate({ number: req.params.number, reason: req.body.reason, ...envelopeOf(req) })),
  );
};

export default certificatesRoutes;
