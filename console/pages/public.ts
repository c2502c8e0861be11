/**
 * Public pages (no sign-in): the institution directory, certificate verification and open
 * publicities with their objection forms. Each reads the public API routes, so what they show is
 * exactly what the API shows the public (certificate holders masked).
 */
import type { FastifyInstance } from 'fastify';
import { PROVINCES } from '../../domain/regions';
import { api, problemText, render, one, seeOther } from '../core';
import { certificateDisplayStatus } from '../../domain/certificates';
import { chinaDateOf } from '../../domain/dates';
import { issueDateOf, verifyCertificateSignature, type PublicKeySet } from '../../certificates/signature';

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
    // the issue date is the China date of the issue instant (the API gives an ISO instant in UTC)
    const dated = (results as { issuedAt: string; revokedAt?: string }[] | undefined)?.map((c) => ({
      ...c,
      issueDate: issueDateOf(c.issuedAt),
      revokedOn: c.revokedAt ? chinaDateOf(Date.parse(c.revokedAt)) : undefined,
    }));
    return render(req, reply, 'verify', { title: '证书查询', values, results: dated, problem }, status);
  });

  /**
   * Where a certificate's QR code leads (<PUBLIC_BASE_URL>/verify/<number>?sig=…): is the signature
   * the province's over what the certificate says now, and what is its state (有效 / 已撤销 /
   * 已更正). The check uses only what the public API gives (the masked ID number, the issue date and
   * the published keys), exactly as anyone can check a printed copy offline.
   */
  app.get('/verify/:number', async (req, reply) => {
    const number = one((req.params as Record<string, unknown>).number)
      .trim()
      .toUpperCase();
    const sig = one((req.query as Record<string, unknown>).sig).trim();
    const [c, k] = await Promise.all([api(req, 'GET', `/certificates/${encodeURIComponent(number)}`), api(req, 'GET', '/certificates/signing-keys')]);
    if (!c.ok) {
      const problem = c.status === 404 || c.status === 400 ? `未查到编号为 ${number} 的证书。请核对证书编号。` : problemText(c);
      return render(req, reply, 'verify-signed', { title: '证书核验', number, certificate: null, problem }, c.status === 400 ? 404 : c.status);
    }
    const cert = c.body;
    const keys: PublicKeySet = k.ok ? k.body : { keys: [] };
    const check = sig ? verifyCertificateSignature(cert.number, cert.holder.idNumber, issueDateOf(cert.issuedAt), sig, keys) : null;
    const signature = check ? (check.valid ? 'valid' : check.reason) : 'missing';
    return render(req, reply, 'verify-signed', {
      title: '证书核验',
      number,
      certificate: cert,
      signature,
      signatureValid: check?.valid === true,
      kid: check?.valid ? check.kid : undefined,
      display: certificateDisplayStatus(cert),
      issueDate: issueDateOf(cert.issuedAt),
      revokedOn: cert.revokedAt ? chinaDateOf(Date.parse(cert.revokedAt)) : undefined,
    });
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
