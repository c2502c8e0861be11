/**
 * Access: who may do what (role × action × scope). "Policy" in this codebase means a preset of
 * procedure (domain/filing-policy.ts, BatchPolicy); this module is about access only. Every route declares its action
 * (`config.action`); the auth hook checks the role here before the handler runs, and handlers
 * check the resource's scope with `inScope` (province, prefecture, own institution, assignment).
 */
import type { Caller, Role } from './roles';
import type { Refusal } from './errors';

interface ActionRule {
  /** no token needed */
  public?: boolean;
  /** roles that may perform it (any signed-in role when omitted and not public) */
  roles?: readonly Role[];
  description: string;
}

const REVIEWERS = ['prefecture-reviewer', 'province-reviewer'] as const;

export const ACTIONS = {
  'health.read': { public: true, description: 'liveness of Temporal and the database' },
  // the monitoring system reads it with METRICS_TOKEN (api/plugins/auth.ts serviceTokens), people only as admins
  'metrics.read': { roles: ['admin'], description: 'read the Prometheus metrics' },
  'calendar.read': { public: true, description: 'working-day arithmetic' },
  'calendar.load': { roles: ['admin'], description: "load a year's official holidays" },
  'clock.read': { roles: ['admin'], description: 'demo clock' },
  'clock.advance': { roles: ['admin'], description: 'advance demo time' },
  'filing.create': { roles: ['institution'], description: 'start a filing' },
  'filing.read': { roles: ['institution', 'prefecture-reviewer', 'province-reviewer', 'expert', 'center', 'admin'], description: 'read filings' },
  'filing.list': { roles: ['institution', 'prefecture-reviewer', 'province-reviewer', 'expert', 'center', 'admin'], description: 'list filings' },
  'filing.assign': { roles: [...REVIEWERS], description: 'form an expert group' },
  'filing.decide': { roles: ['expert', 'prefecture-reviewer', 'province-reviewer', 'center'], description: 'decide a filing stage' },
  'filing.supplement': { roles: ['institution'], description: 'answer a 补正 request' },
  'filing.attach-document': { roles: ['institution'], description: 'upload a material document (PDF, JPEG, PNG)' },
  // API.md: the institution, reviewers and experts in scope; a center reads (and so decides on) the
  // materials only where its preset makes centers decide (api/repositories/scope.ts canReadFiling)
  'filing.read-document': { roles: ['institution', ...REVIEWERS, 'expert', 'center'], description: "download a filing's material document" },
  'filing.object': { public: true, description: 'object during a publicity' },
  'filing.resolve-objection': { roles: [...REVIEWERS], description: 'resolve an objection' },
  'filing.renew': { roles: ['institution'], description: 'apply for renewal' },
  'filing.change': { roles: ['institution'], description: 'apply for a change' },
  'filing.terminate': { roles: ['institution', 'province-reviewer'], description: 'terminate a filing' },
  'filing.audit': { roles: [...REVIEWERS, 'admin'], description: "read a filing's audit trail" },
  'directory.read': { public: true, description: 'read the institution directory' },
  'publicity.read': { public: true, description: 'read open publicities' },
  'registry.register': { roles: ['province-reviewer', 'admin'], description: 'register experts and supervisors' },
  'registry.update': { roles: ['province-reviewer', 'admin'], description: 'change a registration in its own scope' },
  'registry.read-experts': { roles: [...REVIEWERS, 'admin'], description: 'read the expert registry' },
  'registry.read-supervisors': { roles: [...REVIEWERS, 'center', 'admin'], description: 'read the supervisor registry' },
  'registry.read-reviewers': { roles: ['province-reviewer', 'admin'], description: "read the reviewers' mail addresses" },
  'batch.create': { roles: ['institution'], description: 'plan a batch' },
  'batch.read': { roles: ['institution', 'center', 'supervisor', 'prefecture-reviewer', 'province-reviewer', 'admin'], description: 'read batches' },
  'batch.list': { roles: ['institution', 'center', 'supervisor', 'prefecture-reviewer', 'province-reviewer', 'admin'], description: 'list batches' },
  'batch.supervise': { roles: ['center', 'supervisor'], description: 'assign supervisors or report' },
  'batch.score': { roles: ['institution'], description: 'enter scores' },
  'batch.object': { public: true, description: 'object during a result publicity' },
  'batch.resolve-objection': { roles: ['center', ...REVIEWERS], description: 'resolve a batch objection' },
  'batch.submit-results': { roles: ['institution'], description: 'submit the result tables' },
  'batch.decide': { roles: ['center'], description: 'review a plan or results' },
  'batch.audit': { roles: ['center', ...REVIEWERS, 'admin'], description: "read a batch's audit trail" },
  'certificate.read': { public: true, description: 'check a certificate' },
  // not the admin: revocation is the issuing institution's or the province's decision (API.md)
  'certificate.revoke': { roles: ['institution', 'province-reviewer'], description: 'revoke a certificate' },
  'certificate.signing-keys': { public: true, description: "read the published keys of certificates' signatures" },
  // it prints the full ID number: the issuing institution and the reviewers in scope (domain/certificates.ts)
  'certificate.document': { roles: ['institution', ...REVIEWERS], description: 'print a certificate (PDF)' },
  'certificate.correct': { roles: ['institution'], description: 'request a correction of a certificate' },
  'certificate.decide-correction': { roles: ['center'], description: 'approve or reject a correction' },
  'certificate.reissue': { roles: ['institution'], description: 'reissue a lost certificate document' },
  // the holder in full and the certificate's later life: those who act on it (domain/certificates.ts mayReadCertificateRecord)
  'certificate.record': {
    roles: ['institution', ...REVIEWERS, 'center'],
    description: "read a certificate's record (holder, revocation, corrections, reissues)",
  },
  'certificate.corrections': { roles: ['institution', ...REVIEWERS, 'center'], description: 'list correction requests in scope' },
  // 000 §六(一), 002 Art.25: anyone may complain; the complainant follows it with the tracking code
  'complaint.file': { public: true, description: 'file a complaint (投诉举报)' },
  // public to reach the route: the handler shows it to the holder of the tracking code and to the reviewers in scope only
  'complaint.read': { public: true, description: 'follow a complaint (tracking code) or read it (reviewers in scope)' },
  'complaint.decide': { roles: [...REVIEWERS], description: 'decide a complaint (upheld or dismissed)' },
  'credit.read': { public: true, description: "read an institution's published credit file" },
  'console.page': { public: true, description: "open a page of the web console (each page calls this API with the signed-in user's own token)" },
  'tasks.read': { description: "read one's inbox" },
  // each item is then held to its own action (filing.decide or batch.decide) and scope
  'tasks.decide': { roles: ['expert', 'prefecture-reviewer', 'province-reviewer', 'center'], description: 'decide several inbox tasks at once' },
  'notifications.read': { description: "read one's notifications" },
  // 003 §九: the figures go up from the centers and the HR departments; a province reviewer also sends the certificate data (002 Art.21)
  'statistics.read': { roles: ['prefecture-reviewer', 'province-reviewer', 'center', 'admin'], description: 'read the skills statistics of one’s scope' },
  'reports.certificates': { roles: ['province-reviewer'], description: 'export certificate data for the national query system' },
  // 000 §五(二)1: the institution files its year's plan, the center of its jurisdiction acknowledges it
  'annual-plan.submit': { roles: ['institution'], description: 'file an annual plan' },
  'annual-plan.read': { roles: ['institution', 'center', ...REVIEWERS, 'admin'], description: 'read annual plans' },
  'annual-plan.decide': { roles: ['center'], description: 'acknowledge or return an annual plan' },
  // 004 Art.13: the institution refunds; the reviewers in scope see that it does (names and ID numbers: personal data)
  'filing.refunds': { roles: ['institution', ...REVIEWERS], description: "read a filing's refund list" },
  // 双随机、一公开 (000 §六(三), 002 Art.25): the department or center draws, the drawn inspectors (supervisors) report, the results are public
  'inspection.draw': { roles: ['province-reviewer', 'center'], description: 'draw institutions and inspectors at random' },
  'inspection.report': { roles: ['supervisor'], description: 'file the findings of an inspection one was drawn for' },
  'inspection.read': { public: true, description: 'read the published inspection results' },
  'inspection.work': { roles: ['supervisor', 'province-reviewer', 'center'], description: 'read the inspections one works on, with their findings' },
  // 004 Art.11: an ordered termination is a provincial reviewer's
  'inspection.decide-proposal': { roles: ['province-reviewer'], description: 'close a termination proposal: terminated (by order) or declined' },
  // 000 §二(三)4, 003 §六: the province's department records competition winners granted a level directly
  'recognition.create': { roles: ['province-reviewer'], description: 'record a competition winner recognised at a level (issues the certificate)' },
  'recognition.read': { roles: ['province-reviewer'], description: "read the province's competition recognitions, holders in full" },
} as const satisfies Record<string, ActionRule>;

