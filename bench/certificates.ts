/**
 * (f) Issuing the certificates of one batch of N candidates — serials reserved through the
 * institution's allocator workflow, then the idempotent inserts — against a plain insertMany of
 * the same N documents into a scratch collection of the same schema, on the same database.
 */
import { performance } from 'node:perf_hooks';
import type { Services } from '../infra/services';
import { createActivities } from '../activities';
import { makeCreditCode, makeIdNumber } from '../domain/identifiers';
import { buildCertificateCode } from '../domain/certificate-code';
import { certificateSchema } from '../models/batch';
import { insertCandidates } from '../models/candidates';

export async function benchCertificates(services: Services, n: number, taskQueue: string) {
  const acts = createActivities({ models: services.models, client: services.temporal.client, taskQueue });
  const creditCode = makeCreditCode(`91220101MD${String(Date.now()).slice(-7)}`.slice(0, 17));
  const institution = {
    creditCode,
    name: '基准证书机构',
    kind: 'Y' as const,
    province: '22',
    affiliation: 'prefecture' as const,
    prefecture: '220100',
    institutionCode: 'Y000022000099',
    sequence: '000099',
  };
  const holders = Array.from({ length: n }, (_, i) => ({
    name: `考生${i}`,
    idNumber: makeIdNumber('220102', '19900101', i % 1000),
    sex: 'M' as const,
    occupation: { code: '6-18-01-01', name: '车工' },
    level: [5, 4, 3][i % 3],
  }));
  // the passed candidates, as the batch's score posts leave them (not timed)
  const batchId = `bench-${creditCode}`;
  await insertCandidates(
    services.models,
    batchId,
    holders.map((h, i) => ({
      seq: i + 1,
      idNumber: `${h.idNumber.slice(0, 14)}${String(i).padStart(4, '0')}`,
      name: h.name,
      sex: h.sex,
      post: '车工',
      yearsInPost: 3,
      occupationCode: h.occupation.code,
      occupationName: h.occupation.name,
      level: h.level,
      scores: { theory: 80, skill: 80 },
      outcome: { complete: true, passed: true, absent: false },
    })),
  );
  const t0 = performance.now();
  const issued = await acts.issueCertificates({ batchId, issueYear: 2027, issuedAt: new Date().toISOString(), institution });
  const system = (performance.now() - t0) / 1000;
  if (issued.count !== n) throw new Error(`issued ${issued.count} of ${n}`);

  const Scratch = services.db.model('BenchCertificate', certificateSchema.clone(), 'bench_certificates');
  await Scratch.init();
  const docs = holders.map((h, i) => ({
    _id: buildCertificateCode({ kind: 'Y', province: '22', institutionSequence: 98, issueYear: 2027, level: h.level as 3 | 4 | 5, serial: i + 1 }),
    holder: { name: h.name, idNumber: h.idNumber, sex: h.sex },
    occupation: h.occupation,
    trade: null,
    level: h.level,
    institution: { creditCode, name: institution.name, code: 'Y000022000098', province: '22', kind: 'Y' },
    batchId: 'bench-plain',
    issueYear: 2027,
    serial: i + 1,
    issuedAt: new Date(),
    status: 'valid',
    revocation: null,
  }));
  const t1 = performance.now();
  await Scratch.insertMany(docs, { ordered: false });
  const plain = (performance.now() - t1) / 1000;
  return {
    id: 'f',
    what: `issue ${n.toLocaleString('en')} certificates for one batch`,
    value: system,
    unit: 's',
    baseline: plain,
    ratio: system / plain,
    target: '≤ 3.0',
    met: system / plain <= 3,
    note: 'baseline: a plain insertMany of the same documents; the activity alone (the whole batch through its workflow is (g))',
  };
}
