/**
 * The console's sign-in, session cookie, CSRF guard, assets and public pages, over app.inject on
 * the real stack (dev server + FerretDB). The full walk through a browser is test/e2e.
 */
import { devStack, type DevStack } from '../harness/stack';
import { consoleClient, textOf } from '../harness/console';
import { SESSION_COOKIE } from '../../console/core';
import { buildCertificateCode } from '../../domain/certificate-code';

describe('console: sign-in, session and public pages', () => {
  let s: DevStack;
  beforeAll(async () => {
    s = await devStack({ settings: { APP_MODE: 'development' } });
  });
  afterAll(async () => s?.close());

  it('the picker mints an HttpOnly, SameSite=Strict session and the layout shows who is signed in', async () => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    const form = await c.get('/signin');
    expect(form.status).toBe(200);
    expect(form.html).toContain('<label for="role">角色</label>');
    const r = await c.post('/signin', { role: 'province-reviewer', province: '22', name: '省审核员', next: '/directory' });
    expect(r.status).toBe(303);
    expect(r.location).toBe('/directory?ok=signed-in');
    const setCookie = String(r.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=ey`));
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = setCookie.split(';')[0];
    const page = await s.app.inject({ method: 'GET', url: '/directory?ok=signed-in', headers: { cookie } });
    expect(textOf(page.body)).toContain('省审核员（省级人社部门审核员 · 22）');
    expect(textOf(page.body)).toContain('已登录。');
  });

  it('refuses claims a role cannot have, in plain words, and never redirects off-site', async () => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    const bad = await c.post('/signin', { role: 'institution', province: '22', institutionId: 'NOT-A-CODE' });
    expect(bad.status).toBe(400);
    expect(textOf(bad.html)).toContain('无法以此身份登录');
    expect(bad.headers['set-cookie']).toBeUndefined();
    const offsite = await c.post('/signin', { role: 'admin', next: '//evil.example/' });
    expect(offsite.location).toBe('/inbox?ok=signed-in');
  });

  it('signs in with a pasted token, and an invalid one is refused', async () => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    const good = await c.post('/signin/token', { token: await s.token({ role: 'admin', name: '管理员' }) });
    expect(good.status).toBe(303);
    const bad = await c.post('/signin/token', { token: 'eyJhbGciOiJIUzI1NiJ9.e30.bad' });
    expect(bad.status).toBe(401);
    expect(textOf(bad.html)).toContain('令牌无效');
  });

  it('refuses a form posted from another site', async () => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    const r = await c.post('/signin', { role: 'admin' }, { origin: 'https://evil.example', host: 'localhost:3000' });
    expect(r.status).toBe(403);
    expect(r.headers['set-cookie']).toBeUndefined();
    const r2 = await c.post('/signin', { role: 'admin' }, { 'sec-fetch-site': 'cross-site' });
    expect(r2.status).toBe(403);
    // an Origin that is not an origin, and the opaque origin `null` (a sandboxed frame), are not this console
    for (const origin of ['foo', 'null', 'javascript:alert(1)']) {
      const r3 = await c.post('/signin', { role: 'admin' }, { origin, host: 'localhost:3000' });
      expect([origin, r3.status]).toEqual([origin, 403]);
      expect(r3.headers['set-cookie']).toBeUndefined();
    }
    expect((await c.post('/signin', { role: 'admin' }, { origin: 'http://localhost:3000', host: 'localhost:3000' })).status).toBe(303);
    // our own form under Referrer-Policy no-referrer: Chromium sends Origin null with Sec-Fetch-Site same-origin
    expect((await c.post('/signin', { role: 'admin' }, { origin: 'null', 'sec-fetch-site': 'same-origin', host: 'localhost:3000' })).status).toBe(303);
    expect((await c.post('/signin', { role: 'admin' }, { origin: 'null', 'sec-fetch-site': 'same-site', host: 'localhost:3000' })).status).toBe(403);
  });

  it('serves its stylesheets itself and no page loads anything from another host', async () => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    const css = await c.get('/assets/simple.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/text\/css/);
    expect((await c.get('/assets/nope.css')).status).toBe(404);
    for (const url of ['/', '/signin', '/directory', '/verify', '/publicity']) {
      const p = await c.get(url);
      expect(p.status).toBe(200);
      expect(p.html).toContain('<html lang="zh-CN">');
      expect(p.html).not.toMatch(/(src|href)="(https?:)?\/\//);
      expect(p.headers['content-security-policy']).toMatch(/default-src 'self'/);
    }
  });

  it('verification asks for both ID number and name, and reports an unknown number plainly', async () => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    const half = await c.get('/verify?idNumber=110101199003074514');
    expect(half.status).toBe(400);
    expect(textOf(half.html)).toContain('身份证号和姓名都须填写');
    const malformed = await c.get('/verify?number=9999999999');
    expect(malformed.status).toBe(400);
    expect(textOf(malformed.html)).toContain('填写的内容有误');
    const unknown = buildCertificateCode({ kind: 'Y', province: '22', institutionSequence: 999, issueYear: 2026, level: 4, serial: 1 });
    const none = await c.get(`/verify?number=${unknown}`);
    expect(none.status).toBe(200);
    expect(textOf(none.html)).toContain('未查到证书');
  });

  it('the directory passes its filters to the API and shows a refusal for a bad one', async () => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    const empty = await c.get('/directory?q=不存在的机构');
    expect(textOf(empty.html)).toContain('没有符合条件的机构');
    const bad = await c.get('/directory?occupation=xx');
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('data-testid="problem"');
  });

  it('an unknown page is a page for a browser and a problem document for an API client', async () => {
    const html = await s.app.inject({ method: 'GET', url: '/no-such-page', headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(html.statusCode).toBe(404);
    expect(html.body).toContain('页面不存在');
    const api = await s.app.inject({ method: 'GET', url: '/api/v1/no-such-route', headers: { accept: 'text/html' } });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toMatch(/problem\+json/);
  });

  it('pages that need a user send the visitor to sign in and back', async () => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    const r = await c.get('/');
    expect(r.status).toBe(200);
    await c.signInAs({ sub: 'a', name: '管理员', role: 'admin' });
    expect((await c.get('/')).location).toBe('/inbox');
  });
});
