/**
 * Sign-in with the identity provider over app.inject, against a real OpenID provider the test
 * starts (test/harness/oidc-provider.mjs): the session it gives, and the refusals — a callback
 * whose state is not the browser's own, one without the flow cookie, a replayed code, a role the
 * system does not know. The same in Chromium, with the provider's sign-out: test/e2e/oidc.test.ts.
 */
import { devStack, type DevStack } from '../harness/stack';
import { textOf } from '../harness/console';
import { signInAtProvider, startOidcProvider, type OidcProvider } from '../harness/oidc';
import { SESSION_COOKIE } from '../../console/core';
import { FLOW_COOKIE, HINT_COOKIE } from '../../console/oidc';
import { ROLE_LABELS } from '../../domain/labels';

// the console is reached by inject only; this is the address the provider sends browsers back to
const BASE = 'http://127.0.0.1:3999';

describe('console: sign-in with the identity provider', () => {
  let provider: OidcProvider;
  let s: DevStack;
  beforeAll(async () => {
    provider = await startOidcProvider(BASE, {
      'li-reviewer': { name: '李审核', role: 'prefecture-reviewer', province: '22', prefecture: '220100' },
      stranger: { name: '路人', role: 'superuser', province: '22' },
    });
    s = await devStack({ settings: { ...provider.settings, PUBLIC_BASE_URL: BASE } });
  });
  afterAll(async () => {
    await s?.close();
    await provider?.stop();
  });

  const cookiesOf = (headers: Record<string, unknown>) => {
    const list = headers['set-cookie'];
    return (Array.isArray(list) ? list : list ? [list] : []).map(String);
  };
  const cookie = (headers: Record<string, unknown>, name: string) => cookiesOf(headers).find((c) => c.startsWith(`${name}=`));
  const pair = (c: string | undefined) => (c ?? '').split(';')[0];

  /** A sign-in started at the console: its flow cookie and the provider's authorization URL. */
  async function begin(next = '/filings') {
    const r = await s.app.inject({ method: 'GET', url: `/signin/oidc?next=${encodeURIComponent(next)}` });
    expect(r.statusCode).toBe(303);
    const flow = cookie(r.headers, FLOW_COOKIE);
    expect(flow).toMatch(/HttpOnly/);
    // Lax, not Strict: the way back is a navigation from the provider's site
    expect(flow).toMatch(/SameSite=Lax/);
    expect(flow).toMatch(/Path=\/signin\/oidc/);
    return { flow: pair(flow), location: String(r.headers.location) };
  }
  const callback = (url: string, cookies: string) => s.app.inject({ method: 'GET', url: url.slice(BASE.length), headers: cookies ? { cookie: cookies } : {} });

  it('signs in with PKCE, maps the claims to the session a pasted token gives, and signs out at the provider', async () => {
    const { flow, location } = await begin();
    const auth = new URL(location);
    expect(auth.origin).toBe(provider.issuer);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('redirect_uri')).toBe(`${BASE}/signin/oidc/callback`);

    const back = await signInAtProvider(location, 'li-reviewer', BASE);
    const r = await callback(back, flow);
    expect(r.statusCode).toBe(200);
    // a refresh from our own page: a redirect in the chain from the provider would lose the Strict cookie
    expect(r.body).toContain('<meta http-equiv="refresh" content="0; url=/filings?ok=signed-in">');
    const session = cookie(r.headers, SESSION_COOKIE);
    expect(session).toMatch(/^sc_session=ey.*HttpOnly.*SameSite=Strict/);
    expect(cookie(r.headers, FLOW_COOKIE)).toMatch(/Max-Age=0/);
    const hint = cookie(r.headers, HINT_COOKIE);
    expect(hint).toMatch(/Path=\/signout/);

    const page = await s.app.inject({ method: 'GET', url: '/inbox', headers: { cookie: pair(session) } });
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain(`李审核（${ROLE_LABELS['prefecture-reviewer']}`);
    // the API itself takes the minted token, with the mapped scope
    const me = await s.app.inject({
      method: 'GET',
      url: '/api/v1/filings',
      headers: { authorization: `Bearer ${pair(session).slice(SESSION_COOKIE.length + 1)}` },
    });
    expect(me.statusCode).toBe(200);

    // the same callback again: the code is spent and the flow forgotten
    const replay = await callback(back, flow);
    expect(replay.statusCode).toBe(400);
    expect(cookie(replay.headers, SESSION_COOKIE)).toBeUndefined();

    const out = await s.app.inject({
      method: 'POST',
      url: '/signout',
      headers: { cookie: `${pair(session)}; ${pair(hint)}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    expect(out.statusCode).toBe(200);
    expect(cookie(out.headers, SESSION_COOKIE)).toMatch(/Max-Age=0/);
    expect(cookie(out.headers, HINT_COOKIE)).toMatch(/Max-Age=0/);
    const refresh = /<meta http-equiv="refresh" content="0; url=([^"]+)">/.exec(out.body)?.[1];
    const end = new URL(String(refresh).replace(/&amp;/g, '&'));
    expect(end.origin).toBe(provider.issuer);
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${BASE}/signout/done`);
    expect(end.searchParams.get('id_token_hint')).toBe(pair(hint).slice(HINT_COOKIE.length + 1));
  });

  it('refuses a callback whose state is not the one this browser started, and one without the flow cookie', async () => {
    const mine = await begin();
    const other = await begin();
    const back = await signInAtProvider(other.location, 'li-reviewer', BASE);
    const r = await callback(back, mine.flow);
    expect(r.statusCode).toBe(400);
    expect(textOf(r.body)).toContain('登录请求与身份认证平台的应答不一致');
    expect(cookie(r.headers, SESSION_COOKIE)).toBeUndefined();

    const none = await callback(back, '');
    expect(none.statusCode).toBe(400);
    expect(textOf(none.body)).toContain('登录请求已失效');
    const forged = await callback(back, `${FLOW_COOKIE}=${other.flow.slice(FLOW_COOKIE.length + 1, -4)}AAAA`);
    expect(forged.statusCode).toBe(400);
    expect(cookie(forged.headers, SESSION_COOKIE)).toBeUndefined();
  });

  it('refuses a person whose role the system does not know, in plain words', async () => {
    const { flow, location } = await begin();
    const r = await callback(await signInAtProvider(location, 'stranger', BASE), flow);
    expect(r.statusCode).toBe(403);
    expect(textOf(r.body)).toContain('身份认证平台提供的角色不是本系统的角色');
    expect(cookie(r.headers, SESSION_COOKIE)).toBeUndefined();
  });

  it('offers the provider on the sign-in page, next to the pasted token', async () => {
    const page = await s.app.inject({ method: 'GET', url: '/signin?next=/batches' });
    expect(page.body).toContain('href="/signin/oidc?next=%2Fbatches"');
    expect(page.body).toContain('action="/signin/token"');
  });
});
