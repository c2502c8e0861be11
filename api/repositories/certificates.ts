/**
 * Certificates (职业技能等级证书), written by the batch workflows' issuing activity and afterwards
 * only under a certificate's writer id (revocation, approved correction, reissue): look-ups by
 * number (`_id`) and by holder, each as the public sees it (holder masked) with its version and
 * signed verification link; the stored document and its scope for the routes that check rights;
 * correction requests (written by their workflows).
 */
import type { Models } from '../../models';
import type { CertificateDoc } from '../../models/batch';
import { parseCertificateCode } from '../../domain/certificate-code';
import { publicCertificateView, type Jurisdiction } from '../../domain/batch';
import type { Caller } from '../../domain/roles';
import type { CertificateCorrectionDoc } from '../../models/certificates';
import { certificateDisplayStatus, currentValue, isCorrectableField, listsCorrection, versionOf, type CertificateScope } from '../../domain/certificates';
import { offsetPage } from './cursor';
import { issueDateOf, signedVerifyUrl, type CertificateSigning } from '../../certificates/signature';
import { notFound } from '../problems';
import { CertificateCache } from '../certificate-cache';

/** The verification link a certificate's QR code carries: signed over its number, masked ID and China issue date. */
export function verifyUrlOf(doc: Pick<CertificateDoc, '_id' | 'holder' | 'issuedAt'>, signing: CertificateSigning): string {
  return signedVerifyUrl({ number: doc._id, idNumber: doc.holder.idNumber, issueDate: issueDateOf(doc.issuedAt) }, signing);
}

/** What the public sees (GET /certificates/:number, API.md): the holder masked, status, version and the verification link. */
export function publicView(doc: CertificateDoc, signing: CertificateSigning) {
  return { ...publicCertificateView(doc), version: versionOf(doc), verifyUrl: verifyUrlOf(doc, signing) };
}

const iso = (d: Date | string) => (typeof d === 'string' ? d : d.toISOString());
const person = (p: { name: string; role: string }) => ({ name: p.name, role: p.role });

/** A correction request as those in scope see it. */
function requestView(c: CertificateCorrectionDoc) {
  return {
    correctionId: c._id,
    number: c.number,
    field: c.field,
    value: c.value ?? null,
    reason: c.reason,
    status: c.status,
    requestedBy: person(c.requestedBy),
    requestedAt: iso(c.requestedAt),
    decision: c.decision
      ? {
          outcome: c.decision.outcome,
          opinion: c.decision.opinion,
          by: person(c.decision.by),
          at: iso(c.decision.at),
          ...(c.decision.version ? { version: c.decision.version } : {}),
        }
      : null,
  };
}

/** What those who act on a certificate see (GET /certificates/:number/record): the holder in full, and its later life. */
export function recordView(doc: CertificateDoc, scope: CertificateScope, requests: CertificateCorrectionDoc[], signing: CertificateSigning) {
  const r = doc.revocation;
  const j = scope.jurisdiction;
  return {
    ...publicView(doc, signing),
    holder: { ...doc.holder },
    institution: { name: doc.institution.name, code: doc.institution.code, creditCode: doc.institution.creditCode, province: doc.institution.province },
    jurisdiction: { level: j.level, province: j.province, ...(j.prefecture ? { prefecture: j.prefecture } : {}) },
    displayStatus: certificateDisplayStatus(doc),
    batchId: doc.batchId,
    revocation: doc.status === 'revoked' && r ? { reason: r.reason, by: person(r.by), at: iso(r.at) } : null,
    corrections: (doc.corrections ?? []).map((c) => ({
      correctionId: c.correctionId,
      version: c.version,
      field: c.field,
      from: c.from ?? null,
      to: c.to ?? null,
      reason: c.reason,
      requestedBy: person(c.requestedBy),
      approvedBy: person(c.approvedBy),
      opinion: c.opinion,
      at: iso(c.at),
    })),
    reissues: (doc.reissues ?? []).map((x) => ({ at: iso(x.at), reason: x.reason, by: person(x.by) })),
    requests: requests.map(requestView),
  };
}

