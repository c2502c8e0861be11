/**
 * The console in headless Chromium against `npm run demo` (the real command, on free ports): a
 * trainer's walk from a filing form to certificates, through the pages people use, never the API.
 */
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, signInAs, startDemo, type Demo } from './harness';

jest.setTimeout(600_000);

describe('the console, end to end in Chromium (demo mode)', () => {
  let demo: Demo;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [demo, browser] = await Promise.all([startDemo(), launchBrowser()]);
    page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('public pages answer without sign-in, in Chinese, with no resource from another host', async () => {
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(demo.base) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    await page.goto(`${demo.base}/`);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.getByRole('link', { name: '证书查询' }).first().click();
    await expect(page.getByRole('heading', { name: '职业技能等级证书查询' }).isVisible()).resolves.toBe(true);
    await page.goto(`${demo.base}/directory`);
    await expect(page.getByTestId('empty').isVisible()).resolves.toBe(true);
    expect(foreign).toEqual([]);
  });

  it('signs in through the picker and out again', async () => {
    await signInAs(page, demo.base, { role: 'admin', name: '系统管理员' });
    await expect(page.getByTestId('whoami').textContent()).resolves.toContain('系统管理员');
    await page.getByRole('button', { name: '退出' }).click();
    await page.waitForURL(`${demo.base}/?ok=signed-out`);
    await expect(page.getByRole('link', { name: '登录' }).isVisible()).resolves.toBe(true);
  });
});
