/**
 * Settings, read once from the environment and validated with zod (API.md "Demo mode and
 * settings"). A bad value stops the start with a message naming the setting.
 */
import { z } from 'zod';
import { resolve } from 'node:path';
import { isIP } from 'node:net';
import { parsePayloadKeys } from './infra/payload-keys';
import { parsePublicBaseUrl, parsePublicKeys, parseSigningKeys } from './certificates/signature';
import { oidcClaimsMappingSchema, oidcRoleMapSchema } from './console/oidc-claims';

/** A comma-separated list of browser origins, `scheme://host[:port]` each. */
const originList = (example: string) =>
  z
    .string()
    .default('')
    .transform((s, ctx) => {
      const origins = s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean);
      const bad = origins.filter((o) => !/^https?:\/\/[A-Za-z0-9.\-\[\]:]+$/.test(o));
      if (bad.length)
        ctx.addIssue({
          code: 'custom',
          message: `not an origin: ${bad.join(', ')} (expected scheme://host[:port], e.g. ${example}; no path, no *)`,
        });
      return origins;
    });

const hostPort = z.string().regex(/^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:7233');

/**
 * A key-list setting, checked by `parse` at start and kept as the text (like AUTH_JWT_SECRET), so
 * that the production stack hands it on to its processes unchanged. `parse` names the setting in
 * its errors already; the issue names it too, so that prefix is dropped.
 */
function keyList(parse: (s: string) => unknown) {
  return z
    .string()
    .default('')
    .superRefine((s, ctx) => {
      if (!s.trim()) return;
      try {
        parse(s);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: withoutSettingName((err as Error).message) });
      }
    });
}

