/**
 * The console's work pages (inbox, notifications, registries) and the admin page (calendar, demo
 * clock), over app.inject on the real stack: the demo system on this file's time-skipping server,
 * and a development system on the dev server for what must not exist outside demo mode.
 */
import { devStack, timeSkippingAddress, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { consoleClient, textOf } from '../harness/console';
import { application, idNumber } from '../fixtures/filing';
import type { Caller } from '../../domain/roles';

const DAY = 86_400_000;

/** The inner HTML of the element carrying data-testid (first match; same-tag nesting not handled). */
function testId(html: string, id: string): string | undefined {
  const m = new RegExp(`<(\\w+)[^>]*data-testid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  return m?.[2];
}

function clockNow(html: string): number {
  const m = /<time data-testid="clock-now" datetime="([^"]+)">([^<]+)<\/time>/.exec(html);
  if (!m) throw new Error('no clock-now on the page');
  return Date.parse(m[1]);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('console work and admin pages (demo mode)', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const t: Record<string, string> = {};
  const app1 = application({ province: '22', prefecture: '220100' });
  const who: Record<string, Caller> = {
    inst: { sub: 'inst-1', name: '机构一', role: 'institution', province: '22', institutionId: app1.institution.creditCode },
    prefA: { sub: 'pref-a', name: '长春审核员', role: 'prefecture-reviewer', province: '22', prefecture: '220100' },
    prefB: { sub: 'pref-b', name: '吉林市审核员', role: 'prefecture-reviewer', province: '22', prefecture: '220200' },
    prov: { sub: 'prov-1', name: '省审核员', role: 'province-reviewer', province: '22' },
    expert: { sub: 'expert-x', name: '某专家', role: 'expert', province: '22' },
    admin: { sub: 'admin-1', name: '管理员', role: 'admin' },
  };
  const as = async (k: keyof typeof who) => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    await c.signInAs(who[k]);
    return c;
  };
  let filingId: string;

  beforeAll(async () => {
    s = await devStack({ settings: { APP_MODE: 'demo' }, temporalAddress: timeSkippingAddress() });
    api = http(s.app);
    for (const [k, c] of Object.entries(who)) t[k] = await s.token(c);
  });
  afterAll(async () => s?.close());

  it('needs a signed-in user for the inbox, notifications, registries and admin pages', async () => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    for (const url of ['/inbox', '/notifications', '/registries', '/admin']) {
      const r = await c.get(url);
      expect([r.status, r.location]).toEqual([303, `/signin?next=${encodeURIComponent(url)}`]);
    }
  });

  it('the inbox lists the new filing for its prefecture reviewer, and not for another prefecture', async () => {
    const prefA = await as('prefA');
    const empty = await prefA.get('/inbox');
    expect(empty.status).toBe(200);
    expect(textOf(testId(empty.html, 'inbox') ?? '')).toContain('目前没有等待您处理的事项');

    const created = await api.post('/api/v1/filings', app1, t.inst);
    expect(created.status).toBe(201);
    filingId = created.body.id;

    const page = await until('the task in the inbox', async () => {
      const p = await prefA.get('/inbox');
      return p.html.includes(`data-id="${filingId}"`) ? p : undefined;
    });
    const inbox = testId(page.html, 'inbox')!;
    expect(inbox).toContain(`href="/filings/${encodeURIComponent(filingId)}"`);
    const row = textOf(inbox);
    expect(row).toContain(app1.institution.name);
    expect(row).toContain('申报'); // the stage it is at
    expect(row).toContain('组成专家组（初评）'); // what is waiting on the reviewer
    const task = (await api.get('/api/v1/tasks', t.prefA)).body.items[0];
    expect(task.dueAt).toEqual(expect.any(String));
    const due = new Date(Date.parse(task.dueAt) + 8 * 3_600_000).toISOString().slice(0, 10);
    expect(inbox).toContain(`<time datetime="${task.dueAt}"`);
    expect(row).toContain(due); // the due date, in China time
    expect(inbox).not.toContain('badge overdue');
    expect(inbox).not.toContain('badge escalated');

    const prefB = await as('prefB');
    const other = await prefB.get('/inbox');
    expect(other.status).toBe(200);
    expect(other.html).not.toContain(filingId);
    expect(textOf(testId(other.html, 'inbox') ?? '')).toContain('目前没有等待您处理的事项');

    // the institution waits on nobody: its inbox is empty too, and the menu links here
    const inst = await as('inst');
    const own = await inst.get('/inbox');
    expect(own.html).not.toContain(`data-id="${filingId}"`);
    expect(own.html).toContain('href="/notifications"');
  });

  it('notifications show the submission in plain words, with a link to the filing', async () => {
    const prefA = await as('prefA');
    const page = await until('the submitted notification', async () => {
      const p = await prefA.get('/notifications');
      return p.html.includes('data-kind="submitted"') ? p : undefined;
    });
    const list = testId(page.html, 'notifications')!;
    expect(textOf(list)).toContain('新的备案申请');
    expect(textOf(list)).toContain(`「${app1.institution.name}」提交了评估备案申请`);
    expect(list).toContain(`href="/filings/${encodeURIComponent(filingId)}"`);
    // another prefecture's reviewer does not get it
    const prefB = await as('prefB');
    expect((await prefB.get('/notifications')).html).not.toContain(app1.institution.name);
  });

  it('marks the task overdue and escalated once the demo clock passes its due time; the newest notification comes first', async () => {
    const task = (await api.get('/api/v1/tasks', t.prefA)).body.items.find((i: { id: string }) => i.id === filingId);
    const now = (await s.services.clock.now()).getTime();
    const seconds = Math.ceil((Date.parse(task.dueAt) - now) / 1000) + 3600;
    const adv = await api.post('/api/v1/admin/clock/advance', { by: `PT${seconds}S` }, t.admin);
    expect(adv.status).toBe(200);

    const prefA = await as('prefA');
    const page = await until('the escalated task', async () => {
      const p = await prefA.get('/inbox');
      return p.html.includes('badge escalated') ? p : undefined;
    });
    const inbox = testId(page.html, 'inbox')!;
    expect(inbox).toMatch(/<span class="badge overdue"[^>]*>逾期<\/span>/);
    expect(inbox).toMatch(/<span class="badge escalated"[^>]*>已督办<\/span>/);
    expect(inbox).not.toContain('按期');

    const mail = textOf(testId((await prefA.get('/notifications')).html, 'notifications')!);
    expect(mail).toContain('逾期提醒');
    expect(mail.indexOf('已逾期')).toBeLessThan(mail.indexOf('提交了评估备案申请'));

    // still overdue when the province's turn comes: 已上报 instead of 已督办
    const filing = (await api.get(`/api/v1/filings/${filingId}`, t.prefA)).body;
    const toProvince = Date.parse(filing.due.provinceAt) - (await s.services.clock.now()).getTime();
    expect(toProvince).toBeGreaterThan(0);
    expect((await api.post('/api/v1/admin/clock/advance', { by: `PT${Math.ceil(toProvince / 1000) + 3600}S` }, t.admin)).status).toBe(200);
    const later = await until('the task reported to the province', async () => {
      const p = await prefA.get('/inbox');
      return p.html.includes('>已上报<') ? p : undefined;
    });
    expect(testId(later.html, 'inbox')).toMatch(/<span class="badge overdue"[^>]*>逾期<\/span>/);
    expect(testId(later.html, 'inbox')).not.toContain('已督办');
  });

  describe('registries', () => {
    const good = idNumber(801);
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');

    it('a province reviewer registers an expert through the page and sees it listed, ID number masked as the API returns it', async () => {
      const prov = await as('prov');
      const form = await prov.get('/registries');
      expect(form.status).toBe(200);
      for (const f of ['userId', 'name', 'idNumber', 'province', 'prefecture', 'occupations']) expect(form.html).toContain(`<label for="experts-${f}">`);
      expect(form.html).toContain('<label for="supervisors-idNumber">');
      expect(form.html).not.toContain('supervisors-occupations');
      expect(form.html).toMatch(/<input type="hidden" name="_key" value="[0-9a-f-]{36}">/);

      const r = await prov.post('/registries/experts', {
        _key: 'reg-expert-1',
        userId: 'expert-wang',
        name: '王专家',
        idNumber: good,
        province: '22',
        prefecture: '220100',
        occupations: '6-18-01-01, 6-18-01-02',
      });
      expect([r.status, r.location]).toEqual([303, '/registries?ok=registered']);
      const after = await prov.get('/registries?ok=registered');
      expect(textOf(after.html)).toContain('已登记。');
      const table = testId(after.html, 'experts')!;
      expect(table).toContain('data-id="expert-wang"');
      const listed = (await api.get('/api/v1/experts', t.prov)).body.items.find((e: { userId: string }) => e.userId === 'expert-wang');
      expect(textOf(table)).toContain(`expert-wang 王专家 ${listed.idNumber} 22 220100 6-18-01-01、6-18-01-02`);
      expect(after.html).not.toContain(good);
      // the supervisor list is there too (empty), for the same reviewer
      expect(after.html).toContain('data-testid="supervisors-empty"');
    });

    it('a bad ID number is refused in plain words and the input is kept', async () => {
      const prov = await as('prov');
      const r = await prov.post('/registries/experts', {
        _key: 'reg-expert-2',
        userId: 'expert-li',
        name: '李专家',
        idNumber: bad,
        province: '22',
        prefecture: '',
        occupations: '6-18-01-01',
      });
      expect(r.status).toBe(400);
      const problem = testId(r.html, 'problem')!;
      expect(problem).toContain('填写的内容有误');
      expect(r.html).toContain(`id="experts-idNumber" name="idNumber" required maxlength="18" autocomplete="off" spellcheck="false" value="${bad}"`);
      expect(r.html).toContain('value="李专家"');
      expect(r.html).toContain('value="6-18-01-01"');
      // the supervisor form is not blamed, and nothing was registered
      expect(r.html.match(/data-testid="problem"/g)).toHaveLength(1);
      expect((await api.get('/api/v1/experts', t.prov)).body.items.map((e: { userId: string }) => e.userId)).not.toContain('expert-li');
    });

    it('registers a supervisor; a prefecture reviewer may read the lists but not register; an expert is refused', async () => {
      const prov = await as('prov');
      const r = await prov.post('/registries/supervisors', { _key: 'reg-sup-1', userId: 'sup-zhao', name: '赵督导', idNumber: idNumber(802), province: '22' });
      expect(r.status).toBe(303);
      const prefB = await as('prefB');
      const seen = await prefB.get('/registries');
      expect(seen.status).toBe(200);
      expect(testId(seen.html, 'supervisors')).toContain('data-id="sup-zhao"'); // registered for the whole province
      expect(seen.html).not.toContain('data-id="expert-wang"'); // registered for prefecture 220100
      expect(seen.html).not.toContain('action="/registries/experts"');
      const denied = await prefB.post('/registries/experts', { userId: 'x', name: '某', idNumber: idNumber(803), province: '22' });
      expect(denied.status).toBe(403);
      expect(textOf(denied.html)).toContain('您的角色无权进行此项操作');
      const expert = await as('expert');
      const no = await expert.get('/registries');
      expect(no.status).toBe(403);
      expect(textOf(no.html)).toContain('无权访问');
    });
  });

  describe('admin: calendar and working-day check', () => {
    it('loads a year from the form, after which the check says official and counts the loaded holidays', async () => {
      const admin = await as('admin');
      const before = await admin.get('/admin?from=2031-09-30&add=1');
      expect(before.status).toBe(200);
      const estimated = testId(before.html, 'workday-result')!;
      expect(before.html).toContain('data-coverage="estimated"');
      expect(textOf(estimated)).toContain('2031-10-06');
      expect(textOf(estimated)).toContain('估算');

      const loaded = await admin.post('/admin/calendar', {
        _key: 'cal-2031',
        year: '2031',
        holidays: '2031-10-01\n2031-10-02, 2031-10-03\r\n2031-10-04，2031-10-05 2031-10-06\n2031-10-07\n',
        workdays: '2031-09-28, 2031-10-11',
      });
      expect([loaded.status, loaded.location]).toEqual([303, '/admin?ok=calendar']);
      expect(textOf((await admin.get('/admin?ok=calendar')).html)).toContain('日历已载入。');

      const after = await admin.get('/admin?from=2031-09-30&add=1');
      expect(after.html).toContain('data-coverage="official"');
      const official = textOf(testId(after.html, 'workday-result')!);
      expect(official).toContain('2031-10-08');
      expect(official).toContain('依据已载入的官方节假日安排');
    });

    it('refuses a bad year list in plain words and keeps what was typed', async () => {
      const admin = await as('admin');
      const r = await admin.post('/admin/calendar', { _key: 'cal-2032-bad', year: '2032', holidays: '2032-10-01', workdays: '2032-10-08' }); // a Friday
      expect(r.status).toBe(422);
      expect(textOf(testId(r.html, 'problem')!)).toContain('不符合认定规则');
      expect(textOf(testId(r.html, 'problem')!)).toContain('2032-10-08');
      expect(r.html).toContain('>2032-10-08</textarea>');
      expect(r.html).toContain('value="2032"');
      const year = await admin.post('/admin/calendar', { year: '32', holidays: '', workdays: '' });
      expect(year.status).toBe(400);
      expect(textOf(year.html)).toContain('年份须为四位数字');
      const check = await admin.get('/admin?from=2031-02-30&add=1');
      expect(check.status).toBe(200);
      expect(check.html).not.toContain('data-testid="workday-result"');
      expect(testId(check.html, 'problem')).toContain('填写的内容有误');
    });

    it('gives non-admins a plain 403 on /admin and its forms', async () => {
      for (const k of ['prov', 'inst'] as const) {
        const c = await as(k);
        const r = await c.get('/admin');
        expect(r.status).toBe(403);
        expect(textOf(r.html)).toContain('只有系统管理员可以使用');
        expect(r.html).not.toContain('clock-form');
        expect((await c.post('/admin/calendar', { year: '2031', holidays: '', workdays: '' })).status).toBe(403);
        expect((await c.post('/admin/clock', { by: 'P1D' })).status).toBe(403);
      }
    });
  });

  describe('admin: demo clock', () => {
    it('shows the demo time and advances it by the chosen button or number of days', async () => {
      const admin = await as('admin');
      const page = await admin.get('/admin');
      expect(page.status).toBe(200);
      const form = /<form[^>]*data-testid="clock-form"[^>]*>([\s\S]*?)<\/form>/.exec(page.html)!;
      expect(form[0]).toContain('action="/admin/clock"');
      expect(form[1]).toMatch(/<input type="hidden" name="_key" value="[0-9a-f-]{36}">/);
      expect(form[1]).toContain('<label for="clock-days">');
      for (const b of ['推进 1 天', '推进 1 周', '推进 1 个月', '推进 3 个月', '推进 1 年', '按天数推进']) expect(form[1]).toContain(`>${b}</button>`);
      // pressing Enter in the days field submits the days, not a preset: that button comes first
      expect(form[1].indexOf('value="days"')).toBeLessThan(form[1].indexOf('value="P1D"'));

      const t0 = clockNow(page.html);
      expect(Math.abs(t0 - (await s.services.clock.now()).getTime())).toBeLessThan(60_000);
      const week = await admin.post('/admin/clock', { _key: 'clock-week', by: 'P7D' });
      expect([week.status, week.location]).toEqual([303, '/admin?ok=clock']);
      const p1 = await admin.get('/admin?ok=clock');
      expect(textOf(p1.html)).toContain('演示时间已推进。');
      const t1 = clockNow(p1.html);
      expect(t1 - t0).toBeGreaterThanOrEqual(7 * DAY);
      expect(t1 - t0).toBeLessThan(7 * DAY + 60_000);

      // the same form posted twice (a double click) moves time once
      expect((await admin.post('/admin/clock', { _key: 'clock-week', by: 'P7D' })).status).toBe(303);
      expect(clockNow((await admin.get('/admin')).html) - t1).toBeLessThan(60_000);

      const custom = await admin.post('/admin/clock', { _key: 'clock-3', by: 'days', days: '3' });
      expect(custom.status).toBe(303);
      const t2 = clockNow((await admin.get('/admin')).html);
      expect(t2 - t1).toBeGreaterThanOrEqual(3 * DAY);
      expect(t2 - t1).toBeLessThan(3 * DAY + 60_000);
      // the shown China time moved with it
      const shown = /data-testid="clock-now"[^>]*>([^<]+)</.exec((await admin.get('/admin')).html)![1];
      expect(shown).toBe(new Date(t2 + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' '));
    });

    it('refuses a bad number of days or an unknown step, keeping the time where it was', async () => {
      const admin = await as('admin');
      const t0 = clockNow((await admin.get('/admin')).html);
      for (const fields of [{ by: 'days', days: '0' }, { by: 'days', days: 'abc' }, { by: 'P100Y' }, {}]) {
        const r = await admin.post('/admin/clock', fields);
        expect(r.status).toBe(400);
        expect(testId(r.html, 'problem')).toBeDefined();
      }
      const bad = await admin.post('/admin/clock', { by: 'days', days: '0' });
      expect(bad.html).toContain('id="clock-days" name="days" type="number" min="1" max="3650" step="1" inputmode="numeric" value="0"');
      expect(clockNow((await admin.get('/admin')).html) - t0).toBeLessThan(60_000);
    });
  });
});

describe('console admin page outside demo mode', () => {
  let s: DevStack;
  beforeAll(async () => {
    s = await devStack({ settings: { APP_MODE: 'development' } });
  });
  afterAll(async () => s?.close());

  it('has the calendar but no clock panel, and POST /admin/clock is 404', async () => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    await c.signInAs({ sub: 'admin-dev', name: '管理员', role: 'admin' });
    const page = await c.get('/admin');
    expect(page.status).toBe(200);
    expect(page.html).toContain('data-testid="calendar-form"');
    expect(page.html).not.toContain('clock-form');
    expect(page.html).not.toContain('clock-now');
    expect(page.html).not.toContain('演示时钟');
    const r = await c.post('/admin/clock', { by: 'P1D' });
    expect(r.status).toBe(404);
  });
});
