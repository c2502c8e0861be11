/**
 * The Temporal client side of the API: every call the API makes into a workflow — start a filing,
 * submit a batch plan, execute an Update, query a state, revoke a certificate, tell cases about a
 * loaded calendar year — is here, and nowhere else (activities/ holds activities only).
 *
 * `app.cases` (api/index.ts) answers a refusal as a DomainError with the refusal's own code:
 * `failureOf` is the one place where what the Temporal client throws is unwrapped. From there a
 * refusal takes one path: DomainError → api/problems.ts `toProblem` → problem document → the
 * console's words for its `code` (domain/errors.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy, type UpdateDefinition } from '@temporalio/common';
import { isErrorCode, type Refusal } from '../domain/errors';
import type { Actor, FilingState } from '../domain/filing';
import type { BatchState } from '../domain/batch';
import { parseCertificateCode } from '../domain/certificate-code';
import type { CertificateDoc } from '../models/batch';
import {
  calendarUpdatedSignal as filingCalendarSignal,
  FILING_WORKFLOW,
  filingWorkflowId,
  stateQuery as filingStateQuery,
  type FilingInput,
} from '../workflows/filing/messages';
import {
  BATCH_WORKFLOW,
  batchWorkflowId,
  calendarUpdatedSignal as batchCalendarSignal,
  CERTIFICATE_REVOCATION_WORKFLOW,
  revocationWorkflowId,
  submitPlanUpdate,
  type BatchInput,
  type BatchResult,
  type RevocationInput,
} from '../workflows/batch/messages';
import {
  CERTIFICATE_AMENDMENT_WORKFLOW,
  CERTIFICATE_CORRECTION_WORKFLOW,
  certificateWriterId,
  correctionStateQuery,
  correctionWorkflowId,
  decideCorrectionUpdate,
  type AmendmentInput,
  type AmendmentResult,
  type CorrectionInput,
  type CorrectionState,
  type DecideCorrectionInput,
} from '../workflows/certificate/messages';
import {
  COMPLAINT_WORKFLOW,
  complaintWorkflowId,
  decideComplaintUpdate,
  receivedUpdate,
  type ComplaintInput,
  type DecideComplaintInput,
} from '../workflows/complaint/messages';
import type { ComplaintState } from '../domain/complaints';
import { refused } from './problems';
import type { ApiMetrics } from './plugins/metrics';

export interface TemporalClientSide {
  client: Client;
  taskQueue: string;
  /** deadline of each call into Temporal (TEMPORAL_CALL_TIMEOUT_MS); default 10 s */
  callTimeoutMs?: number;
  /** where Update durations and failed calls are counted (GET /metrics); none: not counted */
  metrics?: Pick<ApiMetrics, 'timeUpdate' | 'countTemporalError'>;
  /**
   * Told after each call that may have changed a certificate (revocation, correction decision,
   * reissue), whatever its outcome: a timeout may still have changed it. This process's public
   * look-up cache forgets the number (api/certificate-cache.ts).
   */
  onCertificateChanged?: (number: string) => void;
}

/**
 * Filings and batches are started with REJECT_DUPLICATE: their ids come from the Idempotency-Key,
 * so a key sent again after its stored answer expired must never start a closed case again (a new
 * run would begin the case from the start). A retry while the case runs finds it running.
 */
export const UNIQUE_CASE = { workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE } as const;

/** Seconds a client is told to wait (Retry-After) when Temporal is unavailable. */
export const TEMPORAL_RETRY_AFTER_S = 5;

// ——— ids from the request ———

/**
 * The Update id of a request carrying an Idempotency-Key: Temporal answers a repeated id with the
 * first result, so a retry through a crash records the decision once.
 */
