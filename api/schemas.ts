/** zod building blocks shared by the route schemas. */
import { z } from 'zod';
import { isValidIsoDate } from '../domain/calendar';

export const isoDate = z
  .string()
  .refine(isValidIsoDate, { message: 'expected a real date as YYYY-MM-DD' })
  .meta({ format: 'date', example: '2026-09-28' });

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  instance: z.string().optional(),
}).loose();
