/**
 * Temporal's remote codec protocol (temporalio/samples-go codec-server/protocol.md), so the Web UI
 * and `temporal … --codec-endpoint` show decrypted payloads to administrators:
 *
 *   POST {basePath}/decode   POST {basePath}/encode
 *   Content-Type: application/json, X-Namespace: <namespace>, optionally Authorization
 *   body and answer: { "payloads": [ { "metadata": { "<key>": "<base64>" }, "data": "<base64>" } ] }
 *   (protobuf JSON of temporal.api.common.v1.Payloads); invalid JSON or a codec error: 400.
 *
 * The Web UI calls it from the browser, cross-origin: `fetch(endpoint + '/decode')` with the two
 * headers above (plus Authorization and Authorization-Extras when "pass access token" is on, and
 * cookies when "include credentials" is on), so a preflight precedes each call. Only `uiOrigin`
 * gets CORS headers; a request from any other origin is refused before authentication. The CLI
 * sends no Origin and is not affected.
 *
 * Registered encapsulated (not through fastify-plugin): its CORS and admin hooks apply to its own
 * routes only. Inside api/app.ts the app-wide hooks run first: security.ts's CORS policy answers
 * (or 404s) every preflight before this plugin sees it, and auth.ts asks each route for an action.
 * So it is best served by its own Fastify instance (buildCodecServer), e.g. on an admin port.
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { problem } from '../problems';
import type { ErrorCode } from '../../domain/errors';
import { PayloadDecryptionError } from '../../infra/payload-codec';

export interface CodecEndpointOptions {
  codec: PayloadCodec;
  /** true when the caller may see decrypted payloads (an administrator); called for every encode/decode */
  authorize(request: FastifyRequest): Promise<boolean>;
  /** the Temporal Web UI's origin(s), `scheme://host[:port]`; absent or empty: no browser may call */
  uiOrigin?: string | readonly string[];
  /** when given, X-Namespace must name one of these */
  namespaces?: readonly string[];
  /** default `/codec`: the endpoint to configure is `<server>/codec` (the UI and CLI append /decode, /encode) */
  basePath?: string;
  /** histories carry up to 2 MB payloads; default 16 MiB */
  bodyLimit?: number;
  /** merged into each route's config, e.g. `{ action: '…' }` for the app's auth plugin */
  routeConfig?: Record<string, unknown>;
}

/** What the UI and CLI may send (request headers are case-insensitive; browsers send them lowercased). */
const ALLOWED_HEADERS = ['content-type', 'x-namespace', 'authorization', 'authorization-extras'];
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

function refuse(reply: FastifyReply, status: number, code: ErrorCode, detail: string) {
  return reply
    .code(status)
    .type('application/problem+json')
    .send(problem(code, detail, {}, status));
}

function fromJson(value: unknown, i: number): Payload {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new BadBody(`payloads[${i}] is not an object`);
  const { metadata, data } = value as JsonPayload;
  const bytes = (s: unknown, where: string) => {
    if (typeof s !== 'string' || !BASE64.test(s)) throw new BadBody(`${where} is not base64`);
    return new Uint8Array(Buffer.from(s, 'base64'));
  };
  if (metadata != null && (typeof metadata !== 'object' || Array.isArray(metadata))) throw new BadBody(`payloads[${i}].metadata is not an object`);
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, bytes(v, `payloads[${i}].metadata.${k}`)])),
    data: data == null ? undefined : bytes(data, `payloads[${i}].data`),
  };
}

