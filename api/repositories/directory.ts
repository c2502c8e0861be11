/**
 * The public directory (公布目录, 000 §五(一)4): filed institutions in force, written by the filing
 * workflows; by credit code, filtered by province, occupation, level and part of the name.
 */
import type { Models } from '../../models';
import { decodeCursor, encodeCursor } from './cursor';
import { z } from 'zod';

export interface DirectoryQuery {
  province?: string;
  occupation?: string;
  level?: number;
  q?: string;
  cursor?: string;
  limit: number;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function createDirectoryRepository(models: Models) {
  return {
    async list(q: DirectoryQuery) {
      const filter: Record<string, unknown> = {};
      if (q.province) filter.province = q.province;
      if (q.occupation) filter.occupationCodes = q.occupation;
      if (q.q) filter.name = { $regex: escapeRegex(q.q) };
      const after = decodeCursor(q.cursor, z.string());
      if (after) filter._id = { $gt: after };
      let docs = await models.Directory.find(filter)
        .sort({ _id: 1 })
        .limit(q.limit + 1)
        .lean();
      const level = q.level;
      if (level) docs = docs.filter((d) => d.occupations.some((o) => (!q.occupation || o.code === q.occupation) && o.levels.includes(level)));
      const page = docs.slice(0, q.limit);
      return {
        items: page.map((d) => ({
          creditCode: d._id,
          name: d.name,
          kind: d.kind ?? '',
          institutionCode: d.institutionCode ?? '',
          province: d.province ?? '',
          prefecture: d.prefecture ?? null,
          address: d.address ?? '',
          occupations: d.occupations,
          subsidiaries: d.subsidiaries ?? [],
          validUntil: d.validUntil ?? '',
          noticeNumber: d.noticeNumber ?? '',
          supervisingBody: d.supervisingBody ?? '',
          contact: d.contact,
          fees: d.fees ?? null,
        })),
        nextCursor: docs.length > q.limit ? encodeCursor(page[page.length - 1]._id) : null,
      };
    },
  };
}

export type DirectoryRepository = ReturnType<typeof createDirectoryRepository>;
