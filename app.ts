/**
 * buildApp(): the whole server as a Fastify instance, without listening — the HTTP API (api/) and
 * the web console (console/) composed on shared services, security headers and error handling.
 * server.ts listens; tests, scripts and the benchmark use app.inject().
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from './infra/services';
import { loggerOptions, OneLinePerRequest, stdoutDestination } from './api/logging';
import { replyNoSuchRoute, replyWithProblem } from './api/problems';
import servicesPlugin from './api/plugins/services';
import securityPlugin from './api/plugins/security';
import apiPlugin from './api';
import consolePlugin, { replyPageNotFound } from './console';

export interface BuildOptions {
  /**
   * false (default): no logging; otherwise the level (true: info) and optionally where lines go
   * (default stdout). Always built with loggerOptions: redaction, path-only requests, scrubbing.
   */
  logger?: boolean | { level?: string; stream?: { write(chunk: string): unknown } };
}

/** One entry per method of every registered route (for the route and authorization checks). */
export interface RouteRecord {
  method: string;
  url: string;
  action?: string;
  rateLimited: boolean;
  hidden: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: readonly RouteRecord[];
  }
}

/** A caller's X-Request-Id is kept when it is a short plain token; otherwise (or absent) a fresh UUID. */
function requestIdOf(req: { headers: Record<string, string | string[] | undefined> }): string {
  const h = req.headers['x-request-id'];
  return typeof h === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(h) && !/\d{11}/.test(h) ? h : crypto.randomUUID();
}

export async function buildApp(services: Services, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const log = opts.logger === true ? {} : opts.logger || undefined;
  // stdout is written asynchronously (api/logging.ts): what is still buffered is written on close
  const stdout = log && !log.stream ? stdoutDestination() : undefined;
  const timeoutMs = services.settings.REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: log ? loggerOptions(log.level ?? 'info', log.stream ?? stdout) : false,
    // one log line per request, written when it is answered (api/logging.ts)
    logController: new OneLinePerRequest(),
    bodyLimit: 1024 * 1024,
    // a request that trickles in (slowloris) is cut off: headers and body must arrive within this
    requestTimeout: timeoutMs,
    connectionTimeout: timeoutMs * 2,
    // Node checks those deadlines this often (30 s by default, which would let a slow request run on)
    http: { connectionsCheckingInterval: Math.min(5_000, Math.ceil(timeoutMs / 2)), headersTimeout: timeoutMs },
    // behind a reverse proxy (TRUST_PROXY), req.ip is the client's address from X-Forwarded-For, so
    // rate limits and objection budgets count clients, not the proxy; off by default (the header is
    // the client's to forge when nothing in front overwrites it)
    trustProxy: services.settings.TRUST_PROXY,
    genReqId: requestIdOf,
    requestIdHeader: false,
    // router errors (a malformed percent-encoding, an over-long parameter) are problem documents too
    frameworkErrors: (err, req, reply) => replyWithProblem(err, req, reply),
    ajv: undefined,
  }).withTypeProvider<ZodTypeProvider>();

  if (stdout) app.addHook('onClose', (_app, done) => (stdout.flushSync(), done()));

  const routeTable: RouteRecord[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) {
      // read when asked: an encapsulated plugin's own onRoute hook (the console's) runs after this
      // one and may still set the route's action and schema
      routeTable.push({
        method,
        url: r.url,
        get action() {
          return r.config?.action;
        },
        get rateLimited() {
          return !!r.config?.rateLimit;
        },
        get hidden() {
          return !!(r.schema as { hide?: boolean } | undefined)?.hide;
        },
      });
    }
  });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err, req, reply) => replyWithProblem(err, req, reply));
  // a person following a stale link gets the console's page, a client of the API a problem document
  app.setNotFoundHandler((req, reply) => (wantsPage(req) ? replyPageNotFound(reply) : replyNoSuchRoute(req, reply)));

  await app.register(servicesPlugin, { services });
  await app.register(securityPlugin, { corsOrigins: services.settings.CORS_ORIGINS });
  // A body must arrive within REQUEST_TIMEOUT_MS of its headers: one trickled a byte at a time
  // (slowloris) would otherwise hold a connection open for as long as the client likes.
  app.addHook('preParsing', (req, _reply, payload, done) => {
    // no Content-Length and no Transfer-Encoding: no body (RFC 9112 §6.3), nothing to wait for
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return done(null, payload);
    const timer = setTimeout(() => req.raw.destroy(), timeoutMs);
    timer.unref();
    const stop = () => clearTimeout(timer);
    payload.once('end', stop);
    payload.once('close', stop);
    payload.once('error', stop);
    done(null, payload);
  });

  await app.register(apiPlugin);
  // the web console at /, calling the API above with the signed-in user's own token
  await app.register(consolePlugin);
  await app.ready();
  return app;
}

function wantsPage(req: FastifyRequest): boolean {
  return req.method === 'GET' && !req.url.split('?')[0].startsWith('/api/') && String(req.headers.accept ?? '').includes('text/html');
}
