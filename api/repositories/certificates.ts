/**
 * Certificates (职业技能等级证书), written by the batch workflows' issuing activity and changed only
 * by a certificate's revocation workflow: look-ups by number (`_id`) and by holder.
 */
import type { Models } from '../../models';
import { parseCertificateCode } from '../../domain/certificate-code';
import { publicCertificateView } from '../../domain/batch';
import { notFound } from '../problems';

export function createCertificatesRepository(models: Models) {
  return {
    /** The certificate as the public sees it (holder masked); 404 for a number that is not one, or not issued. */
    async byNumber(number: string) {
      const doc = parseCertificateCode(number) ? await models.Certificate.findById(number).lean() : null;
      if (!doc) throw notFound('certificate');
      return publicCertificateView(doc);
    },
    /** One person's certificates, newest first: both the ID number and the name must match. */
    async byHolder(idNumber: string, name: string) {
      const docs = await models.Certificate.find({ 'holder.idNumber': idNumber, 'holder.name': name }).sort({ issuedAt: -1 }).limit(200).lean();
      return docs.map(publicCertificateView);
    },
  };
}

export type CertificatesRepository = ReturnType<typeof createCertificatesRepository>;
