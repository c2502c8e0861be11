/**
 * The public look-up by number is kept a few seconds by the API process (CERTIFICATE_CACHE_SECONDS,
 * api/certificate-cache.ts; README Performance (c)), on the real dev server and FerretDB:
 * - a revocation through this process is seen at once by its next look-up;
 * - a change this process did not make (written straight into the database here, as another API
 *   process or a workflow would) is not seen while the answer is kept: the cache is really on;
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
import type { CertificateDoc } from '../../models/batch';

describe('the public certificate look-up, kept by the API process', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  let uncached: FastifyInstance;
  let inst: string;
  const X = newCreditCode('220102');
  const batchId = 'b-cache-0001';
  const number = (serial: number) => buildCertificateCode({ kind: 'Y', province: '22', institutionSequence: 13, issueYear: 2026, level: 3, serial });
  const numbers = [1, 2, 3, 4, 5].map(number);
  const holders = numbers.map((_, i) => idNumber(800 + i, '19880401'));

  const certificate = (i: number): CertificateDoc => ({
    _id: numbers[i],
    holder: { name: `持证人${i}`, idNumber: holders[i], sex: 'F' },
    occupation: { code: '6-18-01-01', name: '车工' },
    trade: null,
    level: 3,
    institution: { creditCode: X, name: '长春精工机械有限公司', code: 'Y0000220000133', province: '22', kind: 'Y' },
    batchId,
    issueYear: 2026,
    serial: i + 1,
    issuedAt: new Date('2026-03-02T02:00:00Z'),
    status: 'valid',
    revocation: null,
  });
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
    s = await devStack();
    expect(s.settings.CERTIFICATE_CACHE_SECONDS).toBe(5);
    api = http(s.app);
    inst = await s.token({ sub: 'inst-cache', role: 'institution', province: '22', institutionId: X });
    const { Batch, Certificate, Filing } = s.services.models;
    await Filing.create({ _id: 'f-cache', version: 9, status: 'active', province: '22', prefecture: '220100', institutionId: X, state: '{}' });
    await Batch.create({
      _id: batchId,
      version: 1,
      status: 'certified',
      filingId: 'f-cache',
      province: '22',
      prefecture: '220100',
      level: 'prefecture',
      institutionId: X,
      state: '{}',
    });
    await Certificate.insertMany(numbers.map((_, i) => certificate(i)));
    // the same services with the cache off
    uncached = await buildApp({ ...s.services, settings: { ...s.services.settings, CERTIFICATE_CACHE_SECONDS: 0 } });
  });
  afterAll(async () => {
    await uncached?.close();
    await s?.close();
  });

  it('answers a revocation made through this process at once, and keeps what it did not change', async () => {
    const [a, b] = numbers;
    expect((await lookUp(s.app, a)).status).toBe('valid');
    expect((await lookUp(s.app, b)).status).toBe('valid');

    const revoked = await api.post(`/api/v1/certificates/${a}/revocation`, { reason: '考试作弊' }, inst);
    expect(revoked.status).toBe(200);
    expect((await lookUp(s.app, a)).status).toBe('revoked');

    // b revoked elsewhere: this process still answers what it read, until the TTL ends
    await revokeBehindItsBack(b);
    expect((await lookUp(s.app, b)).status).toBe('valid');
    expect((await lookUp(uncached, b)).status).toBe('revoked');
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
