/** zod schemas of the health checks. */
import { z } from 'zod';

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  temporal: z.enum(['up', 'down']),
  mongo: z.enum(['up', 'down']),
  /** whether any worker polls the task queue (up) or none has lately (down) */
  worker: z.enum(['up', 'down']),
});

export const liveSchema = z.object({ ok: z.literal(true) });
