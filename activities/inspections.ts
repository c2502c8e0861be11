/**
 * The random inspections' side effects, run only by `inspection-draw/<id>` workflows
 * (workflows/inspection): the eligible lists, the draw's and its inspections' documents with the
 * credit entries of their serious findings, and a suspension order carried to the institution's
 * open batches.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Models } from '../models';
import { BATCH_TERMINAL } from '../domain/batch';
import { inspectionCreditEntry, type CreditEntry } from '../domain/credit';
import { conflictOfInterest, type Actor, type FilingState } from '../domain/filing';
import { inspectionMeasures, inspectionOutcome, inspectionPoolDigestInput, type EligiblePools } from '../domain/inspections';
import { stateOf } from '../models/records';
import { batchWorkflowId, superviseUpdate } from '../workflows/batch/messages';
import type { DrawState } from '../workflows/inspection/messages';
import { auditDocs, insertOnce, mailDocs, notificationDocs, putVersioned, recordCreditEntries, type AuditDraft, type NotificationDraft } from './records';

export function createInspectionActivities(deps: { models: Models; client: Client; mail?: boolean }) {
  const { models, client } = deps;
  return {
    /**
     * Filed institutions in force in the scope (the public directory: an institution leaves it when
     * its filing expires or ends) and the active registered supervisors there (a prefecture's own and
     * the province's, as a batch's supervisors are drawn), with the pairs in conflict: a supervisor on
     * the institution's filed staff lists never inspects it.
     */
    async listInspectionPools(input: { scope: { province: string; prefecture?: string } }): Promise<EligiblePools> {
      const { province, prefecture } = input.scope;
      const [dir, sups] = await Promise.all([
        models.Directory.find(prefecture ? { province, prefecture } : { province })
          .sort({ _id: 1 })
          .lean(),
        models.Supervisor.find({ province, active: { $ne: false }, ...(prefecture ? { $or: [{ prefecture: null }, { prefecture }] } : {}) })
          .sort({ _id: 1 })
          .lean(),
      ]);
      const filings = await models.Filing.find({ _id: { $in: dir.map((d) => d.filingId) } }, { state: 1 }).lean();
      const apps = new Map(filings.map((f) => [f._id, stateOf<FilingState>(f).application]));
      const conflicts: [string, string][] = [];
      for (const d of dir) {
        const app = apps.get(d.filingId);
        if (!app) continue;
        for (const s of sups) if (conflictOfInterest(app, { userId: s._id, name: s.name, idNumber: s.idNumber })) conflicts.push([d._id, s._id]);
      }
      const pools = {
        institutions: dir.map((d) => ({
          creditCode: d._id,
          name: d.name,
          filingId: d.filingId,
          province: d.province ?? province,
          prefecture: d.prefecture ?? null,
        })),
        inspectors: sups.map((s) => ({ userId: s._id, name: s.name })),
        conflicts,
      };
      return { ...pools, hash: createHash('sha256').update(inspectionPoolDigestInput(pools)).digest('hex') };
    },

    /** The draw and its inspections as of `state.version` (idempotent: versioned documents, ids from the version). */
    async recordInspectionDraw(input: { state: DrawState; pools?: EligiblePools; audit: AuditDraft[]; notifications: NotificationDraft[] }) {
      const s = input.state;
      const writes: Promise<unknown>[] = s.inspections.map((x) =>
        putVersioned(models.Inspection, x.id, s.version, {
          drawId: s.drawId,
          seq: x.seq,
          year: s.year,
          province: s.scope.province,
          prefecture: s.scope.prefecture ?? null,
          drawnAt: new Date(s.drawnAt),
          drawnBy: { role: s.drawnBy.role },
          institution: x.institution,
          inspectors: x.inspectors,
          inspectorIds: x.inspectors.map((i) => i.userId),
          findings: x.findings,
          outcome: inspectionOutcome(x),
          measures: inspectionMeasures(x),
          proposal: x.proposal,
          concludedAt: x.concludedAt ? new Date(x.concludedAt) : null,
        }),
      );
      if (input.pools) {
        const p = input.pools;
        writes.push(
          putVersioned(models.InspectionDraw, s.drawId, s.version, {
            year: s.year,
            province: s.scope.province,
            prefecture: s.scope.prefecture ?? null,
            drawnAt: new Date(s.drawnAt),
            drawnBy: { sub: s.drawnBy.sub, name: s.drawnBy.name, role: s.drawnBy.role },
            count: s.inspections.length,
            inspectorsPerInspection: s.inspections[0]?.inspectors.length ?? 0,
            seed: s.seed,
            // ids only: what an auditor needs to re-run domain/inspections drawInspections
            eligible: {
              institutions: p.institutions.map((i) => i.creditCode),
              inspectors: p.inspectors.map((i) => i.userId),
              // FerretDB v1 stores no nested arrays: the pairs as objects
              conflicts: p.conflicts.map(([institution, inspector]) => ({ institution, inspector })),
              hash: p.hash,
            },
            inspections: s.inspections.map((x) => x.id),
          }),
        );
      }
      // a serious finding is an entry in the institution's credit file (domain/credit.ts), written with the finding
      const entries = s.inspections.flatMap((x) =>
        x.findings.map((f, i) => inspectionCreditEntry({ ...x, scope: s.scope }, i + 1, f)).filter((e): e is CreditEntry => !!e),
      );
      if (entries.length) writes.push(recordCreditEntries(models, entries));
      writes.push(insertOnce(models.Audit, auditDocs('inspection', s.drawId, s.version, input.audit)));
      const notes = notificationDocs('inspection', s.drawId, s.version, input.notifications);
      writes.push(insertOnce(models.Notification, notes));
      if (deps.mail) writes.push(insertOnce(models.Mail, mailDocs(notes, new Date())));
      await Promise.all(writes);
    },

    /**
     * A serious finding's suspension order: each open batch of the institution gets the batch's own
     * supervision report Update (a serious report suspends it until its center resumes or cancels
     * it, workflows/batch/supervision.ts), with an update id per (inspection, inspector, batch), so a
     * retry suspends nothing twice. A batch that has ended meanwhile has nothing to suspend.
     */
    async suspendInstitutionBatches(input: {
      inspectionId: string;
      creditCode: string;
      text: string;
      actor: Actor;
      requestId?: string;
    }): Promise<{ suspended: string[] }> {
      const open = await models.Batch.find({ institutionId: input.creditCode, status: { $nin: [...BATCH_TERMINAL] } }, { _id: 1 })
        .sort({ _id: 1 })
        .lean();
      const suspended: string[] = [];
      for (const b of open) {
        try {
          const r = await client.workflow.getHandle(batchWorkflowId(b._id)).executeUpdate(superviseUpdate, {
            args: [
              {
                action: 'report',
                severity: 'serious',
                findings: `双随机抽查（${input.inspectionId}）发现严重问题，责令暂停认定：${input.text}`.slice(0, 5000),
                inspectionId: input.inspectionId,
                actor: input.actor,
                requestId: input.requestId,
              },
            ],
            updateId: `inspection:${input.inspectionId}:${input.actor.sub}`,
          });
          if (r.status === 'suspended') suspended.push(b._id);
        } catch (err) {
          const e = err as { name?: string; message?: string; cause?: { type?: string } };
          const ended = e.name === 'WorkflowNotFoundError' || /already completed|not found/i.test(String(e.message)) || e.cause?.type === 'INVALID_STATE';
          if (!ended) throw err;
        }
      }
      return { suspended };
    },
  };
}
