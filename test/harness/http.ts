/** A small client over app.inject() for API tests. */
import type { FastifyInstance } from 'fastify';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
}

export function http(app: FastifyInstance) {
  async function call<T = any>(
    method: string,
    url: string,
    opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const r = await app.inject({
      method: method as never,
      url,
      headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.headers ?? {}) },
      ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
    });
    let body: any = r.body;
    try {
      body = r.json();
    } catch {
      /* not JSON */
    }
    return { status: r.statusCode, body, headers: r.headers };
  }
  return {
    call,
    get: <T = any>(url: string, token?: string) => call<T>('GET', url, { token }),
    post: <T = any>(url: string, body: unknown, token?: string, headers?: Record<string, string>) => call<T>('POST', url, { token, body, headers }),
    put: <T = any>(url: string, body: unknown, token?: string, headers?: Record<string, string>) => call<T>('PUT', url, { token, body, headers }),
  };
}
