/**
 * Complaints (written by their workflows, models/complaints.ts), the complainants' submissions
 * (written by the API's intake) and the credit file: where a complaint's subject sits, how many
 * complaints one complainant has open, a complaint as its reader may see it, the published file.
 */
import type { Models } from '../../models';
import type { Jurisdiction } from '../../domain/batch';
import type { ComplaintSubjectType } from '../../domain/complaints';
import { complaintPublicView } from '../../domain/complaints';
import { publicCreditItem } from '../../domain/credit';
import type { ComplaintViewDoc } from '../../models/complaints';
import type { CertificatesRepository } from './certificates';
import { notFound } from '../problems';

export interface ComplaintSubject {
  institution: { creditCode: string; name: string };
  jurisdiction: Jurisdiction;
}

const jurisdictionOf = (d: { province: string; prefecture?: string | null; level?: string | null }): Jurisdiction =>
  d.level !== 'province' && d.prefecture
    ? { level: 'prefecture', province: d.province, prefecture: d.prefecture }
    : { level: 'province', province: d.province };

export function createComplaintsRepository(models: Models, certificates: CertificatesRepository) {
  return {
    /** The institution a complaint is about and whose reviewers handle it; 404 for a subject the system does not know. */
    async subjectOf(type: ComplaintSubjectType, id: string): Promise<ComplaintSubject> {
      if (type === 'batch') {
        const b = await models.Batch.findById(id, { province: 1, prefecture: 1, level: 1, institutionId: 1, institutionName: 1 }).lean();
        if (!b) throw notFound('batch');
        return { institution: { creditCode: b.institutionId, name: b.institutionName ?? b.institutionId }, jurisdiction: jurisdictionOf(b) };
      }
      if (type === 'certificate') {
        const doc = await certificates.find(id);
        const scope = await certificates.scopeOf(doc);
        return { institution: { creditCode: scope.institutionId, name: doc.institution.name }, jurisdiction: scope.jurisdiction };
      }
      const inst = await models.Institution.findById(id).lean();
      if (!inst) throw notFound('institution');
      const f = inst.filingId ? await models.Filing.findById(inst.filingId, { province: 1, prefecture: 1, level: 1 }).lean() : null;
      const j = f ? jurisdictionOf(f) : jurisdictionOf({ province: inst.province ?? '', prefecture: inst.prefecture, level: 'prefecture' });
      return { institution: { creditCode: inst._id, name: inst.name ?? inst._id }, jurisdiction: j };
    },

    /** Complaints of one complainant key still open (a submission whose complaint is not recorded yet counts as open). */
    async openOf(field: 'contactKey' | 'addressKey', key: string): Promise<number> {
      const ids = (
        await models.ComplaintSubmission.find({ [field]: key }, { _id: 1 })
          .limit(1000)
          .lean()
      ).map((d) => d._id);
      if (!ids.length) return 0;
      const closed = await models.Complaint.countDocuments({ _id: { $in: ids }, status: { $ne: 'open' } });
      return ids.length - closed;
    },

    async find(id: string): Promise<ComplaintViewDoc> {
      const doc = await models.Complaint.findById(id).lean();
      if (!doc) throw notFound('complaint');
      return doc;
    },

    /** The holder of the tracking code: how it stands, when it is due, the outcome. */
    publicView(doc: ComplaintViewDoc) {
      return complaintPublicView({
        id: doc._id,
        subject: { type: doc.subjectType as ComplaintSubjectType, id: doc.subjectId },
        status: doc.status as 'open' | 'upheld' | 'dismissed',
        receivedAt: doc.receivedAt.toISOString(),
        dueDate: doc.dueDate,
        decision: doc.decision,
      });
    },

    /** A reviewer in scope: also who complained, what, and the complaint's history. */
    async reviewerView(doc: ComplaintViewDoc) {
      const sub = await models.ComplaintSubmission.findById(doc._id).lean();
      const state = JSON.parse(doc.state) as { history: { at: string; event: string; by?: string; note?: string }[] };
      return {
        ...this.publicView(doc),
        institution: { creditCode: doc.institutionId, name: doc.institutionName ?? doc.institutionId },
        ...(sub ? { complainant: { name: sub.name, contact: sub.contact }, content: sub.content } : {}),
        escalation: doc.escalation,
        decidedBy: doc.decision ? doc.decision.by : null,
        history: state.history,
      };
    },

    /** The published entries of an institution's credit file, newest first (domain/credit.ts says which are published). */
    async credit(creditCode: string) {
      const docs = await models.CreditEntry.find({ creditCode, published: true }).sort({ date: -1, _id: 1 }).limit(500).lean();
      return { items: docs.map(publicCreditItem) };
    },
  };
}

export type ComplaintsRepository = ReturnType<typeof createComplaintsRepository>;
