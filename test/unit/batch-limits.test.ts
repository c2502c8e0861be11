/**
 * The largest batch (#14 §3): the policy's maxCandidates is what the plan rule enforces, and the
 * API's schema takes exactly that many and refuses one more, so neither refuses what the other
 * accepts.
 */
import { DEFAULT_BATCH_POLICY, planRefusal, type BatchPlan } from '../../domain/batch';
import { planBody } from '../../api/schemas/batches';
import { sampleIdNumber } from '../../scripts/samples';
import { newCreditCode } from '../fixtures/filing';

const employer = newCreditCode('220102');
const candidates = (n: number) =>
  Array.from({ length: n }, (_x, i) => ({
    name: `考生${i}`,
    idNumber: sampleIdNumber(i, 1990),
    post: '车工',
    yearsInPost: 3,
    occupationCode: '6-18-01-01',
    level: 4,
    employerCreditCode: employer,
  }));
const plan = (n: number): BatchPlan => ({
  firstExamDate: '2027-03-10',
  lastExamDate: '2027-03-10',
  venues: [{ name: '实训楼一层', address: '吉林省长春市朝阳区人民大街1号' }],
  modules: [{ kind: 'theory' }, { kind: 'skill' }],
  candidates: candidates(n),
  proctors: [{ name: '监考' }],
  examiners: [{ name: '考评员' }],
  supervisors: [{ name: '内部督导' }],
});

describe('the largest batch', () => {
  it('the plan rule refuses more candidates than the policy allows, and takes that many', () => {
    const policy = { ...DEFAULT_BATCH_POLICY, maxCandidates: 3 };
    expect(planRefusal(plan(3), '2027-01-04', policy)).toBeNull();
    const r = planRefusal(plan(4), '2027-01-04', policy);
    expect(r?.code).toBe('VALIDATION_FAILED');
    expect(r?.message).toContain('at most 3 candidates');
  });

  it("the API's plan schema takes the default policy's maximum and refuses one more", () => {
    const max = DEFAULT_BATCH_POLICY.maxCandidates;
    const body = (n: number) => ({ filingId: 'F220101-0001', ...plan(n) });
    expect(planBody.safeParse(body(max)).success).toBe(true);
    const over = planBody.safeParse(body(max + 1));
    expect(over.success).toBe(false);
    expect(over.error?.issues.map((i) => i.path[0])).toContain('candidates');
    // and the default policy's plan rule agrees
    expect(planRefusal(plan(max), '2027-01-04')).toBeNull();
  }, 60_000);
});
