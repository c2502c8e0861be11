/**
 * The API process: builds the Fastify app and listens on PORT; serves the codec endpoint for the
 * Temporal Web UI and CLI on CODEC_PORT (api/codec-server.ts) unless it is 0.
 */
import { loadSettings } from './config';
import { codecServer } from './api/codec-server';
import { buildApp } from './app';
import { createServices, endpointsFrom } from './infra/services';
import { whileUnreachable } from './infra/startup';

async function main() {
  const settings = loadSettings();
  // restarted while Temporal or the database is down, the API waits for them instead of exiting
  const services = await whileUnreachable('api: waiting for Temporal and the database', () => createServices(settings, endpointsFrom(settings)));
  const app = await buildApp(services, { logger: { level: settings.LOG_LEVEL } });
  await app.listen({ port: settings.PORT, host: settings.HOST });
  const codec = settings.CODEC_PORT ? await codecServer(settings, services.codec) : undefined;
  await codec?.listen({ port: settings.CODEC_PORT, host: settings.CODEC_HOST });
  const stop = async () => {
    await codec?.close();
    await app.close();
    await services.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err instanceof Error && err.name === 'SettingsError' ? err.message : err);
  process.exit(1);
});
