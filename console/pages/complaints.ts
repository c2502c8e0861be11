/**
 * Complaints (投诉举报) and the credit file (信用档案): the public complaint form, the tracking
 * page, the reviewer's page with the decision form, and an institution's published credit file.
 *
 * The tracking code is a secret of the complainant: it is shown once, on the page answering the
 * form's POST (never through a redirect that would carry it in a URL), and it is sent back by
 * POST on the tracking page, so it never lands in an address bar, a browser history or an access
 * log. The tracking page asks the API as the public (with the code, without the user's token),
 * so a signed-in reviewer sees there exactly what the code holder sees.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { COMPLAINT_SUBJECT_TYPES, type ComplaintSubjectType } from '../../domain/complaints';
import { api, chinaDate, chinaTime, one, problemText, render, seeOther, signedInOnly, type ApiResult } from '../core';
import * as labels from '../labels';

interface ComplaintValues {
  type: string;
  id: string;
  name: string;
  contact: string;
  content: string;
}

const isSubjectType = (v: string): v is ComplaintSubjectType => (COMPLAINT_SUBJECT_TYPES as readonly string[]).includes(v);

/** Credit codes and certificate numbers are upper case; a batch id is kept as typed. */
const normalId = (type: string, id: string) => (type === 'batch' ? id.trim() : id.trim().toUpperCase());

/** Where a complaint's subject can be looked at: a reviewer may open the batch, anyone the credit file or the certificate check. */
export function subjectHref(subject: { type: string; id: string }, reviewer: boolean): string | undefined {
  const id = encodeURIComponent(subject.id);
  if (subject.type === 'institution') return `/institutions/${id}/credit`;
  if (subject.type === 'certificate') return `/verify?number=${id}`;
  if (subject.type === 'batch' && reviewer) return `/batches/${id}`;
  return undefined;
}

/** The API's field errors (400) in words: "姓名填写有误". */
function fieldProblem(r: ApiResult): string | undefined {
  const errors = Array.isArray(r.body?.errors) ? (r.body.errors as { path?: string }[]) : [];
  const names = errors.map((e) => {
    const path = String(e.path ?? '').replace(/^body\/?/, '');
    return labels.COMPLAINT_FIELD_LABELS[path] ?? '提交的内容';
  });
  return names.length ? `${[...new Set(names)].join('、')}填写有误，请修改后再提交。` : undefined;
}

/** A history note in words: "due 2027-05-20" → 办理期限 2027-05-20; "level 2" → 升级至省级. */
function historyNote(note: unknown): string {
  if (typeof note !== 'string') return '';
  const due = /^due (\d{4}-\d{2}-\d{2})$/.exec(note);
  if (due) return `办理期限 ${due[1]}`;
  const level = /^level ([12])$/.exec(note);
  if (level) return level[1] === '2' ? '升级至省级督办' : '升级至上级督办';
  return note;
}

const NOT_TRACKED = '未查到该投诉举报。请核对投诉编号和查询码（区分大小写）。';

