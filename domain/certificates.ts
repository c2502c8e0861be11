/**
 * Rules of an issued certificate's later life: who prints it, correction (复核、更正, 004 Art.12),
 * reissue of a lost document, and what the public check calls its state. Pure: the workflows in
 * workflows/certificate/ and the routes call these, none re-derives them.
 */
import type { Caller } from './roles';
import type { Refusal } from './errors';
import { isBatchCenter, type Jurisdiction } from './batch';
import { entitledToCandidates, entitledToPersonalData } from './access';
import { isValidIdNumber } from './identifiers';

/** Where a certificate sits, for the access rules: the issuing institution and its batch's jurisdiction. */
export interface CertificateScope {
  institutionId: string;
  jurisdiction: Jurisdiction;
}

/** The stored fields these rules read (models/batch.ts CertificateDoc). */
export interface CertificateFacts {
  _id: string;
  holder: { name: string; idNumber: string; sex: 'M' | 'F' };
  occupation: { code: string; name: string };
  trade?: string | null;
  status: 'valid' | 'revoked';
  version?: number;
  institution: { creditCode: string; province: string };
}

/**
 * The certificate document (002 Art.20, API.md): for the issuing institution and the reviewers in
 * scope, who are the ones entitled to the holder's full ID number that it prints (SPEC §7). The
 * center reviews data but is not named by the contract for the document.
 */
export function mayReadCertificateDocument(caller: Caller, scope: CertificateScope): boolean {
  return entitledToPersonalData(caller, {
    province: scope.jurisdiction.province,
    prefecture: scope.jurisdiction.prefecture,
    institutionId: scope.institutionId,
  });
}

/**
 * A certificate's record — its holder in full, its revocation, corrections, reissues and correction
 * requests (GET /certificates/:number/record): for those who act on it, the issuing institution,
 * the reviewers in scope and the center in scope, who all see its batch's candidates in full
 * (SPEC §7, 000 §五(二)); everyone else has the public check.
 */
export function mayReadCertificateRecord(caller: Caller, scope: CertificateScope): boolean {
  return entitledToCandidates(caller, {
    province: scope.jurisdiction.province,
    prefecture: scope.jurisdiction.prefecture,
    institutionId: scope.institutionId,
  });
}

/**
 * Which correction requests a caller is shown (GET /certificates/corrections): a center those it
 * reviews (the center of the certificate's batch, correctionDecisionRefusal), everyone else those
 * of the certificates whose record it may read.
 */
export function listsCorrection(caller: Caller, scope: CertificateScope): boolean {
  return caller.role === 'center' ? isBatchCenter(scope.jurisdiction, caller) : mayReadCertificateRecord(caller, scope);
}

/** A certificate's version: 1 as issued, +1 per approved correction. Certificates issued before versions existed are version 1. */
export const versionOf = (c: { version?: number | null }) => (typeof c.version === 'number' && c.version >= 1 ? c.version : 1);

/**
 * What the public check shows (有效 / 已撤销 / 已更正): revoked wins; a valid certificate that has
 * been corrected says so, since a print of an earlier version shows other data.
 */
export function certificateDisplayStatus(c: { status: 'valid' | 'revoked'; version?: number | null }): 'valid' | 'revoked' | 'corrected' {
  if (c.status === 'revoked') return 'revoked';
  return versionOf(c) > 1 ? 'corrected' : 'valid';
}

// ---------------------------------------------------------------------------------------------
// Corrections (004 Art.12: the institution stays responsible for 复核、更正、撤销 of the data of the
// certificates it issued, also after its filing ended)
// ---------------------------------------------------------------------------------------------

/**
 * The fields a correction may change. The number, level, occupation code and issue date are not
 * among them: they are coded into the number (SPEC §4), and a different level or occupation is a
 * different certificate (revoke and issue anew), not a correction.
 */
export const CORRECTABLE_FIELDS = ['holder.name', 'holder.idNumber', 'holder.sex', 'occupation.name', 'trade'] as const;
export type CorrectableField = (typeof CORRECTABLE_FIELDS)[number];

export const isCorrectableField = (f: unknown): f is CorrectableField => (CORRECTABLE_FIELDS as readonly unknown[]).includes(f);

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The value as it will be stored, or the refusal. `trade` may be emptied ("—" on the document). */
export function correctionValue(field: CorrectableField, raw: unknown): { value: string | null } | Refusal {
  if (typeof raw !== 'string') return { code: 'VALIDATION_FAILED', message: 'value must be text' };
  const v = raw.trim();
  if (CONTROL.test(v)) return { code: 'VALIDATION_FAILED', message: 'value contains a control character' };
  switch (field) {
    case 'holder.idNumber': {
      const id = v.toUpperCase();
      return isValidIdNumber(id) ? { value: id } : { code: 'VALIDATION_FAILED', message: 'value is not a valid 居民身份证 number (GB 11643-1999)' };
    }
    case 'holder.sex':
      return v === 'M' || v === 'F' ? { value: v } : { code: 'VALIDATION_FAILED', message: 'value must be M or F' };
    case 'trade':
      if (!v) return { value: null };
      return [...v].length <= 60 ? { value: v } : { code: 'VALIDATION_FAILED', message: 'a trade name is at most 60 characters' };
    case 'holder.name':
      return v && [...v].length <= 40 ? { value: v } : { code: 'VALIDATION_FAILED', message: 'a name is 1–40 characters' };
    case 'occupation.name':
      return v && [...v].length <= 60 ? { value: v } : { code: 'VALIDATION_FAILED', message: 'an occupation name is 1–60 characters' };
  }
}

