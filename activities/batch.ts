/**
 * The batch workflow's side effects (activities only).
 *
 * Activities (each idempotent, so a retry after a crash writes nothing twice):
 * - recordBatch: the batch view, audit entries and notifications of one transition;
 * - batchFilingSnapshot: the filing's state, from the filing workflow's `stateQuery` (the read
 *   model when the workflow cannot answer);
 * - drawSupervisors: the center's random draw (双随机) among the registered supervisors in scope;
 *   its answer is recorded in the batch's history, so a replay draws the same people;
 * - acceptCandidates, applyScores, summariseResults: the batch's candidates and scores, kept in
 *   the `batchCandidates` collection; the workflow holds their counts and hashes (#14 §3);
 * - issueCertificates: serials from the institution's allocator workflow, one reservation per
 *   (batch, level) with request id `${batchId}:${level}`, then the certificates (`_id` = number),
 *   in chunks with heartbeats;
 * - revokeCertificate: run by the `certificate-revocation/<number>` workflow only.
 *
 * The API's calls into these workflows (submitting a plan, revoking a certificate) are in
 * api/cases.ts.
 */
import { randomInt } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Models } from '../models';
import { publicityNamesId, type CandidateRow, type CertificateDoc } from '../models/batch';
import { insertCandidates, readCandidates, rewritePages } from '../models/candidates';
import { readUpload, rowsSha256 } from '../models/uploads';
import {
  acceptPlan,
  BATCH_TERMINAL,
  batchPendingSteps,
  buildSummary,
  mayRevokeCertificate,
  mergeScores,
  outcomeOf,
  planAgainstFilingRefusal,
  planRefusal,
  publicityRoster,
  rosterSummaryOf,
  scoresRefusal,
  tallyOf,
  type BatchPlan,
  type BatchPolicy,
  type Candidate,
  type PlanHeader,
  type PlanModule,
  type PlannedCandidate,
  type Refusal,
  type ResultSource,
  type ResultSummary,
  type RosterSummary,
  type ScoreEntry,
  type ScoreSheet,
  type ScoreTally,
  type UploadRef,
  type BatchInstitution,
  type BatchState,
  type FilingSnapshot,
  type AnnualPlanCheck,
} from '../domain/batch';
import { annualPlanYearOf, outsideAnnualPlan, type AnnualPlanCoverage } from '../domain/annual-plan';
import { buildCertificateCode, ISSUING_LAYOUT, maxSerial, type CertificateLevel } from '../domain/certificate-code';
import type { Actor, FilingState } from '../domain/filing';
import { filingWorkflowId, stateQuery as filingStateQuery } from '../workflows/filing/messages';
import { batchWorkflowId, serialAllocatorId, filingTerminatedUpdate, type RevocationInput } from '../workflows/batch/messages';
import { stateOf } from '../models/records';
import { tallyCertificates } from '../domain/statistics';
import { tallyId } from '../infra/certificate-tallies';
import {
  auditDocs,
  certificateAuditDoc,
  insertOnce,
  mailDocs,
  notificationDocs,
  putVersioned,
  recordCertificateChange,
  recordCreditEntries,
  type AuditDraft,
  type NotificationDraft,
} from './records';
import { createAllocateActivities } from './allocate';
import { examsHeld } from '../domain/archives';
import { archiveRetentionId, type ArchiveRetentionInput } from '../workflows/archive/messages';
import { revocationCreditEntry, supervisionCreditEntry } from '../domain/credit';

/** A revoked certificate's credit entry (domain/credit.ts: published when the department revoked it). */
function revocationEntryOf(doc: CertificateDoc, reason: string, at: string | Date, by: Actor) {
  return revocationCreditEntry(
    { number: doc._id, creditCode: doc.institution.creditCode, institutionName: doc.institution.name, province: doc.institution.province },
    { reason, at, by },
  );
}

export interface IssueInput {
  batchId: string;
  issueYear: number;
  /** ISO instant, fixed by the workflow so that a retry issues the same documents */
  issuedAt: string;
  institution: BatchInstitution;
}

