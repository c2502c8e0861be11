/**
 * `npm run start:production`: the production stack on this machine (infra/production.ts) —
 * PostgreSQL 15 in $DATA_DIR/postgres, Temporal Server's four services as separate processes,
 * FerretDB on PostgreSQL, WORKER_PROCESSES workers and API_PROCESSES API processes, all compiled
 * (run as `node dist/scripts/start-production.js`, no tsx). Prints where everything listens; a
 * process that dies is started again; SIGINT/SIGTERM stops everything, PostgreSQL last.
 */
import { codecOrigins, loadSettings, SettingsError } from '../config';
import { loadPayloadKeys } from '../infra/payload-codec';
import { certificateSigningOf } from '../infra/services';
import { ProductionError, startProductionStack, TIME_SKIPPING_WARNING, type ProductionStack } from '../infra/production';

async function main() {
  // the production stack runs in production mode unless told otherwise
  if (!process.env.APP_MODE) process.env.APP_MODE = 'production';
  let settings;
  try {
    settings = loadSettings();
    if (settings.APP_MODE === 'demo') throw new SettingsError('Invalid settings:\n  APP_MODE: demo needs the time-skipping test server; use npm run demo');
    // production without PAYLOAD_KEYS stops before anything starts (the workers and APIs would refuse anyway);
    // elsewhere the local key is made here once, before the processes that share it start together
    loadPayloadKeys(settings);
    // likewise CERT_SIGNING_KEYS and PUBLIC_BASE_URL: every API process would refuse to start without them
    certificateSigningOf(settings);
  } catch (err) {
    if (err instanceof SettingsError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }

  let stack: ProductionStack | undefined;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    await stack?.stop().catch((err) => console.error(err));
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));
  // the children run in process groups of their own: nothing else would stop them
  process.on('uncaughtException', (err) => {
    console.error(err);
    void stopAll(1);
  });

  const startedAt = Date.now();
  try {
    stack = await startProductionStack({ settings, dataDir: settings.dataDir, log: (line) => console.log(line) });
  } catch (err) {
    console.error(err instanceof ProductionError || err instanceof SettingsError ? err.message : err);
    process.exit(1);
  }
  if (stopping) return;
  const s = settings;
  const base = stack.apiBase;
  console.log(`
职业技能等级认定 is up in ${s.APP_MODE.toUpperCase()} mode (production stack, started in ${((Date.now() - startedAt) / 1000).toFixed(1)} s)
  API          ${base}/api/v1   (${s.API_PROCESSES} processes, Node cluster)
  API docs     ${base}/docs
  health       ${base}/health${s.CODEC_PORT ? `\n  codec        http://${s.CODEC_HOST}:${s.CODEC_PORT}/codec   (admin token; browser origins ${codecOrigins(s).join(', ')})` : ''}
  workers      ${s.WORKER_PROCESSES} processes on task queue ${s.TEMPORAL_TASK_QUEUE}
  Temporal     ${stack.temporalAddress}${stack.temporalPorts ? ` (history :${stack.temporalPorts.history}, matching :${stack.temporalPorts.matching}, worker :${stack.temporalPorts.worker})` : ''}${stack.temporalUi ? `\n  Temporal UI  ${stack.temporalUi}` : ''}
  database     ${stack.mongoUri.replace(/\/\/[^@/]*@/, '//***@')}${stack.ferretdb ? ' (FerretDB on PostgreSQL)' : ''}${stack.postgres ? `\n  PostgreSQL   127.0.0.1:${s.POSTGRES_PORT} (${stack.postgres.dir})` : ''}
  data         ${s.dataDir}   logs ${stack.logDir}   pids ${s.dataDir}/run${s.TEMPORAL_WORKFLOW_TIME_SKIPPING && stack.temporalPorts ? `\n${TIME_SKIPPING_WARNING}` : ''}
Ctrl-C stops everything.`);
}

void main();
