/** Calls into workflows from routes, with their failures turned into problem documents. */
import type { WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { FastifyRequest } from 'fastify';
import { createHash, randomBytes } from 'node:crypto';
import { DomainError, STATUS_BY_CODE } from './errors';

/**
 * The Update id of a request carrying an Idempotency-Key: Temporal answers a repeated id with the
 * first result, so a retry through a crash records the decision once.
 */
export function updateIdOf(req: FastifyRequest): string | undefined {
  const key = req.headers['idempotency-key'];
  if (typeof key !== 'string' || !key) return undefined;
  // anonymous callers share one key space: the key is bound to the body, so two people's objections never merge
  if (!req.caller) return `public:${req.routeOptions.url}:${key}:${createHash('sha256').update(JSON.stringify(req.body ?? null)).digest('hex').slice(0, 32)}`;
  const c = req.caller;
  return `${c.sub}:${c.role}:${c.province ?? ''}:${c.prefecture ?? ''}:${c.institutionId ?? ''}:${req.routeOptions.url}:${key}`;
}

/** 12 hex characters for a new case id: derived from the Idempotency-Key when there is one, so a retried start starts no second workflow. */
export function caseIdSuffix(req: FastifyRequest): string {
  const key = req.headers['idempotency-key'];
  return typeof key === 'string' && key ? createHash('sha256').update(`${req.caller?.sub}\n${key}`).digest('hex').slice(0, 12) : randomBytes(6).toString('hex');
}

/** An update whose validator or handler rejects answers with the failure's code (409, 403, 422 …). */
export async function runUpdate<Ret, Arg>(
  handle: WorkflowHandle,
  def: UpdateDefinition<Ret, [Arg]>,
  arg: Arg,
  updateId?: string,
): Promise<Ret> {
  try {
    return await handle.executeUpdate(def, { args: [arg], ...(updateId ? { updateId } : {}) });
  } catch (err) {
    // the routes update a case they found in the read model: a workflow that is not there (any
    // more) has completed (a certified batch, an expired filing), a conflict with its state rather
    // than an unknown id (the dev server says "workflow execution already completed", the
    // time-skipping server "update … not found")
    if ((err as Error)?.name === 'WorkflowNotFoundError') throw new DomainError(409, 'INVALID_STATE', 'The case has already ended');
    throw translate(err);
  }
}

export function translate(err: unknown): unknown {
  const e = err as { name?: string; cause?: { type?: string; message?: string; details?: unknown[] }; message?: string };
  if (e?.name === 'WorkflowNotFoundError') return new DomainError(404, 'NOT_FOUND', 'No such case');
  if (e?.name === 'WorkflowUpdateFailedError' && e.cause) {
    const type = e.cause.type ?? '';
    const { httpStatus, ...extra } = (e.cause.details?.[0] && typeof e.cause.details[0] === 'object' ? e.cause.details[0] : {}) as Record<string, unknown>;
    // a rule may name its own 4xx status (VALIDATION_FAILED is 422 for a well-formed input that breaks a rule)
    const status = typeof httpStatus === 'number' && httpStatus >= 400 && httpStatus < 500 ? httpStatus : STATUS_BY_CODE[type];
    if (status) return new DomainError(status, type, e.cause.message ?? type, extra);
    // a validator that threw a plain Error: the input broke a rule the workflow checks
    return new DomainError(422, 'RULE_VIOLATION', e.cause.message ?? 'Rejected by the workflow');
  }
  // the workflow ended between our read and the update
  if (e?.name === 'WorkflowUpdateFailedError' || /workflow execution already completed/i.test(e?.message ?? '')) {
    return new DomainError(409, 'INVALID_STATE', 'The case has already ended');
  }
  return err;
}
