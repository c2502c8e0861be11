/**
 * The web console (zh-CN), served by the API's own server at `/`: server-rendered pages, no
 * client-side script, styles bundled with the server. See the README's "Using the console".
 *
 * Registered as an encapsulated plugin, so its form and upload parsers, its session cookie and its
 * HTML error pages stay out of the JSON API.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import { render, sessionTokenOf, setSessionCookie } from './core';
import sessionPages from './pages/session';
import publicPages from './pages/public';
import filingPages from './pages/filings';
import batchPages from './pages/batches';
import certificatePages from './pages/certificates';
import workPages from './pages/work';
import adminPages from './pages/admin';
import dashboardPages from './pages/dashboard';
import complaintPages from './pages/complaints';
import planPages from './pages/plans';
import inspectionPages from './pages/inspections';
import recognitionPages from './pages/recognitions';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** console routes that change something: checked for a same-origin request */
    consoleForm?: boolean;
  }
}

const NOT_FOUND_PAGE = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>页面不存在 · 职业技能等级认定</title><link rel="stylesheet" href="/assets/simple.css"><link rel="stylesheet" href="/assets/console.css"></head><body><main><h1>页面不存在</h1><p class="notice warn">没有这个页面，或它已被移走。</p><p><a href="/">返回首页</a></p></main></body></html>`;

/** A page for a person who followed a stale link (the root app's not-found handler, for a browser's GET). */
export function replyPageNotFound(reply: FastifyReply) {
  return reply.status(404).type('text/html; charset=utf-8').send(NOT_FOUND_PAGE);
}

/** Stylesheets, read once: simple.css (classless, MIT) and the console's own additions. */
function assets(): Record<string, string> {
  return {
    'simple.css': readFileSync(require.resolve('simpledotcss/simple.min.css'), 'utf8'),
    'console.css': readFileSync(join(__dirname, 'assets', 'console.css'), 'utf8'),
  };
}

export default async function consolePlugin(app: FastifyInstance) {
  const settings = app.services.settings;
  await app.register(formbody, { bodyLimit: 256 * 1024 });
  // candidate spreadsheets: one file of at most 2 MB per form
  await app.register(multipart, { limits: { fileSize: 2 * 1024 * 1024, files: 1, fields: 50 } });

  // every console route is a public action: the API it calls checks the user's own token
  app.addHook('onRoute', (r) => {
    r.config = { action: 'console.page', ...(r.config ?? {}) } as typeof r.config;
    r.schema = { hide: true, ...(r.schema ?? {}) };
  });

  app.addHook('onRequest', async (req, reply) => {
    const token = sessionTokenOf(req);
    if (!token) return;
    const caller = await app.verifyCaller(token);
    if (caller) {
      req.consoleCaller = caller;
      req.consoleToken = token;
    } else {
      // expired or no longer valid: forget it, the page then asks to sign in
      setSessionCookie(reply, undefined, { secure: settings.APP_MODE === 'production', maxAgeSeconds: 0 });
    }
  });

  /**
   * An Origin header names this host, or the request is refused: anything that is not an origin
   * at all is not this console. The opaque origin `null` is what a browser sends for our own forms
   * under `Referrer-Policy: no-referrer` (Chromium does), and also what a sandboxed frame or a
   * redirect from elsewhere sends: it passes only when the browser's Sec-Fetch-Site says same-origin.
   */
  function sameOrigin(origin: string, host: string | undefined, site: unknown): boolean {
    if (!host) return false;
    if (origin === 'null') return site === 'same-origin';
    try {
      const u = new URL(origin);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.host === host;
    } catch {
      return false;
    }
  }

  // Forms are only accepted from the console's own pages: the session cookie is SameSite=Strict,
  // and a browser's Origin / Sec-Fetch-Site must say same-origin (a second guard against CSRF).
  app.addHook('preHandler', async (req, reply) => {
    if (req.method !== 'POST') return;
    const site = req.headers['sec-fetch-site'];
    const origin = req.headers.origin;
    const host = req.headers.host;
    const crossSite =
      (typeof site === 'string' && site !== 'same-origin' && site !== 'none') || (typeof origin === 'string' && !sameOrigin(origin, host, site));
    if (crossSite) {
      await render(req, reply, 'message', { title: '请求被拒绝', heading: '请求被拒绝', text: '只能从本系统的页面提交表单。' }, 403);
    }
  });

  app.setErrorHandler(async (err: Error & { statusCode?: number }, req: FastifyRequest, reply: FastifyReply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'console page failed');
    return render(
      req,
      reply,
      'message',
      {
        title: status >= 500 ? '系统错误' : '请求有误',
        heading: status >= 500 ? '系统暂时出现问题' : '请求有误',
        text: status >= 500 ? '请稍后再试；如仍有问题，请联系系统管理员。' : status === 413 ? '上传的文件过大（不超过 2 MB）。' : '请检查填写的内容后重试。',
      },
      status,
    );
  });

  const files = assets();
  app.get('/assets/:name', async (req, reply) => {
    const { name } = req.params as { name: string };
    const css = Object.prototype.hasOwnProperty.call(files, name) ? files[name] : undefined;
    if (!css) return reply.code(404).type('text/plain').send('not found');
    return reply
      .type('text/css; charset=utf-8')
      .header('cache-control', settings.APP_MODE === 'production' ? 'public, max-age=3600' : 'no-cache')
      .send(css);
  });

  await app.register(sessionPages);
  await app.register(publicPages);
  await app.register(filingPages);
  await app.register(batchPages);
  await app.register(certificatePages);
  await app.register(workPages);
  await app.register(adminPages);
  await app.register(dashboardPages);
  await app.register(complaintPages);
  await app.register(planPages);
  await app.register(inspectionPages);
  await app.register(recognitionPages);
}
