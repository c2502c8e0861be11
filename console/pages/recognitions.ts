/**
 * Competition recognitions (竞赛选拔, 000 §二(三)4, 003 §六; domain/recognitions.ts): a province
 * reviewer's form and the province's list, on one page. Calls the API with the user's own token.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LEVEL_LABELS, RECOGNITION_RULE_LABELS } from '../../domain/labels';
import { RECOGNITION_MAX_RANK } from '../../domain/recognitions';
import { api, chinaDate, one, problemText, render, signedInOnly, type ApiResult } from '../core';

const EMPTY = { competition: '', rank: '', name: '', idNumber: '', occupationCode: '', occupationName: '', trade: '', level: '' };

/** The catalogue's words, and which rule refused when it was one of the recognition's (the API's message is for developers). */
function problemOf(r: ApiResult): string {
  const rule = (r.body as { rule?: string } | undefined)?.rule;
  return [problemText(r), rule && RECOGNITION_RULE_LABELS[rule]].filter(Boolean).join(' ');
}

export default async function recognitionPages(app: FastifyInstance) {
  app.addHook('onRequest', signedInOnly);

  const page = async (req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const r = await api(req, 'GET', '/recognitions', { query: { cursor: one((req.query as Record<string, unknown>).cursor), limit: 50 } });
    return render(
      req,
      reply,
      'recognitions',
      {
        title: '竞赛获奖人员直接认定',
        values: EMPTY,
        levels: LEVEL_LABELS,
        maxRank: RECOGNITION_MAX_RANK,
        items: r.ok ? r.body.items : [],
        nextCursor: r.ok ? r.body.nextCursor : null,
        chinaDate,
        problem: r.ok ? undefined : problemText(r),
        ...extra,
      },
      r.ok ? status : r.status,
    );
  };

  app.get('/recognitions', async (req, reply) => page(req, reply));

  app.post('/recognitions', { config: { consoleForm: true } }, async (req, reply) => {
    const f = (req.body ?? {}) as Record<string, unknown>;
    const values = Object.fromEntries(Object.keys(EMPTY).map((k) => [k, one(f[k]).trim()])) as typeof EMPTY;
    const body = {
      competition: values.competition,
      rank: Number(values.rank),
      holder: { name: values.name, idNumber: values.idNumber },
      occupationCode: values.occupationCode,
      level: Number(values.level),
      ...(values.occupationName ? { occupationName: values.occupationName } : {}),
      ...(values.trade ? { trade: values.trade } : {}),
    };
    const r = await api(req, 'POST', '/recognitions', { body, key: one(f._key) || undefined });
    if (!r.ok) return page(req, reply, { values, problem: problemOf(r) }, r.status);
    return page(req, reply, { issued: r.body }, 201);
  });
}
