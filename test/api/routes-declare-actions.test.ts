/**
 * Every route under /api/v1 declares `config.action`, a known action of the one policy module
 * (domain/policy.ts), so the auth hook checks its role before the handler runs. Walks the route
 * table the app records while its routes register (`app.routeTable`, an onRoute hook registered
 * before any route), for the normal and the demo build, and cross-checks it with /docs/json.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../app';
import { ACTIONS, isAction, ruleOf } from '../../domain/access';
import { createServices, type Services } from '../../infra/services';
import { stackInfo, testSettings, timeSkippingAddress, uniqueName } from '../harness/stack';

const API = '/api/v1';
/** routes outside /api/v1 that are neither documentation nor the CORS preflight */
const OTHER_API_ROUTES = ['/health', '/livez'];
const toOpenApi = (url: string) => url.replace(/:(\w+)/g, '{$1}');

describe('every route declares a known action', () => {
  const apps: { mode: string; app: FastifyInstance; services: Services }[] = [];

  beforeAll(async () => {
    const info = stackInfo();
    const mongoUri = `${info.mongoBase}/${uniqueName('routes').replace(/-/g, '_')}`;
    for (const [mode, temporalAddress] of [
      ['test', info.devAddress],
      ['demo', timeSkippingAddress()],
    ] as const) {
      const services = await createServices(testSettings({ APP_MODE: mode }), { temporalAddress, mongoUri });
      apps.push({ mode, services, app: await buildApp(services) });
    }
  });
  afterAll(async () => {
    for (const { app, services } of apps) {
      await app.close();
      await services.close();
    }
  });

  const apiRoutes = (app: FastifyInstance) => app.routeTable.filter((r) => r.url.startsWith(`${API}/`) || r.url === API || OTHER_API_ROUTES.includes(r.url));

  it('records the routes as they register', () => {
    for (const { app, mode } of apps) {
      const urls = apiRoutes(app).map((r) => `${r.method} ${r.url}`);
      expect(urls).toEqual(expect.arrayContaining(['POST /api/v1/filings', 'GET /api/v1/filings/:id', 'POST /api/v1/experts', 'GET /health']));
      if (mode === 'demo') expect(urls).toEqual(expect.arrayContaining(['GET /api/v1/admin/clock', 'POST /api/v1/admin/clock/advance']));
      else expect(urls).not.toContain('GET /api/v1/admin/clock');
    }
  });

  it('fails for any route under /api/v1 without a known action', () => {
    for (const { app, mode } of apps) {
      const missing = apiRoutes(app)
        .filter((r) => !isAction(r.action))
        .map((r) => `${mode}: ${r.method} ${r.url} declares ${r.action === undefined ? 'no action' : `the unknown action "${r.action}"`}`);
      expect(missing).toEqual([]);
    }
  });

  it('the only routes without an action are the documentation and the CORS preflight', () => {
    for (const { app } of apps) {
      const without = app.routeTable.filter((r) => r.action === undefined).map((r) => `${r.method} ${r.url}`);
      for (const r of without) expect(r).toMatch(/^(GET|HEAD) \/docs(\/|$)|^OPTIONS \*$/);
    }
  });

  it('every documented path is a recorded route, and every recorded API route is documented with matching security', async () => {
    for (const { app, mode } of apps) {
      const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, { security?: unknown[] }>> };
      const recorded = new Map(
        apiRoutes(app)
          .filter((r) => r.method !== 'HEAD')
          .map((r) => [`${r.method.toLowerCase()} ${toOpenApi(r.url)}`, r]),
      );
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
      expect(documented.filter((d) => !recorded.has(d))).toEqual([]);
      expect([...recorded.keys()].filter((k) => !documented.includes(k)).map((k) => `${mode}: ${k} is not in /docs/json`)).toEqual([]);
      for (const key of documented) {
        const [method, path] = key.split(' ');
        const r = recorded.get(key)!;
        const isPublic = !!ruleOf(r.action as never).public;
        const security = doc.paths[path][method].security;
        // a route that needs a token says so in the document; a public one does not
        expect([key, isPublic ? 'public' : 'bearer']).toEqual([key, security?.length ? 'bearer' : 'public']);
      }
    }
  });

  it('public routes that change something, and the public certificate look-ups, are rate-limited', () => {
    for (const { app } of apps) {
      const unlimited = apiRoutes(app)
        .filter((r) => isAction(r.action) && ruleOf(r.action).public)
        .filter((r) => !['GET', 'HEAD'].includes(r.method) || r.url.startsWith(`${API}/certificates`))
        .filter((r) => !r.rateLimited)
        .map((r) => `${r.method} ${r.url}`);
      expect(unlimited).toEqual([]);
    }
  });

  it('every action in the policy is used by a route (no dead rules)', () => {
    const used = new Set(apps.flatMap(({ app }) => app.routeTable.map((r) => r.action)));
    const unused = Object.keys(ACTIONS).filter((a) => !used.has(a));
    expect(unused).toEqual([]);
  });
});
