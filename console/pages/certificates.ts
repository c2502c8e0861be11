/**
 * Certificates for those who act on them (004 Art.12: 复核、更正、撤销; 002 Art.20): a certificate's
 * page — its data as GET /certificates/:number/record gives it, status and version, its later life
 * (corrections with what each replaced, reissues, revocation, correction requests), the PDF through
 * the user's own token, and the forms the caller may use now: revoke, request a correction,
 * reissue, and the center's review of a pending correction — and the center's queue of pending
 * corrections.
 *
 * Which forms are offered follows the domain's rules (mayRevokeCertificate, isBatchCenter,
 * mayReadCertificateDocument); every submission still goes to the API, which decides.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isBatchCenter, mayRevokeCertificate, type Jurisdiction } from '../../domain/batch';
import { CORRECTABLE_FIELDS, mayReadCertificateDocument } from '../../domain/certificates';
import { api, chinaTime, one, problemText, render, seeOther, signedInOnly, type ApiResult } from '../core';
import * as labels from '../labels';

interface Person {
  name: string;
  role: string;
}
interface CorrectionRequest {
  correctionId: string;
  number: string;
  field: string;
  value: string | null;
  reason: string;
  status: 'pending' | 'approved' | 'rejected';
  requestedBy: Person;
  requestedAt: string;
  decision: { outcome: 'pass' | 'reject'; opinion: string; by: Person; at: string; version?: number } | null;
}
interface CertificateRecord {
  number: string;
  holder: { name: string; idNumber: string; sex: 'M' | 'F' };
  occupation: { code: string; name: string };
  trade: string | null;
  level: number;
  institution: { name: string; code: string; creditCode: string; province: string };
  jurisdiction: Jurisdiction;
  issuedAt: string;
  status: 'valid' | 'revoked';
  version: number;
  displayStatus: 'valid' | 'revoked' | 'corrected';
  batchId: string;
  revocation: { reason: string; by: Person; at: string } | null;
  corrections: {
    correctionId: string;
    version: number;
    field: string;
    from: string | null;
    to: string | null;
    reason: string;
    requestedBy: Person;
    approvedBy: Person;
    opinion: string;
    at: string;
  }[];
  reissues: { at: string; reason: string; by: Person }[];
  requests: CorrectionRequest[];
}

const NUMBER = /^[YS]\d{20,21}$/;
const CORRECTION_ID = /^cc-[0-9a-f]{12}$/;

const formOf = (req: FastifyRequest) => (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {});
const pagePath = (number: string) => `/certificates/${encodeURIComponent(number)}`;

/** One line of the certificate's later life, oldest first. */
interface HistoryLine {
  at: string;
  event: 'issued' | 'corrected' | 'reissued' | 'revoked';
  text: string;
  by?: string;
}