/** The current value of a correctable field. */
export function currentValue(c: Pick<CertificateFacts, 'holder' | 'occupation' | 'trade'>, field: CorrectableField): string | null {
  switch (field) {
    case 'holder.name':
      return c.holder.name;
    case 'holder.idNumber':
      return c.holder.idNumber;
    case 'holder.sex':
      return c.holder.sex;
    case 'occupation.name':
      return c.occupation.name;
    case 'trade':
      return c.trade ?? null;
  }
}

export interface CorrectionRequest {
  field: unknown;
  value: unknown;
  reason: unknown;
}

/**
 * A correction request (004 Art.12): by the issuing institution only (its filing may have ended:
 * the duty outlives it, so the filing is not consulted); not of a revoked certificate; one of the
 * correctable fields, a valid new value that differs from the current one, and a reason.
 */
export function correctionRefusal(actor: Caller, c: CertificateFacts, r: CorrectionRequest): Refusal | null {
  if (actor.role !== 'institution' || actor.institutionId !== c.institution.creditCode) {
    return { code: 'FORBIDDEN', message: 'A correction is requested by the institution that issued the certificate' };
  }
  if (c.status === 'revoked') return { code: 'ALREADY_REVOKED', message: `Certificate ${c._id} is revoked` };
  if (!isCorrectableField(r.field)) return { code: 'VALIDATION_FAILED', message: `field must be one of ${CORRECTABLE_FIELDS.join(', ')}` };
  const v = correctionValue(r.field, r.value);
  if ('code' in v) return v;
  if (v.value === currentValue(c, r.field)) return { code: 'VALIDATION_FAILED', message: `${r.field} already has this value`, status: 422 };
  if (typeof r.reason !== 'string' || !r.reason.trim() || r.reason.length > 2000)
    return { code: 'VALIDATION_FAILED', message: 'reason must be 1–2000 characters' };
  return null;
}

export type CorrectionOutcome = 'pass' | 'reject';

export interface CorrectionDecisionInput {
  correctionId: unknown;
  outcome: unknown;
  opinion: unknown;
  actor?: Caller;
}

/**
 * The center's review of a correction (004 Art.12 复核; 000 §五(二): the appraisal center of the
 * batch's jurisdiction reviews certificate data): only that center, only the pending correction,
 * once.
 */
export function correctionDecisionRefusal(
  s: { correctionId: string; jurisdiction: Jurisdiction; status: 'pending' | 'approved' | 'rejected' },
  d: CorrectionDecisionInput,
): Refusal | null {
  if (!d?.actor || !isBatchCenter(s.jurisdiction, d.actor)) {
    return { code: 'FORBIDDEN', message: "A correction is reviewed by the appraisal center of the certificate's batch" };
  }
  if (d.correctionId !== s.correctionId) return { code: 'NOT_FOUND', message: `No pending correction ${String(d.correctionId)}` };
  if (s.status !== 'pending') return { code: 'ALREADY_DECIDED', message: `Correction ${s.correctionId} was decided already` };
  if (d.outcome !== 'pass' && d.outcome !== 'reject') return { code: 'VALIDATION_FAILED', message: 'outcome must be pass or reject' };
  if (typeof d.opinion !== 'string' || !d.opinion.trim() || d.opinion.length > 2000) {
    return { code: 'VALIDATION_FAILED', message: 'opinion must be 1–2000 characters' };
  }
  return null;
}

/** A reissue (补发) of a lost or damaged document: by the issuing institution, not of a revoked certificate. */
export function reissueRefusal(actor: Caller, c: Pick<CertificateFacts, '_id' | 'status' | 'institution'>, reason: unknown): Refusal | null {
  if (actor.role !== 'institution' || actor.institutionId !== c.institution.creditCode) {
    return { code: 'FORBIDDEN', message: 'A certificate is reissued by the institution that issued it' };
  }
  if (c.status === 'revoked') return { code: 'ALREADY_REVOKED', message: `Certificate ${c._id} is revoked` };
  if (typeof reason !== 'string' || !reason.trim() || reason.length > 2000) return { code: 'VALIDATION_FAILED', message: 'reason must be 1–2000 characters' };
  return null;
}
