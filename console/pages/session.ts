/**
 * Signing in and out. The session is the user's API token in an HttpOnly, SameSite=Strict cookie:
 * no script on a page can read it (so an injected one cannot steal it), and other sites cannot
 * send it. With AUTH_OIDC_ISSUER set, the person signs in at the province's identity provider
 * (console/oidc.ts) and the mapped claims become a token minted here. In demo and development a
 * "sign in as" picker mints a local token; in every mode a token from the provincial identity
 * provider may be pasted (checked like any API call: HS256 secret or the AUTH_JWKS_URL keys).
 */
import type { FastifyInstance } from 'fastify';
import { ROLES, type Caller, type Role } from '../../domain/roles';
import { PROVINCES, PREFECTURE_NAMES } from '../../domain/regions';
import { signToken, claimsSchema, tokenAddressing } from '../../api/tokens';
import { render, one, seeOther, setSessionCookie } from '../core';
import { CALLBACK_PATH, HINT_COOKIE, OidcSignInError, SIGNED_OUT_PATH, cookieOf, createOidcSignIn } from '../oidc';

const TOKEN_HOURS = 12;

/** Only a local path may be the place to return to (never another site). */
function safeNext(v: unknown): string {
  const s = one(v);
  return /^\/(?!\/)[^\s\\]*$/.test(s) && !s.startsWith('/signin') ? s : '/inbox';
}

export default async function sessionPages(app: FastifyInstance) {
  const settings = app.services.settings;
  const pickerAllowed = settings.APP_MODE !== 'production' && !!settings.AUTH_JWT_SECRET;
  const prefectures = Object.entries(PREFECTURE_NAMES).map(([code, name]) => ({ code, name }));
  const oidc = createOidcSignIn(settings, app.log);

  const setSession = (reply: import('fastify').FastifyReply, token: string | undefined) =>
    setSessionCookie(reply, token, { secure: settings.APP_MODE === 'production', maxAgeSeconds: TOKEN_HOURS * 3600 });

  const page = (req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply, extra: Record<string, unknown> = {}, status = 200) =>
    render(
      req,
      reply,
      'signin',
      {
        title: '登录',
        pickerAllowed,
        oidcEnabled: !!oidc,
        roles: ROLES,
        provinces: PROVINCES,
        prefectures,
        next: safeNext((req.query as Record<string, unknown>)?.next ?? (req.body as Record<string, unknown> | undefined)?.next),
        values: { role: 'institution', province: '22', ...(req.body as object | undefined) },
        ...extra,
      },
      status,
    );

  app.get('/', async (req, reply) => (req.consoleCaller ? reply.redirect('/inbox', 303) : render(req, reply, 'home', { title: '首页' })));

  app.get('/signin', async (req, reply) => page(req, reply));

  app.post('/signin', async (req, reply) => {
    if (!pickerAllowed) return page(req, reply, { problem: '此环境只能使用身份认证平台签发的令牌登录。' }, 403);
    const b = req.body as Record<string, unknown>;
    const role = one(b.role) as Role;
    const province = one(b.province) || undefined;
    const prefecture = one(b.prefecture) || undefined;
    const institutionId = one(b.institutionId).trim().toUpperCase() || undefined;
    const sub = one(b.sub).trim() || `${role}-${institutionId ?? prefecture ?? province ?? 'local'}`;
    const claims = claimsSchema.safeParse({
      sub,
      name: one(b.name).trim() || sub,
      role,
      province: province ?? prefecture?.slice(0, 2),
      prefecture: role === 'prefecture-reviewer' || role === 'center' || role === 'expert' || role === 'supervisor' ? prefecture : undefined,
      institutionId: role === 'institution' ? institutionId : undefined,
    });
    if (!claims.success) {
      const why = claims.error.issues.map((i) => `${i.path.join('.') || '身份'}：${i.message}`).join('；');
      return page(req, reply, { problem: `无法以此身份登录（${why}）。评价机构须填写18位统一社会信用代码，市级角色须选择地市。` }, 400);
    }
    setSession(reply, await signToken(settings.AUTH_JWT_SECRET!, claims.data as Caller, `${TOKEN_HOURS}h`, tokenAddressing(settings)));
    return seeOther(reply, safeNext(b.next), 'signed-in');
  });

  app.post('/signin/token', async (req, reply) => {
    const b = req.body as Record<string, unknown>;
    const token = one(b.token).trim();
    const caller = token ? await app.verifyCaller(token) : undefined;
    if (!caller) return page(req, reply, { problem: '令牌无效、已过期，或缺少必要的身份信息。' }, 401);
    setSession(reply, token);
    return seeOther(reply, safeNext(b.next), 'signed-in');
  });

  const refused = (req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply, err: unknown) => {
    if (!(err instanceof OidcSignInError)) throw err;
    return render(req, reply, 'message', { title: '无法登录', heading: '无法登录', text: err.text, back: '/signin', backText: '返回登录页' }, err.status);
  };

  app.get('/signin/oidc', async (req, reply) => {
    if (!oidc) return reply.callNotFound();
    try {
      return reply.redirect(await oidc.start(reply, safeNext((req.query as Record<string, unknown>)?.next)), 303);
    } catch (err) {
      return refused(req, reply, err);
    }
  });

  app.get(CALLBACK_PATH, async (req, reply) => {
    if (!oidc) return reply.callNotFound();
    try {
      const { caller, idToken, next } = await oidc.finish(req, reply);
      setSession(reply, await signToken(settings.AUTH_JWT_SECRET!, caller, `${TOKEN_HOURS}h`, tokenAddressing(settings)));
      oidc.rememberIdToken(reply, idToken, TOKEN_HOURS * 3600);
      // a page, not a redirect: the browser came here from the provider's site, and would withhold the
      // SameSite=Strict session cookie from a redirect in that chain; a refresh from this page is our own
      const dest = safeNext(next);
      const target = `${dest}${dest.includes('?') ? '&' : '?'}ok=signed-in`;
      return render(req, reply, 'message', {
        title: '登录',
        heading: '已登录',
        kind: 'ok',
        text: '正在进入系统……',
        refresh: target,
        back: target,
        backText: '继续',
      });
    } catch (err) {
      return refused(req, reply, err);
    }
  });

  app.post('/signout', async (req, reply) => {
    setSession(reply, undefined);
    const hint = cookieOf(req, HINT_COOKIE);
    if (!oidc) return seeOther(reply, '/', 'signed-out');
    oidc.clearCookies(reply);
    // only a session that came from the provider has a provider session to end
    const end = hint ? await oidc.endSessionUrl(hint) : undefined;
    if (!end) return seeOther(reply, '/', 'signed-out');
    // a page, not a redirect: the Content-Security-Policy's form-action 'self' stops a form's
    // redirect to another origin, and the provider's origin is no business of every other page
    return render(req, reply, 'message', {
      title: '退出登录',
      heading: '已退出本系统',
      kind: 'ok',
      text: '正在退出身份认证平台……',
      refresh: end,
      back: end,
      backText: '继续退出身份认证平台',
    });
  });

  // where the provider sends the browser back after ending its own session
  app.get(SIGNED_OUT_PATH, async (_req, reply) => seeOther(reply, '/', 'signed-out'));
}
