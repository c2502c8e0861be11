/**
 * A server for the load figures (c) and (h), in a process of its own (bench/run.ts starts it with
 * `node --import tsx bench/serve.ts app|bare`), so the load generator (autocannon, in another
 * process) and the server never share an event loop:
 *
 *   app   the whole app (buildApp) on the bench's Temporal dev server and FerretDB
 *         (TEMPORAL_ADDRESS, MONGODB_URI), logging at LOG_LEVEL as server.ts does
 *   bare  a Fastify hello server with nothing registered: GET /livez → {"ok":true}
 *
 * Both listen on 127.0.0.1 on a free port and send `{ address }` to the parent over IPC; the app
 * answers the message `stats` with its certificate look-up cache's counts (`{ hits, misses, size }`).
 */
import Fastify from 'fastify';
import { loadSettings } from '../config';
import { buildApp } from '../app';
import { createServices, endpointsFrom } from '../infra/services';

async function main() {
  const kind = process.argv[2];
  let close: () => Promise<unknown>;
  let address: string;
  if (kind === 'bare') {
    const app = Fastify();
    app.get('/livez', async () => ({ ok: true }));
    address = await app.listen({ port: 0, host: '127.0.0.1' });
    close = () => app.close();
  } else if (kind === 'app') {
    const settings = loadSettings();
    const services = await createServices(settings, endpointsFrom(settings));
    const app = await buildApp(services, { logger: { level: settings.LOG_LEVEL } });
    address = await app.listen({ port: 0, host: '127.0.0.1' });
    const { lookups } = app.repositories.certificates;
    process.on('message', (m) => m === 'stats' && process.send!({ stats: { hits: lookups.hits, misses: lookups.misses, size: lookups.size } }));
    close = async () => {
      await app.close();
      await services.close();
    };
  } else {
    throw new Error(`usage: bench/serve.ts app|bare (got ${kind})`);
  }
  const stop = () => void close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  process.send!({ address });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
