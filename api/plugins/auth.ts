/**
 * Bearer-token authentication. Tokens are JWTs signed HS256 with AUTH_JWT_SECRET (or RS256 from
 * the JWKS of a provincial identity provider). Each route declares `config.action`; routes whose
 * action is public need no token, every other route answers 401 without a valid one.
 */
import fp from 'fastify-plugin';
import { jwtVerify, createRemoteJWKSet, SignJWT, type JWTPayload } from 'jose';
import { z } from 'zod';
import { ROLES, type Caller } from '../../domain/roles';
import { forbidden, unauthorized } from '../errors';
import { isAction, roleAllows, ruleOf } from '../../domain/access';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
  interface FastifyInstance {
    /** the caller a token stands for, or undefined when it is expired, malformed, wrongly signed or lacks claims */
    verifyCaller(token: string): Promise<Caller | undefined>;
  }
  interface FastifyContextConfig {
    /** the action this route performs, checked by the policy module; public actions need no token */
    action?: string;
  }
}

export const claimsSchema = z.object({
  sub: z.string().min(1).max(128),
  name: z.string().min(1).max(128),
  role: z.enum(ROLES),
  province: z.string().regex(/^\d{2}$/).optional(),
  prefecture: z.string().regex(/^\d{6}$/).optional(),
  institutionId: z.string().regex(/^[0-9A-Z]{18}$/).optional(),
}).superRefine((c, ctx) => {
  // the claims each role's scope is computed from must be there (a missing one must never widen a scope)
  const need = (claim: 'province' | 'prefecture' | 'institutionId') => {
    if (!c[claim]) ctx.addIssue({ code: 'custom', path: [claim], message: `required for the role ${c.role}` });
  };
  if (c.role === 'prefecture-reviewer') need('prefecture');
  if (c.role === 'province-reviewer' || c.role === 'center' || c.role === 'prefecture-reviewer') need('province');
  if (c.role === 'institution') need('institutionId');
  if (c.province && c.prefecture && !c.prefecture.startsWith(c.province)) ctx.addIssue({ code: 'custom', path: ['prefecture'], message: 'is not in the province' });
});

export async function signToken(secret: string, claims: Caller, expiresIn = '12h'): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

/** A token the API accepts has an expiry, was not issued in the future, and lives at most `maxHours`. */
export function lifetimeRefusal(p: JWTPayload, nowS: number, maxHours: number): string | null {
  const skew = 60;
  if (typeof p.exp !== 'number') return 'The token has no expiry (exp)';
  if (p.iat !== undefined && (typeof p.iat !== 'number' || p.iat > nowS + skew)) return 'The token was issued in the future (iat)';
  if (p.exp - (typeof p.iat === 'number' ? p.iat : nowS) > maxHours * 3600 + skew) return `The token lives longer than ${maxHours} hours`;
  return null;
}

export default fp(
  async (app, opts: { secret?: string; jwksUrl?: string; maxTokenHours?: number }) => {
    const maxHours = opts.maxTokenHours ?? 24;
    // no secret (production with a JWKS only): HS256 tokens are refused, never checked against a default
    const key = opts.secret ? new TextEncoder().encode(opts.secret) : undefined;
    const jwks = opts.jwksUrl ? createRemoteJWKSet(new URL(opts.jwksUrl)) : undefined;
    if (!key && !jwks) throw new Error('auth: neither AUTH_JWT_SECRET nor AUTH_JWKS_URL is set');

    async function verify(token: string): Promise<JWTPayload> {
      let payload: JWTPayload;
      try {
        if (!key) throw new Error('HS256 is not accepted');
        payload = (await jwtVerify(token, key, { algorithms: ['HS256'] })).payload;
      } catch (err) {
        if (!jwks) throw err;
        payload = (await jwtVerify(token, jwks, { algorithms: ['RS256'] })).payload;
      }
      const refusal = lifetimeRefusal(payload, Math.floor(Date.now() / 1000), maxHours);
      if (refusal) throw new Error(refusal);
      return payload;
    }

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
