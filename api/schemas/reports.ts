/** GET /statistics and GET /reports/certificates (#15 §7). */
import { z } from 'zod';
import { isoDate, provinceCode } from './common';

export const statisticsQuery = z
  .object({
    year: z.coerce.number().int().min(2000).max(2100),
    province: provinceCode.optional(),
  })
  .strict();

const count = z.number().int().nonnegative();

export const statisticsResponse = z.object({
  year: z.number().int(),
  province: z.string().nullable(),
  asOf: z.string(),
  certificates: z.object({
    total: count,
    byQuarter: z.array(z.object({ occupationCode: z.string(), occupationName: z.string(), level: z.number().int(), quarter: z.number().int(), count })),
    perMonth: z.array(count).length(12),
  }),
  passRates: z.object({
    /** certified batches counted */
    batches: count,
    items: z.array(
      z.object({
        occupationCode: z.string(),
        occupationName: z.string(),
        level: z.number().int(),
        assessed: count,
        passed: count,
        rate: z.number().nullable(),
      }),
    ),
  }),
  institutions: z.object({ byStatus: z.array(z.object({ status: z.string(), count })) }),
  filings: z.object({ byStage: z.array(z.object({ stage: z.string(), count })) }),
  overdue: z.object({ total: count, byPrefecture: z.array(z.object({ prefecture: z.string().nullable(), filings: count, batches: count })) }),
});

/** A report covers at most a year and a day, so one request never reads a province's whole history. */
export const certificateReportQuery = z
  .object({
    from: isoDate,
    to: isoDate,
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict()
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, { message: 'a report covers at most 366 days', path: ['to'] });

export const certificateReportResponse = z.object({
  province: z.string(),
  from: z.string(),
  to: z.string(),
  /** the previous report of this province, whose changes since are flagged; null for the first */
  since: z.string().nullable(),
  generatedAt: z.string(),
  items: z.array(
    z.object({
      number: z.string(),
      name: z.string(),
      idType: z.string(),
      idNumber: z.string(),
      occupationCode: z.string(),
      occupationName: z.string(),
      trade: z.string().nullable(),
      level: z.number().int(),
      institutionCode: z.string(),
      institutionName: z.string(),
      issueDate: z.string(),
      status: z.enum(['valid', 'revoked']),
      version: z.number().int(),
      change: z.enum(['corrected', 'revoked']).nullable(),
    }),
  ),
});
