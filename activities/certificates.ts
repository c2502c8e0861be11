/**
 * Side effects of a certificate's later life (workflows/certificate/), each idempotent:
 * - amendCertificate: the write of an approved correction or a reissue to the certificate; run
 *   only by `certificateAmendment`, under the certificate's writer id (one writer at a time);
 * - recordCertificateCorrection: the correction request's own document and its audit entries; run
 *   only by the request's `certificateCorrection` workflow.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Models } from '../models';
import type { CertificateDoc } from '../models/batch';
import { currentValue, versionOf } from '../domain/certificates';
import { maskIdNumber } from '../domain/identifiers';
import type { Actor } from '../domain/filing';
import type { AmendmentInput, AmendmentResult, CorrectionState } from '../workflows/certificate/messages';
import { certificateAuditDoc, insertOnce, recordCertificateChange } from './records';

const fail = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

const who = (a: Actor) => ({ sub: a.sub, name: a.name, role: a.role });

/** An audit entry's view of a value: ID numbers masked (the trail is read more widely than the certificate). */
const audited = (field: string, v: string | null) => (field === 'holder.idNumber' && v ? maskIdNumber(v) : v);

export function createCertificateActivities(deps: { models: Models }) {
  const { models } = deps;

  return {
    async amendCertificate(input: AmendmentInput & { at: string; runId: string }): Promise<AmendmentResult> {
      const doc = (await models.Certificate.findById(input.number).lean()) as CertificateDoc | null;
      if (!doc) throw fail('NOT_FOUND', `No certificate ${input.number}`);
      if (input.kind === 'correction') {
        // this correction's own write, when a retry finds it made: only the audit entry may be missing
        let entry = doc.corrections?.find((c) => c.correctionId === input.correctionId);
        if (!entry) {
          if (doc.status === 'revoked') throw fail('ALREADY_REVOKED', `Certificate ${input.number} is revoked`);
          entry = {
            correctionId: input.correctionId,
            version: versionOf(doc) + 1,
            field: input.field,
            from: currentValue(doc, input.field),
            to: input.value,
            reason: input.reason,
            requestedBy: who(input.requestedBy),
            approvedBy: who(input.approvedBy),
            opinion: input.opinion,
            at: new Date(input.at),
          };
          const corrections = [...(doc.corrections ?? []), entry];
          await models.Certificate.updateOne({ _id: input.number }, { $set: { [input.field]: input.value, version: entry.version, corrections } });
        }
        // also when a retry finds the write made: the entry may be what the first try did not get to
        await recordCertificateChange(models, input.number, `corrected:${input.correctionId}`);
        await insertOnce(models.Audit, [
          certificateAuditDoc(input.number, `corrected:${input.correctionId}`, input.approvedBy, {
            action: 'certificate.correct',
            requestId: input.requestId,
            // FerretDB refuses dotted keys in a document: the field is a value here
            before: { version: entry.version - 1, field: entry.field, value: audited(entry.field, entry.from) },
            after: { version: entry.version, field: entry.field, value: audited(entry.field, entry.to) },
            note: entry.reason,
            at: entry.at,
          }),
        ]);
        return { number: doc._id, version: entry.version, reissues: doc.reissues?.length ?? 0, at: new Date(entry.at).toISOString() };
      }
      let reissues = doc.reissues ?? [];
      let entry = reissues.find((r) => r.requestKey === input.runId);
      if (!entry) {
        if (doc.status === 'revoked') throw fail('ALREADY_REVOKED', `Certificate ${input.number} is revoked`);
        if (input.actor.role !== 'institution' || input.actor.institutionId !== doc.institution.creditCode) {
          throw fail('FORBIDDEN', 'A certificate is reissued by the institution that issued it');
        }
        entry = { at: new Date(input.at), reason: input.reason, by: who(input.actor), requestKey: input.runId };
        reissues = [...reissues, entry];
        await models.Certificate.updateOne({ _id: input.number }, { $set: { reissues } });
      }
      await recordCertificateChange(models, input.number, `reissued:${input.runId}`);
      const count = reissues.indexOf(entry) + 1;
      await insertOnce(models.Audit, [
        certificateAuditDoc(input.number, `reissued:${input.runId}`, input.actor, {
          action: 'certificate.reissue',
          requestId: input.requestId,
          before: { reissues: count - 1 },
          after: { reissues: count },
          note: entry.reason,
          at: entry.at,
        }),
      ]);
      return { number: doc._id, version: versionOf(doc), reissues: reissues.length, at: new Date(entry.at).toISOString() };
    },

    async recordCertificateCorrection(input: { state: CorrectionState; requestId?: string }): Promise<void> {
      const s = input.state;
      const decided = s.decision;
      await models.CertificateCorrection.replaceOne(
        { _id: s.correctionId },
        {
          _id: s.correctionId,
          number: s.number,
          field: s.field,
          value: s.value,
          reason: s.reason,
          status: s.status,
          institutionId: s.institutionId,
          province: s.jurisdiction.province,
          prefecture: s.jurisdiction.prefecture ?? null,
          jurisdiction: s.jurisdiction,
          requestedBy: who(s.requestedBy),
          requestedAt: new Date(s.requestedAt),
          decision: decided ? { ...decided, by: who(decided.by), at: new Date(decided.at) } : null,
          updatedAt: new Date(decided?.at ?? s.requestedAt),
        },
        { upsert: true },
      );
      const by = decided?.by ?? s.requestedBy;
      await insertOnce(models.Audit, [
        certificateAuditDoc(s.number, `correction:${s.correctionId}:${s.status}`, by, {
          action: decided ? 'certificate.decide-correction' : 'certificate.request-correction',
          requestId: input.requestId,
          before: decided ? { correction: 'pending' } : null,
          after: { correctionId: s.correctionId, field: s.field, value: audited(s.field, s.value), status: s.status },
          note: decided ? decided.opinion : s.reason,
          at: decided?.at ?? s.requestedAt,
        }),
      ]);
    },
  };
}
