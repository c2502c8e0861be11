/**
 * Bearer-token authentication (api/tokens.ts). Each route declares `config.action`; routes whose
 * action is public need no token, every other route answers 401 without a valid one, and 403 when
 * the caller's role may not perform the action (domain/access.ts) — before the handler runs.
 */
import fp from 'fastify-plugin';
import type { JWTPayload } from 'jose';
import type { Caller } from '../../domain/roles';
import { isAction, roleAllows, ruleOf } from '../../domain/access';
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

export default fp(
  async (app, opts: TokenSettings) => {
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
    app.addHook('onRequest', async (req) => {
      const header = req.headers.authorization;
      const action = req.routeOptions.config?.action;
      // the OpenAPI document and 404s declare no action and are public; every API route declares one
      const url = req.routeOptions.url;
      const isPublic = !url || url === '/docs' || url.startsWith('/docs/') || (isAction(action) && !!ruleOf(action).public);
      if (!header) {
        if (isPublic) return;
        throw unauthorized();
      }
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw unauthorized('The Authorization header must be "Bearer <token>"');
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
    });
  },
  { name: 'auth' },
);
