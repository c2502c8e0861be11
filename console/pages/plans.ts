/**
 * Annual plans (年度认定计划, 000 §五(二)1) and a terminated filing's refund list (004 Art.13) in the
 * console. The institution files its year's plan here (linked from its filing page); the center of
 * its jurisdiction finds it in its inbox and acknowledges or returns it on its page. Every action is
 * the API's, called with the user's own token.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { api, chinaDate, many, one, problemText, render, seeOther, signedInOnly } from '../core';

const ROWS = 6;

interface PlanValues {
  filingId: string;
  year: string;
  rows: { occupationCode: string; level: string; quarter: string; expected: string }[];
}

const blankRows = () => Array.from({ length: ROWS }, () => ({ occupationCode: '', level: '', quarter: '', expected: '' }));
const formOf = (req: FastifyRequest) => (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {});

/** The rows of the plan form (parallel fields, one per row); an empty row is left out. */
function valuesOf(f: Record<string, unknown>): PlanValues {
  const col = (k: string) => many(f[k]).map((v) => v.trim());
  const codes = col('occupationCode');
  const rows = codes.map((occupationCode, i) => ({
    occupationCode,
    level: col('level')[i] ?? '',
    quarter: col('quarter')[i] ?? '',
    expected: col('expected')[i] ?? '',
  }));
  while (rows.length < ROWS) rows.push({ occupationCode: '', level: '', quarter: '', expected: '' });
  return { filingId: one(f.filingId).trim(), year: one(f.year).trim(), rows };
}

export default async function planPages(app: FastifyInstance) {
  app.addHook('onRequest', signedInOnly);

  const listPage = async (req: FastifyRequest, reply: FastifyReply, extra: { problem?: string; values?: PlanValues } = {}, status = 200) => {
    const caller = req.consoleCaller!;
    const q = req.query as Record<string, unknown>;
    const r = await api(req, 'GET', '/annual-plans', { query: { status: one(q.status) || undefined, limit: 100 } });
    const mayFile = caller.role === 'institution';
    // the institution's filings in force, to file a plan for
    const filings = mayFile ? await api(req, 'GET', '/filings', { query: { limit: 100 } }) : null;
    const inForce = (filings?.ok ? filings.body.items : []).filter((f: { status: string }) =>
      ['active', 'renewal-pending', 'change-pending'].includes(f.status),
    );
    // the system's clock (the demo clock in demo mode), China time
    const year = chinaDate((await req.server.services.clock.now()).toISOString()).slice(0, 4);
    return render(
      req,
      reply,
      'annual-plan-list',
      {
        title: '年度认定计划',
        items: r.ok ? r.body.items : [],
        mayFile,
        filings: inForce,
        values: extra.values ?? { filingId: one(q.filingId), year, rows: blankRows() },
        quarters: [1, 2, 3, 4],
        levels: [5, 4, 3, 2, 1],
        problem: extra.problem ?? (r.ok ? undefined : problemText(r)),
      },
      status !== 200 ? status : r.ok ? 200 : r.status,
    );
  };

  app.get('/annual-plans', async (req, reply) => listPage(req, reply));

  app.post('/annual-plans', async (req, reply) => {
    const f = formOf(req);
    const values = valuesOf(f);
    const rows = values.rows.filter((r) => r.occupationCode);
    if (!values.filingId || !/^\d{4}$/.test(values.year) || !rows.length)
      return listPage(req, reply, { problem: '请选择备案、填写年度，并至少填写一行计划（职业编码、等级、季度、预计人数）。', values }, 400);
    const items = rows.map((r) => ({ occupationCode: r.occupationCode, level: Number(r.level), quarter: Number(r.quarter), expected: Number(r.expected) }));
    const r = await api(req, 'POST', '/annual-plans', { body: { filingId: values.filingId, year: Number(values.year), items }, key: one(f._key) || undefined });
    if (!r.ok) return listPage(req, reply, { problem: problemText(r), values }, r.status);
    return seeOther(reply, `/annual-plans/${encodeURIComponent(r.body.id)}`, 'annual-plan');
  });

  const detailPage = async (req: FastifyRequest, reply: FastifyReply, extra: { problem?: string; opinion?: string } = {}, status = 200) => {
    const { id } = req.params as { id: string };
    const r = await api(req, 'GET', `/annual-plans/${encodeURIComponent(id)}`);
    if (!r.ok)
      return render(
        req,
        reply,
        'message',
        { title: '年度认定计划', heading: '年度认定计划', text: problemText(r), back: '/annual-plans', backText: '返回年度计划' },
        r.status,
      );
    const caller = req.consoleCaller!;
    return render(
      req,
      reply,
      'annual-plan-detail',
      {
        title: `${r.body.year}年度认定计划`,
        p: r.body,
        // the API decides whether this center is the plan's (404 or 403 otherwise); the form is offered to centers while it waits
        mayDecide: caller.role === 'center' && r.body.status === 'submitted',
        mayRefile: caller.role === 'institution',
        opinion: extra.opinion ?? '',
        chinaDate,
        problem: extra.problem,
      },
      status,
    );
  };

  app.get('/annual-plans/:id', async (req, reply) => detailPage(req, reply));

  app.post('/annual-plans/:id/decision', async (req, reply) => {
    const { id } = req.params as { id: string };
    const f = formOf(req);
    const outcome = one(f.outcome);
    const opinion = one(f.opinion).trim();
    if (!['pass', 'return'].includes(outcome) || !opinion) return detailPage(req, reply, { problem: '请选择处理结果并填写意见。', opinion }, 400);
    const r = await api(req, 'POST', `/annual-plans/${encodeURIComponent(id)}/decision`, { body: { outcome, opinion }, key: one(f._key) || undefined });
    if (!r.ok) return detailPage(req, reply, { problem: problemText(r), opinion }, r.status);
    return seeOther(reply, `/annual-plans/${encodeURIComponent(id)}`, 'annual-plan-decided');
  });

  // the refund list of a terminated filing (004 Art.13), with the user's own token and rights
  app.get('/filings/:id/refunds.csv', async (req, reply) => {
    const { id } = req.params as { id: string };
    const r = await api(req, 'GET', `/filings/${encodeURIComponent(id)}/refunds`, { query: { format: 'csv' } });
    if (!r.ok)
      return render(
        req,
        reply,
        'message',
        { title: '退费名单', heading: '退费名单', text: problemText(r), back: `/filings/${encodeURIComponent(id)}`, backText: '返回备案' },
        r.status,
      );
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${`refunds-${id}.csv`.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
      .header('cache-control', 'no-store')
      .send(r.raw);
  });
}
