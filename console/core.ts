/**
 * What every console page shares: rendering (Eta templates, escaped by default), the signed-in
 * user from the session cookie, calls to the HTTP API with that user's own token, and turning the
 * API's problem documents into plain Chinese.
 *
 * The console holds no rights of its own: each page calls the same /api/v1 routes a script would
 * (through `app.inject`, with the caller's token and address), so the API's authorization, scope
 * checks, validation, rate limits and idempotency apply to the console unchanged.
 */
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../domain/roles';
import { chinaDateOf, isoChina } from '../domain/dates';
import { isErrorCode, type ErrorCode } from '../domain/errors';
import * as labels from './labels';

export const SESSION_COOKIE = 'sc_session';

/**
 * The session cookie, read and written here rather than through @fastify/cookie, whose ESM-only
 * `cookie` dependency is loaded by a dynamic import that jest's CommonJS runtime cannot run. The one
 * value is a JWT (base64url and dots), so no encoding is involved.
 */
export function sessionTokenOf(req: FastifyRequest): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const v = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9._-]{1,4096}$/.test(v) ? v : undefined;
    }
  }
  return undefined;
}

export function setSessionCookie(reply: FastifyReply, token: string | undefined, opts: { secure: boolean; maxAgeSeconds: number }) {
  const attrs = ['Path=/', 'HttpOnly', 'SameSite=Strict', token ? `Max-Age=${opts.maxAgeSeconds}` : 'Max-Age=0'];
  if (opts.secure) attrs.push('Secure');
  reply.header('set-cookie', `${SESSION_COOKIE}=${token ?? ''}; ${attrs.join('; ')}`);
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** a page of a signed-in module that the public may open too (see signedInOnly) */
    publicPage?: boolean;
  }
  interface FastifyRequest {
    /** the console user, from the HttpOnly session cookie (undefined: not signed in) */
    consoleCaller?: Caller;
    consoleToken?: string;
  }
}

/** Compiled once per template and kept: the templates ship with the code (a restart picks up edits). */
const templates = new Eta({ views: join(__dirname, 'views'), cache: true, autoEscape: true, autoTrim: false });

export interface NavItem {
  href: string;
  text: string;
}

/** The menu a role sees; public pages are there for everyone. */
export function navFor(caller: Caller | undefined, demo: boolean): NavItem[] {
  const items: NavItem[] = [
    { href: '/directory', text: '机构目录' },
    { href: '/verify', text: '证书查询' },
    { href: '/publicity', text: '公示' },
    { href: '/complaints/new', text: '投诉举报' },
    { href: '/inspections', text: '抽查公示' },
  ];
  if (!caller) return items;
  items.push({ href: '/inbox', text: '待办' });
  const r = caller.role;
  if (r !== 'supervisor') items.push({ href: '/filings', text: r === 'institution' ? '我的备案' : '备案' });
  if (r !== 'expert') items.push({ href: '/batches', text: r === 'institution' ? '我的认定批次' : '认定批次' });
  // the center reviews certificate corrections (004 Art.12); the requests are not inbox steps of a filing or batch
  if (r === 'center') items.push({ href: '/certificates/corrections', text: '证书更正复核' });
  if (r === 'institution' || r === 'center') items.push({ href: '/annual-plans', text: '年度计划' });
  if (r === 'province-reviewer') items.push({ href: '/recognitions', text: '竞赛认定' });
  if (r === 'prefecture-reviewer' || r === 'province-reviewer' || r === 'admin' || r === 'center')
    items.push({ href: '/registries', text: '专家库与督导员库' }, { href: '/dashboard', text: '统计概览' });
  if (r === 'admin') items.push({ href: '/admin', text: demo ? '日历与演示时钟' : '工作日历' });
  items.push({ href: '/notifications', text: '通知' });
  return items;
}

export interface PageData {
  title: string;
  [k: string]: unknown;
}

/** Renders a page inside the layout, with what the layout needs (user, menu, labels). */
export async function render(req: FastifyRequest, reply: FastifyReply, view: string, data: PageData, status = 200): Promise<FastifyReply> {
  const settings = req.server.services.settings;
  const demo = settings.APP_MODE === 'demo';
  const html = templates.render(view, {
    ...data,
    caller: req.consoleCaller,
    roleLabel: req.consoleCaller ? labels.ROLE_LABELS[req.consoleCaller.role] : undefined,
    nav: navFor(req.consoleCaller, demo),
    path: req.url.split('?')[0],
    demo,
    mode: settings.APP_MODE,
    L: labels,
    newKey: randomUUID,
    flash: flashOf(req),
  });
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}

/** Short notices carried across a redirect (`?ok=...`), by key (labels FLASH_LABELS), never free text from the URL. */
function flashOf(req: FastifyRequest): string | undefined {
  const ok = (req.query as Record<string, unknown> | undefined)?.ok;
  return typeof ok === 'string' && Object.prototype.hasOwnProperty.call(labels.FLASH_LABELS, ok) ? labels.FLASH_LABELS[ok] : undefined;
}

export interface ApiResult<T = any> {
  status: number;
  ok: boolean;
  body: T;
  /** the problem document's code on a 4xx/5xx (domain/errors.ts) */
  code?: ErrorCode;
  headers: Record<string, unknown>;
  /** the bytes as sent, for downloads that are not text (workbooks, PDFs) */
  raw: Buffer;
}

/**
 * Calls the HTTP API as the signed-in user. `key` becomes the Idempotency-Key: forms carry one
 * minted when the form was rendered, so a double click or a resubmitted page has its effect once.
 */