export function updateIdOf(req: FastifyRequest): string | undefined {
  const key = req.headers['idempotency-key'];
  if (typeof key !== 'string' || !key) return undefined;
  // anonymous callers share one key space: the key is bound to the body, so two people's objections never merge
  if (!req.caller)
    return `public:${req.routeOptions.url}:${key}:${createHash('sha256')
      .update(JSON.stringify(req.body ?? null))
      .digest('hex')
      .slice(0, 32)}`;
  const c = req.caller;
  return `${c.sub}:${c.role}:${c.province ?? ''}:${c.prefecture ?? ''}:${c.institutionId ?? ''}:${req.routeOptions.url}:${key}`;
}

/** 12 hex characters for a new case id: derived from the Idempotency-Key when there is one, so a retried start starts no second workflow. */
export function caseIdSuffix(req: FastifyRequest): string {
  const key = req.headers['idempotency-key'];
  return typeof key === 'string' && key ? createHash('sha256').update(`${req.caller?.sub}\n${key}`).digest('hex').slice(0, 12) : randomBytes(6).toString('hex');
}

/** Who acts, for a workflow message's envelope (`actor`, `requestId`: the audit trail's request id). */
export function envelopeOf(req: FastifyRequest): { actor: Actor; requestId: string } {
  const c = req.caller!;
  return {
    actor: { sub: c.sub, name: c.name, role: c.role, province: c.province, prefecture: c.prefecture, institutionId: c.institutionId },
    requestId: req.id,
  };
}

// ——— failures ———

const isNamed = (e: unknown, name: string) =>
  (e as { name?: string } | null)?.name === name || (e as { constructor?: { name?: string } } | null)?.constructor?.name === name;

/**
 * The refusal an error of the Temporal client carries, or undefined when it is not one (a bug or
 * an outage: a 500). The one helper that unwraps failures:
 * - an ApplicationFailure in the cause chain (an Update validator or handler, a workflow or an
 *   activity refused): `type` is the code, details[0] the problem's extra fields, and
 *   details[0].httpStatus the refusal's own 4xx status; a validator that threw a plain Error (a
 *   type the catalogue does not know) broke a rule the workflow checks: RULE_VIOLATION;
 * - a workflow that is not there (any more), or an Update it no longer takes: the API only
 *   addresses cases it found in a read model, so the case has ended: INVALID_STATE (the dev server
 *   says "workflow execution already completed", the time-skipping server "update … not found");
 * - a start whose workflow id is taken: ALREADY_EXISTS;
 * - Temporal unreachable or overloaded (gRPC UNAVAILABLE, RESOURCE_EXHAUSTED), or a call past its
 *   deadline (DEADLINE_EXCEEDED: also an Update or query that no worker took in time):
 *   TEMPORAL_UNAVAILABLE, a 503 with Retry-After. Nothing was refused; the same request (and
 *   Idempotency-Key) may be sent again.
 */
export function failureOf(err: unknown): Refusal | undefined {
  const chain = causesOf(err);
  const outage = unavailabilityOf(chain);
  if (outage)
    return {
      code: 'TEMPORAL_UNAVAILABLE',
      message: `Temporal did not answer in time (${outage}); try again later`,
      details: { retryAfterSeconds: TEMPORAL_RETRY_AFTER_S },
    };
  const app = chain.find((e) => isNamed(e, 'ApplicationFailure')) as ApplicationFailure | undefined;
  const updateFailed = chain.some((e) => isNamed(e, 'WorkflowUpdateFailedError'));
  if (app) {
    const first = app.details?.[0];
    const { httpStatus, ...details } = (first && typeof first === 'object' ? first : {}) as Record<string, unknown>;
    if (isErrorCode(app.type)) return { code: app.type, message: app.message, details, status: typeof httpStatus === 'number' ? httpStatus : undefined };
    if (updateFailed) return { code: 'RULE_VIOLATION', message: app.message || 'Rejected by the workflow' };
    return undefined;
  }
  if (chain.some((e) => isNamed(e, 'WorkflowExecutionAlreadyStartedError'))) return { code: 'ALREADY_EXISTS', message: 'It already exists' };
  const ended =
    updateFailed || chain.some((e) => isNamed(e, 'WorkflowNotFoundError') || /workflow execution already completed/i.test(String((e as Error).message ?? '')));
  if (ended) return { code: 'INVALID_STATE', message: 'The case has already ended' };
  return undefined;
}

