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
import { registerErrorHandling } from './errors';
import servicesPlugin from './plugins/services';
import authPlugin from './plugins/auth';
import healthRoutes from './routes/health';
import calendarRoutes from './routes/calendar';
import adminClockRoutes from './routes/admin-clock';
import idempotencyPlugin from './plugins/idempotency';
import filingsRoutes from './routes/filings';
import registriesRoutes from './routes/registries';
import directoryRoutes from './routes/directory';
import inboxRoutes from './routes/inbox';

export interface BuildOptions {
  logger?: boolean | object;
}

export async function buildApp(services: Services, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: 'x-request-id',
    ajv: undefined,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);

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

  await app.register(servicesPlugin, { services });
  await app.register(authPlugin, { secret: services.settings.AUTH_JWT_SECRET!, jwksUrl: services.settings.AUTH_JWKS_URL });

  await app.register(idempotencyPlugin);
  await app.register(healthRoutes);
  await app.register(
    async (api) => {
      await api.register(calendarRoutes);
      await api.register(filingsRoutes);
      await api.register(registriesRoutes);
      await api.register(directoryRoutes);
      await api.register(inboxRoutes);
      if (services.settings.APP_MODE === 'demo') await api.register(adminClockRoutes);
    },
    { prefix: '/api/v1' },
  );
  await app.ready();
  return app;
}
