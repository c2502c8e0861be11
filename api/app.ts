/**
 * buildApp(): the whole HTTP API as a Fastify instance, without listening. server.ts listens;
 * tests use app.inject().
 */
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Services } from '../infra/services';
import { registerErrorHandling, replyWithProblem } from './errors';
import servicesPlugin from './plugins/services';
import securityPlugin from './plugins/security';
import { loggerOptions } from './logging';
import authPlugin from './plugins/auth';
import healthRoutes from './routes/health';
import calendarRoutes from './routes/calendar';
import adminClockRoutes from './routes/admin-clock';
import idempotencyPlugin from './plugins/idempotency';
import filingsRoutes from './routes/filings';
import registriesRoutes from './routes/registries';
import directoryRoutes from './routes/directory';
import inboxRoutes from './routes/inbox';
import batchesRoutes from './routes/batches';
import certificatesRoutes from './routes/certificates';
import publicityRoutes from './routes/publicity';
import consolePlugin from '../console';

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
  const app = Fastify({
    logger: log ? loggerOptions(log.level ?? 'info', log.stream) : false,
    bodyLimit: 1024 * 1024,
    // a request that trickles in (slowloris) is cut off: headers and body must arrive within this
    requestTimeout: services.settings.REQUEST_TIMEOUT_MS,
    connectionTimeout: services.settings.REQUEST_TIMEOUT_MS * 2,
    // Node checks those deadlines this often (30 s by default, which would let a slow request run on)
    http: { connectionsCheckingInterval: Math.min(5_000, Math.ceil(services.settings.REQUEST_TIMEOUT_MS / 2)), headersTimeout: services.settings.REQUEST_TIMEOUT_MS },
    genReqId: requestIdOf as never,
    requestIdHeader: false,
    // router errors (a malformed percent-encoding, an over-long parameter) are problem documents too
    frameworkErrors: (err, req, reply) => replyWithProblem(err, req, reply),
    ajv: undefined,
  }).withTypeProvider<ZodTypeProvider>();

  const routeTable: RouteRecord[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) {
      // read when asked: an encapsulated plugin's own onRoute hook (the console's) runs after this
      // one and may still set the route's action and schema
      routeTable.push({
        method,
        url: r.url,
        get action() { return r.config?.action; },
        get rateLimited() { return !!r.config?.rateLimit; },
        get hidden() { return !!(r.schema as { hide?: boolean } | undefined)?.hide; },
      });
    }
  });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  await app.register(servicesPlugin, { services });
  await app.register(securityPlugin, { corsOrigins: services.settings.CORS_ORIGINS });

  await app.register(swagger, {
    openapi: {
      info: {
        title: '职业技能等级认定 API',
        description: 'Filings (机构评估备案), assessment batches (认定批次) and certificates. See API.md.',
        version: '1.0.0',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(authPlugin, { secret: services.settings.AUTH_JWT_SECRET, jwksUrl: services.settings.AUTH_JWKS_URL, maxTokenHours: services.settings.AUTH_MAX_TOKEN_HOURS });
  // A body must arrive within REQUEST_TIMEOUT_MS of its headers: one trickled a byte at a time
  // (slowloris) would otherwise hold a connection open for as long as the client likes.
  app.addHook('preParsing', async (req, _reply, payload) => {
    const timer = setTimeout(() => req.raw.destroy(), services.settings.REQUEST_TIMEOUT_MS);
    timer.unref();
    const done = () => clearTimeout(timer);
    payload.once('end', done);
    payload.once('close', done);
    payload.once('error', done);
    return payload;
  });
    // what a signed-in caller is shown (ID numbers, rosters, contacts) is never kept by a cache on the way
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.caller && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  await app.register(idempotencyPlugin);
  await app.register(healthRoutes);
  await app.register(
    async (api) => {
      await api.register(calendarRoutes);
      await api.register(filingsRoutes);
      await api.register(registriesRoutes);
      await api.register(directoryRoutes);
      await api.register(inboxRoutes);
      await api.register(batchesRoutes);
      await api.register(certificatesRoutes);
      await api.register(publicityRoutes);
      if (services.settings.APP_MODE === 'demo') await api.register(adminClockRoutes);
    },
    { prefix: '/api/v1' },
  );
  // the web console at /, calling the routes above with the signed-in user's own token
  await app.register(consolePlugin);
  await app.ready();
  return app;
}
