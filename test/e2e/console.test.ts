/**
 * The console in headless Chromium against `npm run demo` (the real command, on free ports): a
 * trainer's walk from a filing form to certificates, through the pages people use, never the API.
 */
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, signInAs, startDemo, type Demo } from './harness';
import { makeCreditCode, makeIdNumber } from '../../domain/identifiers';
import { MATERIAL_KINDS } from '../../domain/filing';

jest.setTimeout(600_000);

describe('the console, end to end in Chromium (demo mode)', () => {
  let demo: Demo;
  let browser: Browser;
  let page: Page;
  const suffix = String(Date.now()).slice(-7);
  const creditCode = makeCreditCode(`91220101MA${suffix}`.slice(0, 17));
  const institutionName = `长春精工技能评价中心${suffix.slice(-3)}`;
  const institution = { role: 'institution', name: institutionName, institutionId: creditCode, sub: `inst-${suffix}` };
  const prefA = { role: 'prefecture-reviewer', name: '长春市人社局审核员', sub: 'pref-changchun', prefecture: '220100' };
  const prefB = { role: 'prefecture-reviewer', name: '吉林市人社局审核员', sub: 'pref-jilin', prefecture: '220200' };
  const province = { role: 'province-reviewer', name: '吉林省人社厅审核员', sub: 'prov-jilin' };
  const admin = { role: 'admin', name: '系统管理员', sub: 'admin' };
  const experts = [['expert-zhang', '张专家'], ['expert-liu', '刘专家'], ['expert-zhao', '赵专家']] as const;
  const STAGES = ['preliminary-review', 'technical-assessment', 'comprehensive-review'] as const;
  let filingId = '';

  /** opens the caller's inbox and follows the task of this filing or batch */
  async function openFromInbox(id: string) {
    await page.goto(`${demo.base}/inbox`);
    const task = page.locator(`[data-testid=task][data-id="${id}"]`);
    await task.getByRole('link').first().click();
    await page.waitForURL((u) => u.pathname.endsWith(encodeURIComponent(id)) || u.pathname.endsWith(id));
  }

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
    await expect(page.locator('header').getByRole('link', { name: '登录' }).isVisible()).resolves.toBe(true);
  });

  it('a province reviewer registers three experts in the registry', async () => {
    await signInAs(page, demo.base, province);
    for (const [i, [userId, name]] of experts.entries()) {
      await page.goto(`${demo.base}/registries`);
      const form = page.getByTestId('experts-form');
      await form.getByLabel('用户标识').fill(userId);
      await form.getByLabel('姓名').fill(name);
      await form.getByLabel('身份证号').fill(makeIdNumber('220102', '19700101', 100 + i));
      await form.getByRole('button', { name: '登记专家' }).click();
      await page.waitForURL(/ok=registered/);
    }
    await expect(page.getByTestId('experts').locator('[data-testid=registrant]').count()).resolves.toBe(3);
  });

  it('an institution fills in the filing form; a missing material is refused before anything is filed', async () => {
    await signInAs(page, demo.base, institution);
    await page.goto(`${demo.base}/filings/new`);
    const form = page.getByTestId('filing-form');
    await form.getByLabel('机构名称').fill(institutionName);
    await form.getByLabel('法定代表人').fill('王建国');
    await form.getByLabel('注册地址').fill('吉林省长春市朝阳区人民大街1号');
    await page.locator('#affiliation').selectOption('prefecture');
    await page.locator('#prefecture').fill('220100');
    await form.getByLabel('联系人').fill('李红');
    await form.getByLabel('联系电话').fill('13912345678');
    await page.locator('#occ-0-code').fill('6-18-01-01');
    await page.locator('#occ-0-name').fill('车工');
    for (const l of [5, 4, 3]) await page.locator(`#occ-0-level-${l}`).check();
    const [last, ...rest] = [...MATERIAL_KINDS].reverse();
    for (const kind of rest) await page.locator(`#mat-${kind}-title`).fill(`${kind}.pdf`);
    await form.getByRole('button', { name: '提交备案申请' }).click();
    await expect(page.locator(`[data-missing="${last}"]`).count()).resolves.toBeGreaterThan(0);
    expect(page.url()).toMatch(/\/filings\/new$/);
    await page.locator(`#mat-${last}-title`).fill(`${last}.pdf`);
    await page.getByTestId('filing-form').getByRole('button', { name: '提交备案申请' }).click();
    await page.waitForURL(/ok=submitted/);
    filingId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    expect(filingId).not.toBe('');
    await expect(page.getByTestId('status').textContent()).resolves.toContain('审核中');
  });

  it('the prefecture reviewer forms the expert groups from the inbox; the experts decide from theirs', async () => {
    await signInAs(page, demo.base, prefA);
    await openFromInbox(filingId);
    await screenshot(page, 'inbox-detail-reviewer');
    for (const [i, stage] of STAGES.entries()) {
      const form = page.getByTestId('assign-form');
      await form.locator('#assign-stage').selectOption(stage);
      await form.getByLabel(new RegExp(experts[i][1])).check();
      await form.getByRole('button', { name: '组成专家组' }).click();
      await page.waitForURL(/ok=assigned/);
    }
    for (const [i, stage] of STAGES.entries()) {
      const [sub, name] = experts[i];
      await signInAs(page, demo.base, { role: 'expert', name, sub });
      await page.goto(`${demo.base}/inbox`);
      if (i === 0) await screenshot(page, 'inbox');
      await openFromInbox(filingId);
      const form = page.getByTestId('decision-form');
      await expect(form.locator('input[name=stage]').inputValue()).resolves.toBe(stage);
      await form.locator('#outcome-pass').check();
      if (await form.locator('#score').count()) await form.locator('#score').fill('88');
      await form.locator('#opinion').fill('符合要求');
      await form.getByRole('button', { name: '提交决定' }).click();
      await page.waitForURL(/ok=decided/);
    }
    await signInAs(page, demo.base, prefA);
    await openFromInbox(filingId);
    const form = page.getByTestId('decision-form');
    await expect(form.locator('input[name=stage]').inputValue()).resolves.toBe('deliberation');
    await form.locator('#outcome-pass').check();
    await form.locator('#opinion').fill('专题审议通过');
    await form.getByRole('button', { name: '提交决定' }).click();
    await page.waitForURL(/ok=decided/);
    await expect(page.getByTestId('current-stage').textContent()).resolves.toBe('公示');
  });

  it('the publicity is open to the public; the admin advances the clock past it', async () => {
    await page.goto(`${demo.base}/publicity`);
    await expect(page.getByTestId('publicity').textContent()).resolves.toContain(institutionName);
    await screenshot(page, 'publicity');
    await signInAs(page, demo.base, admin);
    await page.goto(`${demo.base}/admin`);
    const before = await page.getByTestId('clock-now').getAttribute('datetime');
    await page.locator('#clock-days').fill('9');
    await page.getByTestId('clock-form').getByRole('button', { name: '按天数推进' }).click();
    await page.waitForURL(/ok=clock/);
    const after = await page.getByTestId('clock-now').getAttribute('datetime');
    expect(new Date(after!).getTime() - new Date(before!).getTime()).toBeGreaterThanOrEqual(9 * 86_400_000);
    await screenshot(page, 'admin-clock');
  });

  it('the province reviewer issues the notice; the directory shows the institution', async () => {
    await signInAs(page, demo.base, province);
    await openFromInbox(filingId);
    const form = page.getByTestId('decision-form');
    await expect(form.locator('input[name=stage]').inputValue()).resolves.toBe('notice');
    await form.locator('#outcome-pass').check();
    await form.locator('#opinion').fill('准予备案');
    await form.getByRole('button', { name: '提交决定' }).click();
    await page.waitForURL(/ok=decided/);
    await expect(page.getByTestId('status').textContent()).resolves.toContain('已备案');
    await expect(page.getByTestId('notice-number').textContent()).resolves.toMatch(/\S/);
    await screenshot(page, 'filing-timeline');
    await page.getByRole('button', { name: '退出' }).click();
    await page.goto(`${demo.base}/directory`);
    await page.getByLabel('机构名称').fill(institutionName.slice(0, 6));
    await page.getByRole('button', { name: '查询' }).click();
    await expect(page.getByTestId('directory').textContent()).resolves.toContain(institutionName);
    await screenshot(page, 'directory');
  });

  it("a prefecture-B reviewer's inbox and list do not show prefecture A's filing", async () => {
    await signInAs(page, demo.base, prefB);
    await page.goto(`${demo.base}/inbox`);
    await expect(page.locator(`[data-testid=task][data-id="${filingId}"]`).count()).resolves.toBe(0);
    const detail = await page.goto(`${demo.base}/filings/${encodeURIComponent(filingId)}`);
    expect(detail!.status()).toBe(404);
  });
});
