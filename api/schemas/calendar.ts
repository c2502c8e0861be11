/** zod schemas of the working-day calendar (SPEC §6) and the demo clock (API.md "Demo mode"). */
import { z } from 'zod';
import { isoDate } from './common';

export const workingDaysQuery = z
  .object({
    from: isoDate,
    add: z
      .string()
      .regex(/^\d{1,4}$/, 'expected a whole number of days')
      .pipe(z.coerce.number<string>().int().min(0).max(2000)),
  })
  .strict();
export const workingDay = z.object({ date: isoDate, coverage: z.enum(['official', 'estimated']) });

// four digits only: no ' 2030', 0x7D0 or 2e3 for a year
export const yearParams = z.object({
  year: z
    .string()
    .regex(/^\d{4}$/, 'expected a four-digit year')
    .pipe(z.coerce.number<string>().int().min(2000).max(2100)),
});
export const yearBody = z.object({ holidays: z.array(isoDate).max(366), workdays: z.array(isoDate).max(366) }).strict();
export const yearLoaded = z.object({ year: z.number().int(), holidays: z.number().int(), workdays: z.number().int(), coverage: z.literal('official') });

export const clockNow = z.object({ now: z.string().meta({ format: 'date-time' }) });
export const clockAdvanceBody = z.object({ by: z.string().max(40).meta({ example: 'P8D' }) }).strict();