export type Action = keyof typeof ACTIONS;

export function isAction(a: unknown): a is Action {
  return typeof a === 'string' && Object.prototype.hasOwnProperty.call(ACTIONS, a);
}

export function ruleOf(action: Action): ActionRule {
  return ACTIONS[action];
}

/** Role check: may this caller (or the public, when caller is undefined) perform the action at all? */
export function roleAllows(caller: Caller | undefined, action: Action): boolean {
  const rule: ActionRule = ACTIONS[action];
  if (rule.public) return true;
  if (!caller) return false;
  return !rule.roles || rule.roles.includes(caller.role);
}

/** Where a filing, batch or registry entry sits. */
export interface ResourceScope {
  province: string;
  prefecture?: string;
  institutionId?: string;
  /** user ids assigned to it as experts or supervisors */
  assignees?: readonly string[];
}

/**
 * Jurisdiction (属地管理, 分级负责, SPEC §1): a province role acts across its province; a
 * prefecture reviewer only in its prefecture; an institution only on its own; experts and
 * supervisors only where assigned; an admin everywhere.
 */
export function inScope(caller: Caller, scope: ResourceScope): boolean {
  switch (caller.role) {
    case 'admin':
      return true;
    case 'province-reviewer':
      return caller.province === scope.province;
    case 'center':
      // a provincial center has no prefecture claim; a prefecture center sees its prefecture
      return caller.province === scope.province && (!caller.prefecture || caller.prefecture === scope.prefecture);
    case 'prefecture-reviewer':
      return !!caller.prefecture && caller.prefecture === scope.prefecture;
    case 'institution':
      return !!caller.institutionId && caller.institutionId === scope.institutionId;
    case 'expert':
    case 'supervisor':
      return !!scope.assignees?.includes(caller.sub);
  }
}

