/**
 * Public pages (no sign-in): the institution directory, certificate verification and open
 * publicities with their objection forms. Each reads the public API routes, so what they show is
 * exactly what the API shows the public (certificate holders masked).
 */
import type { FastifyInstance } from 'fastify';
import { PROVINCES } from '../../domain/regions';
import { api, problemText, render, one, seeOther } from '../core';

export default async function publicPages(app: FastifyInstance) {
  app.get('/directory', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const filters = { q: one(q.q).trim(), province: one(q.province), occupation: one(q.occupation).trim(), level: one(q.level), cursor: one(q.cursor) };
    const r = await api(req, 'GET', '/directory', { query: { ...filters, limit: 20 } });
    return render(
      req,
      reply,
      'directory',
      {
        title: '评价机构目录',
        filters,
        provinces: PROVINCES,
        items: r.ok ? r.body.items : [],
        nextCursor: r.ok ? r.body.nextCursor : null,
        problem: r.ok ? undefined : problemText(r),
      },
      r.ok ? 200 : r.status,
    );
  });

  app.get('/verify', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const values = { number: one(q.number).trim(), idNumber: one(q.idNumber).trim().toUpperCase(), name: one(q.name).trim() };
    let results: unknown[] | undefined;
    let problem: string | undefined;
    let status = 200;
    if (values.number) {
      const r = await api(req, 'GET', `/certificates/${encodeURIComponent(values.number)}`);
      if (r.ok) results = [r.body];
      else if (r.status === 404) results = [];
      else [problem, status] = [problemText(r), r.status];
    } else if (values.idNumber || values.name) {
      if (!values.idNumber || !values.name) [problem, status] = ['按身份证号查询时，身份证号和姓名都须填写。', 400];
      else {
        const r = await api(req, 'GET', '/certificates', { query: { idNumber: values.idNumber, name: values.name } });
        if (r.ok) results = r.body.items;
        else [problem, status] = [problemText(r), r.status];
      }
    }
    return render(req, reply, 'verify', { title: '证书查询', values, results, problem }, status);
  });

  app.get('/publicity', async (req, reply) => {
    const r = await api(req, 'GET', '/publicity');
    return render(req, reply, 'publicity', { title: '公示', items: r.ok ? r.body.items : [], problem: r.ok ? undefined : problemText(r) });
  });

  const objectionForm = async (
    req: import('fastify').FastifyRequest,
    reply: import('fastify').FastifyReply,
    extra: Record<string, unknown> = {},
    status = 200,
  ) => {
    const { kind, id } = req.params as { kind: string; id: string };
    const r = await api(req, 'GET', '/publicity');
    const item = r.ok ? (r.body.items as { kind: string; id: string }[]).find((i) => i.kind === kind && i.id === id) : undefined;
    return render(req, reply, 'objection', { title: '提出异议', kind, id, item, values: {}, ...extra }, item || extra.problem ? status : 404);
  };

  app.get('/publicity/:kind/:id/objection', async (req, reply) => objectionForm(req, reply));

  app.post('/publicity/:kind/:id/objection', async (req, reply) => {
    const { kind, id } = req.params as { kind: string; id: string };
    if (kind !== 'filing' && kind !== 'batch') return objectionForm(req, reply, { problem: '没有这项公示。' }, 404);
    const b = req.body as Record<string, unknown>;
    const values = { name: one(b.name).trim(), contact: one(b.contact).trim(), reason: one(b.reason).trim() };
    const r = await api(req, 'POST', `/${kind === 'filing' ? 'filings' : 'batches'}/${encodeURIComponent(id)}/objections`, {
      body: values,
      key: one(b._key) || undefined,
    });
    if (!r.ok) return objectionForm(req, reply, { problem: problemText(r), values }, r.status);
    return seeOther(reply, '/publicity', 'objected');
  });
}
