/**
 * Business refusals, one way for both workflows: a non-retryable ApplicationFailure whose `type`
 * is a code of the one catalogue (domain/errors.ts), so the API answers it as that problem.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { ErrorCode, Refusal } from '../../domain/errors';

export function failure(code: ErrorCode, message: string, details?: Record<string, unknown>): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable: true, details: details ? [details] : undefined });
}

/** A pure rule's refusal as a failure (details[0].httpStatus when the rule gives its own status). */
export function refusalFailure(r: Refusal): ApplicationFailure {
  return failure(r.code, r.message, r.status ? { ...r.details, httpStatus: r.status } : r.details);
}

/** For validators: throws the rule's refusal, if any. */
export function refuse(r: Refusal | null): void {
  if (r) throw refusalFailure(r);
}

/** A refusal to hand back to the caller (not a bug): ours, or an activity's business failure. */
export function businessFailure(err: unknown): ApplicationFailure | undefined {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable) {
    const c = err.cause;
    return ApplicationFailure.create({
      type: c.type ?? ('INTERNAL' satisfies ErrorCode),
      message: c.message,
      nonRetryable: true,
      details: c.details as unknown[] | undefined,
    });
  }
  return undefined;
}