export async function api<T = any>(
  req: FastifyRequest,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  opts: {
    body?: unknown;
    key?: string;
    query?: Record<string, string | number | undefined>;
    /** call as the public, without the user's token (a page that must show what anyone would see) */
    anonymous?: boolean;
  } = {},
): Promise<ApiResult<T>> {
  const query = Object.entries(opts.query ?? {}).filter(([, v]) => v !== undefined && v !== '');
  const qs = query.length ? `?${new URLSearchParams(query.map(([k, v]): [string, string] => [k, String(v)])).toString()}` : '';
  const headers: Record<string, string> = { 'x-request-id': String(req.id) };
  if (req.consoleToken && !opts.anonymous) headers.authorization = `Bearer ${req.consoleToken}`;
  if (opts.key) headers['idempotency-key'] = opts.key;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await req.server.inject({
    method,
    url: `/api/v1${path}${qs}`,
    headers,
    payload: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    remoteAddress: req.ip,
  });
  let body: any = res.body;
  if (String(res.headers['content-type'] ?? '').includes('json')) body = res.json();
  const ok = res.statusCode < 400;
  return { status: res.statusCode, ok, body, code: !ok && isErrorCode(body?.code) ? body.code : undefined, headers: res.headers, raw: res.rawPayload };
}

/** A file a form sent, to pass on to the API. */
export interface FormFile {
  name: string;
  data: Buffer;
}

/** Sends a multipart upload (text fields and one file, as `file`) to the API as the signed-in user. */
export async function apiUpload(req: FastifyRequest, path: string, fields: Record<string, string>, file: FormFile, key?: string): Promise<ApiResult> {
  const boundary = `----console${randomUUID()}`;
  const quote = (s: string) => s.replace(/["\r\n]/g, '_');
  const parts: Buffer[] = Object.entries(fields).map(([k, v]) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(k)}"\r\n\r\n${v}\r\n`),
  );
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quote(file.name)}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    file.data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  const headers: Record<string, string> = { 'x-request-id': String(req.id), 'content-type': `multipart/form-data; boundary=${boundary}` };
  if (req.consoleToken) headers.authorization = `Bearer ${req.consoleToken}`;
  if (key) headers['idempotency-key'] = key;
  const res = await req.server.inject({ method: 'POST', url: `/api/v1${path}`, headers, payload: Buffer.concat(parts), remoteAddress: req.ip });
  const body = String(res.headers['content-type'] ?? '').includes('json') ? res.json() : res.body;
  const ok = res.statusCode < 400;
  return { status: res.statusCode, ok, body, code: !ok && isErrorCode(body?.code) ? body.code : undefined, headers: res.headers, raw: res.rawPayload };
}

/** A refusal in plain words, with the API's own detail kept for the curious. */
export function problemText(r: ApiResult): string {
  const words = (r.code && labels.PROBLEM_LABELS[r.code]) || (r.status >= 500 ? labels.PROBLEM_LABELS.INTERNAL : '操作未能完成。');
  const extra: string[] = [];
  const b = r.body ?? {};
  if (b.earliestExamDate) extra.push(`最早可安排的考核日期：${b.earliestExamDate}`);
  if (Array.isArray(b.missing) && b.missing.length) extra.push(`缺少：${b.missing.map((k: string) => labels.label(labels.MATERIAL_LABELS, k)).join('、')}`);
  if (Array.isArray(b.issues) && b.issues.length) {
    extra.push(
      b.issues
        .slice(0, 8)
        .map((i: { path?: unknown[]; message?: string }) => `${(i.path ?? []).join('.')}: ${i.message ?? ''}`)
        .join('；'),
    );
  } else if (r.status < 500 && typeof b.detail === 'string' && r.code !== 'NOT_FOUND') {
    extra.push(b.detail);
  }
  return extra.length ? `${words}（${extra.join('；')}）` : words;
}

/**
 * onRequest hook of the page modules for signed-in users (filings, batches, inbox, admin): a
 * visitor is sent to sign in first, and back here afterwards. A route of such a module that the
 * public may open declares `config: { publicPage: true }`.
 */
export async function signedInOnly(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (req.consoleCaller || req.routeOptions.config?.publicPage) return undefined;
  return reply.redirect(`/signin?next=${encodeURIComponent(req.url)}`, 303);
}

/** Where to go after a form: the same page, with a notice. */
export function seeOther(reply: FastifyReply, path: string, ok?: string): FastifyReply {
  const sep = path.includes('?') ? '&' : '?';
  return reply.redirect(ok ? `${path}${sep}ok=${ok}` : path, 303);
}

/** A form field that may arrive as one value or several (checkboxes, repeated inputs). */
export function many(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  return (Array.isArray(v) ? v : [v]).map(String).filter((s) => s !== '');
}

export function one(v: unknown): string {
  return Array.isArray(v) ? String(v[0] ?? '') : v === undefined || v === null ? '' : String(v);
}

/** An instant (ISO text or Date) as China time `YYYY-MM-DD HH:mm`, '' when it is not one. */
export function chinaTime(at: unknown): string {
  const ms = typeof at === 'string' ? Date.parse(at) : at instanceof Date ? at.getTime() : NaN;
  return Number.isFinite(ms) ? isoChina(ms).slice(0, 16).replace('T', ' ') : '';
}

/** An instant (ISO text or Date) as its China date `YYYY-MM-DD`, '' when it is not one. */
export function chinaDate(at: unknown): string {
  const ms = typeof at === 'string' ? Date.parse(at) : at instanceof Date ? at.getTime() : NaN;
  return Number.isFinite(ms) ? chinaDateOf(ms) : '';
}
