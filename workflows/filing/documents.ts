/**
 * Material documents: the API stores a file's bytes, then tells the filing with the
 * `attachDocument` Update; the filing records the description and sha256 (never the bytes) in its
 * state, history and audit trail. A refusal here (not the applicant, the filing not open to
 * materials) reaches the API before anything is recorded, and the API deletes the stored file.
 *
 * Recorded by the handler itself, not handed to the main loop: a document may come at any stage,
 * while the loop's waits each wake only for their own work (a decision, a 补正, a request), so it
 * would sit unanswered until the next transition. An objection is counted in its handler for the
 * same reason. Only a run that receives this Update runs these commands, so recorded histories
 * replay unchanged.
 */
import { setHandler } from '@temporalio/workflow';
import { documentOf, documentRefusal } from '../../domain/documents';
import { isoChina } from '../../domain/dates';
import { MATERIAL_LABELS, label } from '../../domain/labels';
import { refuse } from '../shared/failure';
import { workflowNow } from '../time';
import type { FilingCase } from './context';
import { attachDocumentUpdate, type AttachDocumentInput } from './messages';

export function setDocumentHandler(c: FilingCase): void {
  setHandler(
    attachDocumentUpdate,
    async (input) => {
      // the same file of the same kind again (a retried upload) is the document already recorded
      const doc = input.document;
      const known = documentOf(c.state, doc.documentId) ?? c.state.documents?.find((d) => d.sha256 === doc.sha256 && d.kind === doc.kind);
      if (!known) {
        recordDocument(c, input);
        await c.record.flush();
      }
      return c.state;
    },
    { validator: (d) => refuse(documentRefusal(c.state, d.actor)) },
  );
}

function recordDocument(c: FilingCase, d: AttachDocumentInput): void {
  const { state, record } = c;
  const before = record.snapshot();
  const doc = d.document;
  (state.documents ??= []).push({
    documentId: doc.documentId,
    kind: doc.kind,
    filename: doc.filename,
    size: doc.size,
    sha256: doc.sha256,
    contentType: doc.contentType,
    uploadedAt: isoChina(workflowNow()),
    by: d.actor.sub,
    track: state.track,
    stage: state.stage,
    status: state.status,
  });
  const note = `${doc.documentId} ${doc.kind} ${doc.size} B sha256:${doc.sha256}`;
  record.log(
    'document-attached',
    d.actor,
    `${label(MATERIAL_LABELS, doc.kind)}：${doc.filename.slice(0, 100)}（${doc.size} 字节，sha256 ${doc.sha256}，${doc.documentId}）`,
  );
  record.audit('filing.attach-document', d, before, note);
}
