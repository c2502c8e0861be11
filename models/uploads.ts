/**
 * Rows posted in one request, kept apart from the workflow (#14 §3): the API stores them and
 * hands the workflow an UploadRef; the workflow's activity reads them back and checks the hash,
 * so what the workflow decides on is exactly what was posted. Once the workflow has answered,
 * the API discards them (the candidates and scores are then in `batchCandidates`); a request
 * that never got an answer leaves its upload behind, and its retry finds it (same id).
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { UploadRef } from '../domain/batch';
import type { Models } from './index';
import { insertOnce } from '../activities/records';

/** rows per stored part: a part stays far below a document's size limit (a candidate row is < 400 bytes) */
export const UPLOAD_PART_ROWS = 2000;

export const rowsSha256 = (rows: unknown[]): string => createHash('sha256').update(JSON.stringify(rows)).digest('hex');

/**
 * Stores rows once: the id is the purpose and the content's hash, so a repeated request stores
 * nothing new and gets the same reference.
 */
export async function storeUpload(models: Models, purpose: string, rows: unknown[]): Promise<UploadRef> {
  const sha256 = rowsSha256(rows);
  const id = `${purpose}:${sha256.slice(0, 24)}`;
  const parts = Math.max(1, Math.ceil(rows.length / UPLOAD_PART_ROWS));
  const createdAt = new Date();
  const docs = Array.from({ length: parts }, (_x, part) => ({
    _id: `${id}:${part}`,
    uploadId: id,
    part,
    parts,
    rows: rows.slice(part * UPLOAD_PART_ROWS, (part + 1) * UPLOAD_PART_ROWS),
    createdAt,
  }));
  // one part at a time: a 20,000-row upload is ~8 MB, more than one insert message should carry
  for (const d of docs) await insertOnce(models.UploadPart, [d]);
  return { id, count: rows.length, sha256 };
}

/** The rows of an upload, checked against its reference (a missing or altered upload is not retried). */
export async function readUpload<T>(models: Models, ref: UploadRef): Promise<T[]> {
  const parts = [];
  for (let part = 0; part < partsOf(ref); part++) {
    const doc = await models.UploadPart.findById(`${ref.id}:${part}`).lean();
    if (doc) parts.push(doc);
  }
  const rows = parts.flatMap((p) => p.rows) as T[];
  const complete = parts.length === partsOf(ref);
  if (!complete || rows.length !== ref.count || rowsSha256(rows) !== ref.sha256) {
    throw ApplicationFailure.create({
      type: 'UPLOAD_MISMATCH',
      nonRetryable: true,
      message: `Upload ${ref.id} is missing or does not match what was posted (${rows.length} of ${ref.count} rows)`,
    });
  }
  return rows;
}

const partsOf = (ref: Pick<UploadRef, 'count'>) => Math.max(1, Math.ceil(ref.count / UPLOAD_PART_ROWS));

/** The workflow has answered: the rows are where it keeps them, the upload is not needed again. */
export async function discardUpload(models: Models, ref: UploadRef): Promise<void> {
  await models.UploadPart.deleteMany({ _id: { $in: Array.from({ length: partsOf(ref) }, (_x, part) => `${ref.id}:${part}`) } });
}
