/**
 * The batch workflow's side effects (activities only).
 *
 * Activities (each idempotent, so a retry after a crash writes nothing twice):
 * - recordBatch: the batch view, audit entries and notifications of one transition;
 * - batchFilingSnapshot: the filing's state, from the filing workflow's `stateQuery` (the read
 *   model when the workflow cannot answer);
 * - drawSupervisors: the center's random draw (双随机) among the registered supervisors in scope;
 *   its answer is recorded in the batch's history, so a replay draws the same people;
 * - issueCertificates: serials from the institution's allocator workflow, one reservation per
 *   (batch, level) with request id `${batchId}:${level}`, then the certificates (`_id` = number);
 * - revokeCertificate: run by the `certificate-revocation/<number>` workflow only.
 *
 * The API's calls into these workflows (submitting a plan, revoking a certificate) are in
 * api/cases.ts.
 */
import { randomInt } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { Models } from '../models';
import type { CertificateDoc } from '../models/batch';
import {
  batchPendingSteps,
  buildSummary,
  mayRevokeCertificate,
  publicityRoster,
  type BatchInstitution,
  type BatchState,
  type FilingSnapshot,
  type IssuedCertificate,
} from '../domain/batch';
import { buildCertificateCode, ISSUING_LAYOUT, maxSerial, type CertificateLevel } from '../domain/certificate-code';
import type { FilingState } from '../domain/filing';
import { filingWorkflowId, stateQuery as filingStateQuery } from '../workflows/filing/messages';
import { batchWorkflowId, serialAllocatorId, filingTerminatedUpdate, type RevocationInput } from '../workflows/batch/messages';
import { stateOf } from '../models/records';
import { auditDocs, insertOnce, notificationDocs, putVersioned, type AuditDraft, type NotificationDraft } from './records';
import { createAllocateActivities } from './allocate';

export interface CertificateHolder {
  name: string;
  idNumber: string;
  sex: 'M' | 'F';
  occupation: { code: string; name: string };
  trade?: string;
  level: number;
}

export interface IssueInput {
  batchId: string;
  issueYear: number;
  /** ISO instant, fixed by the workflow so that a retry issues the same documents */
  issuedAt: string;
  institution: BatchInstitution;
  /** in a fixed order: holder i of a level gets that level's block's first serial + i */
  holders: CertificateHolder[];
}

export interface IssueResult {
  certificates: IssuedCertificate[];
  blocks: { level: number; first: number; last: number }[];
}

/** Test-only hooks (fault injection); production passes none. */
export interface BatchActivityHooks {
  /** runs after a level's serial block is reserved and before its certificates are written */
  afterSerialReservation?: (info: { batchId: string; level: number; first: number; last: number }) => void | Promise<void>;
}

const fail = (type: string, message: string, details?: Record<string, unknown>) =>
  ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : undefined });

