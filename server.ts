/** The API process: builds the Fastify app and listens on PORT. */
import { loadSettings } from './config';
import { buildApp } from './api/app';
import { createServices, endpointsFrom } from './infra/services';
import { loggerOptions } from './api/logging';

async function main() {
  const settings = loadSettings();
  const services = await createServices(settings, endpointsFrom(settings));
  const app = await buildApp(services, { logger: loggerOptions(settings.LOG_LEVEL) });
  await app.listen({ port: settings.PORT, host: settings.HOST });
  const stop = async () => {
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
