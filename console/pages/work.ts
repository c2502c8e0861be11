/**
 * The signed-in user's own work: the inbox (GET /tasks), notifications (GET /notifications) and
 * the expert and quality-supervisor registries (GET/POST /experts, /supervisors). Every page calls
 * the API with the user's own token, so what each role sees and may do is the API's decision; the
 * pages only choose which parts to show by the same access rules (domain/access.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { roleAllows } from '../../domain/access';
import { PROVINCES, PREFECTURE_NAMES } from '../../domain/regions';
import { api, chinaDate, chinaTime, many, signedInOnly, one, problemText, render, seeOther, type ApiResult } from '../core';
import * as labels from '../labels';

const stageLabels = (kind: string) => (kind === 'batch' ? labels.BATCH_STAGE_LABELS : labels.FILING_STAGE_LABELS);

/** What is asked: "decide:preliminary-review" → 作出决定（初评）; "assign:technical-assessment" → 组成专家组（技术评估）. */
export function actionText(t: { kind: string; action: string; stage: string | null }): string {
  const colon = t.action.indexOf(':');
  const verb = colon > 0 ? t.action.slice(0, colon) : t.action;
  const rest = colon > 0 ? t.action.slice(colon + 1) : '';
  if (labels.TASK_ACTION_LABELS[t.action]) return labels.TASK_ACTION_LABELS[t.action];
  const what = labels.TASK_ACTION_LABELS[verb] ?? t.action;
  return rest ? `${what}（${labels.label(stageLabels(t.kind), rest)}）` : what;
}

/** Where the filing or batch is: its stage, or for a batch step without one, the batch status. */
export function stageText(t: { kind: string; stage: string | null; status: string }): string {
  if (t.kind === 'complaint') return labels.label(labels.COMPLAINT_STATUS_LABELS, t.status);
  if (t.stage) return labels.label(stageLabels(t.kind), t.stage);
  if (t.kind === 'annual-plan') return labels.label(labels.ANNUAL_PLAN_STATUS_LABELS, t.status);
  return labels.label(t.kind === 'batch' ? labels.BATCH_STATUS_LABELS : labels.FILING_STATUS_LABELS, t.status);
}

const consolePathOf = (kind: string, id: string) =>
  `/${kind === 'batch' ? 'batches' : kind === 'complaint' ? 'complaints' : kind === 'annual-plan' ? 'annual-plans' : 'filings'}/${encodeURIComponent(id)}`;

type Registry = 'experts' | 'supervisors';
interface RegistrantValues {
  userId: string;
  name: string;
  idNumber: string;
  province: string;
  prefecture: string;
  occupations: string;
}

/** A task the inbox can decide together with others: a decision step (`decide:<stage>`). */
const decisionStageOf = (t: { action: string }) => (t.action.startsWith('decide:') ? t.action.slice('decide:'.length) : null);

/** The outcomes a decision of this kind may take (the single decision forms offer the same). */
const outcomesOf = (kind: string) => (kind === 'batch' ? ['pass', 'return', 'reject'] : ['pass', 'supplement', 'reject']);

interface BulkResult {
  id: string;
  type: string;
  status: number;
  code?: string;
  detail?: string;
  caseStatus?: string;
  stage?: string | null;
}

