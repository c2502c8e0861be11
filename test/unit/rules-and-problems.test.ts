/**
 * The rules the API and the console ask of domain/ before anything reaches a workflow, and the one
 * error path: a refusal's code decides its status (domain/errors.ts) unless it names its own 4xx;
 * a Temporal failure is unwrapped in one place (api/cases.ts failureOf) into that refusal.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ERRORS, refusalStatus, statusOf, textOf } from '../../domain/errors';
import {
  applicationRefusal,
  expertGroupRefusal,
  requestRefusal,
  secondFilingRefusal,
  terminationRefusal,
  type FilingState,
  type Notice,
} from '../../domain/filing';
import { entitledToCandidates, registrationRefusal, seesObjectors } from '../../domain/access';
import { PROBLEM_LABELS } from '../../domain/labels';
import { failureOf } from '../../api/cases';
import { DomainError, problem, toProblem } from '../../api/problems';
import { application } from '../fixtures/filing';
import type { Caller } from '../../domain/roles';

const app = application({ province: '22', prefecture: '220100' });
const inst: Caller = { sub: 'i', name: 'i', role: 'institution', province: '22', institutionId: app.institution.creditCode };

describe('domain rules the API and the console share', () => {
  it('an application: own credit code, every material (004 Art.6), subsidiaries only for an employer (004 Art.6(6))', () => {
    expect(applicationRefusal(inst, app)).toBeNull();
    expect(applicationRefusal({ institutionId: 'X' }, app)?.code).toBe('FORBIDDEN');
    const missing = applicationRefusal(inst, { ...app, materials: app.materials.filter((m) => m.kind !== 'emergency-plan') });
    expect([missing?.code, missing?.details]).toEqual(['MATERIALS_INCOMPLETE', { missing: ['emergency-plan'] }]);
    const sub = [{ name: '子公司', creditCode: app.institution.creditCode }];
    expect(applicationRefusal(inst, { ...app, subsidiaries: sub })).toBeNull();
    expect(applicationRefusal(inst, { ...app, institution: { ...app.institution, kind: 'S' }, subsidiaries: sub })?.code).toBe('RULE_VIOLATION');
  });

  it('one filing in force or under review per institution (004 Art.8, Art.9); a retried start is no second filing', () => {
    expect(secondFilingRefusal(null, 'FL22-a')).toBeNull();
    expect(secondFilingRefusal({ filingId: 'FL22-a', filingStatus: 'in-review' }, 'FL22-a')).toBeNull();
    expect(secondFilingRefusal({ filingId: 'FL22-a', filingStatus: 'expired' }, 'FL22-b')).toBeNull();
    expect(secondFilingRefusal({ filingId: 'FL22-a', filingStatus: 'active' }, 'FL22-b')).toMatchObject({
      code: 'ALREADY_EXISTS',
      details: { filingId: 'FL22-a' },
    });
  });

  it("an expert group comes from the registry of the filing's province", () => {
    const reg = [
      { _id: 'a', active: true, province: '22' },
      { _id: 'b', active: false, province: '22' },
      { _id: 'c', active: true, province: '14' },
    ];
    expect(expertGroupRefusal(['a'], reg, '22')).toBeNull();
    expect(expertGroupRefusal(['a', 'b', 'c', 'd'], reg, '22')?.details).toEqual({ unknown: ['b', 'c', 'd'] });
  });

  it('renewal, change and termination (004 Art.8–13)', () => {
    const notice: Notice = {
      number: '吉人社备〔2041〕1号',
      sequence: '000001',
      institutionCode: 'Y00002200000',
      issuedAt: '2041-03-01T00:00:00+08:00',
      firstIssuedAt: '2041-03-01T00:00:00+08:00',
      validUntil: '2044-02-28',
      renewals: 0,
    };
    const active = { status: 'active' as const, stage: null, notice, application: app } as unknown as FilingState;
    const now = Date.parse('2042-01-01T00:00:00+08:00');
    expect(requestRefusal(active, inst, 'change', now, false)).toBeNull();
    expect(requestRefusal(active, inst, 'change', now, true)?.code).toBe('INVALID_STATE');
    expect(requestRefusal(active, inst, 'renewal', Date.parse('2044-02-29T00:00:00+08:00'), false)?.code).toBe('INVALID_STATE');
    expect(requestRefusal({ ...active, stage: 'technical-assessment' }, inst, 'renewal', now, false)?.code).toBe('INVALID_STATE');
    const prov: Caller = { sub: 'p', name: 'p', role: 'province-reviewer', province: '22' };
    expect(terminationRefusal(active, inst, false)).toBeNull();
    expect(terminationRefusal({ ...active, stage: 'renewal' }, inst, false)?.code).toBe('INVALID_STATE');
    expect(terminationRefusal({ ...active, stage: 'renewal' }, prov, false)).toBeNull();
    expect(terminationRefusal({ ...active, status: 'expired' }, prov, false)?.code).toBe('INVALID_STATE');
    expect(terminationRefusal(active, { ...prov, province: '14' }, false)?.code).toBe('FORBIDDEN');
  });

  it('personal data, objectors and registries (SPEC §7, 004 Art.4)', () => {
    const center: Caller = { sub: 'c', name: 'c', role: 'center', province: '22', prefecture: '220100' };
    const scope = { province: '22', prefecture: '220100', institutionId: app.institution.creditCode };
    expect(entitledToCandidates(center, scope)).toBe(true);
    expect(entitledToCandidates({ ...center, prefecture: '220200' }, scope)).toBe(false);
    expect(seesObjectors(inst, true)).toBe(false);
    const prov: Caller = { sub: 'p', name: 'p', role: 'province-reviewer', province: '22' };
    expect(registrationRefusal(prov, '22', false)).toBeNull();
    expect(registrationRefusal(prov, '14', true)?.code).toBe('FORBIDDEN');
    expect(registrationRefusal({ sub: 'a', name: 'a', role: 'admin' }, '14', false)).toBeNull();
  });
});

describe('one error catalogue, one path', () => {
  it('a problem document takes its status from the catalogue; the console its words', () => {
    for (const [code, e] of Object.entries(ERRORS)) {
      expect(statusOf(code)).toBe(e.status);
      expect(PROBLEM_LABELS[code]).toBe(e.text);
      expect(textOf(code)).toBe(e.text);
    }
    expect(statusOf('NO_SUCH_CODE')).toBe(500);
    expect(toProblem(new DomainError('STAGE_MISMATCH', 'elsewhere'))).toMatchObject({
      status: 409,
      code: 'STAGE_MISMATCH',
      title: 'Conflict',
      type: '/problems/stage-mismatch',
    });
  });

  it('a refusal may name its own 4xx: VALIDATION_FAILED is 422 for a rule, 400 for malformed input', () => {
    expect(refusalStatus('VALIDATION_FAILED')).toBe(400);
    expect(refusalStatus('VALIDATION_FAILED', 422)).toBe(422);
    expect(refusalStatus('VALIDATION_FAILED', 500)).toBe(400);
    expect(problem('VALIDATION_FAILED', 'x', {}, 422).status).toBe(422);
  });

  it('failureOf unwraps what the Temporal client throws', () => {
    const plan = ApplicationFailure.create({ type: 'VALIDATION_FAILED', message: 'pass mark below 60', details: [{ problems: ['x'], httpStatus: 422 }] });
    const updateFailed = Object.assign(new Error('update failed'), { name: 'WorkflowUpdateFailedError', cause: plan });
    expect(failureOf(updateFailed)).toEqual({ code: 'VALIDATION_FAILED', message: 'pass mark below 60', details: { problems: ['x'] }, status: 422 });
    const plain = ApplicationFailure.create({ type: 'Error', message: 'validator threw' });
    expect(failureOf(Object.assign(new Error('u'), { name: 'WorkflowUpdateFailedError', cause: plain }))?.code).toBe('RULE_VIOLATION');
    // outside an update, an uncatalogued failure is a bug: not a refusal (500)
    expect(failureOf(Object.assign(new Error('w'), { name: 'WorkflowFailedError', cause: plain }))).toBeUndefined();
    expect(failureOf(Object.assign(new Error('gone'), { name: 'WorkflowNotFoundError' }))?.code).toBe('INVALID_STATE');
    expect(failureOf(Object.assign(new Error('x'), { name: 'WorkflowExecutionAlreadyStartedError' }))?.code).toBe('ALREADY_EXISTS');
    expect(failureOf(new Error('socket hang up'))).toBeUndefined();
  });
});