/** A setting holding JSON, parsed and checked against `schema` at start. */
function jsonSetting<T extends z.ZodType>(schema: T) {
  return z.string().transform((s, ctx): z.infer<T> => {
    let value: unknown;
    try {
      value = JSON.parse(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON' });
      return z.NEVER;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      for (const i of parsed.error.issues) ctx.addIssue({ code: 'custom', message: `${i.path.join('.') || 'value'}: ${i.message}` });
      return z.NEVER;
    }
    return parsed.data;
  });
}

const withoutSettingName = (message: string) => message.replace(/^[A-Z_]+: /, '');

export const MODES = ['production', 'development', 'demo', 'test'] as const;
export type Mode = (typeof MODES)[number];

export const settingsSchema = z.object({
  /**
   * production | development | demo | test. Demo runs on the time-skipping test server. The default
   * is production, the safe one: development and demo accept locally signed tokens and offer a
   * sign-in picker, so they are chosen explicitly (`npm start`, `npm run demo`) and listen on
   * loopback only.
   */
  APP_MODE: z.enum(MODES).default('production'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** HS256 secret for API tokens. Required, and at least 32 characters, in production. */
  AUTH_JWT_SECRET: z.string().min(1).optional(),
  /** Optional JWKS URL of a provincial identity provider (RS256 tokens). */
  AUTH_JWKS_URL: z.url().optional(),
  /** When set, an existing Temporal frontend; otherwise the embedded dev server is started. */
  TEMPORAL_ADDRESS: hostPort.optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('skill-cert'),
  /** When set, an existing MongoDB (or FerretDB); otherwise embedded FerretDB is started. */
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/\S+$/, 'expected a mongodb:// or mongodb+srv:// connection string')
    .optional(),
  /** Embedded data (Temporal SQLite file, FerretDB SQLite files). */
  DATA_DIR: z.string().min(1).default('./.data'),
  /** Ports of the embedded servers the main command starts. */
  TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  FERRETDB_PORT: z.coerce.number().int().min(1).max(65535).default(27017),
  /** Production stack (npm run start:production): its own PostgreSQL cluster listens here, on loopback. */
  POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(5432),
  /**
   * Production stack: the first of 12 consecutive loopback ports the Temporal services use among
   * themselves (gRPC of history, matching and worker; membership; frontend HTTP; metrics).
   * TEMPORAL_PORT stays the frontend's gRPC port, the only one clients use. At most 32756: Temporal
   * keeps membership ports in a PostgreSQL smallint, and a service on a port above 32767 cannot join.
   */
  TEMPORAL_INTERNAL_PORTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(32767 - 11, 'the 12 ports must stay at or below 32767 (Temporal stores membership ports in a PostgreSQL smallint)')
    .default(7234),
  /**
   * Production stack, tests only: lets any client of its Temporal frontend fast-forward one
   * workflow's own time (Server 1.32's experimental `frontend.WorkflowTimeSkippingEnabled`), so that
   * test:production can take a filing past its 公示 and a batch past its exam day on a real-clock
   * server. Off by default; the stack warns loudly when it is on. `1`/`true` or `0`/`false`.
   */
  TEMPORAL_WORKFLOW_TIME_SKIPPING: z
    .enum(['0', '1', 'false', 'true'], { error: 'expected 1 (on: tests only) or 0 (off)' })
    .default('0')
    .transform((s) => s === '1' || s === 'true'),
  /** Production stack: worker processes and API processes (Node cluster on PORT). */
  WORKER_PROCESSES: z.coerce.number().int().min(1).max(32).default(2),
  API_PROCESSES: z.coerce.number().int().min(1).max(32).default(2),
  /**
   * Workflows a worker keeps in memory between tasks. Filings wait weeks on timers, so the cache
   * only saves a replay when a case is busy; each cached workflow costs ~150–300 KB (bench (d)).
   */
  WORKER_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(250),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Browser origins allowed to call the API cross-origin (CORS), comma-separated, each
   * `scheme://host[:port]`. Default none: same-origin only.
   */
  CORS_ORIGINS: originList('https://portal.example.gov.cn'),
  /**
   * The codec endpoint (/codec/decode, /codec/encode) for the Temporal Web UI and CLI, served by the
   * API process on a Fastify instance of its own: its port (0: not served) and address.
   */
  CODEC_PORT: z.coerce.number().int().min(0).max(65535).default(8234),
  CODEC_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * Browser origins of the Temporal Web UI allowed to call the codec endpoint, comma-separated.
   * Default: the stack's own Web UI, http://127.0.0.1:$TEMPORAL_UI_PORT and http://localhost:$TEMPORAL_UI_PORT.
   */
  CODEC_CORS_ORIGINS: originList('https://temporal-ui.example.gov.cn'),
  /** Requests per minute per client address on each public rate-limited route (objections, certificate look-ups). */
  PUBLIC_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(30),
  /**
   * How long this API process keeps the public answer of a certificate look-up by number
   * (GET /certificates/:number), in seconds; 0: not kept. A revocation, correction or reissue made
   * through this process is seen at once, one made anywhere else within about a second (the
   * certificate changes every API process reads, api/certificate-changes.ts); this bounds how long
   * a change that was somehow missed could show (README, Performance (c)).
   */
  CERTIFICATE_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(300),
  /**
   * Open objections one publicity accepts from one contact, and from one client address; past it
   * the answer is 429 until some are resolved (issue #17: public input stays bounded).
   */
  OBJECTIONS_PER_OBJECTOR: z.coerce.number().int().min(1).max(100_000).default(3),
  /** A request (headers and body) must arrive within this many milliseconds, or the connection is closed (a trickled body holds nothing for long). */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** Largest material document accepted (POST /filings/:id/documents), in bytes; larger is 413 DOCUMENT_TOO_LARGE. */
  DOCUMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(200 * 1024 * 1024)
    .default(20 * 1024 * 1024),
  /** Longest lifetime (exp − iat) of a token the API accepts, in hours; tokens must carry exp. */
  AUTH_MAX_TOKEN_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  /**
   * AES-256-GCM keys for Temporal payloads, `kid:base64key` comma-separated, oldest first: the last
   * encrypts, all decrypt (infra/payload-keys.ts). Required in production (checked where the codec
   * is built, infra/payload-codec.ts); elsewhere a local key in $DATA_DIR/payload-key is used.
   */
  PAYLOAD_KEYS: z
    .string()
    .default('')
    .transform((s, ctx) => {
      const { keys, problems } = parsePayloadKeys(s);
      for (const p of problems) ctx.addIssue({ code: 'custom', message: p });
      return keys;
    }),
  /**
   * Deadline of every call the API makes into Temporal (start, Update, query, signal), in
   * milliseconds. Past it — Temporal down or overloaded, or no worker polling — the answer is 503
   * TEMPORAL_UNAVAILABLE with Retry-After, never a hang.
   */
  TEMPORAL_CALL_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /**
   * How long a stopping worker lets running activities finish before they are cancelled
   * (the worker's `shutdownGraceTime`): a number of milliseconds or e.g. `30s`, `2m`.
   */
  WORKER_SHUTDOWN_GRACE_TIME: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(ms|s|m|h)?$/, 'expected a duration such as 30s, 2m or 5000 (milliseconds)')
    .default('30s'),
  /** When set, a token must carry this `iss` (else 401); tokens minted here carry it. */
  AUTH_JWT_ISSUER: z.string().min(1).max(512).optional(),
  /** When set, a token's `aud` must contain this (else 401); tokens minted here carry it. */
  AUTH_JWT_AUDIENCE: z.string().min(1).max(512).optional(),
  /**
   * Which proxies in front of the API to trust for the client's address (X-Forwarded-For), so that
   * rate limits and objection budgets count clients, not the proxy: `false` (default: the peer
   * address is the client), `true` (trust every hop: only behind a proxy that overwrites the
   * header), or a comma-separated list of proxy addresses and CIDRs
   * (e.g. `10.0.0.0/8,127.0.0.1`; also `loopback`, `linklocal`, `uniquelocal`).
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((s, ctx): boolean | string[] => parseTrustProxy(s, (message) => ctx.addIssue({ code: 'custom', message }))),
  /**
   * Bearer secret of the monitoring system for GET /metrics (a static token, not a JWT: a scraper
   * cannot renew one). Without it only an admin's token reads /metrics. At least 32 random
   * characters in production.
   */
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters (32 random ones in production)').max(512).optional(),
  /**
   * Where a worker serves its Temporal SDK runtime metrics (Prometheus text at /metrics),
   * `host:port`, or `off`. Default: 127.0.0.1:9464 in development, off otherwise. The production
   * stack gives its n-th worker port + n - 1. The endpoint has no authentication: keep it on
   * loopback or a monitoring network.
   */
  WORKER_METRICS_ADDRESS: z.union([z.literal('off'), hostPort]).optional(),
  /**
   * Ed25519 keys that sign certificates' verification links (certificates/signature.ts),
   * `kid:base64-PKCS#8` (or PEM) entries separated by commas or newlines, oldest first: the last
   * signs, all are published. Required in production; development and demo generate a local key in
   * $DATA_DIR/certificate-signing-key. A bad entry stops the start naming it, never quoting it.
   */
  CERT_SIGNING_KEYS: keyList((s) => parseSigningKeys(s)),
  /** Public keys of retired signing keys, `kid:<base64url raw public key>`: still published, so old certificates verify. */
  CERT_RETIRED_PUBLIC_KEYS: keyList((s) => parsePublicKeys(s)),
  /** Where the public verification page is reached: `<PUBLIC_BASE_URL>/verify/<number>?sig=…` in each QR code. Required (https) in production. */
  PUBLIC_BASE_URL: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined) return undefined;
      try {
        return parsePublicBaseUrl(s);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: withoutSettingName((err as Error).message) });
        return undefined;
      }
    }),
  /**
   * Sign-in with the province's identity provider (OpenID Connect, authorization code with PKCE;
   * console/oidc.ts). The issuer's URL (its discovery document is at
   * `<issuer>/.well-known/openid-configuration`); unset, the console offers no such sign-in.
   */
  AUTH_OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  AUTH_OIDC_CLIENT_ID: z.string().min(1).max(512).optional(),
  /** The client's secret at the provider; unset, the console signs in as a public client (PKCE only). */
  AUTH_OIDC_CLIENT_SECRET: z.string().min(1).max(1024).optional(),
  /** Scopes asked for, space-separated; must include `openid`. */
  AUTH_OIDC_SCOPES: z
    .string()
    .default('openid profile')
    .refine((s) => s.split(/\s+/).includes('openid'), 'must include openid')
    .refine((s) => /^[\x21\x23-\x5B\x5D-\x7E ]+$/.test(s), 'scopes are printable ASCII without quotes or backslashes'),
  /**
   * Which claim of the ID token (or userinfo) gives each part of the session, as JSON, e.g.
   * `{"role":"skill_role","institutionId":"org_code"}`; parts not named keep their default
   * (console/oidc-claims.ts DEFAULT_CLAIMS_MAPPING). A dotted name reaches into an object claim.
   */
  AUTH_OIDC_CLAIMS: jsonSetting(oidcClaimsMappingSchema).optional(),
  /**
   * The provider's role values and the role each stands for, as JSON, e.g.
   * `{"hrss_province_reviewer":"province-reviewer"}`. Unset, the role claim must be one of this
   * system's role names; set, only the values listed sign in.
   */
  AUTH_OIDC_ROLES: jsonSetting(oidcRoleMapSchema).optional(),
  /** Outgoing mail server, `smtp://[user:pass@]host[:port]` (STARTTLS when offered) or `smtps://…` (TLS from the start). */
  SMTP_URL: z
    .string()
    .refine((s) => {
      try {
        const u = new URL(s);
        return (u.protocol === 'smtp:' || u.protocol === 'smtps:') && !!u.hostname && (u.pathname === '' || u.pathname === '/');
      } catch {
        return false;
      }
    }, 'expected smtp://[user:pass@]host[:port] or smtps://…')
    .optional(),
  /** Sender of outgoing mail, `addr@domain` or `名称 <addr@domain>`. */
  SMTP_FROM: z
    .string()
    .regex(/^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/, 'expected addr@domain or Name <addr@domain>')
    .optional(),
});

