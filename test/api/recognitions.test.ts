/**
 * Competition recognitions (竞赛选拔, 000 §二(三)4, 003 §六; issue #15 §8) over HTTP on the real dev
 * server and FerretDB: a province's reviewer records a winner, the recognition workflow issues the
 * certificate under the province's issuing code with serials from the allocator, the public check
 * and the PDF name the competition, and the rules refuse what the seeds do not allow.
 */
import { devStack, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { flat, readBack } from '../harness/pdf';
import { consoleClient, textOf } from '../harness/console';
import { idNumber } from '../fixtures/filing';
import { parseCertificateCode } from '../../domain/certificate-code';
import type { Caller } from '../../domain/roles';

describe('competition recognitions', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const t: Record<string, string> = {};
  const A = { name: '李竞', idNumber: idNumber(711, '19900101') };
  const B = { name: '王赛', idNumber: idNumber(712, '19910202') };
  const body = (over: Record<string, unknown> = {}) => ({
    competition: '吉林省第三届职业技能大赛',
    rank: 1,
    holder: A,
    occupationCode: '6-18-01-01',
    occupationName: '车工',
    level: 2,
    ...over,
  });
  const post = (b: unknown, token = t.prov, key?: string) => api.post('/api/v1/recognitions', b, token, key ? { 'idempotency-key': key } : undefined);

  beforeAll(async () => {
    s = await devStack();
    api = http(s.app);
    const tok = (sub: string, c: Omit<Caller, 'sub' | 'name'>) => s.token({ sub, name: sub, ...c });
    t.prov = await tok('prov', { role: 'province-reviewer', province: '22' });
    t.prov21 = await tok('prov21', { role: 'province-reviewer', province: '21' });
    t.pref = await tok('pref', { role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
  });
  afterEach(async () => s.record());
  afterAll(() => s?.close());

  it('issues the certificate under the province’s code, consecutive serials, once per request', async () => {
    const r1 = await post(body(), t.prov, 'rec-a');
    expect(r1.status).toBe(201);
    const year = Number(r1.body.issuedAt.slice(0, 4));
    const p1 = parseCertificateCode(r1.body.number)!.parts;
    expect(p1).toMatchObject({ kind: 'S', route: '0000', province: '22', institutionSequence: 999999, level: 2, serial: 1 });
    // the issue year is the China date's: a UTC instant after 16:00 on 31 December is the next year
    expect([year, year + 1]).toContain(p1.issueYear);

    // the same request again (same key): the same recognition and number, nothing issued twice
    const again = await post(body(), t.prov, 'rec-a');
    expect([again.status, again.body.number]).toEqual([201, r1.body.number]);

    const r2 = await post(body({ holder: B }), t.prov, 'rec-b');
    expect(r2.status).toBe(201);
    expect(parseCertificateCode(r2.body.number)!.parts.serial).toBe(2);
    expect(await s.services.models.Certificate.countDocuments({ 'source.kind': 'recognition' })).toBe(2);

    // the public check names the issuer and the competition, the holder masked
    const pub = await api.get(`/api/v1/certificates/${r1.body.number}`);
    expect(pub.status).toBe(200);
    expect(pub.body).toMatchObject({
      level: 2,
      institution: { name: '吉林省人力资源和社会保障厅', code: 'S000022999999' },
      competition: { name: '吉林省第三届职业技能大赛', rank: 1 },
      status: 'valid',
    });
    expect(pub.body.holder.idNumber).not.toBe(A.idNumber);

    // the document: the statement says what the level rests on
    const pdf = await s.app.inject({ method: 'GET', url: `/api/v1/certificates/${r1.body.number}/document`, headers: { authorization: `Bearer ${t.prov}` } });
    expect(pdf.statusCode).toBe(200);
    const text = flat(readBack(pdf.rawPayload).pages[0].text);
    expect(text).toContain('在吉林省第三届职业技能大赛中获第1名');
    expect(text).toContain(A.idNumber);

    // the province's list, holders in full; another province sees none of it
    const list = await api.get('/api/v1/recognitions', t.prov);
    expect(list.body.items.map((x: { number: string }) => x.number).sort()).toEqual([r1.body.number, r2.body.number].sort());
    expect(list.body.items.find((x: { number: string }) => x.number === r1.body.number).holder.idNumber).toBe(A.idNumber);
    expect((await api.get('/api/v1/recognitions', t.prov21)).body.items).toEqual([]);
    expect((await api.get(`/api/v1/recognitions/${r1.body.id}`, t.prov21)).status).toBe(404);
    expect((await api.get(`/api/v1/recognitions/${r1.body.id}`, t.prov)).body.rank).toBe(1);
  });

  it('refuses what the seeds do not allow', async () => {
    const code = async (b: unknown, token = t.prov) => {
      const r = await post(b, token);
      return [r.status, r.body.code];
    };
    // 优异成绩: places 1–5 (000 §二(三)4)
    expect(await code(body({ holder: { name: '赵六', idNumber: idNumber(713) }, rank: 6 }))).toEqual([422, 'RULE_VIOLATION']);
    // 晋升 (003 §六): A holds 二级 in 6-18-01-01 now; 三级 from another competition promotes nobody
    expect(await code(body({ competition: '全国职业院校技能大赛', level: 3 }))).toEqual([422, 'RULE_VIOLATION']);
    // the same competition recognises a person once in an occupation
    expect(await code(body({ level: 1 }))).toEqual([409, 'ALREADY_EXISTS']);
    // malformed input is 400, never 500
    expect((await code(body({ holder: { name: '钱七', idNumber: '220102199001010000' } })))[0]).toBe(400);
    expect((await code(body({ rank: 0 })))[0]).toBe(400);
    expect((await code(body({ level: 6 })))[0]).toBe(400);
    expect((await code(body({ occupationCode: '1-01-01-01' })))[0]).toBe(400);
    expect((await code(body({ competition: 'x'.repeat(61) })))[0]).toBe(400);
    // no occupation name given and none known for the code
    expect(await code(body({ holder: { name: '孙八', idNumber: idNumber(714) }, occupationCode: '4-01-02-03', occupationName: undefined }))).toEqual([
      400,
      'VALIDATION_FAILED',
    ]);
    // only a province's reviewer records one
    expect((await code(body({ holder: { name: '周九', idNumber: idNumber(715) } }), t.pref))[0]).toBe(403);
    // nothing of the refusals was issued
    expect(await s.services.models.Certificate.countDocuments({ 'source.kind': 'recognition' })).toBe(2);
  });

  it('console: the province reviewer’s form issues and lists; a refusal says which rule', async () => {
    const c = consoleClient(s.app, s.settings.AUTH_JWT_SECRET!);
    await c.signInAs({ sub: 'prov', name: '省厅审核员', role: 'province-reviewer', province: '22' });
    const form = await c.get('/recognitions');
    expect(form.status).toBe(200);
    expect(form.html).toContain('data-testid="recognition-form"');
    expect(form.html).toContain('href="/recognitions"');
    const fields = {
      competition: '吉林省焊工技能竞赛',
      rank: 2,
      name: '吴焊',
      idNumber: idNumber(716),
      occupationCode: '6-18-02-04',
      occupationName: '焊工',
      level: 3,
    };
    const done = await c.post('/recognitions', { ...fields, _key: 'console-1' });
    expect(done.status).toBe(201);
    const number = /data-testid="recognition-issued"[^]*?\/verify\/([A-Z0-9]+)/.exec(done.html)?.[1];
    expect(parseCertificateCode(number)?.parts).toMatchObject({ province: '22', institutionSequence: 999999, level: 3 });
    expect(textOf(done.html)).toContain('吉林省焊工技能竞赛 第 2 名 吴焊');
    const refused = await c.post('/recognitions', { ...fields, competition: '全国焊工大赛', level: 4, _key: 'console-2' });
    expect(refused.status).toBe(422);
    expect(textOf(refused.html)).toContain('竞赛认定须晋升等级');
    // the form keeps what was typed
    expect(refused.html).toContain('value="全国焊工大赛"');
    // an institution has no such page
    await c.signInAs({ sub: 'inst', name: '机构', role: 'institution', province: '22', institutionId: '91220101MA14XXXXX0' });
    expect((await c.get('/recognitions')).status).toBe(403);
  });
});
