/**
 * A batch's candidates, read and written a page at a time (models/batch.ts CandidatePageDoc).
 * Only the batch's own activities write; the API reads.
 */
import { CANDIDATE_PAGE_ROWS, type CandidatePageDoc, type CandidateRow } from './batch';
import type { Models } from './index';
import { insertOnce } from '../activities/records';

/** Every candidate of a batch, in plan order (one query). */
export async function readCandidates(models: Models, batchId: string): Promise<CandidateRow[]> {
  const pages = await models.CandidatePage.find({ batchId }).lean();
  return pages.sort((a, b) => a.page - b.page).flatMap((p) => p.rows);
}

/**
 * The candidates at plan positions [offset, offset + limit), reading only the pages that hold
 * them (a page of the console's score grid out of a roster of 20,000).
 */
export async function readCandidateSlice(models: Models, batchId: string, offset: number, limit: number): Promise<CandidateRow[]> {
  const first = Math.floor(offset / CANDIDATE_PAGE_ROWS);
  const last = Math.floor((offset + limit - 1) / CANDIDATE_PAGE_ROWS);
  const pages = await models.CandidatePage.find({ batchId, page: { $gte: first, $lte: last } }).lean();
  const rows = pages.sort((a, b) => a.page - b.page).flatMap((p) => p.rows);
  const start = offset - first * CANDIDATE_PAGE_ROWS;
  return rows.slice(start, start + limit);
}

const pageId = (batchId: string, page: number) => `${batchId}:${page}`;

/** The pages of a new roster; a retry finds them written and writes nothing. */
export async function insertCandidates(models: Models, batchId: string, rows: CandidateRow[], afterPage?: (page: number) => void): Promise<void> {
  for (let page = 0; page * CANDIDATE_PAGE_ROWS < rows.length; page++) {
    const doc: CandidatePageDoc = { _id: pageId(batchId, page), batchId, page, rows: rows.slice(page * CANDIDATE_PAGE_ROWS, (page + 1) * CANDIDATE_PAGE_ROWS) };
    await insertOnce(models.CandidatePage, [doc]);
    afterPage?.(page);
  }
}

/** Rewrites the pages holding the rows at these positions (0-based, plan order). */
export async function rewritePages(
  models: Models,
  batchId: string,
  rows: CandidateRow[],
  changed: Iterable<number>,
  afterPage?: (page: number) => void,
): Promise<void> {
  const pages = [...new Set([...changed].map((i) => Math.floor(i / CANDIDATE_PAGE_ROWS)))].sort((a, b) => a - b);
  for (const page of pages) {
    await models.CandidatePage.updateOne(
      { _id: pageId(batchId, page) },
      { $set: { rows: rows.slice(page * CANDIDATE_PAGE_ROWS, (page + 1) * CANDIDATE_PAGE_ROWS) } },
    );
    afterPage?.(page);
  }
}
