/** zod schemas of the annual plans (年度认定计划, 000 §五(二)1; API.md "Added: seed rules"). */
import { z } from 'zod';
import { id, level, occupationCode, pageQuery, text } from './common';

export const annualPlanItem = z
  .object({
    occupationCode,
    level,
    quarter: z.number().int().min(1).max(4),
    expected: z.number().int().min(1).max(100_000).describe('candidates expected'),
  })
  .strict();

export const annualPlanBody = z
  .object({
    filingId: id,
    year: z.number().int().min(2000).max(2100),
    items: z.array(annualPlanItem).min(1).max(500),
  })
  .strict();

export const annualPlanCreated = z.object({ id: z.string(), version: z.number().int(), status: z.string() });

export const annualPlanDecisionBody = z
  .object({
    outcome: z.enum(['pass', 'return']).describe('pass: acknowledged (已备案); return: sent back to be filed again'),
    opinion: text(2000),
  })
  .strict();

const decision = z.object({ version: z.number().int(), outcome: z.string(), opinion: z.string(), at: z.string(), by: z.string() });

export const annualPlanSchema = z.object({
  id: z.string(),
  filingId: z.string(),
  year: z.number().int(),
  institution: z.object({ name: z.string(), creditCode: z.string() }),
  province: z.string(),
  prefecture: z.string().nullable(),
  items: z.array(annualPlanItem.strip()),
  version: z.number().int(),
  status: z.enum(['submitted', 'acknowledged', 'returned']),
  submittedAt: z.string(),
  decision: decision.nullable().describe('the decision on the current version'),
  acknowledged: decision
    .extend({ items: z.array(annualPlanItem.strip()) })
    .nullable()
    .describe('the last version acknowledged: what batch plans are checked against'),
});

export const annualPlanListQuery = z
  .object({
    year: z.coerce.number().int().min(2000).max(2100).optional(),
    filingId: id.optional(),
    status: z.enum(['submitted', 'acknowledged', 'returned']).optional(),
    ...pageQuery,
  })
  .strict();

export const annualPlanParams = z.object({ id: z.string().min(1).max(120) }).strict();