export function createBatchActivities(deps: { models: Models; client: Client; taskQueue: string }, hooks: BatchActivityHooks = {}) {
  const { models, client } = deps;
  const { allocate } = createAllocateActivities(deps.client, deps.taskQueue);

  return {
    async recordBatch(input: { state: BatchState; audit: AuditDraft[]; notifications: NotificationDraft[] }) {
      const { state } = input;
      const j = state.jurisdiction;
      const p = state.publicity;
      const open = state.status === 'publicity' && p && !p.closedAt;
      const dueAtMs = open ? p.endsAtMs : state.due?.dueAtMs;
      const summary = open
        ? buildSummary({ id: state.id, institution: state.institution, plan: state.plan, scores: state.scores, policy: state.policy })
        : null;
      await putVersioned(models.Batch, state.id, state.version, {
        status: state.status,
        stage: state.stage,
        filingId: state.filingId,
        province: j.province,
        prefecture: j.prefecture ?? null,
        level: j.level,
        institutionId: state.institution.creditCode,
        institutionName: state.institution.name,
        kind: state.institution.kind,
        firstExamDate: state.plan.firstExamDate,
        lastExamDate: state.plan.lastExamDate,
        candidates: state.plan.candidates.length,
        dueAt: dueAtMs ? new Date(dueAtMs) : null,
        escalation: state.due?.escalation ?? 0,
        estimated: (state.due?.coverage ?? (open ? p.coverage : 'official')) === 'estimated',
        supervisors: state.supervision.assigned.map((a) => a.userId),
        waitingOn: batchPendingSteps(state),
        publicity:
          open && summary
            ? {
                round: p.round,
                endDate: p.endDate,
                endsAt: p.endsAt,
                applicants: summary.applicants,
                passed: summary.passed,
                rows: summary.rows,
                candidates: publicityRoster({ id: state.id, institution: state.institution, plan: state.plan, scores: state.scores, policy: state.policy }),
                objectionPath: `/api/v1/batches/${state.id}/objections`,
              }
            : null,
        publicityEndsAt: open ? new Date(p.endsAtMs) : null,
        certificates: state.certificates?.count ?? 0,
        submittedAt: new Date(state.submittedAt),
        updatedAt: new Date(),
        // JSON text: FerretDB stores and scans one string far faster than a deep document
        state: JSON.stringify(state),
      });
      await insertOnce(models.Audit, auditDocs('batch', state.id, state.version, input.audit));
      await insertOnce(models.Notification, notificationDocs('batch', state.id, state.version, input.notifications));
    },

    async batchFilingSnapshot(input: { filingId: string }): Promise<FilingSnapshot> {
      let s: FilingState | null = null;
      let queryError: unknown;
      try {
        // a running filing answers its query; a closed one is read from its final view (querying
        // a closed workflow would replay its whole history)
        const h = client.workflow.getHandle(filingWorkflowId(input.filingId));
        const d = await h.describe();
        if (d.status.name === 'RUNNING') s = await h.query(filingStateQuery);
      } catch (err) {
        queryError = err;
      }
      if (!s) {
        const doc = await models.Filing.findById(input.filingId).lean();
        s = doc ? stateOf<FilingState>(doc) : null;
      }
      if (!s) {
        const name = (queryError as Error | undefined)?.name;
        if (queryError && name !== 'WorkflowNotFoundError' && !/not found/i.test(String((queryError as Error).message))) throw queryError;
        return { found: false, filingId: input.filingId };
      }
      const i = s.application.institution;
      return {
        found: true,
        filingId: input.filingId,
        status: s.status,
        endedAt: s.endedAt,
        endReason: s.endReason,
        institution: { creditCode: i.creditCode, name: i.name, kind: i.kind, province: i.province, affiliation: i.affiliation, prefecture: i.prefecture },
        occupations: s.application.occupations,
        subsidiaries: s.application.subsidiaries ?? [],
        venues: (s.application.venues ?? []).map((v) => ({ name: v.name, address: v.address, premises: v.premises })),
        notice: s.notice
          ? { number: s.notice.number, sequence: s.notice.sequence, institutionCode: s.notice.institutionCode, validUntil: s.notice.validUntil }
          : null,
      };
    },

    /**
     * 004 Art.13, run by a filing workflow before it records its termination: every batch of the
     * filing not yet certified, rejected or cancelled is cancelled through its own workflow (an
     * Update, so this returns once each has recorded it). Idempotent: the Update id is fixed per
     * filing and batch, and a batch that has already ended answers nothing to do.
     */
    async endBatchesOfFiling(input: { filingId: string; reason: string }): Promise<{ cancelled: string[] }> {
      const open = await models.Batch.find({ filingId: input.filingId, status: { $nin: ['certified', 'rejected', 'cancelled'] } }, { _id: 1 }).lean();
      const cancelled: string[] = [];
      for (const b of open) {
        try {
          const r = await client.workflow.getHandle(batchWorkflowId(b._id)).executeUpdate(filingTerminatedUpdate, {
            args: [{ filingId: input.filingId, reason: input.reason }],
            updateId: `filing-terminated:${input.filingId}`,
          });
          if (r.status === 'cancelled') cancelled.push(b._id);
        } catch (err) {
          // a batch whose workflow has already ended (certified, rejected, cancelled) has nothing left to stop
          const e = err as { name?: string; message?: string; cause?: { type?: string } };
          const ended = e.name === 'WorkflowNotFoundError' || /already completed|not found/i.test(String(e.message)) || e.cause?.type === 'INVALID_STATE';
          if (!ended) throw err;
        }
      }
      return { cancelled };
    },

    /**
     * 双随机: `count` supervisors drawn uniformly at random among the registered, active
     * supervisors in scope (a prefecture's own and the province's, or the whole province for a
     * provincial batch), leaving out those already assigned and anyone listed in the plan.
     */
    async drawSupervisors(input: {
      batchId: string;
      province: string;
      prefecture?: string;
      count: number;
      excludeUserIds: string[];
      excludeIdNumbers: string[];
    }): Promise<{ picked: { userId: string; name: string }[]; eligible: number }> {
      const filter: Record<string, unknown> = { province: input.province, active: { $ne: false } };
      if (input.prefecture) filter.$or = [{ prefecture: null }, { prefecture: input.prefecture }];
      const docs = await models.Supervisor.find(filter).sort({ _id: 1 }).lean();
      const excludedIds = new Set(input.excludeIdNumbers.map((x) => x.toUpperCase()));
      const pool = docs.filter((d) => !input.excludeUserIds.includes(d._id) && !excludedIds.has(String(d.idNumber).toUpperCase()));
      if (pool.length < input.count) {
        throw fail('NOT_ENOUGH_SUPERVISORS', `Only ${pool.length} registered supervisor(s) in scope can be drawn, ${input.count} requested`, {
          eligible: pool.length,
          requested: input.count,
        });
      }
      // partial Fisher–Yates with a cryptographic source
      for (let k = 0; k < input.count; k++) {
        const r = k + randomInt(pool.length - k);
        [pool[k], pool[r]] = [pool[r], pool[k]];
      }
      return { picked: pool.slice(0, input.count).map((d) => ({ userId: d._id, name: d.name })), eligible: pool.length };
    },

    /**
     * Issues one certificate per holder. Per level: reuse the block this batch already wrote
     * (found by batch and level, its first serial derived from any document and the holder's
     * position), else reserve one from the allocator with request id `${batchId}:${level}` (a
     * retry gets the same block back); then insert the documents, ignoring those already there.
     * A retry at any point therefore issues no second certificate and skips no number.
     */
    async issueCertificates(input: IssueInput): Promise<IssueResult> {
      const inst = input.institution;
      const levels = [...new Set(input.holders.map((h) => h.level))].sort((a, b) => b - a);
      const certificates: IssuedCertificate[] = [];
      const blocks: IssueResult['blocks'] = [];
      for (const level of levels) {
        const group = input.holders.filter((h) => h.level === level);
        let first = await existingBlockStart(input.batchId, level, group);
        if (first === undefined) {
          const a = await allocate({
            workflowId: serialAllocatorId(inst.creditCode),
            key: `${input.issueYear}-${level}`,
            count: group.length,
            max: maxSerial(ISSUING_LAYOUT),
            requestId: `${input.batchId}:${level}`,
          });
          if (a.last - a.first + 1 !== group.length) throw new Error(`allocator returned ${a.first}-${a.last} for ${group.length} holders`);
          first = a.first;
        }
        await hooks.afterSerialReservation?.({ batchId: input.batchId, level, first, last: first + group.length - 1 });
        const docs: CertificateDoc[] = group.map((h, i) => {
          const serial = first! + i;
          const number = buildCertificateCode({
            kind: inst.kind,
            province: inst.province,
            institutionSequence: Number(inst.sequence),
            issueYear: input.issueYear,
            level: level as CertificateLevel,
            serial,
          });
          return {
            _id: number,
            holder: { name: h.name, idNumber: h.idNumber, sex: h.sex },
            occupation: h.occupation,
            trade: h.trade ?? null,
            level,
            institution: { creditCode: inst.creditCode, name: inst.name, code: inst.institutionCode, province: inst.province, kind: inst.kind },
            batchId: input.batchId,
            issueYear: input.issueYear,
            serial,
            issuedAt: new Date(input.issuedAt),
            status: 'valid',
            revocation: null,
          };
        });
        await insertOnce(models.Certificate, docs);
        blocks.push({ level, first, last: first + group.length - 1 });
        for (const d of docs) certificates.push({ number: d._id, idNumber: d.holder.idNumber, name: d.holder.name, level, occupationCode: d.occupation.code });
      }
      return { certificates, blocks };
    },

    /** The revocation itself; only the certificate's revocation workflow runs it (one writer). */
    async revokeCertificate(input: RevocationInput & { at: string; runId: string }): Promise<CertificateDoc> {
      const doc = (await models.Certificate.findById(input.number).lean()) as CertificateDoc | null;
      if (!doc) throw fail('NOT_FOUND', `No certificate ${input.number}`);
      const a = input.actor;
      if (!mayRevokeCertificate(a, doc)) throw fail('FORBIDDEN', 'A certificate is revoked by its issuing institution or the provincial department');
      if (doc.status === 'revoked') {
        if (doc.revocation?.requestKey === input.runId) return doc; // this run's own write, retried
        throw fail('ALREADY_REVOKED', `Certificate ${input.number} was revoked on ${doc.revocation?.at ? new Date(doc.revocation.at).toISOString() : '?'}`);
      }
      if (typeof input.reason !== 'string' || !input.reason.trim()) throw fail('VALIDATION_FAILED', 'reason is required');
      const revocation = { reason: input.reason, by: { sub: a.sub, name: a.name, role: a.role }, at: new Date(input.at), requestKey: input.runId };
      await models.Certificate.updateOne({ _id: input.number }, { $set: { status: 'revoked', revocation } });
      await insertOnce(models.Audit, [
        {
          _id: `${input.number}:revoked:${input.runId}`,
          targetType: 'certificate',
          targetId: input.number,
          actor: a.sub,
          actorName: a.name,
          role: a.role,
          action: 'certificate.revoke',
          requestId: input.requestId,
          before: { status: 'valid' },
          after: { status: 'revoked' },
          note: input.reason,
          at: new Date(input.at),
          seq: 0,
        },
      ]);
      return { ...doc, status: 'revoked', revocation };
    },
  };

  /** The first serial of a block this batch already wrote for a level, if any. */
  async function existingBlockStart(batchId: string, level: number, group: CertificateHolder[]): Promise<number | undefined> {
    const docs = (await models.Certificate.find({ batchId, level }, { holder: 1, serial: 1 }).lean()) as Pick<CertificateDoc, 'holder' | 'serial'>[];
    for (const d of docs) {
      const i = group.findIndex((h) => h.idNumber === d.holder.idNumber);
      if (i >= 0) return d.serial - i;
    }
    return undefined;
  }
}
