/**
 * A real OpenID provider for the sign-in tests (test/harness/oidc-provider.mjs, oidc-provider in a
 * child process), and a plain-HTTP walk through its login and consent pages for tests without a
 * browser.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, ROOT } from '../../infra/embedded';

export interface OidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** the settings that point the console at this provider */
  settings: Record<string, string>;
  stop(): Promise<void>;
}

/** Claims of the provider's accounts, by login name. */
export type Accounts = Record<string, Record<string, unknown>>;

export async function startOidcProvider(consoleBase: string, accounts: Accounts): Promise<OidcProvider> {
  const port = await freePort();
  const clientId = 'skill-cert-console';
  // generated at test time: no secret lives in the repository
  const clientSecret = randomBytes(24).toString('base64url');
  const child = spawn(process.execPath, [join(ROOT, 'test', 'harness', 'oidc-provider.mjs')], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      OIDC_PORT: String(port),
      OIDC_COOKIE_KEY: randomBytes(24).toString('base64url'),
      OIDC_ACCOUNTS: JSON.stringify(accounts),
      OIDC_CLIENT: JSON.stringify({
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [`${consoleBase}/signin/oidc/callback`],
        post_logout_redirect_uris: [`${consoleBase}/signout/done`],
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`oidc-provider did not start:\n${output}`)), 15_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /oidc-provider listening (\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`oidc-provider exited (${code}):\n${output}`));
    });
  });
  return {
    issuer,
    clientId,
    clientSecret,
    settings: {
      AUTH_OIDC_ISSUER: issuer,
      AUTH_OIDC_CLIENT_ID: clientId,
      AUTH_OIDC_CLIENT_SECRET: clientSecret,
      AUTH_OIDC_SCOPES: 'openid profile skillcert',
    },
    async stop() {
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}

/**
 * Follows the provider's redirects from `authorizationUrl` through its development login page (any
 * password) and its consent page, as a browser would, and returns the URL it sends the browser
 * back to (the console's callback). Cookies are kept per name, whatever their path.
 */
export async function signInAtProvider(authorizationUrl: string, login: string, consoleBase: string): Promise<string> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  };
  let url = authorizationUrl;
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 20; hop++) {
    if (url.startsWith(consoleBase)) return url;
    const res = await fetch(url, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: cookieHeader(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body,
    });
    keep(res);
    body = undefined;
    const location = res.headers.get('location');
    if (location) {
      url = new URL(location, url).href;
      continue;
    }
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (res.status !== 200 || !action) throw new Error(`provider answered ${res.status} without a form at ${url}:\n${html.slice(0, 500)}`);
    url = new URL(action.replace(/&amp;/g, '&'), url).href;
    body = html.includes('name="login"') ? new URLSearchParams({ prompt: 'login', login, password: 'any' }) : new URLSearchParams({ prompt: 'consent' });
  }
  throw new Error('too many redirects at the provider');
}
