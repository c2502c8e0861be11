/**
 * Bearer-token authentication (api/tokens.ts). Each route declares `config.action`; routes whose
 * action is public need no token, every other route answers 401 without a valid one, and 403 when
 * the caller's role may not perform the action (domain/access.ts) — before the handler runs.
 *
 * A service token (`serviceTokens`, e.g. METRICS_TOKEN for `metrics.read`) is a static bearer
 * secret of a machine, not a person: it is accepted on the routes of its one action only, sets no
 * caller, and anywhere else is checked (and refused) like any other token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { JWTPayload } from 'jose';
import type { Caller } from '../../domain/roles';
import { isAction, roleAllows, ruleOf, type Action } from '../../domain/access';
import { forbidden, unauthorized } from '../problems';
import { claimsSchema, createTokenVerifier, type TokenSettings } from '../tokens';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
  interface FastifyInstance {
    /** the caller a token stands for, or undefined when it is expired, malformed, wrongly signed or lacks claims */
    verifyCaller(token: string): Promise<Caller | undefined>;
  }
  interface FastifyContextConfig {
    /** the action this route performs, checked by the access module (domain/access.ts); public actions need no token */
    action?: string;
  }
}

export interface AuthOptions extends TokenSettings {
  /** static bearer secrets of machines, each for one action (METRICS_TOKEN → metrics.read) */
  serviceTokens?: Partial<Record<Action, string>>;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export default fp(
  async (app, opts: AuthOptions) => {
    const serviceDigests = new Map(
      Object.entries(opts.serviceTokens ?? {})
        .filter((e): e is [string, string] => !!e[1])
        .map(([action, token]) => [action, digest(token)]),
    );
    /** compared as digests, in constant time: the secret's length and prefix do not leak */
    const isServiceToken = (action: unknown, token: string) => {
      const want = typeof action === 'string' ? serviceDigests.get(action) : undefined;
      return !!want && timingSafeEqual(digest(token), want);
    };
    // no secret (production with a JWKS only): HS256 tokens are refused, never checked against a default
    const verify = createTokenVerifier(opts);

    app.decorate('verifyCaller', async (token: string) => {
      try {
        const claims = claimsSchema.safeParse(await verify(token));
        return claims.success ? claims.data : undefined;
      } catch {
        return undefined;
      }
    });
    app.decorateRequest('caller', undefined);
    /** Whether a request's route may be called without a token. */
    const isPublicRoute = (req: FastifyRequest) => {
      const { url, config } = req.routeOptions;
      // the OpenAPI document and 404s declare no action and are public; every API route declares one
      return !url || url === '/docs' || url.startsWith('/docs/') || (isAction(config?.action) && !!ruleOf(config.action).public);
    };

    async function authenticate(req: FastifyRequest, header: string) {
      const action = req.routeOptions.config?.action;
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw unauthorized('The Authorization header must be "Bearer <token>"');
      if (isServiceToken(action, m[1])) return;
      let payload: JWTPayload;
      try {
        payload = await verify(m[1]);
      } catch {
        throw unauthorized('The token is expired, malformed or wrongly signed');
      }
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) throw unauthorized('The token lacks valid claims (sub, name, role, province, prefecture, institutionId)');
      req.caller = claims.data;
      if (isAction(action) && !roleAllows(req.caller, action)) throw forbidden(`The role ${req.caller.role} may not ${ruleOf(action).description}`);
    }

    // a callback hook: a request without a token (the public routes, /livez) is let through or
    // refused without a promise (bench (h))
    app.addHook('onRequest', (req, _reply, done) => {
      const header = req.headers.authorization;
      if (!header) return done(isPublicRoute(req) ? undefined : unauthorized());
      authenticate(req, header).then(() => done(), done);
    });
  },
  { name: 'auth' },
);
