/**
 * Electronic certificates and their later life over HTTP (issue #15 §1–§2; API.md "Added: seed
 * rules"), on the real dev server and FerretDB: the PDF for the issuing institution and reviewers in
 * scope only, read back as text with its QR code decoded from the embedded image; the signature
 * checked with the published key; the public check's version and verification link; the /verify
 * page for a valid, a tampered and a revoked certificate; a correction reviewed by the center (new
 * version, same number, history kept); a reissue; revocation still working after both.
 *
 * The certificates are written into the read model as the batch workflow's issuing activity
 * writes them (test/api/batches-demo.test.ts covers issuing itself), so that this file does not
 * depend on how batches reach `certified`.
 */
import { devStack, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { consoleClient } from '../harness/console';
import { decodeQr, flat, readBack } from '../harness/pdf';
import { idNumber, newCreditCode } from '../fixtures/filing';
import { buildCertificateCode } from '../../domain/certificate-code';
import { maskIdNumber } from '../../domain/identifiers';
import { DEVELOPMENT_KID, issueDateOf, parseVerifyUrl, verifyCertificateSignature } from '../../certificates/signature';
import type { CertificateDoc } from '../../models/batch';
import { certificateDoc, seedCertificates } from '../fixtures/certificates';
import type { Caller } from '../../domain/roles';

describe('electronic certificates, corrections and reissue over HTTP', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const t: Record<string, string> = {};
  const X = newCreditCode('220102');
  const Y = newCreditCode('220102');
  const batchId = 'b-ecert-0001';
  const holderId = idNumber(731, '19900307');
  const number = (serial: number) => buildCertificateCode({ kind: 'Y', province: '22', institutionSequence: 12, issueYear: 2026, level: 4, serial });
  const [A, B, C, D] = [1, 2, 3, 4].map(number);

  const certificate = (n: string, over: Partial<CertificateDoc> = {}) =>
    certificateDoc(n, X, batchId, {
      holder: { name: '欧阳喆堃', idNumber: holderId, sex: 'M' },
      // 00:30 on 1 March in China, still 28 February in UTC: the printed and signed date is China's
      issuedAt: new Date('2026-02-28T16:30:00Z'),
      ...over,
    });

  beforeAll(async () => {
    s = await devStack();
    api = http(s.app);
    const tok = (sub: string, c: Omit<Caller, 'sub' | 'name'>) => s.token({ sub, name: sub, ...c });
    t.inst = await tok('inst', { role: 'institution', province: '22', institutionId: X });
    t.other = await tok('other', { role: 'institution', province: '22', institutionId: Y });
    t.pref = await tok('pref', { role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
    t.prefB = await tok('prefB', { role: 'prefecture-reviewer', province: '22', prefecture: '220200' });
    t.prov = await tok('prov', { role: 'province-reviewer', province: '22' });
    t.prov21 = await tok('prov21', { role: 'province-reviewer', province: '21' });
    t.center = await tok('center', { role: 'center', province: '22', prefecture: '220100' });
    t.centerB = await tok('centerB', { role: 'center', province: '22', prefecture: '220200' });
    t.admin = await tok('admin', { role: 'admin' });
    // the batch's filing has been terminated: the certificates stay valid, and correction, reissue and
    // revocation stay possible (SPEC "Termination"; 004 Art.12–13); a check of the filing would break every test below
    await seedCertificates(s.services.models, { filingId: 'f-ecert', batchId, institutionId: X, filingStatus: 'terminated' }, [
      certificate(A),
      certificate(B),
      certificate(C, { trade: null }),
      certificate(D),
    ]);
  });
  afterEach(async () => s.record());
  afterAll(async () => s?.close());

  it('publishes the signing key; the public check gives version 1 and a link whose signature checks with it', async () => {
    const keys = await api.get('/api/v1/certificates/signing-keys');
    expect(keys.status).toBe(200);
    expect(keys.body.keys).toEqual([{ kid: DEVELOPMENT_KID, alg: 'Ed25519', publicKey: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) }]);
    const cert = await api.get(`/api/v1/certificates/${A}`);
    expect(cert.status).toBe(200);
    expect(cert.body).toMatchObject({ number: A, status: 'valid', version: 1 });
    expect(cert.body.holder.idNumber).toBe(maskIdNumber(holderId));
    const link = parseVerifyUrl(cert.body.verifyUrl)!;
    expect(cert.body.verifyUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:3000/verify/${A}\\?sig=${DEVELOPMENT_KID}\\.`));
    expect(link.number).toBe(A);
    // what anyone can check offline: the masked ID and the China issue date, with the published key
    expect(issueDateOf(cert.body.issuedAt)).toBe('2026-03-01');
    expect(verifyCertificateSignature(A, cert.body.holder.idNumber, '2026-03-01', link.sig, keys.body)).toEqual({ valid: true, kid: DEVELOPMENT_KID });
    expect(verifyCertificateSignature(A, cert.body.holder.idNumber, '2026-02-28', link.sig, keys.body).valid).toBe(false);
    expect(verifyCertificateSignature(B, cert.body.holder.idNumber, '2026-03-01', link.sig, keys.body).valid).toBe(false);
  });

  it('gives the issuing institution the PDF: every field of the reference layout, and a QR code of the signed link', async () => {
    const r = await s.app.inject({ method: 'GET', url: `/api/v1/certificates/${A}/document`, headers: { authorization: `Bearer ${t.inst}` } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.headers['cache-control']).toBe('no-store');
    const pdf = r.rawPayload;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // the CJK font travels inside the file
    expect(pdf.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansSC-Regular/);
    const back = readBack(pdf);
    const text = flat(back.pages[0].text);
    for (const expected of [
      '姓名：欧阳喆堃',
      '证件类型：居民身份证',
      `证件号码：${holderId}`,
      '职业名称：车工',
      '工种名称：数控车工',
      '职业技能等级：四级/中级工',
      '长春精工机械有限公司',
      '发证日期：2026年3月1日',
      `证书编号：${A}`,
    ])
      expect(text).toContain(expected);
    const publicCheck = (await api.get(`/api/v1/certificates/${A}`)).body;
    const [img] = back.pages[0].images;
    expect(decodeQr(Buffer.from(img.rgba, 'base64'), img.width, img.height)).toBe(publicCheck.verifyUrl);
    // no trade prints the sample's dash
    const noTrade = await s.app.inject({ method: 'GET', url: `/api/v1/certificates/${C}/document`, headers: { authorization: `Bearer ${t.prov}` } });
    expect(flat(readBack(noTrade.rawPayload).pages[0].text)).toContain('工种名称：—');
    // every print is in the audit trail
    const audit = await s.services.models.Audit.find({ targetId: A, action: 'certificate.document' }).lean();
    expect(audit.map((a) => a.actor)).toEqual(['inst']);
  });

  it('gives it to reviewers in scope only: 403 for another institution, prefecture or province, and the center; 404 for an unknown number', async () => {
    const doc = (n: string, token?: string) => api.get(`/api/v1/certificates/${n}/document`, token);
    expect((await doc(A, t.pref)).status).toBe(200);
    expect((await doc(A, t.prov)).status).toBe(200);
    for (const who of ['other', 'prefB', 'prov21', 'center', 'admin']) {
      const r = await doc(A, t[who]);
      expect([who, r.status, r.body.code]).toEqual([who, 403, 'FORBIDDEN']);
      // a refusal carries no personal data
      expect(JSON.stringify(r.body)).not.toContain(holderId);
    }
    expect((await doc(A)).status).toBe(401);
    expect((await doc(number(999), t.inst)).status).toBe(404);
    expect((await doc('Y0000220000122', t.inst)).status).toBe(400);
  });

  it('the /verify page: valid signature and status, a tampered signature, a revoked certificate', async () => {
    const page = (path: string) => s.app.inject({ method: 'GET', url: path, headers: { accept: 'text/html' } });
    const link = new URL((await api.get(`/api/v1/certificates/${B}`)).body.verifyUrl);
    const ok = await page(link.pathname + link.search);
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('签名有效');
    expect(ok.body).toMatch(/data-testid="certificate-status">有效</);
    expect(ok.body).toContain('2026-03-01');
    expect(ok.body).not.toContain(holderId);

    const sig = link.searchParams.get('sig')!;
    const [kid, b64] = sig.split('.');
    const bytes = Buffer.from(b64, 'base64url');
    bytes[10] ^= 0x01;
    const flipped = `${kid}.${bytes.toString('base64url')}`;
    const bad = await page(`/verify/${B}?sig=${flipped}`);
    expect(bad.statusCode).toBe(200);
    expect(bad.body).toContain('签名与证书信息不符');
    expect(bad.body).not.toContain('签名有效');
    // a signature of another certificate is no signature of this one
    const elsewhere = await page(`/verify/${A}?sig=${sig}`);
    expect(elsewhere.body).toContain('签名与证书信息不符');
    expect((await page(`/verify/${B}`)).body).toContain('链接中没有签名');
    expect((await page(`/verify/${B}?sig=nonsense`)).body).toContain('签名格式有误');
    expect((await page(`/verify/${number(999)}?sig=${sig}`)).statusCode).toBe(404);

    const revoked = await api.post(`/api/v1/certificates/${B}/revocation`, { reason: '考试作弊' }, t.inst);
    expect([revoked.status, revoked.body.status, revoked.body.version]).toEqual([200, 'revoked', 1]);
    const after = await page(link.pathname + link.search);
    expect(after.body).toMatch(/data-testid="certificate-status">已撤销</);
    // a revoked certificate has no document: a fresh print would look valid
    const doc = await api.get(`/api/v1/certificates/${B}/document`, t.inst);
    expect([doc.status, doc.body.code]).toEqual([409, 'ALREADY_REVOKED']);
  });

  it('a correction: requested by the issuer, reviewed by the center in scope, makes version 2 with the same number and keeps the old value', async () => {
    const before = (await api.get(`/api/v1/certificates/${A}`)).body;
    const body = { field: 'holder.name', value: '欧阳哲堃', reason: '姓名录入错误（身份证为“哲”）' };
    expect((await api.post(`/api/v1/certificates/${A}/corrections`, body, t.other)).status).toBe(403);
    expect((await api.post(`/api/v1/certificates/${A}/corrections`, body, t.center)).status).toBe(403);
    expect((await api.post(`/api/v1/certificates/${A}/corrections`, { ...body, value: '欧阳喆堃' }, t.inst)).body.code).toBe('VALIDATION_FAILED');
    expect((await api.post(`/api/v1/certificates/${A}/corrections`, { ...body, field: 'level' }, t.inst)).status).toBe(400);
    expect((await api.post(`/api/v1/certificates/${A}/corrections`, { ...body, field: 'holder.idNumber', value: '220102199003070000' }, t.inst)).status).toBe(
      400,
    );
    const headers = { 'idempotency-key': 'corr-a-1' };
    const asked = await api.post(`/api/v1/certificates/${A}/corrections`, body, t.inst, headers);
    expect(asked.status).toBe(202);
    const { correctionId } = asked.body;
    expect(correctionId).toMatch(/^cc-[0-9a-f]{12}$/);
    // one open request per certificate
    const second = await api.post(`/api/v1/certificates/${A}/corrections`, { ...body, field: 'trade', value: '普通车工' }, t.inst);
    expect([second.status, second.body.code]).toEqual([409, 'CORRECTION_PENDING']);
    // nothing changes before the center decides
    expect((await api.get(`/api/v1/certificates/${A}`)).body.version).toBe(1);

    const decide = (token: string, d: object) => api.post(`/api/v1/certificates/${A}/corrections/${correctionId}/decision`, d, token);
    expect((await decide(t.centerB, { outcome: 'pass', opinion: '同意' })).status).toBe(403);
    expect((await decide(t.inst, { outcome: 'pass', opinion: '同意' })).status).toBe(403);
    expect((await api.post(`/api/v1/certificates/${A}/corrections/cc-000000000000/decision`, { outcome: 'pass', opinion: '同意' }, t.center)).status).toBe(404);
    const approved = await decide(t.center, { outcome: 'pass', opinion: '经核对身份证，同意更正' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ correctionId, status: 'approved', decision: { outcome: 'pass', version: 2 } });
    expect((await decide(t.center, { outcome: 'reject', opinion: '再议' })).body.code).toBe('ALREADY_DECIDED');

    const after = (await api.get(`/api/v1/certificates/${A}`)).body;
    expect(after).toMatchObject({ number: A, version: 2, status: 'valid' });
    const stored = (await s.services.models.Certificate.findById(A).lean()) as CertificateDoc;
    expect(stored.holder.name).toBe('欧阳哲堃');
    expect(stored.corrections).toEqual([
      expect.objectContaining({ correctionId, version: 2, field: 'holder.name', from: '欧阳喆堃', to: '欧阳哲堃', reason: body.reason }),
    ]);
    const doc = await s.app.inject({ method: 'GET', url: `/api/v1/certificates/${A}/document`, headers: { authorization: `Bearer ${t.inst}` } });
    const text = flat(readBack(doc.rawPayload).pages[0].text);
    expect(text).toContain('姓名：欧阳哲堃');
    expect(text).toContain('版本2');
    // the masked ID and the date did not change, so an earlier print's QR code still checks; the page says 已更正
    const page = await s.app.inject({
      method: 'GET',
      url: new URL(before.verifyUrl).pathname + new URL(before.verifyUrl).search,
      headers: { accept: 'text/html' },
    });
    expect(page.body).toContain('签名有效');
    expect(page.body).toMatch(/data-testid="certificate-status">已更正</);
    const audit = await s.services.models.Audit.find({ targetId: A }).sort({ at: 1 }).lean();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['certificate.request-correction', 'certificate.decide-correction', 'certificate.correct']),
    );

    // a rejected request changes nothing, and a new request may follow a decided one
    const next = await api.post(`/api/v1/certificates/${A}/corrections`, { field: 'trade', value: '普通车工', reason: '工种名称' }, t.inst);
    expect(next.status).toBe(202);
    const rejected = await api.post(
      `/api/v1/certificates/${A}/corrections/${next.body.correctionId}/decision`,
      { outcome: 'reject', opinion: '与花名册一致，无需更正' },
      t.center,
    );
    expect(rejected.body).toMatchObject({ status: 'rejected', decision: { outcome: 'reject' } });
    expect((await api.get(`/api/v1/certificates/${A}`)).body).toMatchObject({ version: 2, trade: '数控车工' });
  });

  it('an ID number correction: the earlier print no longer matches the certificate, and the page says it was corrected', async () => {
    const before = (await api.get(`/api/v1/certificates/${D}`)).body;
    const newId = idNumber(732, '19900307');
    const asked = await api.post(`/api/v1/certificates/${D}/corrections`, { field: 'holder.idNumber', value: newId, reason: '身份证号录入错误' }, t.inst);
    expect(asked.status).toBe(202);
    const ok = await api.post(`/api/v1/certificates/${D}/corrections/${asked.body.correctionId}/decision`, { outcome: 'pass', opinion: '同意' }, t.center);
    expect(ok.body.status).toBe('approved');
    const after = (await api.get(`/api/v1/certificates/${D}`)).body;
    expect(after.holder.idNumber).toBe(maskIdNumber(newId));
    expect(after.verifyUrl).not.toBe(before.verifyUrl);
    const old = new URL(before.verifyUrl);
    const page = await s.app.inject({ method: 'GET', url: old.pathname + old.search, headers: { accept: 'text/html' } });
    expect(page.body).toContain('签名与证书信息不符');
    expect(page.body).toContain('该证书已更正');
    // the audit trail keeps the change masked; the certificate's own history keeps it whole
    const entry = await s.services.models.Audit.findById(`${D}:corrected:${asked.body.correctionId}`).lean();
    expect(JSON.stringify(entry)).not.toContain(newId);
    expect(JSON.stringify(entry)).not.toContain(holderId);
  });

  it('a reissue: same number, audited, and the document prints it; revocation still works after corrections and reissues', async () => {
    expect((await api.post(`/api/v1/certificates/${A}/reissue`, { reason: '证书遗失' }, t.other)).status).toBe(403);
    expect((await api.post(`/api/v1/certificates/${A}/reissue`, { reason: '证书遗失' }, t.prov)).status).toBe(403);
    expect((await api.post(`/api/v1/certificates/${B}/reissue`, { reason: '证书遗失' }, t.inst)).body.code).toBe('ALREADY_REVOKED');
    const r = await api.post(`/api/v1/certificates/${A}/reissue`, { reason: '证书遗失' }, t.inst);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ number: A, version: 2, reissues: 1, document: `/api/v1/certificates/${A}/document` });
    const doc = await s.app.inject({ method: 'GET', url: r.body.document, headers: { authorization: `Bearer ${t.inst}` } });
    expect(flat(readBack(doc.rawPayload).pages[0].text)).toMatch(/补发日期：\d{4}年\d{1,2}月\d{1,2}日（第1次补发）/);
    const audit = await s.services.models.Audit.find({ targetId: A, action: 'certificate.reissue' }).lean();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'inst', note: '证书遗失' });

    const revoked = await api.post(`/api/v1/certificates/${A}/revocation`, { reason: '违规发证' }, t.prov);
    expect([revoked.status, revoked.body.status, revoked.body.version]).toEqual([200, 'revoked', 2]);
    const late = await api.post(`/api/v1/certificates/${A}/corrections`, { field: 'trade', value: '普通车工', reason: '更正' }, t.inst);
    expect([late.status, late.body.code]).toEqual([409, 'ALREADY_REVOKED']);
  });

  it('writes to one certificate run one at a time: concurrent reissues, a revocation and an approval lose nothing', async () => {
    const asked = await api.post(`/api/v1/certificates/${C}/corrections`, { field: 'trade', value: '数控车工', reason: '漏填工种' }, t.inst);
    expect(asked.status).toBe(202);
    const [r1, r2, approved] = await Promise.all([
      api.post(`/api/v1/certificates/${C}/reissue`, { reason: '遗失' }, t.inst),
      api.post(`/api/v1/certificates/${C}/reissue`, { reason: '损毁' }, t.inst),
      api.post(`/api/v1/certificates/${C}/corrections/${asked.body.correctionId}/decision`, { outcome: 'pass', opinion: '同意' }, t.center),
    ]);
    expect([r1.status, r2.status, approved.status]).toEqual([200, 200, 200]);
    const stored = (await s.services.models.Certificate.findById(C).lean()) as CertificateDoc;
    expect(stored.reissues?.map((r) => r.reason).sort()).toEqual(['损毁', '遗失']);
    expect([stored.version, stored.trade, stored.corrections?.length]).toEqual([2, '数控车工', 1]);

    // approval of a request whose certificate was revoked meanwhile: refused, the request stays open to be rejected
    const next = await api.post(`/api/v1/certificates/${C}/corrections`, { field: 'holder.sex', value: 'F', reason: '性别录入错误' }, t.inst);
    expect(next.status).toBe(202);
    expect((await api.post(`/api/v1/certificates/${C}/revocation`, { reason: '重复发证' }, t.inst)).status).toBe(200);
    const late = await api.post(`/api/v1/certificates/${C}/corrections/${next.body.correctionId}/decision`, { outcome: 'pass', opinion: '同意' }, t.center);
    expect([late.status, late.body.code]).toEqual([409, 'ALREADY_REVOKED']);
    const rejected = await api.post(
      `/api/v1/certificates/${C}/corrections/${next.body.correctionId}/decision`,
      { outcome: 'reject', opinion: '证书已撤销' },
      t.center,
    );
    expect(rejected.body.status).toBe('rejected');
    expect(((await s.services.models.Certificate.findById(C).lean()) as CertificateDoc).holder.sex).toBe('M');
  });

  it('the console verify page by number shows the China issue date', async () => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    const r = await c.get(`/verify?number=${C}`);
    expect(r.html).toContain('2026-03-01');
    expect(r.html).not.toContain('2026-02-28');
  });
});
