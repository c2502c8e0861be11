/**
 * The main command (`npm start`) and demo mode (`npm run demo`): starts the embedded Temporal
 * server and FerretDB unless TEMPORAL_ADDRESS / MONGODB_URI point elsewhere, then the worker and
 * the API, prints where everything listens, and stops every child cleanly on Ctrl-C.
 *
 *   npm start       Temporal dev server persisting to $DATA_DIR/temporal.db, FerretDB in $DATA_DIR/ferretdb
 *   npm run demo    the time-skipping test server (in memory) and a fresh FerretDB in $DATA_DIR/demo
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { codecOrigins, loadSettings, SettingsError, workerMetricsAddress } from '../config';
import { isListening, ROOT, startFerretDB, startTemporalDev, startTestServer, waitForPort, type EmbeddedProcess } from '../infra/embedded';

const demo = process.argv.includes('--demo');

async function main() {
  // the code's own default is production; the main command says which mode it runs (README "Settings")
  if (demo) process.env.APP_MODE = 'demo';
  else process.env.APP_MODE ||= 'development';
  let settings;
  try {
    settings = loadSettings();
  } catch (err) {
    if (err instanceof SettingsError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const dataDir = demo ? join(settings.dataDir, 'demo') : settings.dataDir;
  if (demo) rmSync(dataDir, { recursive: true, force: true }); // demo time starts anew, so must its documents
  mkdirSync(dataDir, { recursive: true });
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });

  const servers: EmbeddedProcess[] = [];
  const children: { name: string; child: ChildProcess }[] = [];
  let stopping = false;

  async function stopAll(code: number) {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    for (const { name, child } of children.reverse()) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise<void>((r) => {
          const t = setTimeout(() => {
            child.kill('SIGKILL');
            r();
          }, 15_000);
          child.once('exit', () => {
            clearTimeout(t);
            r();
          });
        });
      }
      console.log(`  stopped ${name}`);
    }
    for (const s of servers.reverse()) {
      await s.stop();
      console.log(`  stopped ${s.name}`);
    }
    process.exit(code);
  }
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  async function ensureFree(port: number, setting: string) {
    if (await isListening(port)) throw new SettingsError(`Invalid settings:\n  ${setting}: port ${port} is already in use`);
  }

  // the API process serves it (server.ts); the Web UI and the CLI decode histories through it
  const codecEndpoint = settings.CODEC_PORT ? `http://${settings.CODEC_HOST}:${settings.CODEC_PORT}/codec` : undefined;
  try {
    if (settings.CODEC_PORT) await ensureFree(settings.CODEC_PORT, 'CODEC_PORT');
    let temporalAddress = settings.TEMPORAL_ADDRESS;
    let temporalUi: string | undefined;
    if (!temporalAddress) {
      await ensureFree(settings.TEMPORAL_PORT, 'TEMPORAL_PORT');
      if (demo) {
        const ts = await startTestServer({ port: settings.TEMPORAL_PORT, logFile: join(logDir, 'temporal-test-server.log') });
        servers.push(ts);
        temporalAddress = ts.address;
      } else {
        await ensureFree(settings.TEMPORAL_UI_PORT, 'TEMPORAL_UI_PORT');
        const dev = await startTemporalDev({
          port: settings.TEMPORAL_PORT,
          uiPort: settings.TEMPORAL_UI_PORT,
          headless: false,
          codecEndpoint,
          dbFile: join(dataDir, 'temporal.db'),
          logFile: join(logDir, 'temporal.log'),
        });
        servers.push(dev);
        temporalAddress = dev.address;
        temporalUi = `http://127.0.0.1:${dev.uiPort}`;
      }
    }
    let mongoUri = settings.MONGODB_URI;
    if (!mongoUri) {
      await ensureFree(settings.FERRETDB_PORT, 'FERRETDB_PORT');
      const fdb = await startFerretDB({ port: settings.FERRETDB_PORT, dataDir: join(dataDir, 'ferretdb'), logFile: join(logDir, 'ferretdb.log') });
      servers.push(fdb);
      mongoUri = `mongodb://${fdb.address}/skillcert`;
    }
    await ensureFree(settings.PORT, 'PORT');

    const env = { ...process.env, APP_MODE: settings.APP_MODE, TEMPORAL_ADDRESS: temporalAddress, MONGODB_URI: mongoUri };
    for (const [name, file] of [
      ['worker', 'worker.ts'],
      ['api', 'server.ts'],
    ] as const) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, file)], { env, stdio: 'inherit', cwd: ROOT });
      children.push({ name, child });
      child.once('exit', (code, signal) => {
        if (!stopping) {
          console.error(`${name} exited (${signal ?? code}); stopping everything`);
          void stopAll(1);
        }
      });
    }
    const api = children[1].child;
    await waitForPort(settings.PORT, 120_000, api, 'api');

    const base = `http://${settings.HOST}:${settings.PORT}`;
    console.log(`
职业技能等级认定 is up${demo ? ' in DEMO mode (time-skipping server; advance time with POST /api/v1/admin/clock/advance)' : ''}
  API          ${base}/api/v1
  API docs     ${base}/docs
  health       ${base}/health
  metrics      ${base}/metrics   (METRICS_TOKEN or an admin token)${workerMetricsAddress(settings) ? `\n  worker metrics http://${workerMetricsAddress(settings)}/metrics` : ''}
  Temporal     ${temporalAddress}${temporalUi ? `\n  Temporal UI  ${temporalUi}` : ''}${codecEndpoint ? `\n  codec        ${codecEndpoint}   (admin token; browser origins ${codecOrigins(settings).join(', ')}; README "Reading histories")` : ''}
  database     ${mongoUri.replace(/\/\/[^@/]*@/, '//***@')}
  data         ${dataDir}
Ctrl-C stops everything.`);
  } catch (err) {
    console.error(err instanceof SettingsError ? err.message : err);
    await stopAll(1);
  }
}

void main();