export type Settings = z.infer<typeof settingsSchema> & { dataDir: string };

export class SettingsError extends Error {
  override name = 'SettingsError';
}

const DEV_SECRET = 'dev-only-secret-not-for-production-use-0123456789';

/** Parses the environment. Throws SettingsError naming every bad setting. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const raw = Object.fromEntries(Object.keys(settingsSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new SettingsError(`Invalid settings:\n${lines.join('\n')}`);
  }
  const s = parsed.data;
  if ((s.APP_MODE === 'development' || s.APP_MODE === 'demo') && !isLoopback(s.HOST)) {
    throw new SettingsError(
      `Invalid settings:\n  HOST: ${s.APP_MODE} mode listens on a loopback address only (127.0.0.1, ::1, localhost), not ${s.HOST}; use APP_MODE=production to serve a network`,
    );
  }
  if ((s.APP_MODE === 'development' || s.APP_MODE === 'demo') && s.CODEC_PORT && !isLoopback(s.CODEC_HOST)) {
    throw new SettingsError(`Invalid settings:\n  CODEC_HOST: ${s.APP_MODE} mode listens on a loopback address only, not ${s.CODEC_HOST}`);
  }
  const metricsHost =
    s.WORKER_METRICS_ADDRESS && s.WORKER_METRICS_ADDRESS !== 'off' ? s.WORKER_METRICS_ADDRESS.slice(0, s.WORKER_METRICS_ADDRESS.lastIndexOf(':')) : undefined;
  if ((s.APP_MODE === 'development' || s.APP_MODE === 'demo') && metricsHost && !isLoopback(metricsHost)) {
    throw new SettingsError(`Invalid settings:\n  WORKER_METRICS_ADDRESS: ${s.APP_MODE} mode listens on a loopback address only, not ${metricsHost}`);
  }
  if (s.APP_MODE === 'production') {
    if (!s.AUTH_JWT_SECRET && !s.AUTH_JWKS_URL) throw new SettingsError('Invalid settings:\n  AUTH_JWT_SECRET: required in production');
    if (s.AUTH_JWT_SECRET && isWeakSecret(s.AUTH_JWT_SECRET))
      throw new SettingsError('Invalid settings:\n  AUTH_JWT_SECRET: too weak (use at least 32 random characters)');
    if (s.METRICS_TOKEN && isWeakSecret(s.METRICS_TOKEN))
      throw new SettingsError('Invalid settings:\n  METRICS_TOKEN: too weak (use at least 32 random characters)');
  }
  if (s.AUTH_OIDC_ISSUER) {
    if (!s.AUTH_OIDC_CLIENT_ID) throw new SettingsError('Invalid settings:\n  AUTH_OIDC_CLIENT_ID: required with AUTH_OIDC_ISSUER');
    // the console's session is a token minted here from the mapped claims (console/oidc.ts)
    if (!s.AUTH_JWT_SECRET && s.APP_MODE === 'production')
      throw new SettingsError('Invalid settings:\n  AUTH_JWT_SECRET: required with AUTH_OIDC_ISSUER (the console signs its sessions with it)');
    if (s.APP_MODE === 'production' && !s.AUTH_OIDC_ISSUER.startsWith('https:'))
      throw new SettingsError('Invalid settings:\n  AUTH_OIDC_ISSUER: must be https in production');
  }
  // production with only a JWKS URL accepts no HS256 token at all (never the public development secret)
  const secret = s.AUTH_JWT_SECRET ?? (s.APP_MODE === 'production' ? undefined : DEV_SECRET);
  return { ...s, AUTH_JWT_SECRET: secret, dataDir: resolve(s.DATA_DIR) };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

export function isWeakSecret(secret: string): boolean {
  if (secret.length < 32) return true;
  if (secret === DEV_SECRET) return true;
  return new Set(secret).size < 10;
}

/** The address a worker serves its SDK runtime metrics on, or undefined (off): WORKER_METRICS_ADDRESS, else 127.0.0.1:9464 in development. */
export function workerMetricsAddress(s: Pick<Settings, 'WORKER_METRICS_ADDRESS' | 'APP_MODE'>): string | undefined {
  if (s.WORKER_METRICS_ADDRESS === 'off') return undefined;
  return s.WORKER_METRICS_ADDRESS ?? (s.APP_MODE === 'development' ? '127.0.0.1:9464' : undefined);
}

