/**
 * Side effects of a complaint (workflows/complaint/): recordComplaint writes a transition — the
 * read model (with the scope fields and the `waitingOn` the inbox reads), audit entries,
 * notifications and, once upheld, the credit entry. The credit file's one write path is recordCreditEntries (./records.ts), used here and by the
 * activities that record a revocation, an ordered termination and a serious supervision finding.
 */
import type { Models } from '../models';
import { complaintPendingSteps, type ComplaintState } from '../domain/complaints';
import { complaintCreditEntry } from '../domain/credit';
import { auditDocs, insertOnce, mailDocs, notificationDocs, putVersioned, recordCreditEntries, type AuditDraft, type NotificationDraft } from './records';

export function createComplaintActivities(models: Models, opts: { mail?: boolean } = {}) {
  return {
    async recordComplaint(input: { state: ComplaintState; audit: AuditDraft[]; notifications: NotificationDraft[] }): Promise<void> {
      const { state } = input;
      const j = state.jurisdiction;
      const d = state.decision;
      const writes: Promise<unknown>[] = [
        putVersioned(models.Complaint, state.id, state.version, {
          status: state.status,
          subjectType: state.subject.type,
          subjectId: state.subject.id,
          institutionId: state.institution.creditCode,
          institutionName: state.institution.name,
          province: j.province,
          prefecture: j.prefecture ?? null,
          level: j.level,
          trackingHash: state.trackingHash,
          receivedAt: new Date(state.receivedAt),
          dueDate: state.due?.dueDate ?? null,
          dueAt: state.due ? new Date(state.due.dueAtMs) : null,
          escalation: state.due?.escalation ?? 0,
          waitingOn: complaintPendingSteps(state),
          decision: d ? { upheld: d.upheld, note: d.note, at: d.at, by: { sub: d.by.sub, name: d.by.name, role: d.by.role } } : null,
          updatedAt: new Date(),
          state: JSON.stringify(state),
        }),
        insertOnce(models.Audit, auditDocs('complaint', state.id, state.version, input.audit)),
      ];
      const notes = notificationDocs('complaint', state.id, state.version, input.notifications);
      writes.push(insertOnce(models.Notification, notes));
      if (opts.mail) writes.push(insertOnce(models.Mail, mailDocs(notes, new Date())));
      if (state.status === 'upheld' && d) {
        // the complainant is read only to keep them out of the published summary
        const who = await models.ComplaintSubmission.findById(state.id, { name: 1, contact: 1 }).lean();
        writes.push(recordCreditEntries(models, [complaintCreditEntry(state, d, who)]));
      }
      await Promise.all(writes);
    },
  };
}
