/** zod schemas of the certificate routes (SPEC §4, API.md "certificates"). */
import { z } from 'zod';
import { idNumber, pageQuery, text } from './common';
import { CORRECTABLE_FIELDS } from '../../domain/certificates';

/** What the public sees of a certificate (domain/batch.ts publicCertificateView): the holder masked. */
export const certificateView = z.object({
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
  version: z.number().int().min(1).describe('1 as issued, +1 per approved correction; the number stays'),
  verifyUrl: z.string().describe('<PUBLIC_BASE_URL>/verify/<number>?sig=<kid>.<Ed25519 signature>, as the QR code on the document'),
  competition: z
    .object({ name: z.string(), rank: z.number().int() })
    .optional()
    .describe('a competition recognition (竞赛选拔, 000 §二(三)4): the competition and the place won; absent for a batch’s certificate'),
});

export const certificateNumberParams = z
  .object({
    number: z
      .string()
      .min(21)
      .max(22)
      .regex(/^[YS]\d{20,21}$/, 'not a certificate number (1 letter and 20 or 21 digits)'),
  })
  .strict();

/** One person's certificates: both the ID number and the name. */
export const holderQuery = z.object({ idNumber, name: text(50) }).strict();

export const revocationBody = z.object({ reason: text(2000) }).strict();

/** GET /certificates/signing-keys: the published Ed25519 keys (certificates/signature.ts). */
export const signingKeysView = z.object({
  keys: z.array(
    z.object({
      kid: z.string(),
      alg: z.literal('Ed25519'),
      publicKey: z.string().describe('raw 32-byte Ed25519 public key, base64url (a JWK x)'),
    }),
  ),
});

/** A correction request (004 Art.12): one field, its new value, why. The value is checked per field by domain/certificates correctionValue. */
export const correctionBody = z
  .object({
    field: z.enum(CORRECTABLE_FIELDS),
    value: z.string().max(100).describe('the new value; for trade, empty means none'),
    reason: text(2000),
  })
  .strict();

export const correctionAccepted = z.object({ correctionId: z.string() });

export const correctionParams = certificateNumberParams.extend({ correctionId: z.string().regex(/^cc-[0-9a-f]{12}$/, 'not a correction id') }).strict();

export const correctionDecisionBody = z.object({ outcome: z.enum(['pass', 'reject']), opinion: text(2000) }).strict();

export const correctionView = z.object({
  correctionId: z.string(),
  number: z.string(),
  field: z.string(),
  status: z.enum(['pending', 'approved', 'rejected']),
  decision: z.object({ outcome: z.enum(['pass', 'reject']), opinion: z.string(), at: z.string(), version: z.number().int().optional() }).nullable(),
});

export const reissueBody = z.object({ reason: text(2000) }).strict();

export const reissueView = z.object({
  number: z.string(),
  version: z.number().int(),
  reissues: z.number().int().describe('replacement documents issued so far, this one included'),
  reissuedAt: z.string(),
  document: z.string().describe('path of the document, which now prints the reissue'),
});

const person = z.object({ name: z.string(), role: z.string() });

/** A correction request as its issuer, the center and the reviewers in scope see it (values in full). */
export const correctionRequestView = z.object({
  correctionId: z.string(),
  number: z.string(),
  field: z.string(),
  value: z.string().nullable().describe('the new value asked for'),
  reason: z.string(),
  status: z.enum(['pending', 'approved', 'rejected']),
  requestedBy: person,
  requestedAt: z.string(),
  decision: z.object({ outcome: z.enum(['pass', 'reject']), opinion: z.string(), by: person, at: z.string(), version: z.number().int().optional() }).nullable(),
});

/**
 * GET /certificates/:number/record: the certificate with its holder in full and its later life —
 * revocation, approved corrections (what each replaced), reissues, and every correction request.
 */
export const certificateRecordView = certificateView.extend({
  holder: z.object({ name: z.string(), idNumber: z.string(), sex: z.string() }).describe('in full'),
  institution: z.object({ name: z.string(), code: z.string(), creditCode: z.string(), province: z.string() }),
  jurisdiction: z
    .object({ level: z.enum(['prefecture', 'province']), province: z.string(), prefecture: z.string().optional() })
    .describe("the certificate's batch's jurisdiction: whose reviewers and center act on it"),
  displayStatus: z.enum(['valid', 'revoked', 'corrected']).describe('有效 / 已撤销 / 已更正, as the public check says'),
  batchId: z.string(),
  revocation: z.object({ reason: z.string(), by: person, at: z.string() }).nullable(),
  corrections: z.array(
    z.object({
      correctionId: z.string(),
      version: z.number().int(),
      field: z.string(),
      from: z.string().nullable(),
      to: z.string().nullable(),
      reason: z.string(),
      requestedBy: person,
      approvedBy: person,
      opinion: z.string(),
      at: z.string(),
    }),
  ),
  reissues: z.array(z.object({ at: z.string(), reason: z.string(), by: person })),
  requests: z.array(correctionRequestView),
});

export const correctionListQuery = z.object({ status: z.enum(['pending', 'approved', 'rejected']).optional(), ...pageQuery }).strict();

export const correctionListItem = correctionRequestView.extend({
  holder: z.object({ name: z.string() }),
  current: z.string().nullable().describe('the value the certificate has now'),
});
