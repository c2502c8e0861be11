/**
 * Reading one case (a filing or a batch) from its read model: as the caller may see it (anything
 * else is 404, so a case's existence never leaks), or whoever asks (the public objects to a case
 * under 公示).
 */
import type { Caller } from '../../domain/roles';
import { notFound } from '../problems';

export function caseReads<D>(what: 'filing' | 'batch', byId: (id: string) => Promise<D | null>, visibleTo: (caller: Caller, doc: D) => boolean) {
  return {
    /** The case, when the caller may see it; otherwise 404. */
    async find(caller: Caller | undefined, id: string): Promise<D> {
      const doc = await byId(id);
      if (!doc || !caller || !visibleTo(caller, doc)) throw notFound(what);
      return doc;
    },
    /** The case whoever asks; 404 when there is none. */
    async findAny(id: string): Promise<D> {
      const doc = await byId(id);
      if (!doc) throw notFound(what);
      return doc;
    },
  };
}
