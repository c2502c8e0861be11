/** zod schemas of the certificate routes (SPEC §4, API.md "certificates"). */
import { z } from 'zod';
import { idNumber, text } from './common';

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
