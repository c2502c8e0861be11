/**
 * Problem documents (RFC 9457, API.md "Conventions"). Every error the server answers goes through
 * `toProblem`, so each has a stable `code`; the code's HTTP status comes from the one catalogue
 * (domain/errors.ts) unless the refusal names its own 4xx; 5xx details are never shown.
 *
 * Temporal's failures arrive here already as DomainError: api/cases.ts, the only module that
 * talks to Temporal, unwraps them (`failureOf`) where the call is made.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { refusalStatus, type ErrorCode, type Refusal } from '../domain/errors';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  [extra: string]: unknown;
}

/** HTTP reason phrases, the problem document's `title`. */
const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/**
 * A refusal the API makes on purpose, with a catalogued code. Its status is the code's (domain/
 * errors.ts) unless `status` names another 4xx (VALIDATION_FAILED is 422 for a rule, 400 for
 * malformed input).
 */
export class DomainError extends Error {
  override name = 'DomainError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
    status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = refusalStatus(code, status);
  }
}

/** A domain rule's refusal (domain/*Refusal functions) as an error to throw. */
export const refused = (r: Refusal, cause?: unknown) => new DomainError(r.code, r.message, r.details, r.status, cause === undefined ? undefined : { cause });
export const notFound = (what = 'resource') => new DomainError('NOT_FOUND', `No such ${what}`);
export const forbidden = (why = 'This action is not allowed for the caller') => new DomainError('FORBIDDEN', why);
export const unauthorized = (why = 'A valid bearer token is required') => new DomainError('UNAUTHORIZED', why);
/** Input that is well-formed JSON but not what the route takes (a cursor, a duration). */
export const invalid = (why: string) => new DomainError('VALIDATION_FAILED', why);

export function problem(code: ErrorCode, detail: string, extra: Record<string, unknown> = {}, status = refusalStatus(code)): Problem {
  return {
    type: `/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...extra,
  };
}

/** Fastify's own errors (body parsing, routing), by their code: the catalogue's code and what to say. */
const FASTIFY_ERRORS: Record<string, { code: ErrorCode; detail?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_JSON', detail: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_JSON', detail: 'The request body is not valid JSON' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', detail: 'The request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'Send application/json' },
  FST_ERR_VALIDATION: { code: 'VALIDATION_FAILED' },
  FST_ERR_NOT_FOUND: { code: 'NOT_FOUND', detail: 'No such route' },
  FST_ERR_BAD_URL: { code: 'BAD_URL', detail: 'The URL is not valid (a malformed percent-encoding?)' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'URI_TOO_LONG', detail: 'A path parameter is too long' },
};

function fastifyProblem(e: FastifyError): Problem | undefined {
  const known = Object.prototype.hasOwnProperty.call(FASTIFY_ERRORS, e.code) ? FASTIFY_ERRORS[e.code] : undefined;
  if (known) return problem(known.code, known.detail ?? e.message);
  return e.statusCode && e.statusCode >= 400 && e.statusCode < 500 ? problem('BAD_REQUEST', e.message, {}, e.statusCode) : undefined;
}

export function toProblem(err: unknown): Problem {
  if (err instanceof DomainError) return problem(err.code, err.message, err.extra, err.status);
  if (hasZodFastifySchemaValidationErrors(err)) {
    const errors = err.validation.map((v) => ({
      path: `${err.validationContext ?? 'body'}${v.instancePath || ''}`,
      message: v.message ?? 'invalid',
    }));
    return problem(
      'VALIDATION_FAILED',
      `Invalid ${err.validationContext ?? 'input'}: ${errors.map((x) => `${x.path} ${x.message}`).join('; ')}`.slice(0, 2000),
      { errors },
    );
  }
  const e = err as (FastifyError & { name?: string }) | undefined;
  if (e && typeof e.code === 'string' && e.code.startsWith('FST_')) {
    const p = fastifyProblem(e);
    if (p) return p;
  }
  if (e && e.statusCode === 429) return problem('RATE_LIMITED', 'Too many requests; slow down');
  if (e && e.statusCode === 400 && e instanceof SyntaxError) return problem('MALFORMED_JSON', 'The request body is not valid JSON');
  if (e && isResponseSerializationError(err)) return problem('INTERNAL', 'The server could not produce its answer');
  if (e && (e.statusCode ?? 0) >= 400 && (e.statusCode ?? 0) < 500) return problem('BAD_REQUEST', e.message, {}, e.statusCode);
  return problem('INTERNAL', 'An internal error occurred; it has been logged');
}

/** Answers an error as a problem document (the error handler, and Fastify's router errors: bad URL, too long a parameter). */
export function replyWithProblem(err: unknown, req: FastifyRequest, reply: FastifyReply) {
  const p = toProblem(err);
  if (p.status === 503) req.log.warn({ err, code: p.code }, 'request not served: a dependency is unavailable');
  else if (p.status >= 500) req.log.error({ err }, 'request failed');
  else req.log.info({ code: p.code, status: p.status }, 'request rejected');
  p.instance = req.url.split('?')[0];
  // a 503 (Temporal away or overloaded) says when to try again; a 429 sets its own
  if (p.status === 503 && !reply.hasHeader('retry-after'))
    reply.header('retry-after', String(typeof p.retryAfterSeconds === 'number' ? p.retryAfterSeconds : 5));
  reply.status(p.status).type('application/problem+json').send(p);
}

/** A request for a route that does not exist, as a problem document. */
export function replyNoSuchRoute(req: FastifyRequest, reply: FastifyReply) {
  const path = req.url.split('?')[0];
  reply
    .status(404)
    .type('application/problem+json')
    .send({ ...problem('NOT_FOUND', `No route ${req.method} ${path}`), instance: path });
}