/**
 * The `kind` label of temporal_call_errors_total for a failed call: the outage (`unavailable`,
 * `resource_exhausted`, `deadline_exceeded`: answered 503 TEMPORAL_UNAVAILABLE), `refused` (a
 * workflow or validator said no, or the case has ended or exists: a 4xx), or `internal` (anything
 * else: a 500).
 */
export function errorKindOf(err: unknown): 'unavailable' | 'resource_exhausted' | 'deadline_exceeded' | 'refused' | 'internal' {
  const outage = unavailabilityOf(causesOf(err));
  if (outage) return outage.toLowerCase() as 'unavailable' | 'resource_exhausted' | 'deadline_exceeded';
  return failureOf(err) ? 'refused' : 'internal';
}

/** An error and its causes, outermost first. */
function causesOf(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e: unknown = err; e && chain.length < 8; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

/** gRPC status codes that say Temporal is away or overloaded, not that it refused. */
const UNAVAILABLE_CODES: Record<number, string> = { 4: 'DEADLINE_EXCEEDED', 8: 'RESOURCE_EXHAUSTED', 14: 'UNAVAILABLE' };

/** The kind of outage an error chain shows (a gRPC status name or a timeout), or undefined. */
function unavailabilityOf(chain: unknown[]): string | undefined {
  for (const e of chain) {
    if (isNamed(e, 'TemporalCallTimeout')) return 'DEADLINE_EXCEEDED';
    if (isNamed(e, 'WorkflowUpdateRPCTimeoutOrCancelledError')) return 'DEADLINE_EXCEEDED';
    const g = e as { code?: unknown; details?: unknown; metadata?: unknown } | null;
    if (g && typeof g.code === 'number' && typeof g.details === 'string' && g.metadata && UNAVAILABLE_CODES[g.code]) return UNAVAILABLE_CODES[g.code];
  }
  return undefined;
}

/** A call into Temporal that outlived its deadline (the gRPC deadline is the first line; this the last). */
export class TemporalCallTimeout extends Error {
  override name = 'TemporalCallTimeout';
  constructor(ms: number) {
    super(`No answer from Temporal within ${ms} ms`);
  }
}

/**
 * Runs `fn` with a deadline on every gRPC call it makes (the connection's `withDeadline`), so a
 * call cannot wait for ever on a Temporal that is down or on an Update no worker picks up. The
 * client's own retries of UNAVAILABLE may sleep past the deadline before they notice it, so a
 * timer answers at the deadline all the same.
 */
export async function withinDeadline<T>(client: Client, ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TemporalCallTimeout(ms)), ms + 200);
    timer.unref();
  });
  const work = client.connection.withDeadline(Date.now() + ms, fn);
  work.catch(() => undefined);
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

const alreadyStarted = (err: unknown) => err instanceof WorkflowExecutionAlreadyStartedError || isNamed(err, 'WorkflowExecutionAlreadyStartedError');

// ——— the calls (also used as they are by the workflow test harness: failures untranslated) ———

/**
 * POST /batches: starts `batch/<batchId>` and executes `submitPlanUpdate` (update id
 * `plan:<batchId>`, so a repeated call gets the same answer). Resolves with the accepted state
 * (status `planned`); rejects with the refusal as an ApplicationFailure inside the error's cause
 * chain (WorkflowUpdateFailedError → ApplicationFailure type PLAN_TOO_LATE | OUT_OF_SCOPE |
 * FILING_NOT_VALID | NOT_OWN_STAFF | DUPLICATE_CANDIDATE | VALIDATION_FAILED | FORBIDDEN |
 * NOT_FOUND, details[0] with e.g. `earliestExamDate` or `offending`). A refused plan leaves no
 * batch record.
 */
