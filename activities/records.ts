/**
 * Writes a filing's transition to the read models in one activity: the filing view, its audit
 * entries, notifications, the directory and the institution. Idempotent: ids are derived from the
 * filing id and its version, and the view only moves forward, so a retry changes nothing twice.
 */
import type { Models } from '../models';
import { jurisdictionOf, pendingSteps, TERMINAL_STATUSES, type Audience, type FilingState } from '../domain/filing';
import { maskPhone } from '../domain/identifiers';
import { mailKindOf, mailText } from '../domain/mail';
import { terminationCreditEntry, type CreditEntry } from '../domain/credit';

export interface AuditDraft {
  actor: string;
  actorName?: string;
  role?: string;
  action: string;
  requestId?: string;
  before: unknown;
  after: unknown;
  at: string;
  note?: string;
}

export interface NotificationDraft {
  audience: Audience;
  kind: string;
  message: string;
  at: string;
}

export const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000 || /E11000|duplicate key/i.test(String((err as Error)?.message));

/** insertMany that treats already-present ids as done (a retried activity). */
export async function insertOnce(model: { insertMany: (docs: object[], opts: object) => Promise<unknown> }, docs: object[]) {
  if (!docs.length) return;
  try {
    await model.insertMany(docs, { ordered: false });
  } catch (err) {
    const writeErrors = (err as { writeErrors?: { code?: number; err?: { code?: number } }[] }).writeErrors;
    if (writeErrors?.every((w) => (w.code ?? w.err?.code) === 11000)) return;
    if (!writeErrors && isDuplicateKey(err)) return;
    throw err;
  }
}

/** Replace a versioned view when `version` is newer than the stored one. */
export async function putVersioned(model: any, id: string, version: number, doc: Record<string, unknown>) {
  const res = await model.replaceOne({ _id: id, version: { $lt: version } }, { _id: id, version, ...doc });
  if (res.matchedCount > 0) return;
  try {
    await model.create({ _id: id, version, ...doc });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err; // a newer (or the same) version is already there
  }
}

export function notificationDocs(targetType: string, targetId: string, version: number, drafts: NotificationDraft[]) {
  return drafts.map((n, i) => ({
    _id: `${targetId}:${version}:n${i}`,
    targetType,
    targetId,
    audience: n.audience,
    userIds: n.audience.userIds ?? [],
    role: n.audience.role,
    province: n.audience.province,
    prefecture: n.audience.prefecture,
    institutionId: n.audience.institutionId,
    kind: n.kind,
    message: n.message,
    at: new Date(n.at),
  }));
}

/**
 * The outbox documents of a transition's mailed notifications (domain/mail.ts), under the
 * notification's own id: written with the notification by the same activity, so a transition that
 * is recorded has its mail recorded too, and a retried activity writes neither twice. Sending is
 * the mail sender's (infra/mail-sender.ts), never this activity's: an SMTP outage must not fail or
 * repeat the write of a case's transition, and a mail must outlive the workflow run that caused it
 * (a filing that ends or continues as new), which an activity scheduled by that run would not.
 */
export function mailDocs(notifications: ReturnType<typeof notificationDocs>, now: Date) {
  return notifications.flatMap((n) => {
    const kind = mailKindOf(n.kind);
    if (!kind) return [];
    const { subject, text } = mailText(n);
    return [
      {
        _id: n._id,
        kind,
        notificationKind: n.kind,
        targetType: n.targetType,
        targetId: n.targetId,
        audience: n.audience,
        subject,
        text,
        createdAt: now,
        state: 'pending',
        attempts: 0,
        nextAttemptAt: now,
      },
    ];
  });
}

export function auditDocs(targetType: string, targetId: string, version: number, drafts: AuditDraft[]) {
  return drafts.map((a, i) => ({
    _id: `${targetId}:${version}:a${i}`,
    targetType,
    targetId,
    ...a,
    at: new Date(a.at),
    seq: version * 1000 + i,
  }));
}

/**
 * One audit entry of a certificate's change (revocation, correction, reissue). A certificate has
 * no version counter like a case: the entry's id is fixed by the change (`key`), so a retried
 * activity writes it once.
 */
export function certificateAuditDoc(
  number: string,
  key: string,
  by: { sub: string; name?: string; role?: string },
  entry: { action: string; requestId?: string; before: unknown; after: unknown; note?: string; at: Date | string },
) {
  return {
    _id: `${number}:${key}`,
    targetType: 'certificate',
    targetId: number,
    actor: by.sub,
    actorName: by.name,
    role: by.role,
    ...entry,
    at: new Date(entry.at),
    seq: 0,
  };
}

/**
 * The credit file's one write path (domain/credit.ts): appends entries, each once (`_id` is the
 * source event's); an entry already there (a retried activity) is left as it is.
 */
export async function recordCreditEntries(models: Models, entries: CreditEntry[], now = new Date()): Promise<void> {
  await insertOnce(
    models.CreditEntry,
    entries.map((e) => ({ ...e, recordedAt: now })),
  );
}

