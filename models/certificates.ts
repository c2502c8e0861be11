/**
 * Correction requests (证书更正, 004 Art.12): one document per request, written only by the
 * request's `certificate-correction/<number>` workflow (its one writer), so the center finds what
 * it reviews and the institution what became of its request. The certificate itself changes only
 * when a correction is approved (models/batch.ts CertificateDoc.corrections).
 */
import { Schema } from 'mongoose';
import type { Jurisdiction } from '../domain/batch';

const mixed = Schema.Types.Mixed;

export interface CertificateCorrectionDoc {
  /** the correction id */
  _id: string;
  number: string;
  field: string;
  value: string | null;
  reason: string;
  status: 'pending' | 'approved' | 'rejected';
  institutionId: string;
  province: string;
  prefecture: string | null;
  jurisdiction: Jurisdiction;
  requestedBy: { sub: string; name: string; role: string };
  requestedAt: Date;
  decision: { outcome: 'pass' | 'reject'; opinion: string; by: { sub: string; name: string; role: string }; at: Date; version?: number } | null;
  updatedAt: Date;
}

export const certificateCorrectionSchema = new Schema<CertificateCorrectionDoc>(
  {
    _id: { type: String, required: true },
    number: { type: String, required: true, index: true },
    field: { type: String, required: true },
    value: { type: String, default: null },
    reason: { type: String, required: true },
    status: { type: String, required: true, index: true },
    institutionId: { type: String, required: true, index: true },
    province: { type: String, required: true },
    prefecture: { type: String, default: null },
    jurisdiction: { type: mixed, required: true },
    requestedBy: { type: mixed, required: true },
    requestedAt: { type: Date, required: true },
    decision: { type: mixed, default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'certificate_corrections', versionKey: false, minimize: false },
);
certificateCorrectionSchema.index({ province: 1, prefecture: 1, status: 1 });

/**
 * One change to a certificate (revocation, approved correction, reissue), written by the activity
 * that made it, right after the certificate: every API process reads the new ones each second and
 * forgets the number in its public look-up cache (api/certificate-changes.ts). Kept a day; the
 * activity that writes one deletes those older than that.
 */
export interface CertificateChangeDoc {
  /** `<number>:<what>:<key of the change>`, so a retried activity writes it once */
  _id: string;
  number: string;
  /** the writing worker's clock (API processes read with a margin for clock skew) */
  recordedAt: Date;
}

export const certificateChangeSchema = new Schema<CertificateChangeDoc>(
  {
    _id: { type: String, required: true },
    number: { type: String, required: true },
    recordedAt: { type: Date, required: true, index: true },
  },
  { collection: 'certificate_changes', versionKey: false },
);

/**
 * The certificates one batch issued at one time, counted by occupation and level:
 * what GET /statistics sums, so the dashboard reads one document per batch instead of every
 * certificate. Written once by the batch's issuing activity after its certificates; for batches
 * certified before 0.5.0, by `npm run backfill-tallies` (infra/certificate-tallies.ts).
 */
export interface CertificateTallyDoc {
  /** `<batch id>@<issue time, ISO>` (infra/certificate-tallies.ts tallyId) */
  _id: string;
  batchId: string;
  /** the issuing institution's province (as on its certificates) */
  province: string;
  institutionId: string;
  issuedAt: Date;
  total: number;
  counts: { occupationCode: string; occupationName: string; level: number; count: number }[];
}

export const certificateTallySchema = new Schema<CertificateTallyDoc>(
  {
    _id: { type: String, required: true },
    batchId: { type: String, required: true, index: true },
    province: { type: String, required: true, index: true },
    institutionId: { type: String, required: true },
    issuedAt: { type: Date, required: true },
    total: { type: Number, required: true },
    counts: { type: mixed, default: [] },
  },
  { collection: 'certificate_tallies', versionKey: false, minimize: false },
);
