/**
 * The shared services the API and the worker are built from: settings, the Temporal client, the
 * database and the clock. Created once per process (or per test file) and handed down.
 */
import type { Connection as DbConnection } from 'mongoose';
import type { Settings } from '../config';
import { connectDatabase, type Models } from '../models';
import { connectTemporal, type TemporalHandle } from './temporal';
import { TestServerClock, wallClock, type Clock } from './clock';

export interface Services {
  settings: Settings;
  temporal: TemporalHandle;
  db: DbConnection;
  models: Models;
  clock: Clock;
  close(): Promise<void>;
}

export interface Endpoints {
  temporalAddress: string;
  mongoUri: string;
}

export async function createServices(settings: Settings, endpoints: Endpoints): Promise<Services> {
  const demo = settings.APP_MODE === 'demo';
  const temporal = await connectTemporal({
    address: endpoints.temporalAddress,
    namespace: settings.TEMPORAL_NAMESPACE,
    taskQueue: settings.TEMPORAL_TASK_QUEUE,
    testService: demo,
  });
  // a failed database connection closes the Temporal one again, so a retried start leaks nothing
  const { conn, models } = await connectDatabase(endpoints.mongoUri).catch(async (err) => {
    await temporal.connection.close().catch(() => undefined);
    throw err;
  });
  const clock = demo ? new TestServerClock(temporal.connection) : wallClock;
  return {
    settings,
    temporal,
    db: conn,
    models,
    clock,
    async close() {
      await Promise.allSettled([temporal.connection.close(), conn.close()]);
    },
  };
}

/** Where the servers are: the settings when given, else the embedded defaults. */
export function endpointsFrom(settings: Settings): Endpoints {
  return {
    temporalAddress: settings.TEMPORAL_ADDRESS ?? `127.0.0.1:${settings.TEMPORAL_PORT}`,
    mongoUri: settings.MONGODB_URI ?? `mongodb://127.0.0.1:${settings.FERRETDB_PORT}/skillcert`,
  };
}
