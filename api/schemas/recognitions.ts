/** zod schemas of competition recognitions (竞赛选拔, domain/recognitions.ts). */
import { z } from 'zod';
import { COMPETITION_MAX_CHARS } from '../../domain/recognitions';
import { id, idNumber, level, occupationCode, pageQuery, text } from './common';

export const recognitionBody = z
  .object({
    competition: text(COMPETITION_MAX_CHARS).describe('the filed competition (经过备案的职业技能竞赛, 000 §二(三)4)'),
    // a place beyond 优异成绩 passes here and is refused by the rule (422 RULE_VIOLATION)
    rank: z.number().int().min(1).max(100_000).describe('the place won, 1 = first'),
    holder: z.object({ name: text(40), idNumber }).strict(),
    occupationCode,
    level,
    occupationName: text(60).optional().describe('the occupation as printed; defaults to the name certificates already give the code'),
    trade: text(60).optional(),
  })
  .strict();

export const recognitionParams = z.object({ id }).strict();
export const recognitionsQuery = z.object({ ...pageQuery }).strict();

export const recognitionCreated = z.object({ id: z.string(), number: z.string(), level: z.number().int(), issuedAt: z.string() });

export const recognitionView = z.object({
  id: z.string(),
  competition: z.string(),
  rank: z.number().int(),
  holder: z.object({ name: z.string(), idNumber: z.string() }),
  occupation: z.object({ code: z.string(), name: z.string() }),
  trade: z.string().nullable(),
  level: z.number().int(),
  levelName: z.string(),
  number: z.string().nullable(),
  recordedBy: z.object({ name: z.string() }),
  recordedAt: z.string(),
});
