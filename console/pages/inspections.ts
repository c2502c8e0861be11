/**
 * Random inspections (双随机、一公开, domain/inspections.ts): the public results page, the draw form of
 * a provincial department or skills center, and the inspections an inspector works on with the
 * findings form (the province's reviewers see there the termination proposals waiting on them).
 * Every page calls the API with the user's own token.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { roleAllows } from '../../domain/access';
import { PROVINCES } from '../../domain/regions';
import { api, chinaDate, one, problemText, render, seeOther, signedInOnly } from '../core';

export default async function inspectionPages(app: FastifyInstance) {
  app.addHook('onRequest', signedInOnly);

  app.get('/inspections', { config: { publicPage: true } }, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const filters = { year: one(q.year).trim(), province: one(q.province), cursor: one(q.cursor) };
    const r = await api(req, 'GET', '/inspections', { query: { ...filters, limit: 50 } });
    return render(
      req,
      reply,
      'inspections',
      {
        title: '双随机抽查结果公示',
        filters,
        provinces: PROVINCES,
        items: r.ok ? r.body.items : [],
        nextCursor: r.ok ? r.body.nextCursor : null,
        mayDraw: roleAllows(req.consoleCaller, 'inspection.draw'),
        mayWork: roleAllows(req.consoleCaller, 'inspection.work'),
        chinaDate,
        problem: r.ok ? undefined : problemText(r),
      },
      r.ok ? 200 : r.status,
    );
  });

  const drawPage = (req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown>, status = 200) =>
    render(req, reply, 'inspection-draw', { title: '双随机抽取', values: { year: '', count: '', inspectorsPerInspection: '2' }, ...extra }, status);

  app.get('/inspections/draw', async (req, reply) => drawPage(req, reply, {}));

  app.post('/inspections/draw', { config: { consoleForm: true } }, async (req, reply) => {
    const f = (req.body ?? {}) as Record<string, unknown>;
    const values = { year: one(f.year).trim(), count: one(f.count).trim(), inspectorsPerInspection: one(f.inspectorsPerInspection).trim() };
    const body = { year: Number(values.year), count: Number(values.count), inspectorsPerInspection: Number(values.inspectorsPerInspection) };
    const r = await api(req, 'POST', '/inspections/draws', { body, key: one(f._key) || undefined });
    if (!r.ok) return drawPage(req, reply, { values, problem: problemText(r) }, r.status);
    return drawPage(req, reply, { values, drawn: r.body }, 201);
  });

  const minePage = async (req: FastifyRequest, reply: FastifyReply, extra: { problem?: string; status?: number } = {}) => {
    const r = await api(req, 'GET', '/inspections/mine', { query: { cursor: one((req.query as Record<string, unknown>).cursor), limit: 50 } });
    return render(
      req,
      reply,
      'inspection-mine',
      {
        title: '抽查检查',
        items: r.ok ? r.body.items : [],
        nextCursor: r.ok ? r.body.nextCursor : null,
        inspector: req.consoleCaller?.role === 'supervisor',
        decidesProposals: req.consoleCaller ? roleAllows(req.consoleCaller, 'inspection.decide-proposal') : false,
        chinaDate,
        problem: extra.problem ?? (r.ok ? undefined : problemText(r)),
      },
      extra.status ?? (r.ok ? 200 : r.status),
    );
  };

  app.get('/inspections/mine', async (req, reply) => minePage(req, reply));

  app.post('/inspections/:id/findings', { config: { consoleForm: true } }, async (req, reply) => {
    const id = one((req.params as Record<string, unknown>).id);
    const f = (req.body ?? {}) as Record<string, unknown>;
    const order = one(f.order);
    const body = { severity: one(f.severity), text: one(f.text), ...(order ? { order } : {}) };
    const r = await api(req, 'POST', `/inspections/${encodeURIComponent(id)}/findings`, { body, key: one(f._key) || undefined });
    if (!r.ok) return minePage(req, reply, { problem: problemText(r), status: r.status });
    return seeOther(reply, '/inspections/mine', 'finding-filed');
  });

  // a province reviewer closes a termination proposal: terminated (once ordered on the filing) or declined
  app.post('/inspections/:id/proposal-decision', { config: { consoleForm: true } }, async (req, reply) => {
    const id = one((req.params as Record<string, unknown>).id);
    const f = (req.body ?? {}) as Record<string, unknown>;
    const body = { decision: one(f.decision), note: one(f.note) };
    const r = await api(req, 'POST', `/inspections/${encodeURIComponent(id)}/proposal-decision`, { body, key: one(f._key) || undefined });
    if (!r.ok) return minePage(req, reply, { problem: problemText(r), status: r.status });
    return seeOther(reply, '/inspections/mine', 'proposal-decided');
  });
}