/** The n-th (0-based) of several workers on one machine serves its metrics on the next port up. */
export function nthWorkerMetricsAddress(address: string, n: number): string {
  const i = address.lastIndexOf(':');
  const port = Number(address.slice(i + 1)) + n;
  if (port > 65535) throw new SettingsError(`Invalid settings:\n  WORKER_METRICS_ADDRESS: worker ${n + 1} would need port ${port}`);
  return `${address.slice(0, i)}:${port}`;
}

/** The origins that may call the codec endpoint from a browser: CODEC_CORS_ORIGINS, or the stack's own Web UI. */
export function codecOrigins(s: Pick<Settings, 'CODEC_CORS_ORIGINS' | 'TEMPORAL_UI_PORT'>): string[] {
  if (s.CODEC_CORS_ORIGINS.length) return s.CODEC_CORS_ORIGINS;
  return [`http://127.0.0.1:${s.TEMPORAL_UI_PORT}`, `http://localhost:${s.TEMPORAL_UI_PORT}`];
}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** TRUST_PROXY as Fastify's `trustProxy` takes it: a boolean, or the proxies' addresses and CIDRs. */
export function parseTrustProxy(raw: string, problem: (message: string) => void): boolean | string[] {
  const s = raw.trim();
  if (/^(false|0|no|off)$/i.test(s)) return false;
  if (/^(true|yes|on)$/i.test(s)) return true;
  // Fastify 5 trusts no one for a bare hop count (it cannot tell a proxy from a client that
  // reached the API directly and wrote the header itself), so a count would silently do nothing
  if (/^\d+$/.test(s)) {
    problem(`a hop count (${s}) is not accepted: list the proxies' addresses or CIDRs instead (e.g. 10.0.0.0/8), or true`);
    return false;
  }
  const entries = s
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => {
    if (PROXY_KEYWORDS.has(e)) return false;
    const [addr, bits, ...rest] = e.split('/');
    const v = isIP(addr);
    if (!v || rest.length) return true;
    if (bits === undefined) return false;
    return !/^\d{1,3}$/.test(bits) || Number(bits) > (v === 4 ? 32 : 128);
  });
  if (!entries.length || bad.length)
    problem(`not a proxy address or CIDR: ${bad.join(', ') || raw} (expected false, true, or a comma-separated list such as 10.0.0.0/8,127.0.0.1)`);
  return entries;
}
