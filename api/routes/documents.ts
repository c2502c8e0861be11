/**
 * Material documents of a filing (API.md "Added: day-to-day use"): an upload (multipart `kind` and
 * `file`) and a download. The bytes go to GridFS first (models/documents.ts), then the filing's
 * workflow is told with the `attachDocument` Update and records the description and sha256; when
 * the workflow refuses, the stored file is deleted again. The type is read from the content (PDF,
 * JPEG, PNG: domain/documents.ts), never from the name; too large a file is cut off as it arrives.
 *
 * Multipart is registered here, in this plugin's own scope: elsewhere the API takes JSON only, and
 * a multipart body there stays 415.
 */
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DOCUMENT_SNIFF_BYTES, detectDocumentType, documentOf, documentRefusal, type DocumentContentType, type FilingDocument } from '../../domain/documents';
import { MATERIAL_KINDS } from '../../domain/filing';
import { attachDocumentUpdate } from '../../workflows/filing/messages';
import { recordRequestAudit } from '../audit';
import { envelopeOf } from '../cases';
import { DomainError, notFound, refused } from '../problems';
import { caseIdParams, problems } from '../schemas/common';

const documentParams = z
  .object({
    id: z.string().min(1).max(100),
    documentId: z.string().regex(/^[0-9a-f]{24}$/, 'not a document id'),
  })
  .strict();

const documentCreated = z.object({
  documentId: z.string(),
  kind: z.enum(MATERIAL_KINDS),
  filename: z.string(),
  size: z.number().int(),
  sha256: z.string(),
});

const kindField = z.enum(MATERIAL_KINDS);

