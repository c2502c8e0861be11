/** zod schemas of the caller's own work: the inbox (GET /tasks) and notifications. */
import { z } from 'zod';
import { pageQuery } from './common';

/** A filing or batch step waiting on the caller. */
export const task = z.object({
  kind: z.enum(['filing', 'batch']),
  id: z.string(),
  title: z.string(),
  action: z.string(),
  stage: z.string().nullable(),
  status: z.string(),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  escalation: z.number().int(),
  path: z.string(),
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
