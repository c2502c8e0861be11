/** zod schemas of the fee routes (004 Art.6(2), Art.13). */
import { z } from 'zod';

export const refundFormat = z.object({ format: z.enum(['json', 'csv']).default('json') }).strict();

export const refundList = z.object({
  filingId: z.string(),
  status: z.string(),
  terminatedAt: z.string().nullable(),
  batches: z.array(z.object({ id: z.string(), cancelledAt: z.string(), reason: z.string(), count: z.number().int() })),
  count: z.number().int(),
  items: z.array(
    z.object({
      batchId: z.string(),
      cancelledAt: z.string(),
      reason: z.string(),
      name: z.string(),
      idNumber: z.string(),
      occupationCode: z.string(),
      occupationName: z.string(),
      level: z.number().int(),
    }),
  ),
});
