/**
 * A competition recognition's one side effect (workflows/recognition; domain/recognitions.ts): the
 * rules checked against the holder's certificates, the record, the serial and the certificate.
 * Idempotent: the record is keyed by the recognition id (and unique per competition, holder and
 * occupation), the serial is reserved with the recognition's id as request id (a retry gets the
 * same serial), the certificate's `_id` is its number, and the audit entry's id is the recognition's.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { Models } from '../models';
import type { CertificateDoc } from '../models/batch';
import type { RecognitionDoc } from '../models/recognitions';
import { buildCertificateCode, ISSUING_LAYOUT, maxSerial, type CertificateLevel } from '../domain/certificate-code';
import { sexFromIdNumber } from '../domain/identifiers';
import { normaliseCompetition, recognitionAllocatorId, recognitionIssuer, recognitionKey, recognitionRefusal } from '../domain/recognitions';
import type { RecognitionInput, RecognitionResult } from '../workflows/recognition/messages';
import { createAllocateActivities } from './allocate';
import { auditDocs, insertOnce } from './records';

const fail = (type: string, message: string, details?: Record<string, unknown>) =>
  ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : undefined });

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000 || /E11000|duplicate key/i.test(String((err as Error)?.message));

export function createRecognitionActivities(deps: { models: Models; client: Client; taskQueue: string }) {
  const { models } = deps;
  const { allocate } = createAllocateActivities(deps.client, deps.taskQueue);
  return {
    async issueRecognition(input: RecognitionInput & { at: string }): Promise<RecognitionResult> {
      const r = input.request;
      const idNumber = String(r.holder.idNumber).trim().toUpperCase();
      const request = { ...r, competition: normaliseCompetition(r.competition), holder: { name: r.holder.name.trim(), idNumber } };
      const done = (await models.Recognition.findById(input.id).lean()) as RecognitionDoc | null;
      if (done?.number) return { id: input.id, number: done.number, level: done.level, issuedAt: new Date(done.recordedAt).toISOString() };

      // certificates in force in the occupation, but not this recognition's own (a retried attempt)
      const held = (await models.Certificate.find(
        { 'holder.idNumber': idNumber, 'occupation.code': r.occupationCode, status: 'valid', batchId: { $ne: input.id } },
        { level: 1, occupation: 1 },
      ).lean()) as Pick<CertificateDoc, 'level' | 'occupation'>[];
      const refusal = recognitionRefusal(
        request,
        held.map((c) => c.level),
      );
      if (refusal) throw fail(refusal.code, refusal.message, refusal.details);
      const occupationName = r.occupationName?.trim() || held[0]?.occupation.name || (await knownOccupationName(r.occupationCode));
      if (!occupationName) throw fail('VALIDATION_FAILED', `occupationName is required: no certificate names ${r.occupationCode} yet`);

      const sex = sexFromIdNumber(idNumber)!;
      const key = recognitionKey({ ...request, idNumber });
      const record: RecognitionDoc = {
        _id: input.id,
        key,
        province: input.province,
        competition: request.competition,
        rank: r.rank,
        holder: { name: request.holder.name, idNumber, sex },
        occupation: { code: r.occupationCode, name: occupationName },
        trade: r.trade?.trim() || null,
        level: r.level,
        number: null,
        recordedBy: { sub: input.actor.sub, name: input.actor.name, role: input.actor.role },
        recordedAt: new Date(input.at),
      };
      try {
        await models.Recognition.create(record);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const other = (await models.Recognition.findOne({ key }, { _id: 1, number: 1 }).lean()) as Pick<RecognitionDoc, '_id' | 'number'> | null;
        if (other && other._id !== input.id) {
          throw fail('ALREADY_EXISTS', 'This competition already recognised this holder in this occupation', {
            recognitionId: other._id,
            number: other.number,
          });
        }
      }

      const issueYear = Number(input.at.slice(0, 4));
      const a = await allocate({
        workflowId: recognitionAllocatorId(input.province),
        key: `${issueYear}-${r.level}`,
        count: 1,
        max: maxSerial(ISSUING_LAYOUT),
        requestId: `recognition:${input.id}`,
      });
      const issuer = recognitionIssuer(input.province);
      const number = buildCertificateCode({
        kind: issuer.kind,
        province: input.province,
        institutionSequence: issuer.sequence,
        issueYear,
        level: r.level as CertificateLevel,
        serial: a.first,
      });
      const cert: CertificateDoc = {
        _id: number,
        holder: { name: request.holder.name, idNumber, sex },
        occupation: { code: r.occupationCode, name: occupationName },
        trade: record.trade,
        level: r.level,
        institution: { creditCode: issuer.creditCode, name: issuer.name, code: issuer.code, province: input.province, kind: issuer.kind },
        batchId: input.id,
        source: { kind: 'recognition', competition: request.competition, rank: r.rank },
        issueYear,
        serial: a.first,
        issuedAt: new Date(input.at),
        status: 'valid',
        revocation: null,
      };
      await insertOnce(models.Certificate, [cert]);
      await models.Recognition.updateOne({ _id: input.id }, { $set: { number } });
      await insertOnce(
        models.Audit,
        auditDocs('recognition', input.id, 1, [
          {
            actor: input.actor.sub,
            actorName: input.actor.name,
            role: input.actor.role,
            action: 'recognition.create',
            requestId: input.requestId,
            before: null,
            // no ID number in the audit trail: the certificate holds it
            after: { number, competition: request.competition, rank: r.rank, occupationCode: r.occupationCode, level: r.level },
            at: input.at,
          },
        ]),
      );
      return { id: input.id, number, level: r.level, issuedAt: new Date(input.at).toISOString() };
    },
  };

  async function knownOccupationName(code: string): Promise<string | undefined> {
    const c = (await models.Certificate.findOne({ 'occupation.code': code }, { occupation: 1 }).lean()) as Pick<CertificateDoc, 'occupation'> | null;
    return c?.occupation.name;
  }
}
