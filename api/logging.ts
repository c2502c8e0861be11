/**
 * Logger options. Personal data never reaches the logs:
 * - request bodies and query strings are not logged (the `req` serializer keeps the path only);
 * - the paths below are redacted wherever they appear in a logged object;
 * - and, as a last line of defence, every line is scrubbed on its way out: a resident ID number
 *   (18 characters, GB 11643 check digit), a mainland mobile number or an e-mail address anywhere in it, in a
 *   message, an error, a binding or a header, is masked before it is written.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { isValidIdNumber, maskEmail, maskIdNumber, maskPhone } from '../domain/identifiers';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.body',
  'req.query',
  'body',
  '*.body',
  '*.idNumber',
  '*.phone',
  '*.contact',
  '*.contact.phone',
  '*.email',
  '*.contact.email',
  'candidates[*].idNumber',
  '*.candidates[*].idNumber',
  'idNumber',
  'phone',
  'contact',
  'email',
  'trackingCode',
  '*.trackingCode',
];

/** an 18-character ID number (17 digits and a check character) not inside a longer run of digits or letters */
const ID_NUMBER = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;
/** a mainland mobile number, not inside a longer run of digits */
const MOBILE = /(?<!\d)1[3-9]\d{9}(?!\d)/g;

/** an e-mail address: a mailbox, `@`, a dotted domain */
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

/** Masks ID numbers (those that pass the check digit), mobile numbers and e-mail addresses anywhere in a text. */
export function scrubPersonalData(text: string): string {
  const withoutEmail = text.includes('@') ? text.replace(EMAIL, (m) => maskEmail(m)) : text;
  if (!/\d{11}/.test(withoutEmail)) return withoutEmail;
  return withoutEmail.replace(ID_NUMBER, (m) => (isValidIdNumber(m) ? maskIdNumber(m) : m)).replace(MOBILE, (m) => maskPhone(m));
}

interface Writable {
  write(chunk: string): unknown;
}

/** A pino destination that scrubs each line before handing it on. */
export function scrubbingStream(target: Writable): Writable {
  return { write: (chunk: string) => target.write(scrubPersonalData(String(chunk))) };
}

/**
 * The options the API's pino logger is built with (server.ts, via buildApp). `stream` defaults to
 * stdout; tests pass an in-memory one.
 */
export function loggerOptions(level: string, stream: Writable = process.stdout) {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req(req: { method: string; url: string; id: string }) {
        // query strings may carry an ID number (GET /certificates?idNumber=): log the path only
        return { method: req.method, url: req.url.split('?')[0], id: req.id };
      },
    },
    stream: scrubbingStream(stream),
  };
}

/**
 * One line per request instead of Fastify's two ("incoming request" when it arrives, "request
 * completed" when it is answered): the completion line carries the request too (method, path,
 * id), its status and its time. Under load the logger was the largest per-request cost of a route
 * that does nothing (bench (h)); an answer that never completes is still logged by Fastify as
 * "request errored", an unanswered one by its timeout (REQUEST_TIMEOUT_MS).
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest() {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    if (this.isLogDisabled(request)) return;
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
