/**
 * End-to-end harness: the real demo command (scripts/start.ts --demo: Temporal's time-skipping
 * server, FerretDB, a worker and the API with the console) on free ports with its own DATA_DIR,
 * and Debian's Chromium driven by playwright-core (scripts/provision-browser.sh installs it).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { ROOT } from '../../infra/embedded';
import { embeddedEnv, startMainCommand } from '../harness/main-command';

export interface Demo {
  base: string;
  stop(): Promise<void>;
  output(): string;
}

/** `extra` settings go to the demo command as they are (a fixed PORT, say, for a provider's redirect URIs). */
export async function startDemo(extra: Record<string, string> = {}): Promise<Demo> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skillcert-e2e-'));
  const env = await embeddedEnv(dataDir, extra);
  const demo = await startMainCommand(env, ['--demo']);
  return {
    base: `http://127.0.0.1:${env.PORT}`,
    output: demo.output,
    async stop() {
      await demo.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    // the machine has no network beyond loopback: keep Chromium from trying to reach Google
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'screenshots');

/** A full-page screenshot of a main page, for the README ("Using the console"). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Signs in through the demo picker as the given person. */
export async function signInAs(
  page: Page,
  base: string,
  who: { role: string; name: string; sub?: string; province?: string; prefecture?: string; institutionId?: string },
) {
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

/** axe-core's browser bundle, read once */
let axeSource: string | undefined;

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core (WCAG 2.1 A and AA rules) on the page as it is and answers its serious and critical
 * violations. The bundle is evaluated through the DevTools protocol, which the pages' CSP (no script
 * at all) does not govern, so the check needs no change to the pages.
 */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate<boolean>('typeof window.axe === "object"'))) await page.evaluate(axeSource);
  const found = await page.evaluate<AxeFinding[]>(`window.axe
    .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`);
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