function toJson(p: Payload): JsonPayload {
  const out: JsonPayload = {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
  // protobuf JSON leaves empty bytes out
  if (p.data?.length) out.data = Buffer.from(p.data).toString('base64');
  return out;
}

class BadBody extends Error {}

const codecEndpoint: FastifyPluginAsync<CodecEndpointOptions> = async (app, opts) => {
  const base = (opts.basePath ?? '/codec').replace(/\/+$/, '');
  const uiOrigins = (typeof opts.uiOrigin === 'string' ? [opts.uiOrigin] : (opts.uiOrigin ?? [])).map((o) => o.toLowerCase().replace(/\/+$/, ''));
  const config = opts.routeConfig ?? {};

  app.addHook('onRequest', async (req, reply) => {
    // answers differ by Origin, so shared caches must keep them apart
    reply.header('vary', 'Origin');
    const origin = req.headers.origin;
    if (origin === undefined) {
      if (req.method === 'OPTIONS') return refuse(reply, 403, 'CORS_REFUSED', 'A CORS preflight needs an Origin');
      return;
    }
    if (!uiOrigins.includes(origin.toLowerCase())) return refuse(reply, 403, 'CORS_REFUSED', 'This origin may not use the codec endpoint');
    reply.header('access-control-allow-origin', origin);
    // the UI's "include credentials" sends cookies; allowed for this one exact origin only
    reply.header('access-control-allow-credentials', 'true');
  });

  app.addHook('onRequest', async (req, reply) => {
    if (req.method === 'OPTIONS') return; // browsers never send credentials on a preflight
    if (!(await opts.authorize(req))) {
      if (!req.headers.authorization && !req.headers.cookie) {
        reply.header('www-authenticate', 'Bearer');
        return refuse(reply, 401, 'UNAUTHORIZED', 'An administrator token is required');
      }
      return refuse(reply, 403, 'FORBIDDEN', 'Only administrators may encode or decode payloads');
    }
    if (opts.namespaces) {
      const ns = req.headers['x-namespace'];
      if (typeof ns !== 'string' || !opts.namespaces.includes(ns)) return refuse(reply, 403, 'FORBIDDEN', 'Not a namespace of this codec');
    }
  });

  const preflight = async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.headers['access-control-request-method'] !== 'POST') return refuse(reply, 403, 'CORS_REFUSED', 'Only POST is allowed');
    const asked = String(req.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    const unknown = asked.filter((h) => !ALLOWED_HEADERS.includes(h));
    if (unknown.length) return refuse(reply, 403, 'CORS_REFUSED', `Header not allowed: ${unknown.join(', ')}`);
    return reply
      .code(204)
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', ALLOWED_HEADERS.join(', '))
      .header('access-control-max-age', '600')
      .send();
  };

  for (const op of ['encode', 'decode'] as const) {
    app.route({ method: 'OPTIONS', url: `${base}/${op}`, config: { ...config }, schema: { hide: true }, handler: preflight });
    app.route({
      method: 'POST',
      url: `${base}/${op}`,
      config: { ...config },
      schema: { hide: true },
      bodyLimit: opts.bodyLimit ?? 16 * 1024 * 1024,
      handler: async (req, reply) => {
        // decrypted personal data: no cache may keep it
        reply.header('cache-control', 'no-store');
        let payloads: Payload[];
        try {
          const body = req.body as { payloads?: unknown } | undefined;
          if (!body || typeof body !== 'object' || !Array.isArray(body.payloads)) throw new BadBody('expected { "payloads": [ … ] }');
          payloads = body.payloads.map(fromJson);
        } catch (err) {
          if (err instanceof BadBody) return refuse(reply, 400, 'VALIDATION_FAILED', err.message);
          throw err;
        }
        try {
          const out = op === 'decode' ? await opts.codec.decode(payloads) : await opts.codec.encode(payloads);
          return reply.type('application/json').send({ payloads: out.map(toJson) });
        } catch (err) {
          // the message names a key id at most, never payload content
          if (err instanceof PayloadDecryptionError) return refuse(reply, 400, 'CODEC_FAILED', err.message);
          req.log.error({ err }, `codec ${op} failed`);
          return refuse(reply, 500, 'INTERNAL', `The payloads could not be ${op}d`);
        }
      },
    });
  }
};

export default codecEndpoint;

/** The codec endpoint alone on a Fastify instance of its own (not listening yet). */
export async function buildCodecServer(opts: CodecEndpointOptions & { logger?: boolean }): Promise<FastifyInstance> {
  const { logger, ...pluginOpts } = opts;
  const app = Fastify({ logger: logger ?? false, bodyLimit: opts.bodyLimit ?? 16 * 1024 * 1024 });
  await app.register(codecEndpoint, pluginOpts);
  await app.ready();
  return app;
}
