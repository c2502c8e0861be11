/**
 * Cursors of the paginated lists: opaque to the client (base64url JSON), checked when they come
 * back, so a forged one is a 400, never a query the database cannot run.
 */
import { z } from 'zod';
import { invalid } from '../problems';

/** The cursor of a newest-first list: the last item's instant and id. */
export const listCursor = z.object({ t: z.number().int().min(0).max(8.64e15), id: z.string().min(1).max(200) }).strict();

/** The cursor of a list computed in memory (inbox, notifications): the offset of the next page. */
export const offsetCursor = z.number().int().min(0);

export function encodeCursor(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (!cursor) return undefined;
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw invalid('cursor is not one this API issued');
  }
}

/** `{ submittedAt, _id }` strictly after the cursor in newest-first order, combined with `filter`. */
export function afterCursor(filter: Record<string, unknown>, cursor: string | undefined): Record<string, unknown> {
  const after = decodeCursor(cursor, listCursor);
  if (!after) return filter;
  return { $and: [filter, { $or: [{ submittedAt: { $lt: new Date(after.t) } }, { submittedAt: new Date(after.t), _id: { $lt: after.id } }] }] };
}

/** The next page's cursor of a newest-first list read with one item more than the page. */
export function nextListCursor(docs: readonly { _id: string; submittedAt?: Date | null }[], limit: number): string | null {
  const last = docs[Math.min(docs.length, limit) - 1];
  return docs.length > limit && last ? encodeCursor({ t: last.submittedAt?.getTime() ?? 0, id: last._id }) : null;
}

/** One page of a list computed in memory, and the next page's cursor. */
export function offsetPage<T>(all: readonly T[], cursor: string | undefined, limit: number): { items: T[]; nextCursor: string | null } {
  const offset = decodeCursor(cursor, offsetCursor) ?? 0;
  return { items: all.slice(offset, offset + limit), nextCursor: offset + limit < all.length ? encodeCursor(offset + limit) : null };
}
