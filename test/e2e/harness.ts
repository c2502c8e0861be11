/**
 * End-to-end harness: the real demo command (scripts/start.ts --demo: Temporal's time-skipping
 * server, FerretDB, a worker and the API with the console) on free ports with its own DATA_DIR,
 * and Debian's Chromium driven by playwright-core (scripts/provision-browser.sh installs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { freePort, ROOT } from '../../infra/embedded';

export interface Demo {
  base: string;
  stop(): Promise<void>;
  output(): string;
}

export async function startDemo(): Promise<Demo> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skillcert-e2e-'));
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(await freePort()),
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    FERRETDB_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    TEMPORAL_ADDRESS: '',
    MONGODB_URI: '',
  };
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/start.ts'), '--demo'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`demo start timed out:\n${out}`)), 150_000);
    const check = setInterval(() => {
      if (out.includes('Ctrl-C stops everything')) {
        clearInterval(check);
        clearTimeout(timer);
        child.removeAllListeners('exit');
        ok();
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      fail(new Error(`demo exited ${code}:\n${out}`));
    });
  });
  return {
    base: `http://127.0.0.1:${env.PORT}`,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    // the machine has no network beyond loopback: keep Chromium from trying to reach Google
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'screenshots');

/** A full-page screenshot of a main page, for the README ("Using the console"). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Signs in through the demo picker as the given person. */
export async function signInAs(page: Page, base: string, who: { role: string; name: string; sub?: string; province?: string; prefecture?: string; institutionId?: string }) {
  await page.goto(`${base}/signin`);
  await page.getByLabel('角色').selectOption(who.role);
  await page.getByLabel('姓名或名称').fill(who.name);
  if (who.sub) await page.getByLabel('用户标识').fill(who.sub);
  await page.getByLabel('省份').selectOption(who.province ?? '22');
  if (who.prefecture) await page.getByLabel(/^地市/).selectOption(who.prefecture);
  if (who.institutionId) await page.getByLabel(/统一社会信用代码/).fill(who.institutionId);
  await page.locator('form[action="/signin"] button[type=submit]').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
}

/** A screenshot of one part of a page (the filing's timeline, say). */
export async function screenshotOf(part: Locator, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await part.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}
