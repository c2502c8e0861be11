/**
 * Messages of a certificate's later life (004 Art.12: 复核、更正; reissue of a lost document). The
 * API imports this module (it pulls in no workflow code).
 *
 * Two workflow types, each small:
 * - `certificateCorrection`, id `certificate-correction/<number>`: one correction request from the
 *   institution's POST to the center's decision (`decideCorrectionUpdate`, with a validator). The
 *   id keeps one request per certificate open at a time; a closed id may run again for the next.
 * - `certificateAmendment`, id `certificate-revocation/<number>`: the one write to the certificate
 *   document (an approved correction, or a reissue). It shares its id with the revocation workflow
 *   on purpose: Temporal runs one execution per id, so a revocation, a correction and a reissue of
 *   one certificate never write it at the same time (FerretDB v1 has no atomic read-modify-write,
 *   models/batch.ts). An amendment finishes in a moment, so a revocation that finds one running
 *   waits for it and starts again (api/cases.ts revokeCertificate), and so does an amendment.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../domain/filing';
import type { Jurisdiction } from '../../domain/batch';
import type { CorrectableField, CorrectionOutcome } from '../../domain/certificates';
import { revocationWorkflowId } from '../batch/messages';

export const CERTIFICATE_CORRECTION_WORKFLOW = 'certificateCorrection';
export const CERTIFICATE_AMENDMENT_WORKFLOW = 'certificateAmendment';
export const correctionWorkflowId = (number: string) => `certificate-correction/${number}`;
/** The lock every write to a certificate after its issue runs under (see the module comment). */
export const certificateWriterId = (number: string) => revocationWorkflowId(number);

export interface CorrectionInput {
  correctionId: string;
  number: string;
  field: CorrectableField;
  /** the new value as validated by domain/certificates correctionValue (null: no trade) */
  value: string | null;
  reason: string;
  institutionId: string;
  /** the certificate's batch's jurisdiction: whose center reviews (isBatchCenter) */
  jurisdiction: Jurisdiction;
  actor: Actor;
  requestId?: string;
}

export interface CorrectionDecision {
  outcome: CorrectionOutcome;
  opinion: string;
}

export interface CorrectionState {
  correctionId: string;
  number: string;
  field: CorrectableField;
  value: string | null;
  reason: string;
  status: 'pending' | 'approved' | 'rejected';
  institutionId: string;
  jurisdiction: Jurisdiction;
  requestedBy: Actor;
  requestedAt: string;
  decision: (CorrectionDecision & { by: Actor; at: string; version?: number }) | null;
}

export interface DecideCorrectionInput {
  correctionId: string;
  outcome: CorrectionOutcome;
  opinion: string;
  actor: Actor;
  requestId?: string;
}

/** The center's decision; answers with the correction's final state. */
export const decideCorrectionUpdate = defineUpdate<CorrectionState, [DecideCorrectionInput]>('decideCorrection');
export const correctionStateQuery = defineQuery<CorrectionState>('state');

export type AmendmentInput =
  | {
      kind: 'correction';
      number: string;
      correctionId: string;
      field: CorrectableField;
      value: string | null;
      reason: string;
      requestedBy: Actor;
      approvedBy: Actor;
      opinion: string;
      requestId?: string;
    }
  | { kind: 'reissue'; number: string; reason: string; actor: Actor; requestId?: string };

/** What an amendment did: the certificate's version and reissue count after it. */
export interface AmendmentResult {
  number: string;
  version: number;
  reissues: number;
  at: string;
}