function historyOf(c: CertificateRecord): HistoryLine[] {
  const who = (p: Person) => `${p.name}（${labels.label(labels.ROLE_LABELS, p.role)}）`;
  const field = (f: string) => labels.label(labels.CORRECTION_FIELD_LABELS, f);
  const lines: HistoryLine[] = [{ at: c.issuedAt, event: 'issued', text: `${c.institution.name}核发（第 1 版）` }];
  for (const x of c.corrections) {
    lines.push({
      at: x.at,
      event: 'corrected',
      text: `${field(x.field)}：${labels.correctionValueText(x.field, x.from)} → ${labels.correctionValueText(x.field, x.to)}（第 ${x.version} 版）。理由：${x.reason}。复核意见：${x.opinion}`,
      by: `申请 ${who(x.requestedBy)}，复核 ${who(x.approvedBy)}`,
    });
  }
  c.reissues.forEach((x, i) => lines.push({ at: x.at, event: 'reissued', text: `第 ${i + 1} 次补发。理由：${x.reason}`, by: who(x.by) }));
  if (c.revocation) lines.push({ at: c.revocation.at, event: 'revoked', text: `理由：${c.revocation.reason}`, by: who(c.revocation.by) });
  return lines.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** The value typed into the correction form, as the API takes it (性别: 男/女 → M/F). */
function correctionInput(field: string, value: string): string {
  if (field !== 'holder.sex') return value;
  return value === '男' ? 'M' : value === '女' ? 'F' : value.toUpperCase();
}

export default async function certificatePages(app: FastifyInstance) {
  app.addHook('onRequest', signedInOnly);

  // ——— the center's queue (and, for the others in scope, their requests) ———

  app.get('/certificates/corrections', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const status = ['pending', 'approved', 'rejected', 'all'].includes(one(q.status)) ? one(q.status) : 'pending';
    const cursor = one(q.cursor);
    const r = await api(req, 'GET', '/certificates/corrections', { query: { status: status === 'all' ? undefined : status, cursor, limit: 50 } });
    return render(
      req,
      reply,
      'certificate-corrections',
      {
        title: '证书更正复核',
        status,
        items: r.ok ? r.body.items : [],
        nextCursor: r.ok ? r.body.nextCursor : null,
        problem: r.ok ? undefined : problemText(r),
        fmt: chinaTime,
        enc: encodeURIComponent,
      },
      r.ok ? 200 : r.status,
    );
  });

  // ——— a certificate's page ———

  interface Extra {
    problem?: string;
    values?: Record<string, string>;
  }

  const certificatePage = async (req: FastifyRequest, reply: FastifyReply, extra: Extra = {}, status = 200) => {
    const { number } = req.params as { number: string };
    const back = { back: '/verify', backText: '证书查询' };
    if (!NUMBER.test(number))
      return render(req, reply, 'message', { title: '证书', heading: '证书', text: '这不是证书编号（1 位字母加 20 或 21 位数字）。', ...back }, 404);
    const r = await api<CertificateRecord>(req, 'GET', `/certificates/${encodeURIComponent(number)}/record`);
    if (!r.ok) {
      const text = r.status === 403 ? '证书详情仅供发证机构及其属地审核部门、鉴定中心查看；公开信息请通过证书查询。' : problemText(r);
      return render(
        req,
        reply,
        'message',
        { title: '证书', heading: `证书 ${number}`, text, back: `/verify?number=${encodeURIComponent(number)}`, backText: '证书查询' },
        r.status,
      );
    }
    const c = r.body;
    const caller = req.consoleCaller!;
    const valid = c.status === 'valid';
    const own = caller.role === 'institution' && caller.institutionId === c.institution.creditCode;
    const pending = c.requests.filter((x) => x.status === 'pending');
    const scope = { institutionId: c.institution.creditCode, jurisdiction: c.jurisdiction };
    const forms = {
      revoke: valid && mayRevokeCertificate(caller, c),
      correct: valid && own && pending.length === 0,
      reissue: valid && own,
      decide: isBatchCenter(c.jurisdiction, caller) ? pending : [],
    };
    return render(
      req,
      reply,
      'certificate-detail',
      {
        title: `证书 ${c.number}`,
        c,
        history: historyOf(c),
        pending,
        forms,
        document: valid && mayReadCertificateDocument(caller, scope),
        fields: CORRECTABLE_FIELDS.map((f) => ({ value: f, text: labels.CORRECTION_FIELD_LABELS[f] ?? f })),
        values: extra.values ?? {},
        problem: extra.problem,
        fmt: chinaTime,
        enc: encodeURIComponent,
      },
      status,
    );
  };

  app.get('/certificates/:number', async (req, reply) => certificatePage(req, reply));

  /** Sends a form to the certificate's API route: 303 back to the page, or the page again with the refusal and what was typed. */
  const act = async (req: FastifyRequest, reply: FastifyReply, path: string, body: unknown, ok: string, values: Record<string, string>) => {
    const { number } = req.params as { number: string };
    if (!NUMBER.test(number)) return certificatePage(req, reply);
    const r: ApiResult = await api(req, 'POST', `/certificates/${encodeURIComponent(number)}${path}`, { body, key: one(formOf(req)._key) || undefined });
    if (!r.ok) return certificatePage(req, reply, { problem: problemText(r), values }, r.status);
    return seeOther(reply, pagePath(number), ok);
  };

  app.post('/certificates/:number/revocation', async (req, reply) => {
    const f = formOf(req);
    const values = { form: 'revoke', reason: one(f.reason).trim() };
    if (!values.reason) return certificatePage(req, reply, { problem: '请填写撤销理由。', values }, 400);
    // revocation cannot be undone: the box must be ticked, not only the button pressed
    if (one(f.confirm) !== '1') return certificatePage(req, reply, { problem: '请勾选确认撤销。撤销后证书即失效，且不能恢复。', values }, 400);
    return act(req, reply, '/revocation', { reason: values.reason }, 'revoked', values);
  });

  app.post('/certificates/:number/corrections', async (req, reply) => {
    const f = formOf(req);
    const values = { form: 'correct', field: one(f.field), value: one(f.value).trim(), reason: one(f.reason).trim() };
    if (!(CORRECTABLE_FIELDS as readonly string[]).includes(values.field)) return certificatePage(req, reply, { problem: '请选择要更正的项目。', values }, 400);
    if (!values.reason) return certificatePage(req, reply, { problem: '请填写更正理由。', values }, 400);
    return act(
      req,
      reply,
      '/corrections',
      { field: values.field, value: correctionInput(values.field, values.value), reason: values.reason },
      'correction-requested',
      values,
    );
  });

  app.post('/certificates/:number/corrections/:correctionId/decision', async (req, reply) => {
    const { correctionId } = req.params as { correctionId: string };
    const f = formOf(req);
    const values = { form: 'decide', correctionId, outcome: one(f.outcome), opinion: one(f.opinion).trim() };
    if (!CORRECTION_ID.test(correctionId)) return certificatePage(req, reply, { problem: '没有这项更正申请。', values }, 404);
    if (!['pass', 'reject'].includes(values.outcome) || !values.opinion)
      return certificatePage(req, reply, { problem: '请选择复核结论并填写复核意见。', values }, 400);
    return act(req, reply, `/corrections/${correctionId}/decision`, { outcome: values.outcome, opinion: values.opinion }, 'correction-decided', values);
  });

  app.post('/certificates/:number/reissue', async (req, reply) => {
    const values = { form: 'reissue', reason: one(formOf(req).reason).trim() };
    if (!values.reason) return certificatePage(req, reply, { problem: '请填写补发理由。', values }, 400);
    return act(req, reply, '/reissue', { reason: values.reason }, 'reissued', values);
  });

  // ——— the document, with the user's own token ———

  app.get('/certificates/:number/document.pdf', async (req, reply) => {
    const { number } = req.params as { number: string };
    if (!NUMBER.test(number)) return certificatePage(req, reply);
    const r = await api(req, 'GET', `/certificates/${encodeURIComponent(number)}/document`);
    if (!r.ok) {
      const text = r.status === 403 ? '证书文件仅供发证机构和属地审核部门打印。' : problemText(r);
      return render(req, reply, 'message', { title: '证书文件', heading: `证书 ${number}`, text, back: pagePath(number), backText: '返回证书' }, r.status);
    }
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${number}.pdf"`).header('cache-control', 'no-store').send(r.raw);
  });
}
