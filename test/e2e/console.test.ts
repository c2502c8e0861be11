/**
 * The console in headless Chromium against `npm run demo` (the real command, on free ports): a
 * trainer's walk from a filing form to certificates, through the pages people use, never the API.
 */
import type { Browser, Page } from 'playwright-core';
import { axeViolations, launchBrowser, screenshot, screenshotOf, signInAs, startDemo, type Demo } from './harness';
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
  const experts = [
    ['expert-zhang', '张专家'],
    ['expert-liu', '刘专家'],
    ['expert-zhao', '赵专家'],
  ] as const;
  const STAGES = ['preliminary-review', 'technical-assessment', 'comprehensive-review'] as const;
  let filingId = '';
  /** material documents, recognised by their first bytes */
  const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2048, 0x20)]);
  const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(256)]);
  let batchId = '';
  let certificateNumber = '';
  /** the batch's exam day: its pass rate counts in that year */
  let examDate = '';
  const center = { role: 'center', name: '长春市职业技能鉴定中心', sub: 'center-changchun', prefecture: '220100' };
  const candidates = [0, 1, 2].map((i) => {
    const idNumber = makeIdNumber('220102', '19900101', 300 + i);
    // GB 11643: the 17th digit is odd for men
    return { name: ['赵一', '钱二', '孙三'][i], idNumber, sex: Number(idNumber[16]) % 2 === 1 ? '男' : '女' };
  });
  const roster = (rows: { name: string; idNumber: string; sex: string }[]) =>
    Buffer.from(
      `\uFEFF姓名,身份证号,性别,岗位/工种,本岗位工作年限,职业编码,等级,工作单位统一社会信用代码\n${rows.map((c) => `${c.name},${c.idNumber},${c.sex},车工,6,6-18-01-01,4,${creditCode}`).join('\n')}\n`,
    );

  /** fills the plan form (first exam day: the earliest the page offers) and sends it with this 花名册 */
  async function planBatch(rows: typeof candidates) {
    await page.goto(`${demo.base}/batches/new`);
    const form = page.getByTestId('plan-form');
    const first = await page.locator('#firstExamDate').inputValue();
    expect(first).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    examDate = first;
    await page.locator('#lastExamDate').fill(first);
    await form.getByLabel('场地名称').fill('实训楼一层');
    await page.locator('#venueAddress').fill('吉林省长春市朝阳区人民大街1号');
    for (const k of ['theory', 'skill']) {
      await page.locator(`#module_${k}`).check();
      await page.locator(`#passMark_${k}`).fill('60');
    }
    await page.locator('#proctors').fill('监考甲');
    await page.locator('#examiners').fill('考评员乙');
    await page.locator('#supervisors').fill('内部督导丙');
    await page.getByLabel('考生花名册').setInputFiles({ name: '花名册.csv', mimeType: 'text/csv', buffer: roster(rows) });
    await form.getByRole('button', { name: '报送认定计划' }).click();
  }

  /** the admin's clock panel: demo time forward by whole days; the instants it showed before and after */
  async function advanceClock(days: number) {
    await signInAs(page, demo.base, admin);
    await page.goto(`${demo.base}/admin`);
    const before = await page.getByTestId('clock-now').getAttribute('datetime');
    await page.locator('#clock-days').fill(String(days));
    await page.getByTestId('clock-form').getByRole('button', { name: '按天数推进' }).click();
    await page.waitForURL(/ok=clock/);
    return { before: before!, after: (await page.getByTestId('clock-now').getAttribute('datetime'))! };
  }

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

  /** every request any page made during the walk that did not go to the server itself */
  const foreign: string[] = [];

  it('public pages answer without sign-in, in Chinese, with no resource from another host', async () => {
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
    const sup = page.getByTestId('supervisors-form');
    await sup.getByLabel('用户标识').fill('supervisor-wang');
    await sup.getByLabel('姓名').fill('王督导');
    await sup.getByLabel('身份证号').fill(makeIdNumber('220102', '19750505', 200));
    await sup.locator('#supervisors-prefecture').fill('220100');
    await sup.getByRole('button', { name: '登记督导员' }).click();
    await page.waitForURL(/ok=registered/);
    await screenshot(page, 'registries');
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
    // the exam venue its batches will use (004 Art.8: exams only at filed venues)
    await page.locator('#venueName').fill('实训楼一层');
    await page.locator('#venueAddress').fill('吉林省长春市朝阳区人民大街1号');
    const [last, ...rest] = [...MATERIAL_KINDS].reverse();
    for (const kind of rest) await page.locator(`#mat-${kind}-title`).fill(`${kind}.pdf`);
    await form.getByRole('button', { name: '提交备案申请' }).click();
    await expect(page.locator(`[data-missing="${last}"]`).count()).resolves.toBeGreaterThan(0);
    expect(page.url()).toMatch(/\/filings\/new$/);
    await page.locator(`#mat-${last}-title`).fill(`${last}.pdf`);
    // the application report's file goes with the form (a re-shown form keeps no file: chosen now)
    await page.locator('#mat-application-report-file').setInputFiles({ name: '申请报告.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.getByTestId('filing-form').getByRole('button', { name: '提交备案申请' }).click();
    await page.waitForURL(/ok=submitted/);
    filingId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    expect(filingId).not.toBe('');
    await expect(page.getByTestId('status').textContent()).resolves.toContain('审核中');
    await expect(page.getByTestId('documents').textContent()).resolves.toContain('申请报告.pdf');
    // one more through the detail page's upload form: a photo of the venue
    const upload = page.getByTestId('document-form');
    await upload.locator('#doc-kind').selectOption('venue-equipment-proof');
    await upload.locator('#doc-file').setInputFiles({ name: '场地照片.png', mimeType: 'image/png', buffer: PNG });
    await upload.getByRole('button', { name: '上传文件' }).click();
    await page.waitForURL(/ok=document/);
    await expect(page.getByTestId('document-link').allTextContents()).resolves.toEqual(['申请报告.pdf', '场地照片.png']);
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
      if (i === 0) {
        // the expert reads the materials from the decision form: each document is a link that opens the file
        const links = form.getByTestId('decision-documents').locator('a');
        await expect(links.count()).resolves.toBe(2);
        const file = await page.request.get(new URL((await links.first().getAttribute('href'))!, demo.base).href);
        expect([file.status(), file.headers()['content-type']]).toEqual([200, 'application/pdf']);
        expect(Buffer.from(await file.body()).equals(PDF)).toBe(true);
      }
      await form.locator('#outcome-pass').check();
      if (await form.locator('#score').count()) await form.locator('#score').fill('88');
      await form.locator('#opinion').fill('符合要求');
      await form.getByRole('button', { name: '提交决定' }).click();
      await page.waitForURL(/ok=decided/);
    }
    // the deliberation from the inbox, ticked and decided with the bulk form (one task here; the
    // form is the same for forty): the result table shows it done
    await signInAs(page, demo.base, prefA);
    await page.goto(`${demo.base}/inbox`);
    const bulk = page.getByTestId('bulk-form');
    await bulk.locator(`[id="pick-${filingId}"]`).check();
    await bulk.locator('#bulk-outcome').selectOption('pass');
    await bulk.locator('#bulk-opinion').fill('专题审议通过');
    await bulk.getByRole('button', { name: '一并处理' }).click();
    await expect(page.locator(`[data-testid=bulk-result][data-id="${filingId}"]`).getAttribute('data-status')).resolves.toBe('200');
    await screenshot(page, 'inbox-bulk-results');
    await page.goto(`${demo.base}/filings/${encodeURIComponent(filingId)}`);
    await expect(page.getByTestId('current-stage').textContent()).resolves.toBe('公示');
  });

  it('the publicity is open to the public; the admin advances the clock past it', async () => {
    await page.goto(`${demo.base}/publicity`);
    await expect(page.getByTestId('publicity').textContent()).resolves.toContain(institutionName);
    await screenshot(page, 'publicity');
    const { before, after } = await advanceClock(9);
    expect(new Date(after).getTime() - new Date(before).getTime()).toBeGreaterThanOrEqual(9 * 86_400_000);
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
    await screenshot(page, 'filing-detail');
    await screenshotOf(page.getByTestId('timeline'), 'filing-timeline');
    await page.getByRole('button', { name: '退出' }).click();
    await page.goto(`${demo.base}/directory`);
    await page.getByLabel('机构名称').fill(institutionName.slice(0, 6));
    await page.getByRole('button', { name: '查询' }).click();
    await expect(page.getByTestId('directory').textContent()).resolves.toContain(institutionName);
    await screenshot(page, 'directory');
  });

  it('the institution plans a batch by uploading its 花名册; a bad row is reported, then fixed', async () => {
    await signInAs(page, demo.base, institution);
    const bad = candidates.map((c, i) => (i === 1 ? { ...c, idNumber: `${c.idNumber.slice(0, 17)}${c.idNumber[17] === '0' ? '1' : '0'}` } : c));
    await planBatch(bad);
    const errors = page.getByTestId('roster-errors').locator('tr.row-error');
    expect(await errors.allTextContents()).toHaveLength(1);
    await expect(errors.first().textContent()).resolves.toContain('钱二');
    await screenshot(page, 'batch-plan-row-error');
    await page.goto(`${demo.base}/batches`);
    await expect(page.getByTestId('empty').isVisible()).resolves.toBe(true);
    await planBatch(candidates);
    await page.waitForURL(/ok=planned/);
    batchId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await expect(page.getByTestId('candidates').locator('tbody tr').count()).resolves.toBe(3);
  });

  it('the center acknowledges the plan and draws a supervisor; scores, publicity and results follow; certificates are issued', async () => {
    await signInAs(page, demo.base, center);
    await openFromInbox(batchId);
    let form = page.getByTestId('batch-decision-form');
    await form.locator('#outcome-pass').check();
    await form.locator('#opinion').fill('计划已收悉');
    await form.getByRole('button', { name: '提交审核意见' }).click();
    await page.waitForURL(/ok=decided/);
    await page.getByTestId('draw-form').getByRole('button', { name: '抽取督导员' }).click();
    await page.waitForURL(/ok=supervision/);
    await expect(page.getByTestId('supervisors').textContent()).resolves.toContain('王督导');

    await advanceClock(20);

    await signInAs(page, demo.base, institution);
    await page.goto(`${demo.base}/batches/${encodeURIComponent(batchId)}`);
    const grid = page.getByTestId('score-grid');
    for (const [i, pass] of [true, true, false].entries()) {
      await grid.locator(`#s-${i}-theory`).fill(pass ? '80' : '50');
      await grid.locator(`#s-${i}-skill`).fill('75');
    }
    await screenshot(page, 'batch-scores');
    await grid.getByRole('button', { name: '保存成绩' }).click();
    await page.waitForURL(/ok=scored/);
    await expect(page.getByTestId('batch-status').textContent()).resolves.toContain('公示');

    await advanceClock(9);
    await signInAs(page, demo.base, institution);
    await page.goto(`${demo.base}/batches/${encodeURIComponent(batchId)}`);
    await page.getByTestId('results-form').getByRole('button', { name: '报送结果' }).click();
    await page.waitForURL(/ok=results/);
    await expect(page.getByTestId('passed-count').textContent()).resolves.toBe('2');
    const summary = await page.request.get(`${demo.base}/batches/${encodeURIComponent(batchId)}/summary.csv`);
    expect(summary.status()).toBe(200);
    expect(summary.headers()['content-disposition']).toMatch(/attachment/);

    await signInAs(page, demo.base, center);
    await openFromInbox(batchId);
    form = page.getByTestId('batch-decision-form');
    await form.locator('#outcome-pass').check();
    await form.locator('#opinion').fill('审核通过');
    await form.getByRole('button', { name: '提交审核意见' }).click();
    await page.waitForURL(/ok=decided/);
    await expect(page.getByTestId('batch-status').textContent()).resolves.toContain('已发证');
    const numbers = await page.getByTestId('certificates').locator('tbody tr td:first-child').allTextContents();
    expect(numbers).toHaveLength(2);
    certificateNumber = numbers[0].trim();
    await screenshot(page, 'batch-certified');
  });

  it('the public verification page finds the certificate and shows the holder masked', async () => {
    await page.getByRole('button', { name: '退出' }).click();
    await page.goto(`${demo.base}/verify`);
    await page.locator('#number').fill(certificateNumber);
    await page.getByRole('form', { name: '按证书编号' }).getByRole('button', { name: '查询' }).click();
    const holder = await page.getByTestId('holder').textContent();
    expect(holder).toMatch(/\*/);
    expect(holder).not.toContain(candidates[0].idNumber);
    expect(holder).not.toContain(candidates[1].idNumber);
    await expect(page.getByTestId('certificate-status').textContent()).resolves.toBe('有效');
    await screenshot(page, 'verify');
  });

  it('the province reviewer opens the dashboard: four charts drawn on the server, each with its table', async () => {
    await signInAs(page, demo.base, province);
    await page.getByRole('navigation', { name: '主菜单' }).getByRole('link', { name: '统计概览' }).click();
    await page.waitForURL(/\/dashboard/);
    for (const chart of ['stages', 'overdue', 'months', 'passRates']) {
      const section = page.getByTestId(`chart-${chart}`);
      await expect(section.locator('svg, [data-testid=chart-empty]').count()).resolves.toBe(1);
    }
    // the two certificates of this walk are in the months chart's table
    await expect(page.getByTestId('dashboard-summary').textContent()).resolves.toMatch(/发放证书 2 本/);
    await expect(page.getByTestId('chart-months').locator('svg').count()).resolves.toBe(1);
    // pass rates count by the year of the exams, which the demo clock may have left behind: choose it
    await page.getByTestId('dashboard-filter').locator('#year').selectOption(examDate.slice(0, 4));
    await page.getByTestId('dashboard-filter').getByRole('button', { name: '查看' }).click();
    await page.waitForURL(/year=/);
    await expect(page.getByTestId('chart-passRates').locator('table').textContent()).resolves.toContain('66.7');
    await screenshot(page, 'dashboard');
  });

  it('no main page has a serious or critical accessibility violation (axe-core, WCAG 2.1 AA)', async () => {
    const who = { institution, prefA, province, center, admin, public: null };
    const pages: [keyof typeof who, string][] = [
      ['public', '/'],
      ['public', '/directory'],
      ['public', '/verify'],
      ['public', `/verify?number=${certificateNumber}`],
      ['public', '/publicity'],
      ['public', '/signin'],
      ['public', '/complaints/new'],
      ['public', '/complaints/track'],
      ['public', '/inspections'],
      ['public', `/institutions/${creditCode}/credit`],
      ['institution', '/filings'],
      ['institution', '/filings/new'],
      ['institution', `/filings/${encodeURIComponent(filingId)}`],
      ['institution', '/batches'],
      ['institution', '/batches/new'],
      ['institution', `/batches/${encodeURIComponent(batchId)}`],
      ['institution', `/batches/${encodeURIComponent(batchId)}/archive`],
      ['institution', `/certificates/${certificateNumber}`],
      ['institution', '/annual-plans'],
      ['prefA', '/inbox'],
      ['prefA', '/notifications'],
      ['center', `/batches/${encodeURIComponent(batchId)}`],
      ['center', '/certificates/corrections'],
      ['province', '/registries'],
      ['province', '/dashboard'],
      ['admin', '/admin'],
    ];
    const found: string[] = [];
    let signedAs: keyof typeof who | undefined;
    for (const [as, path] of pages) {
      if (as !== signedAs) {
        const person = who[as];
        if (person) await signInAs(page, demo.base, person);
        else await page.context().clearCookies();
        signedAs = as;
      }
      await page.goto(`${demo.base}${path}`);
      for (const v of await axeViolations(page)) found.push(`${path} (${as}): ${v.impact} ${v.id} — ${v.help} — ${v.nodes.join(' | ')}`);
    }
    expect(found).toEqual([]);
  });

  it('on a phone the main pages fit the screen, and every form field has a label', async () => {
    const phone = await browser.newPage({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true });
    phone.on('request', (r) => {
      if (!r.url().startsWith(demo.base) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    await signInAs(phone, demo.base, prefA);
    for (const path of ['/verify', '/directory', '/publicity', '/inbox', `/filings/${encodeURIComponent(filingId)}`, '/signin']) {
      await phone.goto(`${demo.base}${path}`);
      // evaluated in the page (the test's TypeScript has no DOM types)
      const overflow = await phone.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect({ path, overflow: overflow <= 1 }).toEqual({ path, overflow: true });
      const unlabelled = await phone.evaluate<string[]>(`Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
        .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
        .map((el) => el.outerHTML.slice(0, 80))`);
      expect({ path, unlabelled }).toEqual({ path, unlabelled: [] });
    }
    await phone.goto(`${demo.base}/inbox`);
    await screenshot(phone, 'phone-inbox');
    await phone.close();
  });

  it('no page of the whole walk loaded anything from another host', () => {
    expect(foreign).toEqual([]);
  });

  it("a prefecture-B reviewer's inbox and list do not show prefecture A's filing", async () => {
    await signInAs(page, demo.base, prefB);
    await page.goto(`${demo.base}/inbox`);
    await expect(page.locator(`[data-testid=task][data-id="${filingId}"]`).count()).resolves.toBe(0);
    const detail = await page.goto(`${demo.base}/filings/${encodeURIComponent(filingId)}`);
    expect(detail!.status()).toBe(404);
  });
});
