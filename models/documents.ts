/**
 * Material documents' bytes, in GridFS on the application's own database (bucket `documents`:
 * collections `documents.files` and `documents.chunks`), so a backup of the database holds them
 * with everything else. FerretDB v1 serves GridFS as the driver uses it (`files_id, n` unique index,
 * chunk writes, ranged reads, delete): test/api/documents.test.ts runs it against FerretDB.
 *
 * A file is written chunk by chunk as it arrives and hashed on the way; a write that fails or is
 * refused part-way is aborted, which deletes the chunks already written, so nothing half-stored
 * remains. The filing's workflow keeps the sha256, never the bytes (domain/documents.ts).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import mongoose, { type Connection } from 'mongoose';

export const DOCUMENT_BUCKET = 'documents';

export interface StoredDocument {
  documentId: string;
  size: number;
  sha256: string;
}

export interface StoreOptions {
  filename: string;
  metadata: Record<string, unknown>;
  /** bytes `inspect` needs before the first byte is written */
  headBytes: number;
  /** sees the first bytes (fewer when the file is shorter) and throws to refuse the file before anything is stored */
  inspect(head: Buffer): void;
}

export function documentStore(conn: Connection) {
  const bucket = () => new mongoose.mongo.GridFSBucket(conn.db!, { bucketName: DOCUMENT_BUCKET });
  const objectId = (id: string) => (mongoose.mongo.ObjectId.isValid(id) && /^[0-9a-f]{24}$/.test(id) ? new mongoose.mongo.ObjectId(id) : null);

  return {
    /** Streams `source` into GridFS; on any error (the source's, `inspect`'s, the database's) nothing of it remains. */
    async store(source: AsyncIterable<Buffer>, opts: StoreOptions): Promise<StoredDocument> {
      const hash = createHash('sha256');
      let size = 0;
      let head: Buffer | null = Buffer.alloc(0);
      let up: ReturnType<ReturnType<typeof bucket>['openUploadStream']> | null = null;
      const write = async (chunk: Buffer) => {
        if (!up) {
          up = bucket().openUploadStream(opts.filename, { metadata: opts.metadata });
          // an error also reaches the write's callback below; without a listener it would crash the process
          up.on('error', () => undefined);
        }
        hash.update(chunk);
        size += chunk.length;
        const stream = up;
        // one chunk at a time: a slow database slows the upload instead of buffering it in memory
        await new Promise<void>((resolve, reject) => stream.write(chunk, (err) => (err ? reject(err) : resolve())));
      };
      try {
        for await (const chunk of source) {
          if (head) {
            head = Buffer.concat([head, chunk]);
            if (head.length < opts.headBytes) continue;
            opts.inspect(head);
            const first = head;
            head = null;
            await write(first);
          } else await write(chunk);
        }
        if (head) {
          // shorter than headBytes: judged on what there is
          opts.inspect(head);
          await write(head);
        }
        const stream = up!;
        await new Promise<void>((resolve, reject) => {
          stream.once('error', reject);
          stream.end(() => resolve());
        });
        return { documentId: String(stream.id), size, sha256: hash.digest('hex') };
      } catch (err) {
        const stream = up as ReturnType<ReturnType<typeof bucket>['openUploadStream']> | null;
        if (stream && !stream.writableFinished) await stream.abort().catch(() => undefined);
        else if (stream)
          await bucket()
            .delete(stream.id)
            .catch(() => undefined);
        throw err;
      }
    },

    /** Deletes a stored document (its file entry and chunks); one already gone is no error. */
    async remove(documentId: string): Promise<void> {
      const id = objectId(documentId);
      if (id)
        await bucket()
          .delete(id)
          .catch((err: { name?: string }) => (/FileNotFound|MongoRuntimeError/.test(String(err?.name)) ? undefined : Promise.reject(err)));
    },

    /** The stored file's length, or null when there is none. */
    async length(documentId: string): Promise<number | null> {
      const id = objectId(documentId);
      if (!id) return null;
      const [file] = await bucket().find({ _id: id }).limit(1).toArray();
      return file ? file.length : null;
    },

    /** The stored bytes as a stream. */
    open(documentId: string): Readable {
      return bucket().openDownloadStream(objectId(documentId)!);
    },
  };
}
export type DocumentStore = ReturnType<typeof documentStore>;
