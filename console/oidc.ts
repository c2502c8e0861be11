/**
 * Sign-in with the province's identity provider: OpenID Connect, authorization code flow with
 * PKCE, through openid-client. The provider says who the person is; its claims, mapped by
 * console/oidc-claims.ts, become the same session a pasted token gives (a token minted here with
 * AUTH_JWT_SECRET), so what the person may do is still decided by the API alone.
 *
 * Between the redirect to the provider and the way back, the PKCE verifier, state, nonce and the
 * page to return to live in a short-lived cookie encrypted with a key derived from AUTH_JWT_SECRET:
 * the browser carries them but can neither read nor forge them.
 */
import { hkdfSync } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type * as OpenidClient from 'openid-client';
import type { Settings } from '../config';
import type { Caller } from '../domain/roles';
import { callerFromClaims, claimsMapping, type ClaimsMapping, type OidcRefusal } from './oidc-claims';

/**
 * openid-client is ESM only. TypeScript compiles this `import()` to `require()`, which Node (20.19+,
 * 22.12+) answers with the ES module, and which jest's CommonJS runtime answers with the package
 * compiled to CommonJS (jest.config.js lists it among the transformed packages).
 */
const loadOpenidClient = (): Promise<typeof OpenidClient> => import('openid-client');

export const FLOW_COOKIE = 'sc_oidc_flow';
/** The ID token, sent back to the provider as `id_token_hint` when signing out; only /signout receives it. */
export const HINT_COOKIE = 'sc_oidc_hint';
const FLOW_PATH = '/signin/oidc';
const FLOW_SECONDS = 600;

export const CALLBACK_PATH = '/signin/oidc/callback';
export const SIGNED_OUT_PATH = '/signout/done';

/** Why a sign-in through the provider did not happen; `status` is the page's HTTP status. */
export class OidcSignInError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly text: string,
  ) {
    super(reason);
  }
}

interface Flow {
  verifier: string;
  state: string;
  nonce: string;
  next: string;
}

export function cookieOf(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9._-]{1,4096}$/.test(v) ? v : undefined;
    }
  }
  return undefined;
}

/** Fastify appends each set-cookie to those already set (the session cookie may be set by the same answer). */
function addCookie(reply: FastifyReply, cookie: string) {
  reply.header('set-cookie', cookie);
}

export interface OidcSignIn {
  /** The provider's authorization URL for a new sign-in (and the flow cookie set on `reply`). */
  start(reply: FastifyReply, next: string): Promise<string>;
  /** The caller the provider's answer at the callback stands for, and the ID token for signing out. */
  finish(req: FastifyRequest, reply: FastifyReply): Promise<{ caller: Caller; idToken?: string; next: string }>;
  /** Where to send the browser to end the provider's session too, when the provider offers that. */
  endSessionUrl(idTokenHint: string | undefined): Promise<string | undefined>;
  rememberIdToken(reply: FastifyReply, idToken: string | undefined, maxAgeSeconds: number): void;
  /** Forgets the flow and the ID token hint. */
  clearCookies(reply: FastifyReply): void;
}

