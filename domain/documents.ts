/**
 * Material documents (材料文件) of a filing: what kinds of file are accepted, recognised by their
 * first bytes rather than by the name a browser sends, and when the applicant may attach one. The
 * workflow keeps each document's description and sha256, never its bytes (API.md "Added: day-to-day use").
 */
import type { Caller } from './roles';
import type { Refusal } from './errors';
import type { FilingState, FilingStatus } from './filing';

export const DOCUMENT_TYPES = [
  { contentType: 'application/pdf', extension: 'pdf', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { contentType: 'image/jpeg', extension: 'jpg', magic: [0xff, 0xd8, 0xff] },
  { contentType: 'image/png', extension: 'png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];
export type DocumentContentType = DocumentType['contentType'];

/** How many leading bytes `detectDocumentType` needs to decide. */
export const DOCUMENT_SNIFF_BYTES = Math.max(...DOCUMENT_TYPES.map((t) => t.magic.length));

/**
 * The type of a file from its first bytes (PDF, JPEG, PNG), or null for anything else: a name or a
 * declared type is the sender's to forge, the content is what a reviewer's viewer will open.
 */
export function detectDocumentType(head: Uint8Array): DocumentType | null {
  return DOCUMENT_TYPES.find((t) => head.length >= t.magic.length && t.magic.every((b, i) => head[i] === b)) ?? null;
}

/** One stored document as the filing's state records it. */
export interface FilingDocument {
  documentId: string;
  /** a material kind (domain/filing MATERIAL_KINDS) */
  kind: string;
  filename: string;
  size: number;
  sha256: string;
  contentType: DocumentContentType;
  uploadedAt: string;
  by: string;
  /** where the filing stood: a document sent during 补正 or a change belongs to it */
  track: string;
  stage: string | null;
  status: FilingStatus;
}

/**
 * The applicant attaches material documents while its filing is open to materials: the
 * application under review and its 补正 (004 Art.6, Art.7(2)), a change (004 Art.8) or a renewal
 * (004 Art.9) being applied for. Not while merely in force (nothing is under review to attach
 * them to), and not after the filing ended.
 */
export const DOCUMENT_STATUSES: readonly FilingStatus[] = ['in-review', 'supplement-requested', 'change-pending', 'renewal-pending'];

export function documentRefusal(state: Pick<FilingState, 'status' | 'application'>, caller: Caller): Refusal | null {
  if (caller.role !== 'institution' || caller.institutionId !== state.application.institution.creditCode)
    return { code: 'FORBIDDEN', message: 'Only the applicant attaches documents to its filing' };
  if (!DOCUMENT_STATUSES.includes(state.status))
    return { code: 'INVALID_STATE', message: `Documents are attached during the review, a 补正, a change or a renewal (now ${state.status})` };
  return null;
}

/** The document of a filing by its id, when the filing records it. */
export function documentOf(state: Pick<FilingState, 'documents'>, documentId: string): FilingDocument | undefined {
  return state.documents?.find((d) => d.documentId === documentId);
}
