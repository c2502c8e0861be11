/** Driving console pages over app.inject(): a signed-in session cookie and form posts. */
import type { FastifyInstance } from 'fastify';
import { signToken } from '../../api/tokens';
import type { Caller } from '../../domain/roles';
import { SESSION_COOKIE } from '../../console/core';

export interface Page {
  status: number;
  html: string;
  location?: string;
  headers: Record<string, unknown>;
}

/** urlencoded body; arrays become repeated fields (checkboxes) */
export function formBody(fields: Record<string, string | number | boolean | (string | number)[] | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) p.append(k, String(x));
  }
  return p.toString();
}

export function consoleClient(app: FastifyInstance, secret: string) {
  let cookie: string | undefined;
  const asPage = (r: Awaited<ReturnType<FastifyInstance['inject']>>): Page => ({
    status: r.statusCode,
    html: r.body,
    location: r.headers.location as string | undefined,
    headers: r.headers,
  });
  return {
    async signInAs(caller: Caller) {
      cookie = `${SESSION_COOKIE}=${await signToken(secret, caller)}`;
    },
    signOut() {
      cookie = undefined;
    },
    async get(url: string): Promise<Page> {
      return asPage(await app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} }));
    },
    async post(url: string, fields: Parameters<typeof formBody>[0], headers: Record<string, string> = {}): Promise<Page> {
      return asPage(
        await app.inject({
          method: 'POST',
          url,
          payload: formBody(fields),
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}), ...headers },
        }),
      );
    },
    /** multipart upload of one file plus fields */
    async upload(
      url: string,
      fields: Record<string, string | string[]>,
      file: { field: string; name: string; type: string; content: Buffer | string },
    ): Promise<Page> {
      const boundary = `----console${Date.now()}`;
      const parts: Buffer[] = [];
      for (const [k, v] of Object.entries(fields))
        for (const x of [v].flat()) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${x}\r\n`));
      parts.push(
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`),
      );
      parts.push(Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content));
      parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
      return asPage(
        await app.inject({
          method: 'POST',
          url,
          payload: Buffer.concat(parts),
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...(cookie ? { cookie } : {}) },
        }),
      );
    },
  };
}

/** The text of an HTML page with tags removed and whitespace collapsed, for assertions on what a reader sees. */
export function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
