/**
 * Hostile-input defences shared by every route (issue "Access control, audit trail, privacy and
 * hostile input"):
 * - helmet's security headers; its default Content-Security-Policy already admits Swagger UI
 *   (/docs serves only same-origin scripts and styles, images from data: URIs), minus
 *   `upgrade-insecure-requests`, which would break /docs when the API is served over plain HTTP.
 *   The headers depend on nothing in the request, so helmet computes them once at start (see
 *   securityHeaders) and every answer gets the same set;
 * - an explicit CORS policy: only the origins listed in CORS_ORIGINS (default none: same-origin
 *   only); a preflight from any other origin is answered 404 before authentication;
 * - rate limiting on the public routes that opt in with `config: { rateLimit: publicRateLimit() }`
 *   (objections, certificate look-ups): PUBLIC_RATE_LIMIT requests per minute per client address
 *   and route; the 429 is a problem document with code RATE_LIMITED.
 * Registered before authentication, so the headers are on every answer, 401s included.
 */
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import rateLimit, { type FastifyRateLimitStore, type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { DomainError, notFound } from '../problems';

export interface SecurityOptions {
  /** exact origins (`scheme://host[:port]`) allowed to call the API from a browser */
  corsOrigins: readonly string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    corsPreflightEnabled?: boolean;
  }
}

const WINDOW_MS = 60_000;

/**
 * Per-route rate limit for public routes: `config: { action: '…', rateLimit: publicRateLimit() }`.
 * Counted per client address and route, PUBLIC_RATE_LIMIT per minute (read from the app's settings).
 */
export function publicRateLimit(group?: string): RateLimitOptions {
  return {
    max: (req: FastifyRequest) => req.server.services.settings.PUBLIC_RATE_LIMIT,
    timeWindow: WINDOW_MS,
    // per client address and route, or per client address and group: the routes of one group
    // (certificate look-ups by number and by person) share one budget
    keyGenerator: (req: FastifyRequest) => `${req.ip}|${group ?? req.routeOptions.url}`,
  };
}

/**
 * The plugin gives each route a store of its own, so a group could never share a budget: one
 * store serves every route, its keys naming the route or the group (publicRateLimit).
 */
class SharedStore implements FastifyRateLimitStore {
  private readonly counters = new Map<string, { current: number; ttl: number; start: number }>();
  constructor(_options: unknown) {}
  // the plugin passes each route's time window as a third argument (its type declarations omit it)
  incr(key: string, cb: (err: Error | null, res: { current: number; ttl: number }) => void, timeWindow: number = WINDOW_MS) {
    const now = Date.now();
    let c = this.counters.get(key);
    if (!c || c.start + timeWindow <= now) c = { current: 0, ttl: timeWindow, start: now };
    c.current += 1;
    c.ttl = timeWindow - (now - c.start);
    this.counters.set(key, c);
    // bounded memory: forget expired windows now and then
    if (this.counters.size > 50_000) for (const [k, v] of this.counters) if (v.start + timeWindow <= now) this.counters.delete(k);
    cb(null, { current: c.current, ttl: c.ttl });
  }
  child() {
    return this;
  }
}

const HELMET: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: true,
    directives: { 'upgrade-insecure-requests': null },
  },
};

/**
 * The headers helmet sets (and removes) with these options, found once by running its middleware
 * on a stand-in response. @fastify/helmet built a new helmet middleware for every request, parsing
 * the CSP directives again each time: a third of the cost of a route that does nothing (bench (h)).
 */
export function securityHeaders(options: HelmetOptions = HELMET): { set: [string, string][]; remove: string[] } {
  const set = new Map<string, string>();
  const remove: string[] = [];
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => void set.set(name, String(value)),
    removeHeader: (name: string) => void (set.delete(name), remove.push(name)),
  };
  let done = false;
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, () => (done = true));
  if (!done) throw new Error('helmet did not finish synchronously');
  return { set: [...set], remove };
}

export default fp(
  async (app, opts: SecurityOptions) => {
    const headers = securityHeaders();
    // on the raw response, as helmet does: an error's answer keeps them too
    app.addHook('onRequest', (_req, reply, done) => {
      const res = reply.raw;
      for (const [name, value] of headers.set) res.setHeader(name, value);
      for (const name of headers.remove) res.removeHeader(name);
      done();
    });

    const allowed = new Set(opts.corsOrigins.map((o) => o.toLowerCase()));
    await app.register(cors, {
      origin: (origin, cb) => cb(null, !!origin && allowed.has(origin.toLowerCase())),
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
      exposedHeaders: ['Location', 'Idempotent-Replayed', 'Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
      credentials: false,
      maxAge: 600,
      strictPreflight: true,
    });
    // a preflight the CORS policy did not answer (origin not allowed, or no Origin at all): no such route
    app.addHook('onRequest', (req, _reply, done) => done(req.method === 'OPTIONS' && !req.corsPreflightEnabled ? notFound('route') : undefined));

    await app.register(rateLimit, {
      global: false,
      store: SharedStore,
      errorResponseBuilder: (_req, ctx) =>
        ctx.statusCode === 429
          ? new DomainError('RATE_LIMITED', `Too many requests; retry in ${ctx.after}`, { retryAfterSeconds: Math.ceil(ctx.ttl / 1000) })
          : new DomainError('RATE_LIMITED', 'Too many requests', {}, ctx.statusCode),
    });
  },
  { name: 'security', dependencies: ['services'] },
);
