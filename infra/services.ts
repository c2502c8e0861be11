/**
 * The shared services the API and the worker are built from: settings, the Temporal client, the
 * database and the clock. Created once per process (or per test file) and handed down.
 */
import type { Connection as DbConnection } from 'mongoose';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { SettingsError, type Settings } from '../config';
import { CertificateSigningError, certificateSigningFor, type CertificateSigning } from '../certificates/signature';
import { connectDatabase, type Models } from '../models';
import { connectTemporal, type TemporalHandle } from './temporal';
import { TestServerClock, wallClock, type Clock } from './clock';
import { createPayloadCodec, encryptedDataConverter } from './payload-codec';

export interface Services {
  settings: Settings;
  temporal: TemporalHandle;
  db: DbConnection;
  models: Models;
  clock: Clock;
  /** encrypts every Temporal payload (infra/payload-codec.ts); the codec endpoint serves it too */
  codec: PayloadCodec;
  /** the codec and failure converter: the client below has it, and every worker must get it */
  dataConverter: DataConverter;
  /** the key that signs certificates' verification links, the published keys and PUBLIC_BASE_URL */
  signing: CertificateSigning;
  close(): Promise<void>;
}

export interface Endpoints {
  temporalAddress: string;
  mongoUri: string;
}

/**
 * The payload codec of these settings: PAYLOAD_KEYS (required in production), else a local key in
 * $DATA_DIR (generated once; says so on stdout unless LOG_LEVEL is silent).
 */
export function payloadCodecFor(settings: Settings): PayloadCodec {
  return createPayloadCodec(settings, { log: settings.LOG_LEVEL === 'silent' ? () => undefined : undefined });
}

/**
 * The certificate signing of these settings: CERT_SIGNING_KEYS and PUBLIC_BASE_URL (required in
 * production), else a local key in $DATA_DIR (generated once; says so unless LOG_LEVEL is silent).
 * A problem is a SettingsError naming the setting.
 */
export function certificateSigningOf(settings: Settings): CertificateSigning {
  try {
    return certificateSigningFor(settings, { log: settings.LOG_LEVEL === 'silent' ? () => undefined : undefined });
  } catch (err) {
    if (err instanceof CertificateSigningError) throw new SettingsError(`Invalid settings:\n  ${err.message}`);
    throw err;
  }
}

export async function createServices(settings: Settings, endpoints: Endpoints, opts: { codec?: PayloadCodec } = {}): Promise<Services> {
  const demo = settings.APP_MODE === 'demo';
  // before any connection: production without PAYLOAD_KEYS or CERT_SIGNING_KEYS stops here, naming the setting
  const codec = opts.codec ?? payloadCodecFor(settings);
  const signing = certificateSigningOf(settings);
  const dataConverter = encryptedDataConverter(codec);
  const temporal = await connectTemporal({
    dataConverter,
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
    codec,
    dataConverter,
    signing,
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
