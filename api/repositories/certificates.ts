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
import { versionOf, type CertificateScope } from '../../domain/certificates';
import { issueDateOf, signedVerifyUrl, type CertificateSigning } from '../../certificates/signature';
import { notFound } from '../problems';

/** The verification link a certificate's QR code carries: signed over its number, masked ID and China issue date. */
export function verifyUrlOf(doc: Pick<CertificateDoc, '_id' | 'holder' | 'issuedAt'>, signing: CertificateSigning): string {
  return signedVerifyUrl({ number: doc._id, idNumber: doc.holder.idNumber, issueDate: issueDateOf(doc.issuedAt) }, signing);
}

/** What the public sees (GET /certificates/:number, API.md): the holder masked, status, version and the verification link. */
export function publicView(doc: CertificateDoc, signing: CertificateSigning) {
  return { ...publicCertificateView(doc), version: versionOf(doc), verifyUrl: verifyUrlOf(doc, signing) };
}

export function createCertificatesRepository(models: Models, signing: CertificateSigning) {
  return {
    /** The stored certificate; 404 for a number that is not one, or not issued. */
    async find(number: string): Promise<CertificateDoc> {
      const doc = parseCertificateCode(number) ? ((await models.Certificate.findById(number).lean()) as CertificateDoc | null) : null;
      if (!doc) throw notFound('certificate');
      return doc;
    },
    /** The certificate as the public sees it (holder masked); 404 for a number that is not one, or not issued. */
    async byNumber(number: string) {
      return publicView(await this.find(number), signing);
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
    /** A correction request of this certificate; 404 when there is none with this id. */
    async correction(number: string, correctionId: string) {
      const doc = await models.CertificateCorrection.findOne({ _id: correctionId, number }).lean();
      if (!doc) throw notFound('correction');
      return doc;
    },
  };
}

export type CertificatesRepository = ReturnType<typeof createCertificatesRepository>;