export async function submitBatchPlan(client: Client, taskQueue: string, input: BatchInput): Promise<BatchState> {
  const workflowId = batchWorkflowId(input.batchId);
  const handle = client.workflow.getHandle(workflowId);
  try {
    await client.workflow.start(BATCH_WORKFLOW, { workflowId, taskQueue, args: [input], ...UNIQUE_CASE });
  } catch (err) {
    if (!alreadyStarted(err)) throw err;
    // a retry finds its batch running; one that has ended is never planned again (REJECT_DUPLICATE)
    if (!(await isRunning(client, workflowId))) {
      const r = (await handle.result().catch(() => null)) as BatchResult | null;
      if (r?.status === 'plan-refused' && r.refusal) throw planRefusal(r.refusal);
      throw err;
    }
  }
  try {
    return await handle.executeUpdate(submitPlanUpdate, {
      args: [{ actor: input.submittedBy, requestId: input.requestId }],
      updateId: `plan:${input.batchId}`,
    });
  } catch (err) {
    if (isNamed(err, 'WorkflowUpdateFailedError') || unavailabilityOf([err, (err as { cause?: unknown }).cause])) throw err;
    // the workflow ended before the update reached it: a refused plan's result carries the refusal
    const r = (await handle.result().catch(() => null)) as BatchResult | null;
    if (r?.status === 'plan-refused' && r.refusal) throw planRefusal(r.refusal);
    throw err;
  }
}

/** The refusal a batch workflow that refused its plan ended with, as the Update would have thrown it. */
function planRefusal(refusal: NonNullable<BatchResult['refusal']>) {
  const details = refusal.status ? { ...refusal.details, httpStatus: refusal.status } : refusal.details;
  return ApplicationFailure.create({ type: refusal.code, message: refusal.message, nonRetryable: true, details: details ? [details] : undefined });
}

async function isRunning(client: Client, workflowId: string): Promise<boolean> {
  return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
}

/**
 * POST /certificates/:number/revocation: runs `certificate-revocation/<number>` to completion and
 * returns the revoked certificate. Refusals arrive as ApplicationFailure in the error's cause
 * chain: NOT_FOUND, FORBIDDEN, ALREADY_REVOKED, VALIDATION_FAILED. Concurrent requests for one
 * certificate run one after the other (the second then finds it revoked).
 */
export async function revokeCertificate(client: Client, taskQueue: string, input: RevocationInput): Promise<CertificateDoc> {
  if (!parseCertificateCode(input.number))
    throw ApplicationFailure.create({ type: 'NOT_FOUND', message: `No certificate ${input.number}`, nonRetryable: true });
  // not a case: the id only keeps two writes to one certificate from running at once, and a later
  // run finds the certificate revoked (ALREADY_REVOKED), so a closed id may run again
  return underWriterId<RevocationInput, CertificateDoc>(client, taskQueue, CERTIFICATE_REVOCATION_WORKFLOW, revocationWorkflowId(input.number), input);
}

/**
 * Runs a short workflow under a certificate's writer id (revocationWorkflowId: the revocation and
 * the amendments share it, models/batch.ts) to completion; when another write holds the id, waits
 * for its end and starts again, so concurrent writes to one certificate run one after the other.
 */
async function underWriterId<I, R>(client: Client, taskQueue: string, workflowType: string, workflowId: string, input: I): Promise<R> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.workflow.execute<(i: I) => Promise<R>>(workflowType, {
        workflowId,
        taskQueue,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      });
    } catch (err) {
      if (!alreadyStarted(err) || attempt >= 5) throw err;
      await client.workflow
        .getHandle(workflowId)
        .result()
        .catch(() => undefined);
    }
  }
}

/**
 * POST /certificates/:number/reissue: runs a `certificateAmendment` under the certificate's writer
 * id to completion, waiting out a revocation or another amendment that holds the id (moments), as
 * revokeCertificate does.
 */
