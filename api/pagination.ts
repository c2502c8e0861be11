import { z } from 'zod';
import { DomainError } from './errors';

export const pageQuery = {
  cursor: z.string().max(200).optional().describe('opaque cursor from the previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
};

/**
 * The cursor of a newest-first list: the last item's instant and id. A forged one (an instant no
 * Date can hold, a huge id) is a 400, never a query the database cannot run.
 */
export const listCursor = z.object({ t: z.number().int().min(0).max(8.64e15), id: z.string().min(1).max(200) }).strict();

export function encodeCursor(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (!cursor) return undefined;
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new DomainError(400, 'VALIDATION_FAILED', 'cursor is not one this API issued');
  }
}
