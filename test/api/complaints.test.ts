/**
 * Complaints and the credit file on the real stack (demo mode: the file's time-skipping server,
 * started at the suite's fixed date, so the due date and the escalation can be reached): a public
 * complaint about an institution, followed with its tracking code (a wrong one is 404), handled by
 * the reviewer in scope (inbox, reminder, escalation), upheld; the credit entry published without
 * the complainant; the per-complainant bound; the tracking code stored only as its hash.
 */
import { createHash } from 'node:crypto';
import { devStack, timeSkippingAddress, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { application } from '../fixtures/filing';
import { chinaDateOf } from '../../domain/dates';
import { complaintWorkflowId } from '../../workflows/complaint/messages';
import { filingWorkflowId } from '../../workflows/filing/messages';
import { OPEN_COMPLAINTS_PER_COMPLAINANT } from '../../domain/complaints';

jest.setTimeout(120_000);

const X = application({ province: '22', prefecture: '220100' });
const NAME = '王举报';
const CONTACT = '13700001111';

describe('complaints and the credit file', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const t: Record<string, string> = {};
  const started: string[] = [];
  let filingId = '';

  beforeAll(async () => {
    s = await devStack({ settings: { APP_MODE: 'demo' }, temporalAddress: timeSkippingAddress(), worker: { maxCachedWorkflows: 0 } });
    api = http(s.app);
    t.inst = await s.token({ sub: 'inst', role: 'institution', province: '22', institutionId: X.institution.creditCode });
    t.pref = await s.token({ sub: 'pref-a', role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
    t.prefB = await s.token({ sub: 'pref-b', role: 'prefecture-reviewer', province: '22', prefecture: '220200' });
    t.prov = await s.token({ sub: 'prov', role: 'province-reviewer', province: '22' });
    t.admin = await s.token({ sub: 'admin', role: 'admin' });
    const f = await api.post('/api/v1/filings', X, t.inst);
    expect(f.status).toBe(201);
    filingId = f.body.id;
  });
  afterEach(async () => s.record());
  afterAll(async () => {
    const client = s?.services.temporal.client;
    for (const id of [filingWorkflowId(filingId), ...started.map(complaintWorkflowId)]) {
      await client?.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
    }
    await s?.close();
  });

  const file = (body: object, address = '10.9.0.1', headers: Record<string, string> = {}) =>
    s.app.inject({ method: 'POST', url: '/api/v1/complaints', remoteAddress: address, payload: body, headers });
  const about = { subject: { type: 'institution', id: X.institution.creditCode }, name: NAME, contact: CONTACT, content: '该机构考评员未持证上岗，请核查。' };
  /** polls the read model until `ok` (a timer's transition is written by the worker a moment later) */
  async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
    for (let i = 0; ; i++) {
      const v = await read();
      if (ok(v) || i > 100) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('refuses a malformed complaint (400) and an unknown subject (404)', async () => {
    expect((await file({ ...about, content: '' })).statusCode).toBe(400);
    expect((await file({ ...about, subject: { type: 'filing', id: 'x' } })).statusCode).toBe(400);
    const unknown = await file({ ...about, subject: { type: 'batch', id: 'B-none' } });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'NOT_FOUND']);
  });

  it('files, tracks, reminds, escalates, is decided upheld, and writes the published credit entry', async () => {
    const key = { 'idempotency-key': 'complaint-1' };
    const r = await file(about, '10.9.0.1', key);
    expect(r.statusCode).toBe(202);
    const { id, trackingCode, dueDate } = r.json();
    started.push(id);
    // a retried request files nothing twice and is answered the same code
    const again = await file(about, '10.9.0.1', key);
    expect([again.statusCode, again.json().id, again.json().trackingCode]).toEqual([202, id, trackingCode]);

    // due 15 working days after the day of receipt
    const now = (await api.get('/api/v1/admin/clock', t.admin)).body.now;
    const expected = (await api.get(`/api/v1/calendar/working-days?from=${chinaDateOf(Date.parse(now))}&add=15`)).body.date;
    expect(dueDate).toBe(expected);

    // the code is stored only as its hash: not in the read model, the workflow's state or the idempotency store
    const { Complaint, ComplaintSubmission, Idempotency } = s.services.models;
    const doc = await Complaint.findById(id).lean();
    expect(doc!.trackingHash).toBe(createHash('sha256').update(trackingCode).digest('hex'));
    const stored = JSON.stringify([doc, await Idempotency.find().lean()]);
    expect(stored).not.toContain(trackingCode);
    expect(stored).not.toContain(CONTACT);
    expect((await ComplaintSubmission.findById(id).lean())?.contact).toBe(CONTACT);

    // the complainant follows it with the code; a wrong or missing code is 404, like an unknown id
    const mine = await api.get(`/api/v1/complaints/${id}?trackingCode=${trackingCode}`);
    expect(mine.body).toMatchObject({ id, status: 'open', dueDate, outcome: null });
    expect(JSON.stringify(mine.body)).not.toMatch(new RegExp(`${NAME}|${CONTACT}`));
    for (const url of [
      `/api/v1/complaints/${id}?trackingCode=${'A'.repeat(22)}`,
      `/api/v1/complaints/${id}`,
      `/api/v1/complaints/cp-000000000000?trackingCode=${trackingCode}`,
    ]) {
      expect([url, (await api.get(url)).status]).toEqual([url, 404]);
    }
    // the reviewer in scope reads who complained; another prefecture's does not see it at all
    expect((await api.get(`/api/v1/complaints/${id}`, t.pref)).body).toMatchObject({ complainant: { name: NAME, contact: CONTACT }, content: about.content });
    expect((await api.get(`/api/v1/complaints/${id}`, t.prefB)).status).toBe(404);
    // in the inbox of the reviewers in scope only
    const inbox = await api.get('/api/v1/tasks?limit=100', t.pref);
    expect(inbox.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'complaint', id, action: 'decide-complaint', path: `/api/v1/complaints/${id}` })]),
    );
    expect(JSON.stringify((await api.get('/api/v1/tasks?limit=100', t.prefB)).body)).not.toContain(id);

    // past the due date: a reminder went out before it, and the complaint escalated
    expect((await api.post('/api/v1/admin/clock/advance', { by: 'P24D' }, t.admin)).status).toBe(200);
    const late = await until(
      () => Complaint.findById(id).lean(),
      (d) => (d?.escalation ?? 0) >= 1,
    );
    expect(late!.escalation).toBeGreaterThanOrEqual(1);
    const kinds = (await s.services.models.Notification.find({ targetId: id }).lean()).map((n) => n.kind);
    expect(kinds).toEqual(expect.arrayContaining(['complaint-received', 'complaint-reminder', 'overdue', 'escalation']));

    // decided by the reviewer in scope only, once
    const decision = { upheld: true, note: `经现场核查，投诉属实（${NAME} 反映的考评员无证问题）` };
    expect((await api.post(`/api/v1/complaints/${id}/decision`, decision, t.prefB)).status).toBe(404);
    expect((await api.post(`/api/v1/complaints/${id}/decision`, decision, t.inst)).status).toBe(403);
    const decided = await api.post(`/api/v1/complaints/${id}/decision`, decision, t.pref);
    expect([decided.status, decided.body.status, decided.body.outcome?.upheld]).toEqual([200, 'upheld', true]);
    expect((await api.post(`/api/v1/complaints/${id}/decision`, { upheld: false, note: '再议' }, t.prov)).body.code).toBe('ALREADY_DECIDED');
    expect((await api.get(`/api/v1/complaints/${id}?trackingCode=${trackingCode}`)).body).toMatchObject({ status: 'upheld', outcome: { upheld: true } });
    expect(JSON.stringify((await api.get('/api/v1/tasks?limit=100', t.pref)).body)).not.toContain(id);

    // the credit file: public, dated, the deciding body named, the complainant never
    const credit = await api.get(`/api/v1/institutions/${X.institution.creditCode}/credit`);
    expect(credit.status).toBe(200);
    expect(credit.body.items).toEqual([
      {
        kind: 'complaint-upheld',
        date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        decidedBy: '长春市人力资源和社会保障局',
        summary: expect.stringContaining('经现场核查'),
      },
    ]);
    expect(JSON.stringify(credit.body)).not.toMatch(new RegExp(`${NAME}|${CONTACT}`));
  });

  it('bounds the complaints one complainant may have open (429), whatever the address', async () => {
    const other = { ...about, contact: 'flood@example.com' };
    for (let i = 0; i < OPEN_COMPLAINTS_PER_COMPLAINANT; i++) {
      const r = await file({ ...other, content: `第${i}件` }, `10.9.1.${i}`);
      expect(r.statusCode).toBe(202);
      started.push(r.json().id);
    }
    const refused = await file({ ...other, content: '再一件' }, '10.9.2.1');
    expect([refused.statusCode, refused.json().code]).toEqual([429, 'TOO_MANY_COMPLAINTS']);
  });
});
