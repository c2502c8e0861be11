/**
 * The HTTP API (API.md): its OpenAPI document, authentication, the read-model repositories and the
 * Temporal client side, idempotency, health, and the /api/v1 routes. Registered by the root app
 * (../app.ts) without encapsulation, so the console beside it finds `verifyCaller`, the
 * repositories and the services.
 */
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import authPlugin from './plugins/auth';
import { tokenAddressing } from './tokens';
import repositoriesPlugin from './plugins/repositories';
import idempotencyPlugin from './plugins/idempotency';
import metricsPlugin, { defaultApiMetrics } from './plugins/metrics';
import { registerBusinessGauges } from './business-metrics';
import healthRoutes from './routes/health';
import calendarRoutes from './routes/calendar';
import adminClockRoutes from './routes/admin-clock';
import filingsRoutes from './routes/filings';
import documentsRoutes from './routes/documents';
import registriesRoutes from './routes/registries';
import directoryRoutes from './routes/directory';
import inboxRoutes from './routes/inbox';
import batchesRoutes from './routes/batches';
import certificatesRoutes from './routes/certificates';
import publicityRoutes from './routes/publicity';
import reportsRoutes from './routes/reports';
import complaintsRoutes from './routes/complaints';
import annualPlansRoutes from './routes/annual-plans';
import feesRoutes from './routes/fees';
import inspectionsRoutes from './routes/inspections';
import recognitionsRoutes from './routes/recognitions';

export default fp(
  async (app) => {
    const { settings } = app.services;

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

    await app.register(authPlugin, {
      secret: settings.AUTH_JWT_SECRET,
      jwksUrl: settings.AUTH_JWKS_URL,
      maxTokenHours: settings.AUTH_MAX_TOKEN_HOURS,
      ...tokenAddressing(settings),
      // the monitoring system's static bearer secret, good for GET /metrics only
      serviceTokens: { 'metrics.read': settings.METRICS_TOKEN },
    });
    // GET /metrics (Prometheus text) for METRICS_TOKEN or an admin's token; its onResponse hook
    // times every route registered after it, the console's included
    const metrics = defaultApiMetrics();
    await app.register(metricsPlugin, { metrics, routeConfig: { action: 'metrics.read' } });
    registerBusinessGauges(metrics, app.services.models, app.services.clock);
    // what a signed-in caller is shown (ID numbers, rosters, contacts) is never kept by a cache on the way
    // (callback hooks here and in the other per-request hooks: no promise per request, bench (h))
    app.addHook('onSend', (req, reply, payload, done) => {
      if (req.caller && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      done(null, payload);
    });

    await app.register(repositoriesPlugin);
    await app.register(idempotencyPlugin);
    await app.register(healthRoutes);
    await app.register(
      async (api) => {
        await api.register(calendarRoutes);
        await api.register(filingsRoutes);
        await api.register(documentsRoutes);
        await api.register(registriesRoutes);
        await api.register(directoryRoutes);
        await api.register(inboxRoutes);
        await api.register(batchesRoutes);
        await api.register(certificatesRoutes);
        await api.register(publicityRoutes);
        await api.register(reportsRoutes);
        await api.register(complaintsRoutes);
        await api.register(annualPlansRoutes);
        await api.register(feesRoutes);
        await api.register(inspectionsRoutes);
        await api.register(recognitionsRoutes);
        if (settings.APP_MODE === 'demo') await api.register(adminClockRoutes);
      },
      { prefix: '/api/v1' },
    );
  },
  { name: 'api', dependencies: ['services', 'security'] },
);
