/**
 * Problem documents (RFC 9457). Every error the API sends goes through `toProblem`, so each has a
 * stable `code`; 5xx details are never shown to the caller.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BATCH_STATUS_BY_CODE } from '../domain/batch';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 413: 'Payload Too Large', 414: 'URI Too Long', 415: 'Unsupported Media Type', 422: 'Unprocessable Content',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
};

/** A rejection the domain or the API makes on purpose, with a stable code. */
export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = (what = 'resource') => new DomainError(404, 'NOT_FOUND', `No such ${what}`);
export const forbidden = (why = 'This action is not allowed for the caller') => new DomainError(403, 'FORBIDDEN', why);
export const unauthorized = (why = 'A valid bearer token is required') => new DomainError(401, 'UNAUTHORIZED', why);
export const conflict = (code: string, why: string, extra?: Record<string, unknown>) => new DomainError(409, code, why, extra);
export const unprocessable = (code: string, why: string, extra?: Record<string, unknown>) => new DomainError(422, code, why, extra);

/** Business rejections raised inside workflows travel as ApplicationFailure with `type` = code. */
export const STATUS_BY_CODE: Record<string, number> = {
  ...BATCH_STATUS_BY_CODE,
  STAGE_MISMATCH: 409,
  NOT_IN_PUBLICITY: 409,
  INVALID_STATE: 409,
  ALREADY_DECIDED: 409,
  ALREADY_EXISTS: 409,
  FORBIDDEN: 403,
  NOT_ASSIGNED: 403,
  FOUR_EYES: 403,
  CONFLICT_OF_INTEREST: 422,
  NOT_FOUND: 404,
  VALIDATION_FAILED: 400,
  PLAN_TOO_LATE: 422,
  OUT_OF_SCOPE: 422,
  MATERIALS_INCOMPLETE: 422,
  RULE_VIOLATION: 422,
  SERIAL_EXHAUSTED: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
};

export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  return {
    type: `/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...extra,
  };
}

/** Finds an ApplicationFailure (from a workflow, update validator or activity) in an error chain. */
function applicationFailureOf(err: unknown): { type?: string | null; message: string; details?: unknown[] } | undefined {
  let e: any = err;
  for (let depth = 0; e && depth < 8; depth++) {
    if (e.name === 'ApplicationFailure' || e.constructor?.name === 'ApplicationFailure') return e;
    e = e.cause;
  }
  return undefined;
}

export function toProblem(err: unknown): Problem {
  const e = err as FastifyError & { name?: string; code?: string };
  if (e && e.name === 'DomainError') {
    const d = err as DomainError;
    return problem(d.status, d.code, d.message, d.extra);
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const errors = err.validation.map((v) => ({
      path: `${err.validationContext ?? 'body'}${v.instancePath || ''}`,
      message: v.message ?? 'invalid',
    }));
    return problem(400, 'VALIDATION_FAILED', `Invalid ${err.validationContext ?? 'input'}: ${errors.map((x) => `${x.path} ${x.message}`).join('; ')}`.slice(0, 2000), { errors });
  }
  if (e && typeof e.code === 'string' && e.code.startsWith('FST_')) {
    switch (e.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return problem(400, 'MALFORMED_JSON', 'The request body is not valid JSON');
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return problem(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send application/json');
      case 'FST_ERR_VALIDATION':
        return problem(400, 'VALIDATION_FAILED', e.message);
      case 'FST_ERR_NOT_FOUND':
        return problem(404, 'NOT_FOUND', 'No such route');
      case 'FST_ERR_BAD_URL':
        return problem(400, 'BAD_URL', 'The URL is not valid (a malformed percent-encoding?)');
      case 'FST_ERR_MAX_PARAM_LENGTH':
        return problem(414, 'URI_TOO_LONG', 'A path parameter is too long');
      default:
        if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return problem(e.statusCode, 'BAD_REQUEST', e.message);
    }
  }
  if (e && e.statusCode === 429) return problem(429, 'RATE_LIMITED', 'Too many requests; slow down');
  if (e && e.statusCode === 400 && e instanceof SyntaxError) return problem(400, 'MALFORMED_JSON', 'The request body is not valid JSON');
  // Temporal errors
  if (e && (e.name === 'WorkflowNotFoundError' || /workflow not found|not found for ID/i.test(String(e.message ?? '')) && e.name?.startsWith('Workflow'))) {
    return problem(404, 'NOT_FOUND', 'No such case');
  }
  if (e && e.name === 'WorkflowExecutionAlreadyStartedError') return problem(409, 'ALREADY_EXISTS', 'It already exists');
  const failure = applicationFailureOf(err);
  if (failure && failure.type && STATUS_BY_CODE[failure.type]) {
    const { httpStatus, ...extra } = (failure.details?.[0] && typeof failure.details[0] === 'object' ? failure.details[0] : {}) as Record<string, unknown>;
    const status = typeof httpStatus === 'number' && httpStatus >= 400 && httpStatus < 500 ? httpStatus : STATUS_BY_CODE[failure.type];
    return problem(status, failure.type, failure.message, extra);
  }
  if (e && isResponseSerializationError(err)) return problem(500, 'INTERNAL', 'The server could not produce its answer');
  if (e && (e.statusCode ?? 0) >= 400 && (e.statusCode ?? 0) < 500) return problem(e.statusCode!, 'BAD_REQUEST', e.message);
  return problem(500, 'INTERNAL', 'An internal error occurred; it has been logged');
}

/** Answers an error as a problem document (the error handler, and Fastify's router errors: bad URL, too long a parameter). */
export function replyWithProblem(err: unknown, req: FastifyRequest, reply: FastifyReply) {
  const p = toProblem(err);
  if (p.status >= 500) req.log.error({ err }, 'request failed');
  else req.log.info({ code: p.code, status: p.status }, 'request rejected');
  p.instance = req.url.split('?')[0];
  reply.status(p.status).type('application/problem+json').send(p);
}

const NOT_FOUND_PAGE = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>页面不存在 · 职业技能等级认定</title><link rel="stylesheet" href="/assets/simple.css"><link rel="stylesheet" href="/assets/console.css"></head><body><main><h1>页面不存在</h1><p class="notice warn">没有这个页面，或它已被移走。</p><p><a href="/">返回首页</a></p></main></body></html>`;

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => replyWithProblem(err, req, reply));
  app.setNotFoundHandler((req, reply) => {
    // a person following a stale link in the console gets a page, a client of the API a problem document
    const path = req.url.split('?')[0];
    if (req.method === 'GET' && !path.startsWith('/api/') && String(req.headers.accept ?? '').includes('text/html')) {
      return reply.status(404).type('text/html; charset=utf-8').send(NOT_FOUND_PAGE);
    }
    reply.status(404).type('application/problem+json').send({ ...problem(404, 'NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}`), instance: req.url.split('?')[0] });
  });
}