export function createOidcSignIn(settings: Settings, log: FastifyRequest['log'] | { warn: (o: object, m: string) => void }): OidcSignIn | undefined {
  if (!settings.AUTH_OIDC_ISSUER || !settings.AUTH_OIDC_CLIENT_ID || !settings.AUTH_JWT_SECRET) return undefined;
  const issuer = settings.AUTH_OIDC_ISSUER;
  const clientId = settings.AUTH_OIDC_CLIENT_ID;
  const clientSecret = settings.AUTH_OIDC_CLIENT_SECRET;
  const mapping: ClaimsMapping = claimsMapping(settings.AUTH_OIDC_CLAIMS);
  const roleMap = settings.AUTH_OIDC_ROLES;
  const base = settings.PUBLIC_BASE_URL ?? `http://127.0.0.1:${settings.PORT}`;
  const redirectUri = `${base}${CALLBACK_PATH}`;
  const secure = settings.APP_MODE === 'production';
  const flowKey = new Uint8Array(hkdfSync('sha256', settings.AUTH_JWT_SECRET, 'skillcert', 'console oidc flow cookie', 32));

  // discovered once; a provider that was down is asked again at the next sign-in
  let configuration: Promise<OpenidClient.Configuration> | undefined;
  const discover = () => {
    configuration ??= (async () => {
      const oidc = await loadOpenidClient();
      const auth = clientSecret ? oidc.ClientSecretPost(clientSecret) : oidc.None();
      // plain http only outside production (config.ts refuses an http issuer there): a local provider in development and tests
      const execute = secure ? [] : [oidc.allowInsecureRequests];
      const config = await oidc.discovery(new URL(issuer), clientId, clientSecret, auth, { execute, timeout: 10 });
      const methods = config.serverMetadata().token_endpoint_auth_methods_supported;
      // the client authenticates as the provider says it can: client_secret_basic is the default of the standard
      if (clientSecret && methods && !methods.includes('client_secret_post') && methods.includes('client_secret_basic'))
        return oidc.discovery(new URL(issuer), clientId, clientSecret, oidc.ClientSecretBasic(clientSecret), { execute, timeout: 10 });
      return config;
    })();
    configuration.catch(() => (configuration = undefined));
    return configuration;
  };
  const reachProvider = async () => {
    try {
      return { oidc: await loadOpenidClient(), config: await discover() };
    } catch (err) {
      log.warn({ err: { message: (err as Error).message } }, 'identity provider discovery failed');
      throw new OidcSignInError(503, 'provider-unreachable', '暂时无法连接身份认证平台，请稍后再试。');
    }
  };

  const flowCookie = (value: string, maxAge: number) =>
    `${FLOW_COOKIE}=${value}; Path=${FLOW_PATH}; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
  const hintCookie = (value: string, maxAge: number) =>
    `${HINT_COOKIE}=${value}; Path=/signout; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;

  async function readFlow(req: FastifyRequest): Promise<Flow> {
    const sealed = cookieOf(req, FLOW_COOKIE);
    const expired = new OidcSignInError(400, 'no-flow', '登录请求已失效，或不是从本系统发起的。请返回登录页重新登录。');
    if (!sealed) throw expired;
    try {
      const { payload } = await jwtDecrypt(sealed, flowKey, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      const f = payload as unknown as Flow;
      if (![f.verifier, f.state, f.nonce, f.next].every((v) => typeof v === 'string')) throw expired;
      return f;
    } catch {
      throw expired;
    }
  }

  return {
    async start(reply, next) {
      const { oidc, config } = await reachProvider();
      const flow: Flow = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce(), next };
      const sealed = await new EncryptJWT({ ...flow })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setIssuedAt()
        .setExpirationTime(`${FLOW_SECONDS}s`)
        .encrypt(flowKey);
      addCookie(reply, flowCookie(sealed, FLOW_SECONDS));
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: settings.AUTH_OIDC_SCOPES,
        code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
      });
      return url.href;
    },

    async finish(req, reply) {
      const flow = await readFlow(req);
      // one use only: a replayed callback finds no flow
      addCookie(reply, flowCookie('', 0));
      const query = req.query as Record<string, unknown>;
      if (typeof query.error === 'string') {
        const denied = query.error === 'access_denied';
        throw new OidcSignInError(denied ? 403 : 400, `provider-error`, denied ? '已在身份认证平台取消登录。' : '身份认证平台未能完成登录，请重新登录。');
      }
      const { oidc, config } = await reachProvider();
      const current = new URL(`${base}${req.url}`);
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        tokens = await oidc.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: flow.verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
      } catch (err) {
        // the library's wording is English and technical: kept for operators, not shown
        log.warn({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'identity provider sign-in refused');
        throw new OidcSignInError(400, 'callback-refused', '登录请求与身份认证平台的应答不一致（可能已过期或被篡改），请重新登录。');
      }
      const idClaims = (tokens.claims() ?? {}) as Record<string, unknown>;
      let claims: Record<string, unknown> = idClaims;
      // many providers put only `sub` in the ID token and the rest at the userinfo endpoint
      const mappedAbsent = (['role', 'name', 'province', 'prefecture', 'institutionId'] as const).some((p) => !(mapping[p] in idClaims));
      if (mappedAbsent && tokens.access_token && config.serverMetadata().userinfo_endpoint) {
        try {
          const info = await oidc.fetchUserInfo(config, tokens.access_token, String(idClaims.sub));
          claims = { ...info, ...idClaims };
        } catch (err) {
          log.warn({ err: { message: (err as Error).message } }, 'identity provider userinfo failed');
        }
      }
      const mapped = callerFromClaims(claims, mapping, roleMap);
      if (mapped.refusal) {
        const r: OidcRefusal = mapped.refusal;
        log.warn({ reason: r.reason }, 'identity provider claims refused');
        throw new OidcSignInError(403, r.reason, r.text);
      }
      return { caller: mapped.caller, idToken: tokens.id_token, next: flow.next };
    },

    async endSessionUrl(idTokenHint) {
      let config: OpenidClient.Configuration;
      let oidc: typeof OpenidClient;
      try {
        ({ oidc, config } = await reachProvider());
      } catch {
        return undefined;
      }
      if (!config.serverMetadata().end_session_endpoint) return undefined;
      return oidc.buildEndSessionUrl(config, {
        post_logout_redirect_uri: `${base}${SIGNED_OUT_PATH}`,
        client_id: clientId,
        ...(idTokenHint ? { id_token_hint: idTokenHint } : {}),
      }).href;
    },

    rememberIdToken(reply, idToken, maxAgeSeconds) {
      if (idToken && /^[A-Za-z0-9._-]{1,4096}$/.test(idToken)) addCookie(reply, hintCookie(idToken, maxAgeSeconds));
    },

    clearCookies(reply) {
      addCookie(reply, flowCookie('', 0));
      addCookie(reply, hintCookie('', 0));
    },
  };
}