export default async function complaintPages(app: FastifyInstance) {
  app.addHook('onRequest', signedInOnly);
  const publicPage = { config: { publicPage: true } };

  // ——— the public complaint form ———

  const formPage = (req: FastifyRequest, reply: FastifyReply, values: ComplaintValues, problem?: string, status = 200) =>
    render(req, reply, 'complaint-new', { title: '投诉举报', types: COMPLAINT_SUBJECT_TYPES, values, problem }, status);

  app.get('/complaints/new', publicPage, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const type = one(q.type);
    const values: ComplaintValues = {
      type: isSubjectType(type) ? type : 'institution',
      id: normalId(type, one(q.id)).slice(0, 100),
      name: '',
      contact: '',
      content: '',
    };
    return formPage(req, reply, values);
  });

  app.post('/complaints/new', publicPage, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const values: ComplaintValues = {
      type: one(b.type),
      id: normalId(one(b.type), one(b.id)),
      name: one(b.name).trim(),
      contact: one(b.contact).trim(),
      content: one(b.content).trim(),
    };
    if (!isSubjectType(values.type)) return formPage(req, reply, { ...values, type: 'institution' }, '请选择投诉对象的类别。', 400);
    const missing = (['id', 'name', 'contact', 'content'] as const)
      .filter((k) => !values[k])
      .map((k) => labels.COMPLAINT_FIELD_LABELS[k === 'id' ? 'subject/id' : k]);
    if (missing.length) return formPage(req, reply, values, `请填写：${missing.join('、')}。`, 400);
    const r = await api(req, 'POST', '/complaints', {
      body: { subject: { type: values.type, id: values.id }, name: values.name, contact: values.contact, content: values.content },
      key: one(b._key) || undefined,
    });
    if (!r.ok) {
      const problem =
        r.status === 404
          ? `未找到该${labels.label(labels.COMPLAINT_SUBJECT_LABELS, values.type)}（${values.id}）。请核对统一社会信用代码、认定批次编号或证书编号。`
          : r.status === 400
            ? (fieldProblem(r) ?? problemText(r))
            : problemText(r);
      return formPage(req, reply, values, problem, r.status);
    }
    // the one time the tracking code is shown: this answer to the POST, never stored, never in a URL
    return render(req, reply, 'complaint-filed', {
      title: '投诉举报已受理',
      id: r.body.id,
      trackingCode: r.body.trackingCode,
      dueDate: r.body.dueDate,
      subject: { type: values.type, id: values.id },
    });
  });

  // ——— following a complaint with its tracking code ———

  const trackPage = (req: FastifyRequest, reply: FastifyReply, extra: { id?: string; complaint?: unknown; problem?: string }, status = 200) =>
    render(
      req,
      reply,
      'complaint-track',
      { title: '投诉举报办理进度', id: extra.id ?? '', complaint: extra.complaint, problem: extra.problem, subjectHref, chinaTime },
      status,
    );

  app.get('/complaints/track', publicPage, async (req, reply) => {
    const id = one((req.query as Record<string, unknown>).id).trim();
    return trackPage(req, reply, { id: /^cp-[0-9a-f]{12}$/.test(id) ? id : '' });
  });

  app.post('/complaints/track', publicPage, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const id = one(b.id).trim().toLowerCase();
    const code = one(b.trackingCode).trim();
    if (!id || !code) return trackPage(req, reply, { id, problem: '请填写投诉编号和查询码。' }, 400);
    // a malformed id or code is answered like a wrong one: nothing tells which part was wrong
    if (!/^cp-[0-9a-f]{12}$/.test(id) || !/^[A-Za-z0-9_-]{16,64}$/.test(code)) return trackPage(req, reply, { id, problem: NOT_TRACKED }, 404);
    const r = await api(req, 'GET', `/complaints/${encodeURIComponent(id)}`, { query: { trackingCode: code }, anonymous: true });
    if (!r.ok)
      return trackPage(req, reply, { id, problem: r.status === 404 || r.status === 400 ? NOT_TRACKED : problemText(r) }, r.status === 400 ? 404 : r.status);
    return trackPage(req, reply, { id, complaint: r.body });
  });

  // ——— the reviewers in scope ———

  const detailPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: { problem?: string; values?: { outcome?: string; note?: string } } = {},
    status = 200,
  ) => {
    const r = /^cp-[0-9a-f]{12}$/.test(id) ? await api(req, 'GET', `/complaints/${encodeURIComponent(id)}`) : undefined;
    if (!r?.ok) {
      const text = !r || r.status === 404 || r.status === 400 ? '未找到该投诉举报，或您无权查看。' : problemText(r);
      return render(
        req,
        reply,
        'message',
        { title: '投诉举报', heading: '投诉举报', text, back: '/inbox', backText: '返回待办' },
        r && r.status !== 400 ? r.status : 404,
      );
    }
    const c = r.body as { status: string; history?: unknown[] };
    return render(
      req,
      reply,
      'complaint-detail',
      {
        title: `投诉举报 ${id}`,
        c,
        // the API shows the history only to the reviewers who handle the complaint, and they decide it while it is open
        mayDecide: c.status === 'open' && Array.isArray(c.history),
        problem: extra.problem,
        values: extra.values ?? {},
        subjectHref,
        historyNote,
        chinaTime,
        chinaDate,
      },
      status,
    );
  };

  app.get('/complaints/:id', async (req, reply) => detailPage(req, reply, (req.params as { id: string }).id));

  app.post('/complaints/:id/decision', async (req, reply) => {
    const { id } = req.params as { id: string };
    const b = (req.body ?? {}) as Record<string, unknown>;
    const values = { outcome: one(b.outcome), note: one(b.note).trim() };
    if (values.outcome !== 'upheld' && values.outcome !== 'dismissed')
      return detailPage(req, reply, id, { problem: '请选择处理结果（成立或不成立）。', values }, 400);
    if (!values.note) return detailPage(req, reply, id, { problem: '请填写调查核实情况与处理意见。', values }, 400);
    const r = await api(req, 'POST', `/complaints/${encodeURIComponent(id)}/decision`, {
      body: { upheld: values.outcome === 'upheld', note: values.note },
      key: one(b._key) || undefined,
    });
    if (!r.ok) return detailPage(req, reply, id, { problem: problemText(r), values }, r.status);
    return seeOther(reply, `/complaints/${encodeURIComponent(id)}`, 'complaint-decided');
  });

  // ——— the published credit file ———

  app.get('/institutions/:creditCode/credit', publicPage, async (req, reply) => {
    const creditCode = one((req.params as Record<string, unknown>).creditCode)
      .trim()
      .toUpperCase();
    const r = await api(req, 'GET', `/institutions/${encodeURIComponent(creditCode)}/credit`);
    const problem = r.ok ? undefined : r.status === 400 ? `“${creditCode.slice(0, 40)}”不是有效的统一社会信用代码。` : problemText(r);
    return render(req, reply, 'credit', { title: '信用档案', creditCode, items: r.ok ? r.body.items : [], problem }, r.ok ? 200 : r.status);
  });
}
