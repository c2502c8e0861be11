/**
 * The codec endpoint as the API process serves it (server.ts), on CODEC_HOST:CODEC_PORT: a Fastify
 * instance of its own (api/plugins/codec-endpoint.ts says why), the process's payload codec, CORS
 * for the Temporal Web UI's origins only (CODEC_CORS_ORIGINS, default the stack's own UI), the
 * namespace of these settings only, and administrators only: an API token with role `admin`, as
 * `Authorization: Bearer …` (the `temporal` CLI's `--codec-auth`) or the console's session cookie
 * of a signed-in admin (the Web UI sends cookies when its codec setting "include credentials" is on).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PayloadCodec } from '@temporalio/common';
import { codecOrigins, type Settings } from '../config';
import { claimsSchema, createTokenVerifier } from './tokens';
import { sessionTokenOf } from '../console/core';
import { buildCodecServer } from './plugins/codec-endpoint';

/** true when the request carries a valid token (header or console session) of an administrator */
export function adminAuthorizer(settings: Pick<Settings, 'AUTH_JWT_SECRET' | 'AUTH_JWKS_URL' | 'AUTH_MAX_TOKEN_HOURS'>) {
  const verify = createTokenVerifier({ secret: settings.AUTH_JWT_SECRET, jwksUrl: settings.AUTH_JWKS_URL, maxTokenHours: settings.AUTH_MAX_TOKEN_HOURS });
  return async (req: FastifyRequest): Promise<boolean> => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? sessionTokenOf(req);
    if (!token) return false;
    try {
      const claims = claimsSchema.safeParse(await verify(token));
      return claims.success && claims.data.role === 'admin';
    } catch {
      return false;
    }
  };
}

export function codecServer(settings: Settings, codec: PayloadCodec, opts: { logger?: boolean } = {}): Promise<FastifyInstance> {
  return buildCodecServer({
    codec,
    authorize: adminAuthorizer(settings),
    uiOrigin: codecOrigins(settings),
    namespaces: [settings.TEMPORAL_NAMESPACE],
    logger: opts.logger,
  });
}
