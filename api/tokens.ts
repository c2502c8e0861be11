/**
 * API tokens: JWTs with the caller's claims (API.md "Conventions"), HS256 with AUTH_JWT_SECRET or
 * RS256 from a provincial identity provider's JWKS. Minting (`signToken`) serves `npm run token`,
 * the console's sign-in picker (demo and development only), scripts and tests; checking
 * (`createTokenVerifier`) serves the auth plugin and the console's session cookie.
 */
import { jwtVerify, createRemoteJWKSet, SignJWT, type JWTPayload } from 'jose';
import { z } from 'zod';
import { ROLES, type Caller } from '../domain/roles';

export const claimsSchema = z
  .object({
    sub: z.string().min(1).max(128),
    name: z.string().min(1).max(128),
    role: z.enum(ROLES),
    province: z
      .string()
      .regex(/^\d{2}$/)
      .optional(),
    prefecture: z
      .string()
      .regex(/^\d{6}$/)
      .optional(),
    institutionId: z
      .string()
      .regex(/^[0-9A-Z]{18}$/)
      .optional(),
  })
  .superRefine((c, ctx) => {
    // the claims each role's scope is computed from must be there (a missing one must never widen a scope)
    const need = (claim: 'province' | 'prefecture' | 'institutionId') => {
      if (!c[claim]) ctx.addIssue({ code: 'custom', path: [claim], message: `required for the role ${c.role}` });
    };
    if (c.role === 'prefecture-reviewer') need('prefecture');
    if (c.role === 'province-reviewer' || c.role === 'center' || c.role === 'prefecture-reviewer') need('province');
    if (c.role === 'institution') need('institutionId');
    if (c.province && c.prefecture && !c.prefecture.startsWith(c.province))
      ctx.addIssue({ code: 'custom', path: ['prefecture'], message: 'is not in the province' });
  });

/** Who issues tokens and for whom (AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE): minted tokens carry them, checked tokens must. */
export interface TokenAddressing {
  issuer?: string;
  audience?: string;
}

/** The issuer and audience the settings name (each only when set). */
export function tokenAddressing(settings: { AUTH_JWT_ISSUER?: string; AUTH_JWT_AUDIENCE?: string }): TokenAddressing {
  return { issuer: settings.AUTH_JWT_ISSUER, audience: settings.AUTH_JWT_AUDIENCE };
}

/**
 * A token for `claims`, HS256 with `secret`, living `expiresIn` (a jose time span such as '12h'),
 * with `iss` and `aud` when `addressing` names them.
 */
export async function signToken(secret: string, claims: Caller, expiresIn = '12h', addressing: TokenAddressing = {}): Promise<string> {
  const jwt = new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt().setExpirationTime(expiresIn);
  if (addressing.issuer) jwt.setIssuer(addressing.issuer);
  if (addressing.audience) jwt.setAudience(addressing.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** A token the API accepts has an expiry, was not issued in the future, and lives at most `maxHours`. */
export function lifetimeRefusal(p: JWTPayload, nowS: number, maxHours: number): string | null {
  const skew = 60;
  if (typeof p.exp !== 'number') return 'The token has no expiry (exp)';
  if (p.iat !== undefined && (typeof p.iat !== 'number' || p.iat > nowS + skew)) return 'The token was issued in the future (iat)';
  if (p.exp - (typeof p.iat === 'number' ? p.iat : nowS) > maxHours * 3600 + skew) return `The token lives longer than ${maxHours} hours`;
  return null;
}

export interface TokenSettings extends TokenAddressing {
  secret?: string;
  jwksUrl?: string;
  /** longest lifetime accepted (exp − iat), AUTH_MAX_TOKEN_HOURS */
  maxTokenHours?: number;
}

/**
 * Checks a token's signature and lifetime: HS256 with the secret (when one is set; never a
 * default), else RS256 from the JWKS; and, when `issuer` or `audience` is set, that `iss` is the
 * issuer and `aud` names the audience (a token without them is refused). Throws when neither
 * key accepts it.
 */
export function createTokenVerifier(opts: TokenSettings): (token: string) => Promise<JWTPayload> {
  const maxHours = opts.maxTokenHours ?? 24;
  const key = opts.secret ? new TextEncoder().encode(opts.secret) : undefined;
  const jwks = opts.jwksUrl ? createRemoteJWKSet(new URL(opts.jwksUrl)) : undefined;
  if (!key && !jwks) throw new Error('auth: neither AUTH_JWT_SECRET nor AUTH_JWKS_URL is set');
  // jose refuses a token whose iss or aud is missing or other when these are given
  const claimChecks = { ...(opts.issuer ? { issuer: opts.issuer } : {}), ...(opts.audience ? { audience: opts.audience } : {}) };
  return async (token) => {
    let payload: JWTPayload;
    try {
      if (!key) throw new Error('HS256 is not accepted');
      payload = (await jwtVerify(token, key, { algorithms: ['HS256'], ...claimChecks })).payload;
    } catch (err) {
      if (!jwks) throw err;
      payload = (await jwtVerify(token, jwks, { algorithms: ['RS256'], ...claimChecks })).payload;
    }
    const refusal = lifetimeRefusal(payload, Math.floor(Date.now() / 1000), maxHours);
    if (refusal) throw new Error(refusal);
    return payload;
  };
}
