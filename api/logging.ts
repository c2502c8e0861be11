/**
 * Logger options. Personal data never reaches the logs:
 * - request bodies and query strings are not logged (the `req` serializer keeps the path only);
 * - the paths below are redacted where they appear in a logged object;
 * - and, as a last line of defence, every line is scrubbed on its way out: a resident ID number
 *   (18 characters, GB 11643 check digit), a mainland mobile number or an e-mail address anywhere in it, in a
 *   message, an error, a binding or a header, is masked before it is written.
 *
 * Lines go to stdout through an asynchronous, buffered destination (pino's sonic-boom): under load
 * many lines leave in one write instead of one synchronous write each (bench (h)). What is still
 * buffered is written out when the app closes (an onClose hook, app.ts) and when the process exits,
 * a fatal error's exit included (pino registers that flush on the process's `exit`).
 */
import pino from 'pino';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { isValidIdNumber, maskEmail, maskIdNumber, maskPhone } from '../domain/identifiers';

/**
 * Keys that hold personal data wherever code logs them: at the top of a logged object, in an
 * error (a driver's duplicate-key error names the value) and in a bulk item. No path starts with a
 * wildcard: pino would then run the redactor over every key of every line, the request line's
 * included (nearly half of the logger's cost under load, bench (h)), and that line carries nothing to
 * redact (its `req` serializer keeps the method, path and id). Anything elsewhere is caught by the
 * scrubbing of the whole line.
 */
const PERSONAL_KEYS = ['idNumber', 'phone', 'contact', 'email', 'trackingCode', 'body', 'candidates', 'holder'];
export const REDACT_PATHS = [
  ...PERSONAL_KEYS,
  'headers.authorization',
  'headers.cookie',
  ...['err', 'item'].flatMap((k) => [...PERSONAL_KEYS.map((p) => `${k}.${p}`), `${k}.keyValue`, `${k}.*.idNumber`, `${k}.*.phone`, `${k}.*.email`]),
];

/**
 * A run of 11 or more digits (and a check character): the only places an ID number or a mobile
 * number can be. The scan for it is cheap; a line's 13-digit time is its one usual hit.
 */
const DIGIT_RUN = /\d{11,}[Xx]?/g;
const ALPHANUMERIC = /[0-9A-Za-z]/;

/** an e-mail address: a mailbox, `@`, a dotted domain */
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

/**
 * A run masked if it is a mainland mobile number (exactly 11 digits, 1[3-9]…) or a resident ID
 * number (18 characters, not inside a longer run of letters or digits, passing the GB 11643 check).
 */
function maskRun(run: string, at: number, text: string): string {
  const check = run.endsWith('X') || run.endsWith('x');
  const digits = check ? run.length - 1 : run.length;
  if (digits === 11 && run[0] === '1' && run[1] >= '3') return maskPhone(run.slice(0, 11)) + run.slice(11);
  if (run.length !== 18 || ALPHANUMERIC.test(text[at - 1] ?? '') || ALPHANUMERIC.test(text[at + 18] ?? '')) return run;
  return isValidIdNumber(run) ? maskIdNumber(run) : run;
}

/** Masks ID numbers (those that pass the check digit), mobile numbers and e-mail addresses anywhere in a text. */
export function scrubPersonalData(text: string): string {
  const withoutEmail = text.includes('@') ? text.replace(EMAIL, (m) => maskEmail(m)) : text;
  return withoutEmail.replace(DIGIT_RUN, maskRun);
}

interface Writable {
  write(chunk: string): unknown;
}

/** A pino destination that scrubs each line before handing it on. */
export function scrubbingStream(target: Writable): Writable {
  return { write: (chunk: string) => target.write(scrubPersonalData(String(chunk))) };
}

/** Lines wait in memory until this many bytes are buffered, or FLUSH_MS have passed. */
const BUFFER_BYTES = 8 * 1024;
const FLUSH_MS = 100;

/**
 * stdout, written asynchronously and in blocks: a line waits in memory until BUFFER_BYTES are
 * buffered (under load, one write for many lines instead of one synchronous write each) or at
 * most FLUSH_MS; pino writes out what is left on the process's `exit` (a fatal error's too), and
 * `flushSync()` does at once (the app's onClose).
 */
export function stdoutDestination() {
  const dest = pino.destination({ dest: 1, sync: false, minLength: BUFFER_BYTES });
  let pending = false;
  const timer = setInterval(() => {
    if (pending) dest.flush();
    pending = false;
  }, FLUSH_MS);
  timer.unref();
  dest.once('close', () => clearInterval(timer));
  return {
    write(line: string) {
      pending = true;
      return dest.write(line);
    },
    flushSync() {
      dest.flushSync();
    },
  };
}

/**
 * The options the API's pino logger is built with (server.ts, via buildApp). `stream` defaults to
 * stdout through stdoutDestination(); tests pass an in-memory one.
 */
export function loggerOptions(level: string, stream: Writable = stdoutDestination()) {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req(req: { method: string; url: string; id: string }) {
        // query strings may carry an ID number (GET /certificates?idNumber=): log the path only
        const q = req.url.indexOf('?');
        return { method: req.method, url: q < 0 ? req.url : req.url.slice(0, q), id: req.id };
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
    // in ms to the µs: the float's other digits are noise, and a long run of them costs the scrubbing work
    const responseTime = Math.round(reply.elapsedTime * 1000) / 1000;
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime }, 'request completed');
  }
}
