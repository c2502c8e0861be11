/**
 * Sign-in with the province's identity provider in headless Chromium: the real demo command
 * pointed at a real OpenID provider the test starts (oidc-provider, test/harness/oidc-provider.mjs),
 * through the provider's own login and consent pages, to the inbox as the mapped role; then
 * sign-out, which ends the provider's session too, so the next sign-in asks for the login again.
 * The refusals (state, role) are test/console/oidc.test.ts.
 */
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../infra/embedded';
import { ROLE_LABELS } from '../../domain/labels';
import { startOidcProvider, type OidcProvider } from '../harness/oidc';
import { launchBrowser, startDemo, type Demo } from './harness';

jest.setTimeout(120_000);

describe('sign-in with the identity provider, in Chromium', () => {
  let provider: OidcProvider;
  let demo: Demo;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    provider = await startOidcProvider(base, {
      'zhang.center': { name: '长春市鉴定中心张老师', role: 'center', province: '22', prefecture: '220100' },
    });
    [demo, browser] = await Promise.all([startDemo({ PORT: String(port), ...provider.settings }), launchBrowser()]);
    page = await browser.newPage();
    // the provider's development pages import a web font from Google: the machine has no network, and the wait for it would hold every page's load
    await page.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    await provider?.stop();
  });

  /** From the console's sign-in page to the provider; resolves when the provider or the console answers. */
  async function startSignIn() {
    await page.goto(`${demo.base}/signin?next=%2Finbox`);
    await page.getByRole('link', { name: '通过身份认证平台登录' }).click();
    await page.waitForURL((u) => u.origin === provider.issuer || u.pathname === '/inbox');
  }
  const atProviderLogin = () => page.locator('input[name="login"]');

  it('signs in at the provider and sees the inbox as the mapped role', async () => {
    await startSignIn();
    await atProviderLogin().fill('zhang.center');
    await page.locator('input[name="password"]').fill('any');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    // the provider's consent page
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((u) => u.origin === demo.base && u.pathname === '/inbox');
    const header = await page.locator('header').innerText();
    expect(header).toContain(`长春市鉴定中心张老师（${ROLE_LABELS.center}`);
    expect(await page.locator('main').innerText()).toContain('待办');
    // the center's menu: batches, no filings
    expect(await page.locator('nav').innerText()).toContain('认定批次');

    // while the provider's session lives, signing in again asks nothing
    await startSignIn();
    await page.waitForURL((u) => u.origin === demo.base && u.pathname === '/inbox');
  });

  it('signs out of the console and of the provider: the next sign-in asks for the login again', async () => {
    await page.getByRole('button', { name: '退出' }).click();
    await page.waitForURL((u) => u.origin === provider.issuer);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL((u) => u.origin === demo.base && u.pathname === '/');
    expect(await page.locator('main').innerText()).toContain('已退出登录。');
    expect(await page.locator('header').innerText()).not.toContain('张老师');
    const inbox = await page.goto(`${demo.base}/inbox`);
    expect(new URL(inbox!.url()).pathname).toBe('/signin');

    await startSignIn();
    expect(new URL(page.url()).origin).toBe(provider.issuer);
    await expect(atProviderLogin().isVisible()).resolves.toBe(true);
  });
});