/** Counts only: the certificates are in their collection (#14 §3). */
export interface IssueResult {
  count: number;
  blocks: { level: number; first: number; last: number }[];
}

/** Test-only hooks (fault injection); production passes none. */
export interface BatchActivityHooks {
  /** runs after a level's serial block is reserved and before its certificates are written */
  afterSerialReservation?: (info: { batchId: string; level: number; first: number; last: number }) => void | Promise<void>;
  /** runs after each chunk of certificates is written and reported */
  afterCertificateChunk?: (info: { batchId: string; level: number; written: number }) => void | Promise<void>;
}

const fail = (type: string, message: string, details?: Record<string, unknown>) =>
  ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : undefined });

export function createBatchActivities(deps: { models: Models; client: Client; taskQueue: string; mail?: boolean }, hooks: BatchActivityHooks = {}) {
  const { models, client } = deps;
  const { allocate } = createAllocateActivities(deps.client, deps.taskQueue);

  return {
    async recordBatch(input: { state: BatchState; audit: AuditDraft[]; notifications: NotificationDraft[] }) {
      const { state } = input;
      const j = state.jurisdiction;
      const p = state.publicity;
      const open = state.status === 'publicity' && p && !p.closedAt;
      const dueAtMs = open ? p.endsAtMs : state.due?.dueAtMs;
      const summary = open ? state.publishedSummary : null;
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
        candidates: state.plan.roster.count,
        outsideAnnualPlan: state.outsideAnnualPlan ?? false,
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
      const notes = notificationDocs('batch', state.id, state.version, input.notifications);
      await insertOnce(models.Notification, notes);
      // the outbox beside the notifications (activities/records.ts mailDocs says why not a send here)
      if (deps.mail) await insertOnce(models.Mail, mailDocs(notes, new Date()));
      // the batch has ended: its archive's keeping begins (002 Art.21), in a workflow of its own, so
      // the batch's history and commands stay as they are; the fixed id starts it once
      if (BATCH_TERMINAL.includes(state.status) && state.endedAt) {
        try {
          await client.workflow.start('archiveRetention', {
            workflowId: archiveRetentionId(state.id),
            taskQueue: deps.taskQueue,
            args: [
              {
                batchId: state.id,
                institutionId: state.institution.creditCode,
                endedOn: state.endedAt.slice(0, 10),
                lastExamDate: state.plan.lastExamDate,
                examsHeld: examsHeld(state),
              } satisfies ArchiveRetentionInput,
            ],
          });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
      }
      // the transition that records a serious supervision finding also files it in the credit file (domain/credit.ts)
      if (input.audit.some((a) => a.action === 'batch.supervision-report')) {
        // a random inspection's suspension order: its inspection files the entry (without the findings' text)
        const serious = state.supervision.reports.filter((r) => r.severity === 'serious' && !r.inspectionId);
        if (serious.length)
          await recordCreditEntries(
            models,
            serious.map((r) => supervisionCreditEntry(state, r)),
          );
      }
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
      // the batch's own candidates are never its supervisors
      const candidates = await readCandidates(models, input.batchId);
      const excludedIds = new Set([...input.excludeIdNumbers, ...candidates.map((c) => c.idNumber)].map((x) => x.toUpperCase()));
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
     * The plan check's half that needs the candidates (000 §五(二)1, 000 §二(一), 001 §四(三)):
     * reads the posted rows (checked against their hash), applies the rules in domain/batch.ts to
     * the whole plan, and on acceptance writes one `batchCandidates` document per candidate (ids
     * `${batchId}:${seq}`, so a retry writes nothing twice). The workflow gets the refusal, or the
     * accepted roster's counts and hash.
     */
    async acceptCandidates(input: {
      batchId: string;
      plan: PlanHeader;
      candidates: UploadRef;
      today: string;
      policy: BatchPolicy;
      filing: FilingSnapshot;
      submittedBy: Actor;
      earliest: { date: string; coverage: 'official' | 'estimated' };
      /** the acknowledged annual plan of the batch's year (null: none); absent: not checked */
      annualPlan?: AnnualPlanCoverage | null;
    }): Promise<{ refusal: Refusal } | { roster: RosterSummary; annualPlan?: AnnualPlanCheck }> {
      const posted = await readUpload<Candidate>(models, input.candidates);
      const plan: BatchPlan = { ...input.plan, candidates: posted };
      let refusal: Refusal | null;
      try {
        refusal = planRefusal(plan, input.today, input.policy);
      } catch (err) {
        refusal = { code: 'VALIDATION_FAILED', message: `The plan is malformed: ${(err as Error).message}` };
      }
      refusal ??= planAgainstFilingRefusal(plan, input.filing, input.submittedBy, input.earliest, input.policy.planLeadWorkingDays);
      if (refusal) return { refusal };
      const accepted = acceptPlan(plan, input.filing.occupations ?? []).candidates;
      const rows: CandidateRow[] = accepted.map((c, i) => ({
        seq: i + 1,
        idNumber: c.idNumber,
        name: c.name,
        sex: c.sex,
        post: c.post,
        yearsInPost: c.yearsInPost,
        occupationCode: c.occupationCode,
        occupationName: c.occupationName,
        trade: c.trade ?? null,
        level: c.level,
        employerCreditCode: c.employerCreditCode ?? null,
        employment: c.employment ?? null,
        placedWithCreditCode: c.placedWithCreditCode ?? null,
        scores: null,
        outcome: { complete: false, passed: false, absent: false },
      }));
      await insertCandidates(models, input.batchId, rows, heartbeat);
      const roster = rosterSummaryOf(accepted, rowsSha256(accepted));
      if (input.annualPlan === undefined) return { roster };
      const ap = input.annualPlan;
      const annualPlan: AnnualPlanCheck = {
        year: annualPlanYearOf(input.plan.firstExamDate),
        planId: ap?.planId ?? null,
        version: ap?.version ?? null,
        outside: outsideAnnualPlan(accepted, ap),
      };
      return { roster, annualPlan };
    },

    /**
     * A score post (SPEC §3.4): the lines are checked against the batch's candidates (scoresRefusal:
     * 422 naming the bad lines), merged into each candidate's sheet (mergeScores: a later value
     * replaces an earlier one) with its outcome, and the batch's tally is counted again. Applying
     * the same post twice gives the same sheet, so a retry is harmless.
     */
    async applyScores(input: { batchId: string; modules: PlanModule[]; policy: BatchPolicy; upload: UploadRef; posts: number }): Promise<ScoreTally> {
      const entries = await readUpload<ScoreEntry>(models, input.upload);
      const rows = await readCandidates(models, input.batchId);
      const refusal = scoresRefusal({ modules: input.modules, candidates: rows as unknown as Candidate[] }, entries);
      if (refusal) throw fail(refusal.code, refusal.message, refusal.details);
      const sheet: ScoreSheet = {};
      for (const r of rows) if (r.scores) sheet[r.idNumber] = r.scores;
      const merged = mergeScores(sheet, entries);
      const touched = new Set(entries.map((e) => e.idNumber.trim().toUpperCase()));
      const plan = { modules: input.modules };
      const outs = rows.map((r) => outcomeOf(plan, r, merged, input.policy));
      const changed: number[] = [];
      rows.forEach((r, i) => {
        if (!touched.has(r.idNumber)) return;
        r.scores = merged[r.idNumber];
        r.outcome = { complete: outs[i].complete, passed: outs[i].passed, absent: outs[i].absent };
        changed.push(i);
      });
      await rewritePages(models, input.batchId, rows, changed, heartbeat);
      return tallyOf(outs, Object.keys(merged).length, input.posts, input.upload);
    },

    /**
     * The 结果汇总表 (001 附件3) built from the batch's candidates and scores. At the start of a
     * result publicity (`publicityRound`) it also writes the names that publicity shows (000
     * §五(二)3), once, so that GET /publicity reads one document instead of the whole roster.
     */
    async summariseResults(input: {
      batchId: string;
      institution: BatchInstitution;
      plan: PlanHeader;
      policy: BatchPolicy;
      reportDate?: string;
      publicityRound?: number;
    }): Promise<ResultSummary> {
      const src = await resultSource(input);
      if (input.publicityRound !== undefined) {
        const _id = publicityNamesId(input.batchId, input.publicityRound);
        await insertOnce(models.PublicityNames, [{ _id, batchId: input.batchId, round: input.publicityRound, names: publicityRoster(src) }]);
      }
      return buildSummary(src, input.reportDate);
    },

    /**
     * Issues one certificate per passed candidate (SPEC §4), level by level, in plan order. Per
     * level: reuse the block this batch already wrote (its first serial derived from any document
     * and the holder's position), else reserve one from the allocator with request id
     * `${batchId}:${level}` (a retry gets the same block back). The documents go in chunks with a
     * heartbeat after each; a retried attempt resumes after the last chunk its predecessor
     * reported, and insertOnce skips any document already there, so a crash at any point issues
     * no second certificate and skips no number.
     */
    async issueCertificates(input: IssueInput): Promise<IssueResult> {
      const inst = input.institution;
      const passed = (await readCandidates(models, input.batchId)).filter((r) => r.outcome.passed);
      const levels = [...new Set(passed.map((h) => h.level))].sort((a, b) => b - a);
      const resume = (activityInfoOrNull()?.heartbeatDetails ?? null) as IssueProgress | null;
      if (resume) log(`issuing resumed: batch ${input.batchId}, level ${resume.level}, after ${resume.written} certificates`);
      const blocks: IssueResult['blocks'] = [];
      let count = 0;
      for (const level of levels) {
        const group = passed.filter((h) => h.level === level);
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
        const done = resume && resume.level === level ? resume.written : resume && resume.level < level ? group.length : 0;
        for (let from = done; from < group.length; from += ISSUE_CHUNK) {
          const docs = group.slice(from, from + ISSUE_CHUNK).map((h, i) => certificateDoc(input, h, level, first! + from + i));
          await insertOnce(models.Certificate, docs);
          const progress: IssueProgress = { level, written: from + docs.length };
          heartbeat(progress);
          await hooks.afterCertificateChunk?.({ batchId: input.batchId, ...progress });
        }
        blocks.push({ level, first, last: first + group.length - 1 });
        count += group.length;
      }
      // what GET /statistics sums (infra/certificate-tallies.ts): written once, after the certificates
      const tally = tallyCertificates(passed.map((h) => ({ occupation: { code: h.occupationCode, name: h.occupationName }, level: h.level })));
      await insertOnce(models.CertificateTally, [
        {
          _id: tallyId(input.batchId, input.issuedAt),
          batchId: input.batchId,
          province: inst.province,
          institutionId: inst.creditCode,
          issuedAt: new Date(input.issuedAt),
          ...tally,
        },
      ]);
      return { count, blocks };
    },

    /** The revocation itself; only the certificate's revocation workflow runs it (one writer). */
    async revokeCertificate(input: RevocationInput & { at: string; runId: string }): Promise<CertificateDoc> {
      const doc = (await models.Certificate.findById(input.number).lean()) as CertificateDoc | null;
      if (!doc) throw fail('NOT_FOUND', `No certificate ${input.number}`);
      const a = input.actor;
      if (!mayRevokeCertificate(a, doc)) throw fail('FORBIDDEN', 'A certificate is revoked by its issuing institution or the provincial department');
      if (doc.status === 'revoked') {
        if (doc.revocation?.requestKey === input.runId) {
          // this run's own write, retried: only the change entry and the credit entry may be missing
          await recordCertificateChange(models, input.number, `revoked:${input.runId}`);
          await recordCreditEntries(models, [revocationEntryOf(doc, doc.revocation.reason, doc.revocation.at, a)]);
          return doc;
        }
        throw fail('ALREADY_REVOKED', `Certificate ${input.number} was revoked on ${doc.revocation?.at ? new Date(doc.revocation.at).toISOString() : '?'}`);
      }
      if (typeof input.reason !== 'string' || !input.reason.trim()) throw fail('VALIDATION_FAILED', 'reason is required');
      const revocation = { reason: input.reason, by: { sub: a.sub, name: a.name, role: a.role }, at: new Date(input.at), requestKey: input.runId };
      await models.Certificate.updateOne({ _id: input.number }, { $set: { status: 'revoked', revocation } });
      await recordCertificateChange(models, input.number, `revoked:${input.runId}`);
      await recordCreditEntries(models, [revocationEntryOf(doc, input.reason, input.at, a)]);
      await insertOnce(models.Audit, [
        certificateAuditDoc(input.number, `revoked:${input.runId}`, a, {
          action: 'certificate.revoke',
          requestId: input.requestId,
          before: { status: 'valid' },
          after: { status: 'revoked' },
          note: input.reason,
          at: input.at,
        }),
      ]);
      return { ...doc, status: 'revoked', revocation };
    },
  };

  /** The first serial of a block this batch already wrote for a level, if any. */
  async function existingBlockStart(batchId: string, level: number, group: Pick<CandidateRow, 'idNumber'>[]): Promise<number | undefined> {
    const d = (await models.Certificate.findOne({ batchId, level }, { holder: 1, serial: 1 }).lean()) as Pick<CertificateDoc, 'holder' | 'serial'> | null;
    if (!d) return undefined;
    const i = group.findIndex((h) => h.idNumber === d.holder.idNumber);
    return i >= 0 ? d.serial - i : undefined;
  }

  async function resultSource(input: { batchId: string; institution: BatchInstitution; plan: PlanHeader; policy: BatchPolicy }): Promise<ResultSource> {
    const rows = await readCandidates(models, input.batchId);
    const scores: ScoreSheet = {};
    for (const r of rows) if (r.scores) scores[r.idNumber] = r.scores;
    return {
      id: input.batchId,
      institution: input.institution,
      plan: { ...input.plan, candidates: rows.map(plannedCandidateOf) },
      scores,
      policy: input.policy,
    };
  }
}

/** certificates per chunk of issuing; each chunk ends with a heartbeat that a retry resumes from */
const ISSUE_CHUNK = 1000;

/** What an issuing attempt reports after each chunk: levels are issued from 5 down to 1. */
interface IssueProgress {
  level: number;
  written: number;
}

/** The running activity's info, or null when called outside an activity (tests call some directly). */
function activityInfoOrNull() {
  try {
    return Context.current().info;
  } catch {
    return null;
  }
}

/** at warn: an interrupted issuing is worth an operator's glance (and chaos looks for it at its warn level) */
function log(message: string) {
  try {
    Context.current().log.warn(message);
  } catch {
    // not in an activity
  }
}

function heartbeat(details?: unknown) {
  try {
    Context.current().heartbeat(details);
  } catch {
    // not in an activity: nothing to report to
  }
}

export function plannedCandidateOf(r: CandidateRow): PlannedCandidate {
  return {
    name: r.name,
    idNumber: r.idNumber,
    sex: r.sex,
    post: r.post,
    yearsInPost: r.yearsInPost,
    occupationCode: r.occupationCode,
    occupationName: r.occupationName,
    ...(r.trade ? { trade: r.trade } : {}),
    level: r.level,
    ...(r.employerCreditCode ? { employerCreditCode: r.employerCreditCode } : {}),
    ...(r.employment ? { employment: r.employment as PlannedCandidate['employment'] } : {}),
    ...(r.placedWithCreditCode ? { placedWithCreditCode: r.placedWithCreditCode } : {}),
  };
}

function certificateDoc(input: IssueInput, h: CandidateRow, level: number, serial: number): CertificateDoc {
  const inst = input.institution;
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
    occupation: { code: h.occupationCode, name: h.occupationName },
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
}
