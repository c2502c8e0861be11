/**
 * Personal data never reaches the logs (issue "Access control…", part 4). The API is built with
 * its production logger options (api/logging.ts via buildApp) at level trace, writing to memory;
 * a full filing run is driven over HTTP in demo mode, with staff ID numbers and phones in the
 * bodies, experts' ID numbers, an objector's phone, a certificate-style query with an ID number
 * in the query string, and error paths (validation, malformed JSON, too large, wrong stage, an ID
 * number in a path, refused callers). Then no valid ID number and no full mobile number may appear
 * anywhere in the captured text.
 */
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { devStack, timeSkippingAddress, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { buildApp } from '../../app';
import { loggerOptions, scrubPersonalData } from '../../api/logging';
import { application, idNumber } from '../fixtures/filing';
import { isValidIdNumber } from '../../domain/identifiers';
import type { Caller } from '../../domain/roles';
import { filingWorkflowId } from '../../workflows/filing/messages';

/** every 18-character string with a valid GB 11643 check character, and every mainland mobile number, in a text */
function personalDataIn(text: string): string[] {
  const ids = [...text.matchAll(/(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g)].map((m) => m[0]).filter((s) => isValidIdNumber(s));
  const phones = [...text.matchAll(/(?<!\d)1[3-9]\d{9}(?!\d)/g)].map((m) => m[0]);
  return [...ids, ...phones];
}

const memory = () => {
  const lines: string[] = [];
  return { lines, stream: { write: (s: string) => lines.push(s) } };
};

describe('the logger scrubs personal data (unit)', () => {
  it('redacts known paths, keeps bodies and query strings out, and scrubs ID numbers and phones anywhere', () => {
    const { lines, stream } = memory();
    const opts = loggerOptions('trace', stream);
    const log = pino(opts, opts.stream); // as Fastify builds it
    const id = idNumber(42);
    log.info({ idNumber: id, phone: '13912345678', body: { staff: { fullTime: [{ idNumber: id }] } } }, 'registered');
    log.info({ candidates: [{ name: '张三', idNumber: id }], contact: { name: '李四', phone: '13900001111' } }, 'batch');
    log.info(`free text with ${id} and 13912345678 inside`);
    log.error({ err: new Error(`duplicate key: { idNumber: "${id}" }`) }, 'failed');
    log.child({ reqId: `x-${id}` }).info({ deep: { deeper: { deepest: { holder: id, mobile: '+86 13912345678' } } } }, 'deep');
    log.info({ req: { method: 'GET', url: `/api/v1/certificates?idNumber=${id}&name=张三`, id: 'r1' } }, 'incoming request');
    const text = lines.join('');
    expect(lines).toHaveLength(6);
    expect(personalDataIn(text)).toEqual([]);
    expect(text).not.toContain(id);
    expect(text).toContain('[redacted]');
    expect(text).toContain('"url":"/api/v1/certificates"');
    // what is scrubbed stays recognisable
    expect(scrubPersonalData(`id ${id}`)).toMatch(/id \d{3}\*+\d{4}/);
    expect(scrubPersonalData('tel 13912345678')).toBe('tel 139****5678');
    // numbers that are not personal data are left alone
    expect(scrubPersonalData('"time":1764270000000,"n":123456789012345678')).toBe('"time":1764270000000,"n":123456789012345678');
  });
});

describe('captured logs of a full filing run over HTTP (demo mode)', () => {
  let s: DevStack;
  let app: FastifyInstance;
  let api: ReturnType<typeof http>;
  const captured = memory();
  const t: Record<string, string> = {};
  const staffIds = [idNumber(111), idNumber(112), idNumber(113), idNumber(114), idNumber(115)];
  const expertIds = [idNumber(121), idNumber(122), idNumber(123)];
  const certificateQueryId = idNumber(131, '19900101');
  const phones = ['13811112222', '13811113333', '13811114444', '13811115555', '15900001111', '13700002222'];
  const filing = application({ province: '22', prefecture: '220100', staffIdNumbers: staffIds.slice(0, 2) });
  filing.institution.contact.phone = phones[0];
  filing.staff = {
    fullTime: [
      { name: '职工甲', idNumber: staffIds[0], phone: phones[1] },
      { name: '职工乙', idNumber: staffIds[1], phone: phones[2] },
    ],
    experts: [{ name: '内部专家', idNumber: staffIds[2], phone: phones[3] }],
    examiners: [{ name: '考评员', idNumber: staffIds[3] }],
    supervisors: [{ name: '内部督导', idNumber: staffIds[4] }],
  };

  beforeAll(async () => {
    s = await devStack({ settings: { APP_MODE: 'demo' }, temporalAddress: timeSkippingAddress() });
    app = await buildApp(s.services, { logger: { level: 'trace', stream: captured.stream } });
    api = http(app);
    const tok = (sub: string, c: Omit<Caller, 'sub' | 'name'>) => s.token({ sub, name: sub, ...c });
    t.inst = await tok('inst', { role: 'institution', province: '22', institutionId: filing.institution.creditCode });
    t.pref = await tok('pref', { role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
    t.prov = await tok('prov', { role: 'province-reviewer', province: '22' });
    t.prov21 = await tok('prov21', { role: 'province-reviewer', province: '21' });
    t.admin = await tok('admin', { role: 'admin' });
  });
  const started: string[] = [];
  afterAll(async () => {
    // leave nothing running with timers and no worker on the time-skipping server
    for (const id of started)
      await s.services.temporal.client.workflow
        .getHandle(filingWorkflowId(id))
        .terminate('test over')
        .catch(() => undefined);
    await app?.close();
    await s?.close();
  });

  it('runs a filing from application to notice, with the error paths, and logs no ID number or phone', async () => {
    const ok = async (method: string, url: string, body: unknown, token?: string, status = 200) => {
      const r = await api.call(method, url, { token, body });
      expect([url, r.status, r.body?.code]).toEqual([url, status, undefined]);
      return r.body;
    };
    for (const [i, sub] of ['ea', 'eb', 'ec'].entries()) {
      t[sub] = await s.token({ sub, name: sub, role: 'expert', province: '22' });
      await ok('POST', '/api/v1/experts', { userId: sub, name: `专家${i}`, idNumber: expertIds[i], province: '22' }, t.prov, 201);
    }

    // error paths first, with personal data in them
    const bad = structuredClone(filing) as any;
    bad.institution.creditCode = 'not-a-credit-code';
    bad.staff.fullTime.push({ name: '坏号码', idNumber: '110101199003070000', phone: '13800138000' });
    expect((await api.post('/api/v1/filings', bad, t.inst)).status).toBe(400);
    const malformed = await app.inject({
      method: 'POST',
      url: '/api/v1/filings',
      headers: { authorization: `Bearer ${t.inst}`, 'content-type': 'application/json' },
      payload: `{"staff":{"fullTime":[{"idNumber":"${staffIds[0]}","phone":"${phones[1]}"`,
    });
    expect(malformed.statusCode).toBe(400);
    const huge = await app.inject({
      method: 'POST',
      url: '/api/v1/filings',
      headers: { authorization: `Bearer ${t.inst}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ ...filing, feeStandard: `${staffIds[0]} ${phones[1]} `.repeat(40_000) }),
    });
    expect(huge.statusCode).toBe(413);
    expect((await api.post('/api/v1/experts', { userId: 'x', name: '外省', idNumber: expertIds[0], province: '22' }, t.prov21)).status).toBe(403);
    expect((await api.post('/api/v1/experts', { userId: 'x', name: '无令牌', idNumber: expertIds[0], province: '22' })).status).toBe(401);
    // an ID number where an id belongs, and a certificate look-up by ID number in the query string (404 until those routes exist)
    expect((await api.get(`/api/v1/filings/${staffIds[0]}`, t.prov)).status).toBe(404);
    const cert = await app.inject({
      method: 'GET',
      url: `/api/v1/certificates?idNumber=${certificateQueryId}&name=${encodeURIComponent('张三')}`,
      headers: { 'x-request-id': certificateQueryId },
    });
    expect(cert.statusCode).toBeGreaterThanOrEqual(200);
    expect((await app.inject({ method: 'GET', url: `/api/v1/certificates/${certificateQueryId}` })).statusCode).toBeLessThan(500);

    // the filing, all the way
    const created = await ok('POST', '/api/v1/filings', filing, t.inst, 201);
    const id: string = created.id;
    started.push(id);
    const step = (path: string, body: unknown, token: string) => ok('POST', `/api/v1/filings/${id}${path}`, body, token);
    await step('/assignments', { stage: 'preliminary-review', expertIds: ['ea'] }, t.pref);
    expect((await api.post(`/api/v1/filings/${id}/decisions`, { stage: 'deliberation', outcome: 'pass', opinion: `联系 ${phones[4]}` }, t.pref)).status).toBe(
      409,
    );
    await step('/decisions', { stage: 'preliminary-review', outcome: 'pass', opinion: `材料齐全，联系人 ${phones[4]}` }, t.ea);
    await step('/assignments', { stage: 'technical-assessment', expertIds: ['eb'] }, t.pref);
    await step('/decisions', { stage: 'technical-assessment', outcome: 'pass', opinion: '现场评估合格', score: 90 }, t.eb);
    await step('/assignments', { stage: 'comprehensive-review', expertIds: ['ec'] }, t.pref);
    await step('/decisions', { stage: 'comprehensive-review', outcome: 'pass', opinion: '综合评估合格' }, t.ec);
    const pub = await step('/decisions', { stage: 'deliberation', outcome: 'pass', opinion: '审议通过' }, t.pref);
    expect(pub.stage).toBe('publicity');
    const objection = await ok(
      'POST',
      `/api/v1/filings/${id}/objections`,
      { name: '王五', contact: phones[5], reason: `身份证 ${staffIds[0]} 的人并非全职` },
      undefined,
      202,
    );
    await step(`/objections/${objection.objectionId}/resolution`, { upheld: false, note: '经核实不成立' }, t.pref);
    await ok('POST', '/api/v1/admin/clock/advance', { by: 'P9D' }, t.admin);
    const active = await step('/decisions', { stage: 'notice', outcome: 'pass', opinion: '准予备案' }, t.prov);
    expect(active.status).toBe('active');
    for (const token of [t.inst, t.pref, t.prov, t.ea, t.admin]) expect((await api.get(`/api/v1/filings/${id}`, token)).status).toBe(200);
    await ok('GET', `/api/v1/filings/${id}/audit`, undefined, t.prov);
    await ok('GET', '/api/v1/directory?province=22', undefined);
    await ok('GET', '/api/v1/experts', undefined, t.prov);

    const text = captured.lines.join('');
    // the capture is real: every request was logged, at trace level, with its path
    expect(captured.lines.length).toBeGreaterThan(30);
    // one line per request, when it is answered, with its path and status
    expect(text).not.toContain('incoming request');
    expect(text).toContain('request completed');
    expect(text).toMatch(/"req":\{"method":"POST","url":"\/api\/v1\/filings\/[^"]+\/decisions","id":"[^"]+"\},"res":\{"statusCode":200\}/);
    expect(text).toContain(`"url":"/api/v1/filings/${id}/decisions"`);
    expect(text).toContain('"code":"VALIDATION_FAILED"');
    // …and holds no personal data at all
    for (const secret of [...staffIds, ...expertIds, certificateQueryId, ...phones]) expect([secret, text.includes(secret)]).toEqual([secret, false]);
    expect(personalDataIn(text)).toEqual([]);
    // nor the request bodies
    expect(text).not.toContain('职工甲');
    expect(text).not.toContain('经核实不成立');
  });
});