export const isReviewer = (c: Caller) => (REVIEWERS as readonly string[]).includes(c.role);

// ——— personal data (SPEC §7) ———

/**
 * Personal data (resident ID numbers, phones) is for the owning institution and the reviewers in
 * scope (SPEC §7); everyone else sees it masked. The admin runs the system, not the cases: masked
 * too (API.md gives it no such right).
 */
export function entitledToPersonalData(caller: Caller | undefined, scope: { province: string; prefecture?: string | null; institutionId?: string }): boolean {
  if (!caller) return false;
  switch (caller.role) {
    case 'institution':
      return caller.institutionId === scope.institutionId;
    case 'province-reviewer':
      return caller.province === scope.province;
    case 'prefecture-reviewer':
      return !!scope.prefecture && caller.prefecture === scope.prefecture;
    default:
      return false;
  }
}

/** A batch's candidates' ID numbers: as personal data, and also for the batch's center in scope (it reviews the plan and the results, 000 §五(二)). */
export function entitledToCandidates(caller: Caller | undefined, scope: { province: string; prefecture?: string | null; institutionId: string }): boolean {
  return (
    entitledToPersonalData(caller, scope) ||
    (caller?.role === 'center' && inScope(caller, { province: scope.province, prefecture: scope.prefecture ?? undefined, institutionId: scope.institutionId }))
  );
}

/**
 * Who objected is for the reviewers who investigate (entitled to the case's personal data), never
 * for the institution objected to (004 Art.7(5), 000 §五(二)3) nor anyone else.
 */
export function seesObjectors(caller: Caller | undefined, entitled: boolean): boolean {
  return entitled && !!caller && caller.role !== 'institution';
}

// ——— registries (专家库, 督导员库) ———

/** A registration is kept by its province: a provincial reviewer sees and changes its own province's people, an admin everyone's. */
export function keepsRegistration(caller: Caller, province: string): boolean {
  return caller.role !== 'province-reviewer' || caller.province === province;
}

/**
 * A registered person's e-mail address (personal data, SPEC §7) is for those who keep the registry
 * of their province — its provincial reviewers and admins; every other reader of the registry sees it masked.
 */
export function seesRegistrantEmail(caller: Caller | undefined, province: string): boolean {
  return !!caller && (caller.role === 'admin' || (caller.role === 'province-reviewer' && caller.province === province));
}

/** Registering, or moving a registration, into `province`: a provincial reviewer only into its own (FORBIDDEN). */
export function registrationRefusal(caller: Caller, province: string, change: boolean): Refusal | null {
  if (keepsRegistration(caller, province)) return null;
  return {
    code: 'FORBIDDEN',
    message: change ? 'A provincial reviewer keeps a registration in its own province' : 'A provincial reviewer registers people of its own province',
  };
}