/** `mail`: SMTP_URL is set, so mailed notifications are queued in the outbox too (off: inbox only). */
export function createRecordActivities(models: Models, opts: { mail?: boolean } = {}) {
  return {
    async recordFiling(input: { state: FilingState; audit: AuditDraft[]; notifications: NotificationDraft[]; directory?: 'upsert' | 'remove' }) {
      const { state } = input;
      const inst = state.application.institution;
      const j = jurisdictionOf(state.application);
      const steps = pendingSteps(state);
      const dueAtMs = state.stage === 'publicity' && state.publicity && !state.publicity.closedAt ? state.publicity.endsAtMs : state.due?.dueAtMs;
      const estimated = state.due?.coverage === 'estimated' || (!!state.publicity && !state.publicity.closedAt && state.publicity.coverage === 'estimated');
      // independent documents: written side by side
      const writes: Promise<unknown>[] = [];
      writes.push(
        putVersioned(models.Filing, state.id, state.version, {
          status: state.status,
          stage: state.stage,
          track: state.track,
          policyId: state.policy.id,
          province: j.province,
          prefecture: j.prefecture ?? null,
          level: j.level,
          institutionId: inst.creditCode,
          institutionName: inst.name,
          dueAt: dueAtMs ? new Date(dueAtMs) : null,
          escalation: state.due?.escalation ?? 0,
          estimated,
          assignees: state.assignedExperts,
          waitingOn: steps,
          submittedAt: new Date(state.submittedAt),
          updatedAt: new Date(),
          // JSON text: FerretDB stores and scans one string far faster than a deep document
          state: JSON.stringify(state),
        }),
      );
      writes.push(insertOnce(models.Audit, auditDocs('filing', state.id, state.version, input.audit)));
      const notes = notificationDocs('filing', state.id, state.version, input.notifications);
      writes.push(insertOnce(models.Notification, notes));
      if (opts.mail) writes.push(insertOnce(models.Mail, mailDocs(notes, new Date())));
      // the institution points at its filing; only the start, the notice and the end change what it says
      if (state.version === 1 || input.directory || state.status === 'active' || TERMINAL_STATUSES.includes(state.status)) {
        writes.push(
          models.Institution.replaceOne(
            { _id: inst.creditCode },
            {
              _id: inst.creditCode,
              name: inst.name,
              kind: inst.kind,
              province: inst.province,
              prefecture: inst.prefecture,
              filingId: state.id,
              filingStatus: state.status,
              institutionCode: state.notice?.institutionCode,
              contactEmail: inst.contact.email ?? null,
              updatedAt: new Date(),
            },
            { upsert: true },
          ),
        );
      }
      if (input.directory === 'upsert' && state.notice) {
        const doc = {
          _id: inst.creditCode,
          filingId: state.id,
          name: inst.name,
          kind: inst.kind,
          institutionCode: state.notice.institutionCode,
          province: inst.province,
          prefecture: inst.prefecture,
          address: inst.address,
          occupations: state.application.occupations.map((o) => ({ code: o.code, name: o.name, trade: o.trade, levels: o.levels })),
          occupationCodes: state.application.occupations.map((o) => o.code),
          subsidiaries: (state.application.subsidiaries ?? []).map((s) => ({ name: s.name })),
          validUntil: state.notice.validUntil,
          noticeNumber: state.notice.number,
          supervisingBody:
            inst.supervisingBody ?? (j.level === 'province' ? `${inst.province} 省人力资源和社会保障厅` : `${inst.prefecture} 人力资源和社会保障局`),
          contact: { name: inst.contact.name, phone: maskPhone(inst.contact.phone) },
          // 004 Art.6(2), 002 Art.19: the fee standard is published with the institution
          fees: state.application.feeStandard ? { standard: state.application.feeStandard, basis: state.application.feeBasis ?? null } : null,
          updatedAt: new Date(),
        };
        writes.push(models.Directory.replaceOne({ _id: inst.creditCode }, doc, { upsert: true }));
      } else if (input.directory === 'remove') {
        writes.push(models.Directory.deleteOne({ _id: inst.creditCode, filingId: state.id }));
      }
      // an ordered termination (004 Art.11) is the exit from the directory: an entry in the credit file (domain/credit.ts)
      if (state.status === 'terminated' && state.termination?.kind === 'ordered' && state.termination.at) {
        writes.push(
          recordCreditEntries(models, [
            terminationCreditEntry({ id: state.id, creditCode: inst.creditCode, jurisdiction: j }, { ...state.termination, at: state.termination.at }),
          ]),
        );
      }
      await Promise.all(writes);
    },
  };
}

/** How long a certificate change is kept for the API processes' caches to read (api/certificate-changes.ts). */
export const CERTIFICATE_CHANGE_KEPT_MS = 24 * 3_600_000;

/**
 * A certificate changed (revoked, corrected, reissued): one entry for the API processes' look-up
 * caches, written after the certificate itself, once however often the activity is retried; and
 * the entries older than a day go (immutable, so any writer may delete them).
 */
export async function recordCertificateChange(models: Pick<Models, 'CertificateChange'>, number: string, key: string): Promise<void> {
  const now = Date.now();
  await insertOnce(models.CertificateChange, [{ _id: `${number}:${key}`, number, recordedAt: new Date(now) }]);
  await models.CertificateChange.deleteMany({ recordedAt: { $lt: new Date(now - CERTIFICATE_CHANGE_KEPT_MS) } });
}
