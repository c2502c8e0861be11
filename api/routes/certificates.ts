/** Certificates (职业技能等级证书): public checks and revocation (SPEC §4, seed 004 Art.12). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { publicCertificateView } from '../../domain/batch';
import { parseCertificateCode } from '../../domain/certificate-code';
import { revokeCertificate } from '../../activities/batch';
import { notFound } from '../errors';
import { translate } from '../temporal-calls';
import { idNumber, problemSchema, text } from '../schemas';
import { actorOf } from './filings';
import { publicRateLimit } from '../plugins/security';

const certificateView = z.object({
  number: z.string(),
  holder: z.object({ name: z.string(), idNumber: z.string(), sex: z.string() }).describe('masked'),
  occupation: z.object({ code: z.string(), name: z.string() }),
  trade: z.string().nullable(),
  level: z.number().int(),
  levelName: z.string(),
  institution: z.object({ name: z.string(), code: z.string() }),
  issuedAt: z.string(),
  status: z.enum(['valid', 'revoked']),
  revokedAt: z.string().optional(),
});
const number = z.object({ number: z.string().min(21).max(22).regex(/^[YS]\d{20,21}$/, 'not a certificate number (1 letter and 20 or 21 digits)') }).strict();

const certificatesRoutes: FastifyPluginAsyncZod = async (app) => {
  const { models, temporal } = app.services;

  app.get(
    '/certificates/:number',
    {
      config: { action: 'certificate.read', rateLimit: publicRateLimit('certificate-lookup') },
      schema: { tags: ['public'], summary: 'Check a certificate by its number; the holder is masked', params: number, response: { 200: certificateView, 400: problemSchema, 404: problemSchema, 429: problemSchema } },
    },
    async (req) => {
      if (!parseCertificateCode(req.params.number)) throw notFound('certificate');
      const doc = await models.Certificate.findById(req.params.number).lean();
      if (!doc) throw notFound('certificate');
      return publicCertificateView(doc as never);
    },
  );

  app.get(
    '/certificates',
    {
      config: { action: 'certificate.read', rateLimit: publicRateLimit('certificate-lookup') },
      schema: {
        tags: ['public'], summary: "One person's certificates: both the ID number and the name are required",
        querystring: z.object({ idNumber, name: text(50) }).strict(),
        response: { 200: z.object({ items: z.array(certificateView) }), 400: problemSchema, 429: problemSchema },
      },
    },
    async (req) => {
      const docs = await models.Certificate.find({ 'holder.idNumber': req.query.idNumber, 'holder.name': req.query.name }).sort({ issuedAt: -1 }).limit(200).lean();
      return { items: docs.map((d) => publicCertificateView(d as never)) };
    },
  );

  app.post(
    '/certificates/:number/revocation',
    {
      config: { action: 'certificate.revoke' },
      schema: {
        tags: ['certificates'], summary: 'Revoke: the issuing institution (also after its filing ended) or a provincial reviewer',
        security: [{ bearer: [] }], params: number, body: z.object({ reason: text(2000) }).strict(),
        response: { 200: certificateView, 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (req) => {
      try {
        const doc = await revokeCertificate(temporal.client, temporal.taskQueue, { number: req.params.number, reason: req.body.reason, actor: actorOf(req.caller!), requestId: req.id });
        return publicCertificateView(doc as never);
      } catch (err) {
        throw translate(err);
      }
    },
  );
};

export default certificatesRoutes;