/** What is left of a sent file name to show: no path, no control characters, bounded; else `<kind>.<ext>`. */
export function cleanFilename(sent: string | undefined, fallback: string): string {
  const base = (sent ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[\u0000-\u001f\u007f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"]/g, '')
    .trim()
    .slice(0, 200);
  return clean || fallback;
}

/** `inline` with the name in RFC 6266/5987 form, an ASCII fallback for old clients. */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/[\\"]/g, '_');
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** busboy's own complaints about a malformed body: the client's mistake, not ours */
const MALFORMED_MULTIPART = /Unexpected end of (form|multipart data)|Malformed part header|Boundary not found|Multipart: /i;

const documentsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { filings, documents } = app.repositories;
  const { cases } = app;
  const maxBytes = app.services.settings.DOCUMENT_MAX_BYTES;
  const security = [{ bearer: [] }];
  await app.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 1000, parts: 6 } });

  app.post(
    '/filings/:id/documents',
    {
      config: { action: 'filing.attach-document' },
      schema: {
        tags: ['filings'],
        summary: 'Upload a material document (multipart `kind`, `file`): PDF, JPEG or PNG by content; 415 otherwise, 413 over DOCUMENT_MAX_BYTES',
        security,
        params: caseIdParams,
        consumes: ['multipart/form-data'],
        response: { 201: documentCreated, ...problems(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (req, reply) => {
      const doc = await filings.find(req.caller, req.params.id);
      // the read model's refusal before a byte is stored; the workflow's validator decides for good
      const early = documentRefusal(filings.state(doc), req.caller!);
      if (early) throw refused(early);
      if (!req.isMultipart()) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send multipart/form-data with the fields kind and file');

      let kind: string | undefined;
      let stored: { documentId: string; size: number; sha256: string; filename: string; contentType: DocumentContentType } | undefined;
      let current: MultipartFile | undefined;
      try {
        for await (const part of req.parts()) {
          if (part.type === 'field') {
            if (part.fieldname === 'kind') kind = String(part.value);
            continue;
          }
          current = part;
          if (part.fieldname !== 'file' || stored) throw new DomainError('VALIDATION_FAILED', 'Send one file, in the field `file`', {}, 400);
          if (kind !== undefined && !kindField.safeParse(kind).success) throw badKind(kind);
          let contentType: DocumentContentType | undefined;
          const saved = await documents.store(part.file, {
            filename: part.filename,
            metadata: { filingId: doc._id, kind, uploadedBy: req.caller!.sub },
            headBytes: DOCUMENT_SNIFF_BYTES,
            inspect(head) {
              const type = detectDocumentType(head);
              if (!type) throw new DomainError('DOCUMENT_TYPE_UNSUPPORTED', 'Only PDF, JPEG and PNG files are accepted (recognised by their content)');
              contentType = type.contentType;
            },
          });
          const ext = contentType === 'application/pdf' ? 'pdf' : contentType === 'image/png' ? 'png' : 'jpg';
          stored = { ...saved, contentType: contentType!, filename: cleanFilename(part.filename, `${kind ?? 'document'}.${ext}`) };
          if (part.file.truncated) throw tooLarge(maxBytes);
        }
        if (!stored) throw new DomainError('VALIDATION_FAILED', 'Send the document in the field `file`', {}, 400);
        if (!kindField.safeParse(kind).success) throw badKind(kind);
      } catch (err) {
        // the rest of a refused file is read and dropped, so the answer reaches the client
        current?.file.resume();
        if (stored) await documents.remove(stored.documentId);
        throw asProblem(err, maxBytes);
      }

      const sent: Pick<FilingDocument, 'documentId' | 'kind' | 'filename' | 'size' | 'sha256' | 'contentType'> = { ...stored, kind: kind! };
      let state;
      try {
        state = await cases.updateFiling(doc._id, attachDocumentUpdate, { document: sent, ...envelopeOf(req) });
      } catch (err) {
        // refused (wrong state, not the applicant): nothing may stay behind. When Temporal did not
        // answer, the filing may have recorded it: kept, like an upload whose answer was lost
        if (!(err instanceof DomainError) || err.code !== 'TEMPORAL_UNAVAILABLE') await documents.remove(sent.documentId);
        throw err;
      }
      // the same file of the same kind sent again is the document already recorded
      const recorded =
        state.documents?.find((d) => d.documentId === sent.documentId) ?? state.documents?.find((d) => d.sha256 === sent.sha256 && d.kind === sent.kind);
      if (!recorded) throw new Error(`the filing ${doc._id} answered without the document ${sent.documentId}`);
      if (recorded.documentId !== sent.documentId) await documents.remove(sent.documentId);
      const { documentId, filename, size, sha256 } = recorded;
      return reply
        .status(201)
        .header('location', `/api/v1/filings/${doc._id}/documents/${documentId}`)
        .send({ documentId, kind: recorded.kind as (typeof MATERIAL_KINDS)[number], filename, size, sha256 });
    },
  );

  app.get(
    '/filings/:id/documents/:documentId',
    {
      config: { action: 'filing.read-document' },
      schema: {
        tags: ['filings'],
        summary: 'A material document as stored (the institution, reviewers and experts in scope); every download is audited',
        security,
        params: documentParams,
      },
    },
    async (req, reply) => {
      const doc = await filings.find(req.caller, req.params.id);
      const d = documentOf(filings.state(doc), req.params.documentId);
      const length = d ? await documents.length(d.documentId) : null;
      if (!d || length === null) throw notFound('document');
      // written before a byte is sent: no download without its entry
      await recordRequestAudit(app, req, {
        action: 'filing.read-document',
        target: { type: 'filing', id: doc._id },
        before: null,
        after: null,
        note: `${d.documentId} ${d.kind} sha256:${d.sha256}`,
      });
      return reply
        .type(d.contentType)
        .header('content-length', String(length))
        .header('content-disposition', contentDisposition(d.filename))
        .header('x-content-type-options', 'nosniff')
        .send(documents.open(d.documentId));
    },
  );
};

function badKind(kind: string | undefined): DomainError {
  return new DomainError(
    'VALIDATION_FAILED',
    `kind must be one of ${MATERIAL_KINDS.join(', ')}${kind === undefined ? '' : ` (got ${JSON.stringify(kind.slice(0, 50))})`}`,
    {},
    400,
  );
}

function tooLarge(maxBytes: number): DomainError {
  return new DomainError('DOCUMENT_TOO_LARGE', `A document may be at most ${maxBytes} bytes`, { maxBytes });
}

function asProblem(err: unknown, maxBytes: number): unknown {
  if (err instanceof DomainError) return err;
  const e = err as { code?: string; message?: string } | null;
  if (e?.code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(maxBytes);
  if (e?.code === 'FST_FILES_LIMIT' || e?.code === 'FST_PARTS_LIMIT' || e?.code === 'FST_FIELDS_LIMIT')
    return new DomainError('VALIDATION_FAILED', 'Send the fields kind and file only, one file', {}, 400);
  if (e?.code === 'FST_PROTO_VIOLATION' || MALFORMED_MULTIPART.test(String(e?.message)))
    return new DomainError('BAD_REQUEST', 'The multipart body is malformed', {}, 400);
  return err;
}

export default documentsRoutes;
