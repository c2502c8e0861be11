/**
 * The public look-up by number is kept by the API process (CERTIFICATE_CACHE_SECONDS,
 * api/certificate-cache.ts; README Performance (c)), on the real dev server and FerretDB:
 * - a revocation through this process is seen at once by its next look-up;
 * - one through another API process reaches this one within about a second, through the change
 *   its activity recorded (api/certificate-changes.ts), long before the TTL;
 * - a change written straight into the database, which no activity recorded, is not seen while the
 *   answer is kept: the cache is really on;
 * - different numbers never share an answer;
 * - with CERTIFICATE_CACHE_SECONDS=0 nothing is kept.
 */
import type { FastifyInstance } from 'fastify';
import { devStack, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { idNumber, newCreditCode } from '../fixtures/filing';
import { buildApp } from '../../app';
import { buildCertificateCode } from '../../domain/certificate-code';
import { maskIdNumber } from '../../domain/identifiers';
import { certificateDoc, seedCertificates } from '../fixtures/certificates';

describe('the public certificate look-up, kept by the API process', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  let uncached: FastifyInstance;
  let other: FastifyInstance;
  let inst: string;
  const X = newCreditCode('220102');
  const batchId = 'b-cache-0001';
  const number = (serial: number) => buildCertificateCode({ kind: 'Y', province: '22', institutionSequence: 13, issueYear: 2026, level: 3, serial });
  const numbers = [1, 2, 3, 4, 5].map(number);
  const holders = numbers.map((_, i) => idNumber(800 + i, '19880401'));

  const certificate = (i: number) =>
    certificateDoc(numbers[i], X, batchId, { holder: { name: `持证人${i}`, idNumber: holders[i], sex: 'F' }, trade: null, level: 3 });
  const lookUp = async (app: FastifyInstance, n: string) => {
    const r = await app.inject({ method: 'GET', url: `/api/v1/certificates/${n}` });
    expect([n, r.statusCode]).toEqual([n, 200]);
    return r.json() as { number: string; status: string; holder: { name: string; idNumber: string }; verifyUrl: string };
  };
  /** a change this process does not know about */
  const revokeBehindItsBack = (n: string) =>
    s.services.models.Certificate.updateOne(
      { _id: n },
      { $set: { status: 'revoked', revocation: { reason: '另一进程撤销', by: { sub: 'x', name: 'x', role: 'admin' }, at: new Date() } } },
    );

  beforeAll(async () => {
    // look-ups are a public rate-limited route (30 a minute per address by default): this file
    // makes more than that, polling among them, and a 429 is not what it tests
    s = await devStack({ settings: { PUBLIC_RATE_LIMIT: '10000' } });
    expect(s.settings.CERTIFICATE_CACHE_SECONDS).toBe(300);
    api = http(s.app);
    inst = await s.token({ sub: 'inst-cache', role: 'institution', province: '22', institutionId: X });
    await seedCertificates(
      s.services.models,
      { filingId: 'f-cache', batchId, institutionId: X },
      numbers.map((_, i) => certificate(i)),
    );
    // the same services with the cache off
    uncached = await buildApp({ ...s.services, settings: { ...s.services.settings, CERTIFICATE_CACHE_SECONDS: 0 } });
    // and another API process with the cache on
    other = await buildApp(s.services);
  });
  afterAll(async () => {
    await uncached?.close();
    await other?.close();
    await s?.close();
  });

  it('answers a revocation made through this process at once, and keeps what it did not change', async () => {
    const [a, b] = numbers;
    expect((await lookUp(s.app, a)).status).toBe('valid');
    expect((await lookUp(s.app, b)).status).toBe('valid');

    const revoked = await api.post(`/api/v1/certificates/${a}/revocation`, { reason: '考试作弊' }, inst);
    expect(revoked.status).toBe(200);
    expect((await lookUp(s.app, a)).status).toBe('revoked');

    // b changed without the change being recorded (not by an activity): this process still answers what it read
    await revokeBehindItsBack(b);
    expect((await lookUp(s.app, b)).status).toBe('valid');
    expect((await lookUp(uncached, b)).status).toBe('revoked');
  });

  it('answers a revocation made through another API process within about a second, long before the TTL', async () => {
    const d = numbers[3];
    expect((await lookUp(s.app, d)).status).toBe('valid');
    expect((await lookUp(other, d)).status).toBe('valid');
    const kept = s.app.repositories.certificates.lookups.hits;
    expect((await lookUp(s.app, d)).status).toBe('valid');
    expect(s.app.repositories.certificates.lookups.hits).toBe(kept + 1);

    const revoked = await http(other).post(`/api/v1/certificates/${d}/revocation`, { reason: '证书造假' }, inst);
    expect(revoked.status).toBe(200);
    // the revocation's activity recorded the change; this process reads it within POLL_MS
    expect(await s.services.models.CertificateChange.countDocuments({ number: d })).toBe(1);
    const since = Date.now();
    let status = 'valid';
    while (status === 'valid' && Date.now() - since < 10_000) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await lookUp(s.app, d)).status;
    }
    expect(status).toBe('revoked');
    expect(Date.now() - since).toBeLessThan(5_000);
  });

  it('never answers one number with another one', async () => {
    const seen: string[] = [];
    for (let round = 0; round < 3; round++)
      for (const [i, n] of numbers.entries()) {
        const v = await lookUp(s.app, n);
        seen.push(v.number);
        // (the public sees the holder masked: 持**0)
        expect([v.number, v.holder.name.endsWith(String(i)), v.holder.idNumber]).toEqual([n, true, maskIdNumber(holders[i])]);
        expect(v.verifyUrl).toContain(n);
      }
    expect(new Set(seen).size).toBe(numbers.length);
  });

  it('keeps nothing when CERTIFICATE_CACHE_SECONDS is 0', async () => {
    const c = numbers[2];
    expect((await lookUp(uncached, c)).status).toBe('valid');
    await revokeBehindItsBack(c);
    expect((await lookUp(uncached, c)).status).toBe('revoked');
    expect(uncached.repositories.certificates.lookups.size).toBe(0);
  });
});