export async function amendCertificate(client: Client, taskQueue: string, input: AmendmentInput): Promise<AmendmentResult> {
  return underWriterId<AmendmentInput, AmendmentResult>(client, taskQueue, CERTIFICATE_AMENDMENT_WORKFLOW, certificateWriterId(input.number), input);
}

/**
 * POST /certificates/:number/corrections: starts `certificate-correction/<number>`. The same
 * request again (same correction id: a retried request) finds its workflow running and is
 * answered the same; another request while one is open is CORRECTION_PENDING.
 */
export async function requestCorrection(client: Client, taskQueue: string, input: CorrectionInput): Promise<void> {
  const workflowId = correctionWorkflowId(input.number);
  try {
    await client.workflow.start(CERTIFICATE_CORRECTION_WORKFLOW, {
      workflowId,
      taskQueue,
      args: [input],
      // one open request per certificate; the id runs again for the next request
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
  } catch (err) {
    if (!alreadyStarted(err)) throw err;
    const open = await client.workflow.getHandle(workflowId).query(correctionStateQuery);
    if (open.correctionId === input.correctionId) return;
    throw ApplicationFailure.create({
      type: 'CORRECTION_PENDING',
      message: `Correction ${open.correctionId} of certificate ${input.number} is still under review`,
      nonRetryable: true,
      details: [{ correctionId: open.correctionId }],
    });
  }
}

/** How long a roster's worth of rows may add to an Update's deadline: on FerretDB's SQLite backend a score post of 20,000 lines took 39 s (bench (g)) */
const ROW_DEADLINE_MS = 5;

/**
 * The deadline of a call that carries `rows` rows by reference (a plan's candidates, a score
 * post): the activities behind it go through every row, so a post of 20,000 gets 100 s more than
 * a decision instead of a 503 for work that is under way.
 */
export const rosterDeadline = (callTimeoutMs: number, rows: number) => callTimeoutMs + rows * ROW_DEADLINE_MS;

/** The API's calls, each answering a refusal as a DomainError. */
export function createCases({ client, taskQueue, callTimeoutMs = 10_000, metrics, onCertificateChanged }: TemporalClientSide) {
  const changing = <T>(number: string, fn: () => Promise<T>) => fn().finally(() => onCertificateChanged?.(number));
  const filing = (id: string) => client.workflow.getHandle(filingWorkflowId(id));
  const batch = (id: string) => client.workflow.getHandle(batchWorkflowId(id));
  /** Runs a call into Temporal within its deadline; a refusal (or an outage: 503) comes out as a DomainError (its cause: the original error). */
  const call = async <T>(fn: () => Promise<T>, timeoutMs = callTimeoutMs): Promise<T> => {
    try {
      return await withinDeadline(client, timeoutMs, fn);
    } catch (err) {
      metrics?.countTemporalError(errorKindOf(err));
      const f = failureOf(err);
      throw f ? refused(f, err) : err;
    }
  };
  /** an Update, timed from the call to its answer (accepted and completed, refused, or past the deadline) */
  const timed = <T>(name: string, fn: () => Promise<T>) => (metrics ? metrics.timeUpdate(name, fn) : fn());
  const update = <Ret, Arg>(handle: ReturnType<typeof filing>, def: UpdateDefinition<Ret, [Arg]>, arg: Arg, updateId?: string, rows = 0) =>
    timed(def.name, () => call(() => handle.executeUpdate(def, { args: [arg], ...(updateId ? { updateId } : {}) }), rosterDeadline(callTimeoutMs, rows)));

  return {
    /**
     * POST /filings: starts `filing/<id>`; a start repeated with the same id (a retried request)
     * starts nothing more while the filing runs, and is refused (409 ALREADY_EXISTS) once it has ended.
     */
    startFiling: (input: FilingInput) =>
      call(async () => {
        const workflowId = filingWorkflowId(input.filingId);
        try {
          await client.workflow.start(FILING_WORKFLOW, { taskQueue, workflowId, args: [input], ...UNIQUE_CASE });
        } catch (err) {
          if (!alreadyStarted(err) || !(await isRunning(client, workflowId))) throw err;
        }
      }),
    filingState: (filingId: string): Promise<FilingState> => call(() => filing(filingId).query(filingStateQuery)),
    /** An Update of a filing found in the read model; `updateId` from the Idempotency-Key (updateIdOf). */
    updateFiling: <Ret, Arg>(filingId: string, def: UpdateDefinition<Ret, [Arg]>, arg: NoInfer<Arg>, updateId?: string) =>
      update(filing(filingId), def, arg, updateId),
    /** `rows`: the rows the Update carries by reference (a score post), which lengthen its deadline */
    updateBatch: <Ret, Arg>(batchId: string, def: UpdateDefinition<Ret, [Arg]>, arg: NoInfer<Arg>, updateId?: string, rows?: number) =>
      update(batch(batchId), def, arg, updateId, rows),
    submitBatchPlan: (input: BatchInput) =>
      timed(submitPlanUpdate.name, () => call(() => submitBatchPlan(client, taskQueue, input), rosterDeadline(callTimeoutMs, input.candidates.count))),
    revokeCertificate: (input: RevocationInput) => changing(input.number, () => call(() => revokeCertificate(client, taskQueue, input))),
    reissueCertificate: (input: Extract<AmendmentInput, { kind: 'reissue' }>) =>
      changing(input.number, () => call(() => amendCertificate(client, taskQueue, input))),
    requestCorrection: (input: CorrectionInput) => call(() => requestCorrection(client, taskQueue, input)),
    /** The center's decision on the open correction of a certificate (its validator refuses the wrong one). */
    decideCorrection: (number: string, input: DecideCorrectionInput, updateId?: string): Promise<CorrectionState> =>
      // an approved correction is a new version of the certificate
      changing(number, () =>
        timed(decideCorrectionUpdate.name, () =>
          call(() =>
            client.workflow.getHandle(correctionWorkflowId(number)).executeUpdate(decideCorrectionUpdate, { args: [input], ...(updateId ? { updateId } : {}) }),
          ),
        ),
      ),
    /**
     * POST /complaints: starts `complaint/<id>` and waits until it is recorded (its due date set),
     * so the tracking code works as soon as it is shown. A retried request finds it running.
     */
    startComplaint: (input: ComplaintInput): Promise<ComplaintState> =>
      call(async () => {
        const workflowId = complaintWorkflowId(input.complaintId);
        try {
          await client.workflow.start(COMPLAINT_WORKFLOW, { taskQueue, workflowId, args: [input], ...UNIQUE_CASE });
        } catch (err) {
          if (!alreadyStarted(err) || !(await isRunning(client, workflowId))) throw err;
        }
        return client.workflow.getHandle(workflowId).executeUpdate(receivedUpdate, { args: [], updateId: `received:${input.complaintId}` });
      }),
    /** The reviewer's decision on a complaint found in the read model (its validator holds it to the rule). */
    decideComplaint: (id: string, input: DecideComplaintInput, updateId?: string): Promise<ComplaintState> =>
      timed(decideComplaintUpdate.name, () =>
        call(() =>
          client.workflow.getHandle(complaintWorkflowId(id)).executeUpdate(decideComplaintUpdate, { args: [input], ...(updateId ? { updateId } : {}) }),
        ),
      ),
    /** An official calendar year was loaded: the case recomputes the deadlines it had estimated. */
    calendarLoaded: (kind: 'filing' | 'batch', id: string, year: number) =>
      call(() => (kind === 'filing' ? filing(id).signal(filingCalendarSignal, { years: [year] }) : batch(id).signal(batchCalendarSignal, { years: [year] }))),
  };
}

export type Cases = ReturnType<typeof createCases>;