/** `cacheSeconds`: how long a public look-up's answer is kept (CERTIFICATE_CACHE_SECONDS; 0 or absent: not kept). */
export function createCertificatesRepository(models: Models, signing: CertificateSigning, cacheSeconds = 0) {
  const lookups = new CertificateCache<ReturnType<typeof publicView>>({ ttlMs: cacheSeconds * 1000 });
  return {
    /** the public look-ups kept by this process (hits, misses, size) */
    lookups,
    /** The stored certificate; 404 for a number that is not one, or not issued. */
    async find(number: string): Promise<CertificateDoc> {
      const doc = parseCertificateCode(number) ? ((await models.Certificate.findById(number).lean()) as CertificateDoc | null) : null;
      if (!doc) throw notFound('certificate');
      return doc;
    },
    /**
     * The certificate as the public sees it (holder masked); 404 for a number that is not one, or
     * not issued (a 404 is not kept: the certificate may be issued a moment later).
     */
    async byNumber(number: string) {
      return lookups.get(number, async () => publicView(await this.find(number), signing));
    },
    /** This process changed the certificate (api/cases.ts, onCertificateChanged): its next look-up reads it again. */
    forget(number: string) {
      lookups.forget(number);
    },
    /** One person's certificates, newest first: both the ID number and the name must match. */
    async byHolder(idNumber: string, name: string) {
      const docs = (await models.Certificate.find({ 'holder.idNumber': idNumber, 'holder.name': name })
        .sort({ issuedAt: -1 })
        .limit(200)
        .lean()) as CertificateDoc[];
      return docs.map((d) => publicView(d, signing));
    },
    /**
     * Where a certificate sits: its institution, and the jurisdiction of the batch that issued it
     * (whose reviewers and center act on it). A certificate whose batch record is missing sits at
     * the institution's province, so a prefecture never acts on it by mistake.
     */
    async scopeOf(doc: Pick<CertificateDoc, 'batchId' | 'institution'>): Promise<CertificateScope> {
      const b = await models.Batch.findById(doc.batchId, { province: 1, prefecture: 1, level: 1 }).lean();
      const jurisdiction: Jurisdiction =
        b && b.level !== 'province' && b.prefecture
          ? { level: 'prefecture', province: b.province, prefecture: b.prefecture }
          : { level: 'province', province: b?.province ?? doc.institution.province };
      return { institutionId: doc.institution.creditCode, jurisdiction };
    },
    /** Every correction request of this certificate, newest first. */
    async requestsOf(number: string): Promise<CertificateCorrectionDoc[]> {
      const docs = (await models.CertificateCorrection.find({ number }).limit(500).lean()) as CertificateCorrectionDoc[];
      return docs.sort((a, b) => iso(b.requestedAt).localeCompare(iso(a.requestedAt)) || b._id.localeCompare(a._id));
    },
    /**
     * Correction requests the caller is shown (domain/certificates.ts listsCorrection), oldest first
     * (a queue), with the holder's name and the value each would replace. Filtered in memory after a
     * query by the caller's province or institution, so the cursor is an offset (as the inbox's).
     */
    async corrections(caller: Caller, q: { status?: string; cursor?: string; limit: number }) {
      const filter: Record<string, unknown> =
        caller.role === 'institution' ? { institutionId: caller.institutionId ?? '-' } : { province: caller.province ?? '-' };
      if (q.status) filter.status = q.status;
      const docs = (await models.CertificateCorrection.find(filter).limit(5000).lean()) as CertificateCorrectionDoc[];
      const mine = docs
        .filter((d) => listsCorrection(caller, { institutionId: d.institutionId, jurisdiction: d.jurisdiction }))
        .sort((a, b) => iso(a.requestedAt).localeCompare(iso(b.requestedAt)) || a._id.localeCompare(b._id));
      const page = offsetPage(mine, q.cursor, q.limit);
      const certs = page.items.length
        ? ((await models.Certificate.find({ _id: { $in: [...new Set(page.items.map((d) => d.number))] } }).lean()) as CertificateDoc[])
        : [];
      const byNumber = new Map(certs.map((c) => [c._id, c]));
      return {
        items: page.items.map((d) => {
          const c = byNumber.get(d.number);
          return {
            ...requestView(d),
            holder: { name: c?.holder.name ?? '' },
            current: c && isCorrectableField(d.field) ? currentValue(c, d.field) : null,
          };
        }),
        nextCursor: page.nextCursor,
      };
    },
    /** A correction request of this certificate; 404 when there is none with this id. */
    async correction(number: string, correctionId: string) {
      const doc = await models.CertificateCorrection.findOne({ _id: correctionId, number }).lean();
      if (!doc) throw notFound('correction');
      return doc;
    },
  };
}

export type CertificatesRepository = ReturnType<typeof createCertificatesRepository>;
