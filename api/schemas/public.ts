/** zod schemas of the public reads: the directory (公布目录) and open publicities (公示). */
import { z } from 'zod';
import { occupationCode, pageQuery, provinceCode } from './common';

/** A filed institution in force (000 §五(一)4). */
export const directoryEntry = z.object({
  creditCode: z.string(),
  name: z.string(),
  kind: z.string(),
  institutionCode: z.string(),
  province: z.string(),
  prefecture: z.string().nullable(),
  address: z.string(),
  occupations: z.array(z.object({ code: z.string(), name: z.string(), trade: z.string().optional(), levels: z.array(z.number()) })),
  subsidiaries: z.array(z.object({ name: z.string() })),
  validUntil: z.string(),
  noticeNumber: z.string(),
  supervisingBody: z.string(),
  contact: z.object({ name: z.string(), phone: z.string() }),
  fees: z
    .object({ standard: z.string(), basis: z.string().nullable() })
    .nullable()
    .describe('收费标准 as filed (004 Art.6(2), 002 Art.19); null when none was declared'),
});

export const directoryQuery = z
  .object({
    province: provinceCode.optional(),
    occupation: occupationCode.optional(),
    level: z.coerce.number().int().min(1).max(5).optional(),
    q: z.string().trim().min(1).max(50).optional().describe('part of the name'),
    ...pageQuery,
  })
  .strict();

/** A passing candidate of a result publicity, the ID number masked (000 §五(二)3). */
export const publicityCandidate = z.object({
  name: z.string(),
  idNumber: z.string(),
  occupationCode: z.string(),
  occupationName: z.string(),
  trade: z.string().optional(),
  level: z.number(),
  levelName: z.string(),
});

/** A notice under 公示: a filing, or a batch's results. */
export const publicityItem = z.object({
  kind: z.enum(['filing', 'batch']),
  id: z.string(),
  institution: z.object({ name: z.string(), creditCode: z.string() }),
  endDate: z.string(),
  endsAt: z.string(),
  occupations: z.array(z.object({ code: z.string(), name: z.string(), levels: z.array(z.number()).optional() })).optional(),
  counts: z.array(z.object({}).loose()).optional(),
  candidates: z.array(publicityCandidate).optional().describe('batch results: each passing candidate, ID number masked (000 §五(二)3)'),
  objectionPath: z.string(),
});

export const publicityQuery = z
  .object({
    province: z
      .string()
      .regex(/^\d{2}$/)
      .optional(),
  })
  .strict();