export default async function workPages(app: FastifyInstance) {
  app.addHook('onRequest', signedInOnly);

  const inboxPage = async (req: FastifyRequest, reply: FastifyReply, extra: { problem?: string; results?: BulkResult[]; status?: number } = {}) => {
    const cursor = one((req.query as Record<string, unknown>).cursor);
    const r = await api(req, 'GET', '/tasks', { query: { cursor, limit: 20 } });
    const items: { kind: string; id: string; action: string; stage: string | null }[] = r.ok ? r.body.items : [];
    return render(
      req,
      reply,
      'work-inbox',
      {
        title: '待办',
        items,
        nextCursor: r.ok ? r.body.nextCursor : null,
        paged: !!cursor,
        problem: extra.problem ?? (r.ok ? undefined : problemText(r)),
        // several decisions of one stage at once (POST /tasks/decisions), for the roles that decide
        bulk: roleAllows(req.consoleCaller, 'tasks.decide') && items.some((t) => decisionStageOf(t)),
        decisionStageOf,
        outcomes: [...new Set(items.filter((t) => decisionStageOf(t)).flatMap((t) => outcomesOf(t.kind)))],
        results: extra.results?.map((x) => ({
          ...x,
          text: x.status === 200 ? '已处理' : problemText({ ok: false, status: x.status, code: x.code, body: { detail: x.detail } } as ApiResult),
        })),
        actionText,
        stageText,
        chinaTime,
        chinaDate,
        consolePathOf,
      },
      extra.status ?? (r.ok ? 200 : r.status),
    );
  };

  app.get('/inbox', async (req, reply) => inboxPage(req, reply));

  // the selected decision tasks, all of one stage, decided with one outcome and opinion
  app.post('/inbox/decisions', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const picked = many(b.task).map((v) => {
      const [kind, id, stage] = v.split('|');
      return { kind, id, stage };
    });
    const outcome = one(b.outcome);
    const opinion = one(b.opinion).trim();
    if (!picked.length) return inboxPage(req, reply, { problem: '请先勾选要一并处理的事项。', status: 400 });
    if (new Set(picked.map((p) => p.stage)).size > 1) return inboxPage(req, reply, { problem: '一并处理的事项须处于同一环节。', status: 400 });
    if (!opinion) return inboxPage(req, reply, { problem: '请填写处理意见。', status: 400 });
    const body = { items: picked.map((p) => ({ type: p.kind, id: p.id, stage: p.stage, outcome, opinion })) };
    const r = await api(req, 'POST', '/tasks/decisions', { body, key: one(b._key) || undefined });
    if (!r.ok) return inboxPage(req, reply, { problem: problemText(r), status: r.status });
    return inboxPage(req, reply, { results: r.body.results as BulkResult[] });
  });

  app.get('/notifications', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const cursor = one(q.cursor);
    const kind = one(q.kind);
    const r = await api(req, 'GET', '/notifications', { query: { cursor, kind, limit: 20 } });
    return render(
      req,
      reply,
      'work-notifications',
      {
        title: '通知',
        items: r.ok ? r.body.items : [],
        nextCursor: r.ok ? r.body.nextCursor : null,
        paged: !!cursor,
        kind,
        kinds: labels.NOTIFICATION_KIND_LABELS,
        problem: r.ok ? undefined : problemText(r),
        chinaTime,
        consolePathOf,
      },
      r.ok ? 200 : r.status,
    );
  });

  const registriesPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    extra: { form?: Registry; problem?: string; values?: Partial<RegistrantValues> } = {},
    status = 200,
  ) => {
    const c = req.consoleCaller!;
    const canRegister = roleAllows(c, 'registry.register');
    const canReadExperts = roleAllows(c, 'registry.read-experts');
    const canReadSupervisors = roleAllows(c, 'registry.read-supervisors');
    if (!canRegister && !canReadExperts && !canReadSupervisors) {
      return render(
        req,
        reply,
        'message',
        { title: '无权访问', heading: '无权访问', text: '专家库与督导员库只对人社部门审核员、鉴定中心和系统管理员开放。' },
        403,
      );
    }
    const lists: { key: Registry; title: string; result?: ApiResult }[] = [];
    if (canReadExperts) lists.push({ key: 'experts', title: '专家库', result: await api(req, 'GET', '/experts') });
    if (canReadSupervisors) lists.push({ key: 'supervisors', title: '督导员库', result: await api(req, 'GET', '/supervisors') });
    const blank: RegistrantValues = { userId: '', name: '', idNumber: '', province: c.province ?? '', prefecture: '', occupations: '' };
    return render(
      req,
      reply,
      'work-registries',
      {
        title: '专家库与督导员库',
        canRegister,
        // a refusal for a form this role is not shown (the API said no): say it at the top
        problem: canRegister ? undefined : extra.problem,
        provinces: c.role === 'province-reviewer' ? PROVINCES.filter((p) => p.code === c.province) : PROVINCES,
        prefectures: Object.entries(PREFECTURE_NAMES)
          .filter(([code]) => c.role !== 'province-reviewer' || code.startsWith(c.province ?? '-'))
          .map(([code, name]) => ({ code, name })),
        lists: lists.map((l) => ({
          key: l.key,
          title: l.title,
          items: l.result?.ok ? l.result.body.items : [],
          problem: l.result && !l.result.ok ? problemText(l.result) : undefined,
        })),
        forms: (['experts', 'supervisors'] as const).map((key) => ({
          key,
          title: key === 'experts' ? '登记评估专家' : '登记质量督导员',
          button: key === 'experts' ? '登记专家' : '登记督导员',
          values: extra.form === key ? { ...blank, ...extra.values } : blank,
          problem: extra.form === key ? extra.problem : undefined,
        })),
      },
      status,
    );
  };

  app.get('/registries', async (req, reply) => {
    return registriesPage(req, reply);
  });

  for (const key of ['experts', 'supervisors'] as const) {
    app.post(`/registries/${key}`, async (req, reply) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const values: RegistrantValues = {
        userId: one(b.userId).trim(),
        name: one(b.name).trim(),
        idNumber: one(b.idNumber).trim(),
        province: one(b.province).trim(),
        prefecture: one(b.prefecture).trim(),
        occupations: key === 'experts' ? many(b.occupations).join(' ').trim() : '',
      };
      const occupations = values.occupations.split(/[\s,，、;；]+/).filter((s) => s !== '');
      const body = {
        userId: values.userId,
        name: values.name,
        idNumber: values.idNumber.toUpperCase(),
        province: values.province,
        ...(values.prefecture ? { prefecture: values.prefecture } : {}),
        ...(key === 'experts' && occupations.length ? { occupations } : {}),
      };
      const r = await api(req, 'POST', `/${key}`, { body, key: one(b._key) || undefined });
      if (!r.ok) return registriesPage(req, reply, { form: key, problem: problemText(r), values }, r.status);
      return seeOther(reply, '/registries', 'registered');
    });
  }
}
