/**
 * Certificate issuing and revocation: serials from the real allocator workflow under concurrency,
 * a retried issue that must neither duplicate nor skip, revocation through its workflow, and a
 * replay of a finished batch's history (the supervisor draw and every activity answer replay).
 */
import { Worker } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { application, newCreditCode } from '../fixtures/filing';
import { candidates, newIdNumber, passingScores, plan, registerSupervisors } from '../fixtures/batch';
import { batchBed, leadDates, passResults, refusal, toPublicity, toResultsReview, type ActiveFiling, type BatchBed } from '../harness/batch-env';
import { testDataConverter } from '../harness/payload-key';
import { stackInfo } from '../harness/stack';
import { revokeCertificate } from '../../api/cases';
import { insertCandidates } from '../../models/candidates';
import { allocatorWorkflowId, countersQuery } from '../../workflows/allocator/messages';
import { serialAllocatorId, superviseUpdate } from '../../workflows/batch/messages';
import { parseCertificateCode } from '../../domain/certificate-code';
import { publicCertificateView, type BatchInstitution } from '../../domain/batch';
import { itOnce } from '../harness/start-dates';

describe('certificates', () => {
  let bed: BatchBed;
  let f: ActiveFiling;
  let certifiedBatch: string;
  beforeAll(async () => {
    bed = await batchBed();
    await bed.begin();
    f = await bed.activeFiling(application());
  });
  afterAll(async () => bed?.close());
  afterEach(async () => bed.record());

  /** `n` passed candidates of `level` for a batch, as its score posts leave them in `batchCandidates` */
  async function passed(batchId: string, n: number, level: number): Promise<void> {
    await insertCandidates(
      bed.models,
      batchId,
      Array.from({ length: n }, (_x, i) => ({
        seq: i + 1,
        name: `持证人${i}`,
        idNumber: newIdNumber(i % 2 ? 'F' : 'M'),
        sex: i % 2 ? ('F' as const) : ('M' as const),
        post: '车工',
        yearsInPost: 3,
        occupationCode: '6-18-01-01',
        occupationName: '车工',
        level,
        scores: { theory: 80, skill: 80 },
        outcome: { complete: true, passed: true, absent: false },
      })),
    );
  }
  /** a batch's certificate numbers in serial order */
  const numbersOf = async (batchId: string) =>
    (await bed.models.Certificate.find({ batchId }, { _id: 1 }).sort({ serial: 1 }).lean()).map((d) => String(d._id));

  function institution(): BatchInstitution {
    const creditCode = newCreditCode('220103');
    bed.trackAllocator(creditCode);
    return { creditCode, name: '并发测试有限公司', kind: 'S', province: '22', affiliation: 'province', institutionCode: 'S000022000777', sequence: '000777' };
  }

  it('20 batches of one institution, year and level issuing at once get unique, consecutive serials without gaps', async () => {
    const inst = institution();
    const sizes = Array.from({ length: 20 }, (_x, i) => 1 + (i % 3));
    const issuedAt = new Date().toISOString();
    const inputs = sizes.map((_n, i) => ({ batchId: `C-${inst.creditCode}-${i}`, issueYear: 2027, issuedAt, institution: inst }));
    for (const [i, n] of sizes.entries()) await passed(inputs[i].batchId, n, 4);
    const results = await Promise.all(inputs.map((input) => bed.activities.issueCertificates(input)));
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(results.map((r) => r.count)).toEqual(sizes);
    const issued = await Promise.all(inputs.map((input) => numbersOf(input.batchId)));
    const serials = issued.flatMap((ns) => ns.map((n) => parseCertificateCode(n)!.parts.serial)).sort((a, b) => a - b);
    expect(serials).toEqual(Array.from({ length: total }, (_x, i) => i + 1));
    // each batch got one consecutive block
    for (const [i, r] of results.entries()) {
      const s = issued[i].map((n) => parseCertificateCode(n)!.parts.serial);
      expect(s).toEqual(s.map((_x, k) => s[0] + k));
      expect(r.blocks).toEqual([{ level: 4, first: s[0], last: s[s.length - 1] }]);
    }
    expect(await bed.models.Certificate.countDocuments({ 'institution.creditCode': inst.creditCode })).toBe(total);
    // each batch's tally for GET /statistics: its certificates counted by occupation and level
    const tallies = await bed.models.CertificateTally.find({ institutionId: inst.creditCode }).lean();
    expect(tallies.map((t) => [t.batchId, t.total, t.counts.reduce((a, c) => a + c.count, 0)]).sort()).toEqual(
      inputs.map((input, i) => [input.batchId, sizes[i], sizes[i]]).sort(),
    );
    expect(tallies.every((t) => t.province === '22' && t.counts.every((c) => c.level === 4) && t.issuedAt.toISOString() === issuedAt)).toBe(true);
    const counters = await bed.env.client.workflow.getHandle(allocatorWorkflowId(bed.taskQueue, serialAllocatorId(inst.creditCode))).query(countersQuery);
    expect(counters.counters['2027-4']).toBe(total);
    const numbers = issued.flat();
    expect(new Set(numbers).size).toBe(total);
    expect(numbers.every((n) => n.startsWith('S000022000777274'))).toBe(true);

    // the same batches issuing again (a retried activity) change nothing
    const again = await Promise.all(inputs.map((input) => bed.activities.issueCertificates(input)));
    expect(again).toEqual(results);
    expect(await Promise.all(inputs.map((input) => numbersOf(input.batchId)))).toEqual(issued);
    expect(await bed.models.Certificate.countDocuments({ 'institution.creditCode': inst.creditCode })).toBe(total);
    expect(await bed.models.CertificateTally.countDocuments({ institutionId: inst.creditCode })).toBe(inputs.length);
    expect(
      (await bed.env.client.workflow.getHandle(allocatorWorkflowId(bed.taskQueue, serialAllocatorId(inst.creditCode))).query(countersQuery)).counters['2027-4'],
    ).toBe(total);
  });

  itOnce('an issue that fails after reserving its block is retried with the same block (direct call)', async () => {
    const inst = institution();
    const [r1, r2] = [`R-1-${inst.creditCode}`, `R-2-${inst.creditCode}`];
    await passed(r1, 3, 3);
    await passed(r2, 2, 3);
    let failures = 0;
    bed.hooks.afterSerialReservation = ({ batchId }) => {
      if (batchId === r1 && failures++ === 0) throw new Error('injected: crash after reserving serials');
    };
    try {
      const input = { batchId: r1, issueYear: 2027, issuedAt: new Date().toISOString(), institution: inst };
      await expect(bed.activities.issueCertificates(input)).rejects.toThrow(/injected/);
      const r = await bed.activities.issueCertificates(input);
      expect(r.blocks).toEqual([{ level: 3, first: 1, last: 3 }]);
      // a later batch continues right after: nothing skipped
      const next = await bed.activities.issueCertificates({ ...input, batchId: r2 });
      expect(next.blocks).toEqual([{ level: 3, first: 4, last: 5 }]);
      expect(await bed.models.Certificate.countDocuments({ 'institution.creditCode': inst.creditCode })).toBe(5);
    } finally {
      bed.hooks.afterSerialReservation = undefined;
    }
  });

  itOnce('issuing goes in chunks with heartbeats; a new attempt resumes after the last chunk its predecessor reported', async () => {
    const inst = institution();
    const id = `H-${inst.creditCode}`;
    // level 5: the other tests' institutions share this sequence code, at levels 4 and 3
    await passed(id, 2500, 5);
    const input = { batchId: id, issueYear: 2027, issuedAt: new Date().toISOString(), institution: inst };
    // the first attempt dies right after its first chunk is written and reported
    const reported: unknown[] = [];
    bed.hooks.afterCertificateChunk = ({ batchId, written }) => {
      if (batchId === id && written === 1000) throw new Error('injected: the worker died after its first chunk');
    };
    const first = new MockActivityEnvironment();
    first.on('heartbeat', (d: unknown) => reported.push(d));
    try {
      await expect(first.run(bed.activities.issueCertificates, input)).rejects.toThrow(/injected/);
    } finally {
      bed.hooks.afterCertificateChunk = undefined;
    }
    expect(reported).toEqual([{ level: 5, written: 1000 }]);
    const numbers = await numbersOf(id);
    expect(numbers).toHaveLength(1000);
    // take one certificate of the reported chunk away: an attempt that resumes does not write that chunk again
    await bed.models.Certificate.deleteOne({ _id: numbers[0] });
    const second = new MockActivityEnvironment({ heartbeatDetails: reported[0], attempt: 2 });
    const r = await second.run(bed.activities.issueCertificates, input);
    expect(r).toEqual({ count: 2500, blocks: [{ level: 5, first: 1, last: 2500 }] });
    expect(await numbersOf(id)).toHaveLength(2499);
    // an attempt that starts over (nothing reported) writes what is missing, and nothing twice
    await bed.activities.issueCertificates(input);
    const all = await numbersOf(id);
    expect(all.map((n) => parseCertificateCode(n)!.parts.serial)).toEqual(Array.from({ length: 2500 }, (_x, i) => i + 1));
  });

  itOnce("the batch workflow's issuing activity fails after reserving; the retry issues no duplicate and skips no number", async () => {
    const { earliest } = await leadDates(bed);
    const p = plan(f.app, earliest.date, earliest.date, candidates(f.app, [4, 4, 3, 4]));
    await registerSupervisors(bed.models, [{ userId: 'sup-r1', name: '督导', province: '22', prefecture: '220100' }]);
    const b = await bed.submit(f, p);
    certifiedBatch = b.id;
    await bed.handle(b.id).executeUpdate(superviseUpdate, { args: [{ action: 'assign', count: 1, actor: f.b.center }] });
    await toPublicity(bed, f, b.id, passingScores(p.candidates));
    await toResultsReview(bed, f, b.id);
    const calls: { level: number; first: number }[] = [];
    bed.hooks.afterSerialReservation = ({ batchId, level, first }) => {
      if (batchId !== b.id) return;
      calls.push({ level, first });
      if (calls.length === 1) throw new Error('injected: worker crashed after reserving the block');
    };
    try {
      const s = await passResults(bed, f, b.id);
      expect(s.status).toBe('certified');
      // the first attempt failed at level 4 after reserving 1–3; the retry got the same block
      expect(calls[0]).toEqual({ level: 4, first: 1 });
      expect(calls[1]).toEqual({ level: 4, first: 1 });
      expect(s.certificates!.blocks).toEqual([
        { level: 4, first: 1, last: 3 },
        { level: 3, first: 1, last: 1 },
      ]);
      const docs = await bed.models.Certificate.find({ batchId: b.id }).lean();
      expect(docs).toHaveLength(4);
      expect(new Set(docs.map((d) => d.holder.idNumber)).size).toBe(4);
      const counters = await bed.env.client.workflow
        .getHandle(allocatorWorkflowId(bed.taskQueue, serialAllocatorId(f.app.institution.creditCode)))
        .query(countersQuery);
      expect(counters.counters[`${s.certificates!.year}-4`]).toBe(3);
      expect(counters.counters[`${s.certificates!.year}-3`]).toBe(1);
    } finally {
      bed.hooks.afterSerialReservation = undefined;
    }
  });

  itOnce('revocation: by the issuing institution or the provincial department, once, with an audit entry', async () => {
    const s = await bed.full(certifiedBatch);
    const number = s.certificates!.items[0].number;
    const tq = bed.taskQueue;
    const other = { sub: 'inst-other', name: '他单位', role: 'institution' as const, institutionId: newCreditCode(), province: '22' };
    const otherProvince = { sub: 'prov-14', name: '山西省厅', role: 'province-reviewer' as const, province: '14' };
    expect((await refusal(revokeCertificate(bed.client, tq, { number, reason: '弄虚作假', actor: other }))).code).toBe('FORBIDDEN');
    expect((await refusal(revokeCertificate(bed.client, tq, { number, reason: '弄虚作假', actor: otherProvince }))).code).toBe('FORBIDDEN');
    expect((await refusal(revokeCertificate(bed.client, tq, { number: 'Y00002200000127499999', reason: 'x', actor: f.a.institution }))).code).toBe('NOT_FOUND');
    const before = await bed.now();
    const revoked = await revokeCertificate(bed.client, tq, { number, reason: '考核中弄虚作假', actor: f.a.institution, requestId: 'req-rev-1' });
    expect(revoked).toMatchObject({ _id: number, status: 'revoked', revocation: { reason: '考核中弄虚作假', by: { sub: f.a.institution.sub } } });
    expect((await bed.now()) - before).toBeLessThan(3_600_000); // the clock did not jump while waiting
    const doc = await bed.models.Certificate.findById(number).lean();
    expect(doc).toMatchObject({ status: 'revoked', revocation: { reason: '考核中弄虚作假' } });
    const pub = publicCertificateView(doc as never);
    expect(pub).toMatchObject({ number, status: 'revoked', level: doc!.level, institution: { code: doc!.institution.code } });
    expect(pub.holder.idNumber).toMatch(/^\d{3}\*+\w{4}$/);
    expect(pub.holder.name).toContain('*');
    expect(pub).toHaveProperty('revokedAt');
    expect(await bed.models.Audit.countDocuments({ targetType: 'certificate', targetId: number, action: 'certificate.revoke', requestId: 'req-rev-1' })).toBe(
      1,
    );
    expect((await refusal(revokeCertificate(bed.client, tq, { number, reason: '再次', actor: f.a.provinceReviewer }))).code).toBe('ALREADY_REVOKED');
    // the province revokes another one
    const second = s.certificates!.items[1].number;
    expect((await revokeCertificate(bed.client, tq, { number: second, reason: '违规发证', actor: f.a.provinceReviewer })).status).toBe('revoked');
    expect(await bed.models.Certificate.countDocuments({ batchId: certifiedBatch, status: 'valid' })).toBe(2);
  });

  itOnce("a finished batch's history replays (the supervisor draw and every answer come from history)", async () => {
    const history = await bed.handle(certifiedBatch).fetchHistory();
    // the beds encrypt with the tests' key, as production does with PAYLOAD_KEYS
    await Worker.runReplayHistory({ workflowBundle: { codePath: stackInfo().bundlePath }, dataConverter: testDataConverter }, history, certifiedBatch);
  });
});
