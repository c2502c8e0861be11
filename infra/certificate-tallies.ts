/**
 * Certificate tallies (models/certificates.ts CertificateTallyDoc): what GET /statistics sums
 * instead of reading every certificate, which grew with every certificate ever issued (100,000
 * certificates: 10.7 s and 500 MB more in the API process, measured on FerretDB's SQLite backend).
 *
 * The batch's issuing activity writes its tally after its certificates (activities/batch.ts).
 * Batches certified before 0.5.0 have none: `npm run backfill-tallies` (scripts/backfill-tallies.ts)
 * counts their certificates once, after the upgrade. It writes only tallies that do not exist, so it
 * may run again at any time, and never beside an issuing activity's own tally.
 */
import type { Models } from '../models';
import type { CertificateTallyDoc } from '../models/certificates';
import { tallyCertificates } from '../domain/statistics';
import { insertOnce } from '../activities/records';

export const tallyId = (batchId: string, issuedAt: Date | string) => `${batchId}@${new Date(issuedAt).toISOString()}`;

type Issued = {
  batchId: string;
  issuedAt: Date;
  occupation: { code: string; name: string };
  level: number;
  institution: { province: string; creditCode: string };
};

/** The tallies of the certificates that have none yet (one per batch and issue time); how many were written. */
export async function backfillCertificateTallies(models: Pick<Models, 'Certificate' | 'CertificateTally'>): Promise<{ certificates: number; tallies: number }> {
  const existing = new Set((await models.CertificateTally.find({}, { _id: 1 }).lean()).map((t) => String(t._id)));
  const groups = new Map<string, { first: Issued; certificates: Pick<Issued, 'occupation' | 'level'>[] }>();
  let certificates = 0;
  // a cursor: a province's certificates of many years are never all in memory at once
  const cursor = models.Certificate.find({}, { batchId: 1, issuedAt: 1, occupation: 1, level: 1, 'institution.province': 1, 'institution.creditCode': 1 })
    .lean()
    .cursor();
  for await (const c of cursor as AsyncIterable<Issued>) {
    const id = tallyId(c.batchId, c.issuedAt);
    if (existing.has(id)) continue;
    certificates += 1;
    const g = groups.get(id) ?? { first: c, certificates: [] };
    g.certificates.push({ occupation: c.occupation, level: c.level });
    groups.set(id, g);
  }
  const docs: CertificateTallyDoc[] = [...groups].map(([id, g]) => ({
    _id: id,
    batchId: g.first.batchId,
    province: g.first.institution.province,
    institutionId: g.first.institution.creditCode,
    issuedAt: new Date(g.first.issuedAt),
    ...tallyCertificates(g.certificates),
  }));
  // a tally written meanwhile (a second run at the same time) counts the same certificates: skipped
  for (let i = 0; i < docs.length; i += 500) await insertOnce(models.CertificateTally, docs.slice(i, i + 500));
  return { certificates, tallies: docs.length };
}
