/** zod schemas of the caller's own work: the inbox (GET /tasks) and notifications. */
import { z } from 'zod';
import { pageQuery } from './common';

/** A filing, batch or complaint step, or an annual plan to acknowledge, waiting on the caller. */
export const task = z.object({
  kind: z.enum(['filing', 'batch', 'complaint', 'annual-plan']),
  id: z.string(),
  title: z.string(),
  action: z.string(),
  stage: z.string().nullable(),
  status: z.string(),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  escalation: z.number().int(),
  path: z.string(),
  /** batches: planned outside the acknowledged annual plan of its year (000 §五(二)1, 计划外) */
  outsideAnnualPlan: z.boolean().optional(),
});

export const notification = z.object({
  id: z.string(),
  kind: z.string(),
  message: z.string(),
  at: z.string(),
  target: z.object({ type: z.string(), id: z.string() }).nullable(),
});

export const tasksQuery = z.object(pageQuery).strict();
export const notificationsQuery = z.object({ ...pageQuery, kind: z.string().max(40).optional() }).strict();

/** POST /tasks/decisions: up to 100 decisions, each as its single route takes it. */
export const bulkDecisionsBody = z
  .object({
    items: z
      .array(
        z
          .object({
            type: z.enum(['filing', 'batch']),
            id: z.string().min(1).max(80),
            stage: z.string().min(1).max(50),
            outcome: z.enum(['pass', 'supplement', 'return', 'reject']),
            opinion: z.string().trim().min(1).max(5000),
            score: z.number().min(0).max(100).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(100),
  })
  .strict();

export const bulkDecisionsResult = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      type: z.enum(['filing', 'batch']),
      /** the HTTP status the single decision would have answered */
      status: z.number().int(),
      /** the refusal's code (API.md), when status is not 200 */
      code: z.string().optional(),
      detail: z.string().optional(),
      /** the case after the decision */
      caseStatus: z.string().optional(),
      stage: z.string().nullable().optional(),
    }),
  ),
});
