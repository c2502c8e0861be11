/**
 * The authorization matrix (issue "Access control…", part 2): every route × every role (and the
 * public) × in scope and out of scope, on one stack (demo mode, so that a filing can be in force
 * and a batch certified within the test) and a handful of fixtures:
 *
 * - filing F1 of institution X in prefecture 220100 (province 22), at 初评 with expert-a assigned,
 *   its staff carrying ID numbers and phones; filing F2 of institution Y in prefecture 220200;
 * - filing F0 of institution X2 (220100) in force, and its batch B1, certified, supervised by
 *   sup-a, with certificates (one of them revoked);
 * - "in scope": institution X (X2 for batches), the 220100 reviewer, the province-22 reviewer,
 *   expert-a, the 220100 center, sup-a, an admin; "out of scope": institution Y, the 220200
 *   reviewer, a province-21 reviewer, expert-b (registered, not assigned), a province-21 center,
 *   sup-b (registered in 220200, not drawn).
 *
 * Each cell is one of: a 2xx, a domain 4xx (409/422, or a 404 about something other than the
 * filing or batch) that proves the request got past authorization, 401, 403, or 404 where even
 * existence must not leak. Requests are chosen so that nothing changes F1 or B1 (a domain
 * rejection proves as much as a success), and no out-of-scope answer may carry F1's or B1's ids
 * or their people's ID numbers and phones.
 *
 * The route list comes from the app (`app.routeTable`): a route without a row below still gets
 * the checks the policy implies (401 for the public, 403 for roles it does not name), and is
 * reported by a failing test so that new routes get their scope rows.
 */
import { devStack, timeSkippingAddress, type DevStack } from '../harness/stack';
import { http, type Reply } from '../harness/http';
import { application, idNumber } from '../fixtures/filing';
import { ROLES, type Caller, type Role } from '../../domain/roles';
import { isAction, roleAllows, ruleOf } from '../../domain/access';
import { chinaDateOf } from '../../domain/calendar';
import type { RouteRecord } from '../../app';
import type { Application } from '../../domain/filing';
import { filingWorkflowId } from '../../workflows/filing/messages';
import { batchWorkflowId } from '../../workflows/batch/messages';

type Who = Role | 'anonymous';
type Scope = 'in' | 'out';
/** expected answer: a status, a 200 list that includes / excludes the row's subject, or a 404 whose detail matches */
type Exp = number | 'list+' | 'list-' | { status: 403 | 404; detail: RegExp };
interface Cell {
  in: Exp;
  out?: Exp;
}
interface Ctx {
  /** X2's filing in force (set before the matrix runs) */
  f0?: string;
  f1: string;
  f2: string;
  b1: string;
  cert: string;
  revoked: string;
  holder: { idNumber: string; name: string };
  /** a complaint about X (220100), dismissed by the 220100 reviewer, and its tracking code */
  complaint: { id: string; code: string };
  n: number;
}
interface Row {
  /** url with its parameters filled in, and the body (by caller where the action differs by role) */
  req: (c: Ctx, who: Who) => { url: string; body?: unknown };
  /** expectations per caller; roles not named get 403 (in and out), the public 401 */
  who: Partial<Record<Who, Cell>>;
  /** the callers of a role, where they are not the default ones (e.g. the institution of a batch) */
  as?: Partial<Record<Who, { in?: string; out?: string }>>;
  /** what list+ / list- look for (default: F1's id) */
  subject?: (c: Ctx) => string;
  /** what no out-of-scope answer may contain (default: F1's id and X's data) */
  secrets?: (c: Ctx) => string[];
  /** more checks on an answer */
  check?: (who: Who, scope: Scope, r: Reply, c: Ctx) => void;
}

const X = application({ province: '22', prefecture: '220100', staffIdNumbers: [idNumber(101), idNumber(102), idNumber(103)] });
const Y = application({ province: '22', prefecture: '220200', staffIdNumbers: [idNumber(201), idNumber(202)] });
const X2 = application({ province: '22', prefecture: '220100' });
X.institution.contact.phone = '13911110001';
Y.institution.contact.phone = '13922220002';
X.staff!.fullTime!.forEach((p, i) => (p.phone = `1381111000${i}`));
Y.staff!.fullTime!.forEach((p, i) => (p.phone = `1382222000${i}`));
const secretsOf = (a: Application) => [
  a.institution.creditCode,
  a.institution.name,
  a.institution.contact.phone,
  ...a.staff!.fullTime!.flatMap((p) => [p.idNumber!, p.phone!]),
];
const CANDIDATES = Array.from({ length: 3 }, (_, i) => ({
  name: `考生${i}`,
  idNumber: idNumber(300 + i, '19920101'),
  sex: i % 2 ? 'M' : 'F',
  post: '车工',
  yearsInPost: 3,
  occupationCode: '6-18-01-01',
  level: 4,
  employerCreditCode: X2.institution.creditCode,
}));

/** every caller, by name */
const TOKENS: Record<string, Omit<Caller, 'name'> | null> = {
  anonymous: null,
  'inst-x': { sub: 'inst-x', role: 'institution', province: '22', institutionId: X.institution.creditCode },
  'inst-y': { sub: 'inst-y', role: 'institution', province: '22', institutionId: Y.institution.creditCode },
  'inst-x2': { sub: 'inst-x2', role: 'institution', province: '22', institutionId: X2.institution.creditCode },
  'pref-a': { sub: 'pref-a', role: 'prefecture-reviewer', province: '22', prefecture: '220100' },
  'pref-b': { sub: 'pref-b', role: 'prefecture-reviewer', province: '22', prefecture: '220200' },
  'prov-22': { sub: 'prov-22', role: 'province-reviewer', province: '22' },
  'prov-21': { sub: 'prov-21', role: 'province-reviewer', province: '21' },
  'expert-a': { sub: 'expert-a', role: 'expert', province: '22' },
  'expert-b': { sub: 'expert-b', role: 'expert', province: '22' },
  'center-a': { sub: 'center-a', role: 'center', province: '22', prefecture: '220100' },
  'center-21': { sub: 'center-21', role: 'center', province: '21' },
  'sup-a': { sub: 'sup-a', role: 'supervisor', province: '22', prefecture: '220100' },
  'sup-b': { sub: 'sup-b', role: 'supervisor', province: '22', prefecture: '220200' },
  admin: { sub: 'admin-1', role: 'admin' },
};
/** the default callers of each role in and out of scope (an admin is in scope everywhere) */
const CALLERS: { who: Who; scope: Scope; token: string }[] = [
  { who: 'anonymous', scope: 'in', token: 'anonymous' },
  { who: 'institution', scope: 'in', token: 'inst-x' },
  { who: 'institution', scope: 'out', token: 'inst-y' },
  { who: 'prefecture-reviewer', scope: 'in', token: 'pref-a' },
  { who: 'prefecture-reviewer', scope: 'out', token: 'pref-b' },
  { who: 'province-reviewer', scope: 'in', token: 'prov-22' },
  { who: 'province-reviewer', scope: 'out', token: 'prov-21' },
  { who: 'expert', scope: 'in', token: 'expert-a' },
  { who: 'expert', scope: 'out', token: 'expert-b' },
  { who: 'center', scope: 'in', token: 'center-a' },
  { who: 'center', scope: 'out', token: 'center-21' },
  { who: 'supervisor', scope: 'in', token: 'sup-a' },
  { who: 'supervisor', scope: 'out', token: 'sup-b' },
  { who: 'admin', scope: 'in', token: 'admin' },
];

const scoped = (inE: Exp, outE: Exp): Cell => ({ in: inE, out: outE });
const same = (e: Exp): Cell => ({ in: e, out: e });
/** every caller, the public included */
const everyone = (e: Exp) => Object.fromEntries(['anonymous', ...ROLES].map((w) => [w, same(e)])) as Record<Who, Cell>;
const signedIn = (e: Exp) => Object.fromEntries(ROLES.map((w) => [w, same(e)])) as Record<Role, Cell>;
const HIDDEN = 404; // out of scope: the filing or batch does not exist for the caller
const about = (detail: RegExp): Exp => ({ status: 404, detail });
const batchOwner = { institution: { in: 'inst-x2', out: 'inst-y' } };
const COMPLAINANT = { name: '矩阵举报人', contact: '13755556666' };
const batchSecrets = (c: Ctx) => [c.b1, ...CANDIDATES.map((x) => x.idNumber)];
const fileSecrets = (c: Ctx) => [c.f1, ...secretsOf(X)];
/** readers of a batch: its institution, center, supervisor, reviewers in scope and admins */
const batchReaders = (inE: Exp, outE: Exp) => ({
  institution: scoped(inE, outE),
  center: scoped(inE, outE),
  supervisor: scoped(inE, outE),
  'prefecture-reviewer': scoped(inE, outE),
  'province-reviewer': scoped(inE, outE),
  admin: same(inE),
});

/** the parts of X's application only entitled callers see in full */
const unmaskedStaff = (r: Reply) => JSON.stringify(r.body.application?.staff ?? {}).includes(X.staff!.fullTime![0].idNumber!);
const unmaskedCandidates = (r: Reply) => JSON.stringify(r.body).includes(CANDIDATES[0].idNumber);

const ROWS: Record<string, Row> = {
  // ——— public and everyone's ———
  'GET /health': { req: () => ({ url: '/health' }), who: everyone(200) },
  'GET /livez': { req: () => ({ url: '/livez' }), who: everyone(200) },
  // the monitoring system's (METRICS_TOKEN, test/api/metrics.test.ts) and the admin's: codes and counts, no case ids or people
  'GET /metrics': {
    req: () => ({ url: '/metrics' }),
    who: { admin: same(200) },
    check: (_who, _scope, r, c) => {
      if (r.status !== 200) return;
      expect(String(r.body)).toContain('http_request_duration_seconds_bucket');
      for (const secret of [...fileSecrets(c), ...batchSecrets(c)]) expect(String(r.body)).not.toContain(secret);
    },
  },
  'GET /api/v1/calendar/working-days': { req: () => ({ url: '/api/v1/calendar/working-days?from=2026-09-28&add=1' }), who: everyone(200) },
  'PUT /api/v1/calendar/years/:year': {
    // a list with a date outside the year: the admin gets past authorization to the domain rule (422), nothing is loaded
    req: () => ({ url: '/api/v1/calendar/years/2099', body: { holidays: ['2098-01-01'], workdays: [] } }),
    who: { admin: same(422) },
  },
  // demo mode only: the clock is the admin's ('P0D' is refused by the route, so time does not move)
  'GET /api/v1/admin/clock': { req: () => ({ url: '/api/v1/admin/clock' }), who: { admin: same(200) } },
  'POST /api/v1/admin/clock/advance': { req: () => ({ url: '/api/v1/admin/clock/advance', body: { by: 'P0D' } }), who: { admin: same(400) } },
  'GET /api/v1/directory': { req: () => ({ url: '/api/v1/directory?province=22' }), who: everyone(200) },
  'GET /api/v1/publicity': {
    req: () => ({ url: '/api/v1/publicity?province=22' }),
    who: everyone(200),
    secrets: (c) => [...fileSecrets(c), ...batchSecrets(c)],
  },
  'POST /api/v1/tasks/decisions': {
    // the route is for the roles that decide; each item is then held to its own route's rule and
    // scope (test/api/bulk-decisions.test.ts), so an unknown case answers 200 with a 404 item
    req: () => ({
      url: '/api/v1/tasks/decisions',
      body: { items: [{ type: 'filing', id: 'F000000-none', stage: 'deliberation', outcome: 'pass', opinion: '同意' }] },
    }),
    who: { expert: same(200), 'prefecture-reviewer': same(200), 'province-reviewer': same(200), center: same(200) },
  },
  'GET /api/v1/tasks': {
    req: () => ({ url: '/api/v1/tasks' }),
    who: { ...signedIn(200), expert: scoped('list+', 'list-') },
    secrets: (c) => [...fileSecrets(c), ...batchSecrets(c)],
  },
  'GET /api/v1/notifications': { req: () => ({ url: '/api/v1/notifications' }), who: signedIn(200), secrets: (c) => [...fileSecrets(c), ...batchSecrets(c)] },

  // the reviewers' address book: kept by a province reviewer of its province, or an admin
  'POST /api/v1/reviewers': {
    req: (c) => ({ url: '/api/v1/reviewers', body: { userId: `matrix-r-${c.n}`, name: '矩阵', role: 'center', province: '22', email: `r${c.n}@x.cn` } }),
    who: { 'province-reviewer': scoped(201, 403), admin: same(201) },
  },
  'PUT /api/v1/reviewers/:userId': {
    req: () => ({ url: '/api/v1/reviewers/matrix-none', body: { name: '矩阵', role: 'center', province: '22', email: 'r@x.cn' } }),
    who: { 'province-reviewer': same(404), admin: same(404) },
  },
  'GET /api/v1/reviewers': { req: () => ({ url: '/api/v1/reviewers' }), who: { 'province-reviewer': same(200), admin: same(200) } },

  // ——— filings ———
  'POST /api/v1/filings': {
    // X again while F1 is under review: 409 ALREADY_EXISTS; Y filing X's application: 403
    req: () => ({ url: '/api/v1/filings', body: X }),
    who: { institution: scoped(409, 403) },
  },
  'GET /api/v1/filings': {
    req: () => ({ url: '/api/v1/filings?limit=100' }),
    who: {
      institution: scoped('list+', 'list-'),
      'prefecture-reviewer': scoped('list+', 'list-'),
      'province-reviewer': scoped('list+', 'list-'),
      // F1 is a Jilin filing: centers decide none of its stages, so it does not exist for them (API.md)
      expert: scoped('list+', 'list-'),
      center: same('list-'),
      admin: same('list+'),
    },
  },
  'GET /api/v1/filings/:id': {
    req: (c) => ({ url: `/api/v1/filings/${c.f1}` }),
    who: {
      institution: scoped(200, HIDDEN),
      'prefecture-reviewer': scoped(200, HIDDEN),
      'province-reviewer': scoped(200, HIDDEN),
      expert: scoped(200, HIDDEN),
      center: same(HIDDEN),
      admin: same(200),
    },
    check: (who, scope, r) => {
      if (r.status !== 200) return;
      // ID numbers and phones in full only for the owning institution and in-scope reviewers (not the admin, who runs the system)
      const entitled = ['institution', 'prefecture-reviewer', 'province-reviewer'].includes(who);
      expect([who, scope, unmaskedStaff(r)]).toEqual([who, scope, entitled]);
      expect([who, r.body.application.institution.contact.phone]).toEqual([who, entitled ? X.institution.contact.phone : '139****0001']);
    },
  },
  'GET /api/v1/filings/:id/audit': {
    req: (c) => ({ url: `/api/v1/filings/${c.f1}/audit` }),
    who: { 'prefecture-reviewer': scoped(200, HIDDEN), 'province-reviewer': scoped(200, HIDDEN), admin: same(200) },
  },
  'POST /api/v1/filings/:id/assignments': {
    // deliberation is no expert stage: 409 STAGE_MISMATCH once past authorization and scope; F1 is a
    // prefecture's filing, whose groups the province does not form (004 Art.4, the policy says so)
    req: (c) => ({ url: `/api/v1/filings/${c.f1}/assignments`, body: { stage: 'deliberation', expertIds: ['expert-b'] } }),
    who: { 'prefecture-reviewer': scoped(409, HIDDEN), 'province-reviewer': scoped({ status: 403, detail: /jurisdiction/ }, HIDDEN) },
  },
  'POST /api/v1/filings/:id/decisions': {
    // F1 is at preliminary-review: a decision for deliberation is 409 STAGE_MISMATCH for whoever may see it
    req: (c) => ({ url: `/api/v1/filings/${c.f1}/decisions`, body: { stage: 'deliberation', outcome: 'pass', opinion: '同意' } }),
    who: {
      expert: scoped(409, HIDDEN),
      'prefecture-reviewer': scoped(409, HIDDEN),
      'province-reviewer': scoped(409, HIDDEN),
      center: same(HIDDEN),
    },
  },
  'POST /api/v1/filings/:id/supplements': {
    req: (c) => ({ url: `/api/v1/filings/${c.f1}/supplements`, body: { materials: [{ kind: 'emergency-plan', title: '应急预案.pdf' }] } }),
    who: { institution: scoped(409, HIDDEN) },
  },
  'POST /api/v1/filings/:id/documents': {
    // a JSON body: past the scope check the owner is told to send multipart (415); nothing is stored
    req: (c) => ({ url: `/api/v1/filings/${c.f1}/documents`, body: { kind: 'work-plan' } }),
    who: { institution: scoped(415, HIDDEN) },
  },
  'GET /api/v1/filings/:id/documents/:documentId': {
    // no such document: in scope the filing is found and the document is not (and no download is audited)
    req: (c) => ({ url: `/api/v1/filings/${c.f1}/documents/${'0'.repeat(24)}` }),
    who: {
      institution: scoped(about(/document/i), about(/filing/i)),
      'prefecture-reviewer': scoped(about(/document/i), about(/filing/i)),
      'province-reviewer': scoped(about(/document/i), about(/filing/i)),
      expert: scoped(about(/document/i), about(/filing/i)),
      // a center reads filings only where its preset makes centers decide (not F1's jilin-2025)
      center: same(about(/filing/i)),
    },
  },
  'POST /api/v1/filings/:id/objections': {
    // public: anyone may object, but only during the publicity (409 NOT_IN_PUBLICITY)
    req: (c) => ({ url: `/api/v1/filings/${c.f1}/objections`, body: { name: '张三', contact: '13800000000', reason: '场地不符' } }),
    who: everyone(409),
  },
  'POST /api/v1/filings/:id/objections/:objectionId/resolution': {
    // in scope the filing is found and the objection is not (404 about the objection); out of scope the filing is not
    req: (c) => ({ url: `/api/v1/filings/${c.f1}/objections/obj-none/resolution`, body: { upheld: false, note: '不成立' } }),
    who: {
      'prefecture-reviewer': scoped(about(/objection/i), about(/filing/i)),
      // a prefecture's filing: its objections are the prefecture's to resolve (004 Art.4)
      'province-reviewer': scoped({ status: 403, detail: /jurisdiction/ }, about(/filing/i)),
    },
  },
  'POST /api/v1/filings/:id/objections/dismissal': {
    // F1 is not under publicity: nothing to dismiss (404 about the objections) for its own reviewer
    req: (c) => ({ url: `/api/v1/filings/${c.f1}/objections/dismissal`, body: { note: '不成立' } }),
    who: {
      'prefecture-reviewer': scoped(about(/objection/i), about(/filing/i)),
      'province-reviewer': scoped({ status: 403, detail: /jurisdiction/ }, about(/filing/i)),
    },
  },
  'POST /api/v1/filings/:id/renewal': {
    req: (c) => ({ url: `/api/v1/filings/${c.f1}/renewal`, body: {} }),
    who: { institution: scoped(409, HIDDEN) },
  },
  'POST /api/v1/filings/:id/changes': {
    req: (c) => ({ url: `/api/v1/filings/${c.f1}/changes`, body: { address: '吉林省长春市南关区新址2号' } }),
    who: { institution: scoped(409, HIDDEN) },
  },
  'POST /api/v1/filings/:id/termination': {
    // F1 has no notice yet: nothing to terminate (409) for the owner and the province
    req: (c) => ({ url: `/api/v1/filings/${c.f1}/termination`, body: { reason: '停止评价' } }),
    who: { institution: scoped(409, HIDDEN), 'province-reviewer': scoped(409, HIDDEN) },
  },

  // ——— registries ———
  'POST /api/v1/experts': {
    req: (c) => ({ url: '/api/v1/experts', body: { userId: `matrix-expert-${c.n}`, name: '矩阵专家', idNumber: idNumber(600 + (c.n % 300)), province: '22' } }),
    who: { 'province-reviewer': scoped(201, 403), admin: same(201) },
  },
  'PUT /api/v1/experts/:userId': {
    // a change in the registering province (another province's registration does not exist for it)
    req: () => ({ url: '/api/v1/experts/expert-pa', body: { name: '长春专家', idNumber: idNumber(703), province: '22', prefecture: '220100' } }),
    who: { 'province-reviewer': scoped(200, HIDDEN), admin: same(200) },
  },
  'GET /api/v1/experts': {
    subject: () => 'expert-pa',
    req: () => ({ url: '/api/v1/experts' }),
    who: { 'prefecture-reviewer': scoped('list+', 'list-'), 'province-reviewer': scoped('list+', 'list-'), admin: same('list+') },
  },
  'POST /api/v1/supervisors': {
    req: (c) => ({
      url: '/api/v1/supervisors',
      body: { userId: `matrix-sup-${c.n}`, name: '矩阵督导', idNumber: idNumber(300 + (c.n % 300)), province: '22', prefecture: '220200' },
    }),
    who: { 'province-reviewer': scoped(201, 403), admin: same(201) },
  },
  'PUT /api/v1/supervisors/:userId': {
    req: () => ({ url: '/api/v1/supervisors/sup-a', body: { name: '长春督导', idNumber: idNumber(704), province: '22', prefecture: '220100' } }),
    who: { 'province-reviewer': scoped(200, HIDDEN), admin: same(200) },
  },
  'GET /api/v1/supervisors': {
    subject: () => 'sup-a',
    req: () => ({ url: '/api/v1/supervisors' }),
    who: {
      'prefecture-reviewer': scoped('list+', 'list-'),
      'province-reviewer': scoped('list+', 'list-'),
      center: scoped('list+', 'list-'),
      admin: same('list+'),
    },
  },

  // ——— batches (B1 is certified: every change is a domain 409 for those who may make it) ———
  'POST /api/v1/batches': {
    // a plan for today is under 10 working days ahead (422 PLAN_TOO_LATE); another institution's filing does not exist for Y (404)
    req: (c) => ({ url: '/api/v1/batches', body: planFor(c, today) }),
    who: { institution: scoped(422, HIDDEN) },
    as: batchOwner,
    secrets: batchSecrets,
  },
  'GET /api/v1/batches': {
    subject: (c) => c.b1,
    req: () => ({ url: '/api/v1/batches?limit=100' }),
    who: batchReaders('list+', 'list-'),
    as: batchOwner,
    secrets: batchSecrets,
  },
  'GET /api/v1/batches/:id': {
    req: (c) => ({ url: `/api/v1/batches/${c.b1}` }),
    who: batchReaders(200, HIDDEN),
    as: batchOwner,
    secrets: batchSecrets,
    check: (who, scope, r) => {
      if (r.status !== 200) return;
      // candidates' ID numbers in full for the institution, its center and reviewers in scope; masked for the supervisor
      expect([who, scope, unmaskedCandidates(r)]).toEqual([who, scope, who !== 'supervisor' && who !== 'admin']);
    },
  },
  'GET /api/v1/batches/:id/summary': {
    req: (c) => ({ url: `/api/v1/batches/${c.b1}/summary` }),
    who: batchReaders(200, HIDDEN),
    as: batchOwner,
    secrets: batchSecrets,
  },
  'GET /api/v1/batches/:id/roster': {
    req: (c) => ({ url: `/api/v1/batches/${c.b1}/roster` }),
    who: batchReaders(200, HIDDEN),
    as: batchOwner,
    secrets: batchSecrets,
    check: (who, scope, r) => {
      if (r.status !== 200) return;
      expect([who, scope, r.body.items.length > 0, unmaskedCandidates(r)]).toEqual([who, scope, true, who !== 'supervisor' && who !== 'admin']);
    },
  },
  'GET /api/v1/batches/:id/archive': {
    req: (c) => ({ url: `/api/v1/batches/${c.b1}/archive` }),
    who: batchReaders(200, HIDDEN),
    as: batchOwner,
    secrets: batchSecrets,
  },
  'GET /api/v1/batches/:id/audit': {
    req: (c) => ({ url: `/api/v1/batches/${c.b1}/audit` }),
    who: { center: scoped(200, HIDDEN), 'prefecture-reviewer': scoped(200, HIDDEN), 'province-reviewer': scoped(200, HIDDEN), admin: same(200) },
    as: batchOwner,
    secrets: batchSecrets,
  },
  'POST /api/v1/batches/:id/supervision': {
    req: (c, who) => ({
      url: `/api/v1/batches/${c.b1}/supervision`,
      body: who === 'supervisor' ? { action: 'report', severity: 'none', findings: '规范' } : { action: 'assign', count: 1 },
    }),
    who: { center: scoped(409, HIDDEN), supervisor: scoped(409, HIDDEN) },
    as: batchOwner,
    secrets: batchSecrets,
  },
  'POST /api/v1/batches/:id/scores': {
    req: (c) => ({ url: `/api/v1/batches/${c.b1}/scores`, body: { scores: [{ idNumber: CANDIDATES[0].idNumber, theory: 99, skill: 99 }] } }),
    who: { institution: scoped(409, HIDDEN) },
    as: batchOwner,
    secrets: batchSecrets,
  },
  'POST /api/v1/batches/:id/objections': {
    req: (c) => ({ url: `/api/v1/batches/${c.b1}/objections`, body: { name: '路人', contact: '13800000000', reason: '成绩有误' } }),
    who: everyone(409),
    as: batchOwner,
    secrets: batchSecrets,
  },
  'POST /api/v1/batches/:id/objections/:objectionId/resolution': {
    req: (c) => ({ url: `/api/v1/batches/${c.b1}/objections/obj-none/resolution`, body: { upheld: false, note: '不成立' } }),
    who: {
      center: scoped(409, about(/batch/i)),
      'prefecture-reviewer': scoped(409, about(/batch/i)),
      'province-reviewer': scoped(409, about(/batch/i)),
    },
    as: batchOwner,
    secrets: batchSecrets,
  },
  'POST /api/v1/batches/:id/objections/dismissal': {
    req: (c) => ({ url: `/api/v1/batches/${c.b1}/objections/dismissal`, body: { note: '不成立' } }),
    who: {
      center: scoped(409, about(/batch/i)),
      'prefecture-reviewer': scoped(409, about(/batch/i)),
      'province-reviewer': scoped(409, about(/batch/i)),
    },
    as: batchOwner,
    secrets: batchSecrets,
  },
  'POST /api/v1/batches/:id/results': {
    req: (c) => ({ url: `/api/v1/batches/${c.b1}/results`, body: {} }),
    who: { institution: scoped(409, HIDDEN) },
    as: batchOwner,
    secrets: batchSecrets,
  },
  'POST /api/v1/batches/:id/decisions': {
    req: (c) => ({ url: `/api/v1/batches/${c.b1}/decisions`, body: { stage: 'plan-review', outcome: 'pass', opinion: '已收悉' } }),
    who: { center: scoped(409, HIDDEN) },
    as: batchOwner,
    secrets: batchSecrets,
  },

  // ——— annual plans (000 §五(二)1) and refunds (004 Art.13); nothing is filed for F0 here, so reads are empty and writes refused ———
  'POST /api/v1/annual-plans': {
    // a level F0 did not file: OUT_OF_SCOPE (nothing stored) for its institution; another's filing does not exist for Y
    req: (c) => ({
      url: '/api/v1/annual-plans',
      body: { filingId: c.f0, year: Number(today.slice(0, 4)) + 1, items: [{ occupationCode: '6-18-01-01', level: 1, quarter: 1, expected: 5 }] },
    }),
    who: { institution: scoped(422, HIDDEN) },
    as: batchOwner,
  },
  'GET /api/v1/annual-plans': {
    req: () => ({ url: '/api/v1/annual-plans' }),
    who: { institution: same(200), center: same(200), 'prefecture-reviewer': same(200), 'province-reviewer': same(200), admin: same(200) },
  },
  'GET /api/v1/annual-plans/:id': {
    req: (c) => ({ url: `/api/v1/annual-plans/${c.f0}:2099` }),
    who: { institution: same(HIDDEN), center: same(HIDDEN), 'prefecture-reviewer': same(HIDDEN), 'province-reviewer': same(HIDDEN), admin: same(HIDDEN) },
  },
  'POST /api/v1/annual-plans/:id/decision': {
    req: (c) => ({ url: `/api/v1/annual-plans/${c.f0}:2099/decision`, body: { outcome: 'pass', opinion: '已收悉' } }),
    who: { center: same(about(/annual plan/)) },
  },
  'GET /api/v1/filings/:id/refunds': {
    // F1 has no batches: an empty list in scope, and no such filing out of it
    req: (c) => ({ url: `/api/v1/filings/${c.f1}/refunds` }),
    who: { institution: scoped(200, HIDDEN), 'prefecture-reviewer': scoped(200, HIDDEN), 'province-reviewer': scoped(200, HIDDEN) },
  },

  // ——— certificates: public checks (holder masked); revocation by the issuer or the province ———
  'GET /api/v1/certificates/:number': {
    req: (c) => ({ url: `/api/v1/certificates/${c.cert}` }),
    who: everyone(200),
    secrets: () => CANDIDATES.map((x) => x.idNumber),
  },
  'GET /api/v1/certificates': {
    req: (c) => ({ url: `/api/v1/certificates?idNumber=${c.holder.idNumber}&name=${encodeURIComponent(c.holder.name)}` }),
    who: everyone(200),
    secrets: () => CANDIDATES.map((x) => x.idNumber),
    check: (who, scope, r) => expect([who, scope, r.body.items?.length]).toEqual([who, scope, 1]),
  },
  'POST /api/v1/certificates/:number/revocation': {
    // already revoked: 409 for the issuer and the province; another institution or province may not (403)
    req: (c) => ({ url: `/api/v1/certificates/${c.revoked}/revocation`, body: { reason: '矩阵' } }),
    // the admin may not revoke (API.md gives revocation to the issuer and the province)
    who: { institution: scoped(409, 403), 'province-reviewer': scoped(409, 403) },
    as: batchOwner,
    secrets: batchSecrets,
  },
  // ——— reporting upward (#15 §7) ———
  // figures only, no case ids or names: every reviewer, center and admin gets its own scope's
  'GET /api/v1/statistics': {
    req: () => ({ url: '/api/v1/statistics?year=2026' }),
    who: { 'prefecture-reviewer': same(200), 'province-reviewer': same(200), center: same(200), admin: same(200) },
    secrets: (c) => [...fileSecrets(c), ...batchSecrets(c)],
  },
  // full ID numbers for the national query system: a province reviewer, its own province's certificates only
  // (the revoked one is in a first report whatever its issue date)
  'GET /api/v1/reports/certificates': {
    req: () => ({ url: '/api/v1/reports/certificates?from=2000-01-01&to=2000-12-31' }),
    who: { 'province-reviewer': scoped('list+', 'list-') },
    subject: (c) => c.revoked,
    secrets: batchSecrets,
  },
  // 双随机、一公开: a count above any province's institutions in force is refused past authorization (nothing drawn)
  'POST /api/v1/inspections/draws': {
    req: () => ({ url: '/api/v1/inspections/draws', body: { year: 2026, count: 200, inspectorsPerInspection: 1 } }),
    who: { 'province-reviewer': same(422), center: same(422) },
  },
  'GET /api/v1/inspections': {
    req: () => ({ url: '/api/v1/inspections?province=22' }),
    who: everyone(200),
    secrets: (c) => [...fileSecrets(c), ...batchSecrets(c)],
  },
  'GET /api/v1/inspections/mine': {
    req: () => ({ url: '/api/v1/inspections/mine' }),
    who: { supervisor: same(200), 'province-reviewer': same(200), center: same(200) },
    secrets: (c) => [...fileSecrets(c), ...batchSecrets(c)],
  },
  'POST /api/v1/inspections/:id/findings': {
    req: () => ({ url: '/api/v1/inspections/D2026-none-001/findings', body: { severity: 'none', text: '矩阵' } }),
    who: { supervisor: same(about(/inspection/)) },
  },
  'POST /api/v1/inspections/:id/proposal-decision': {
    req: () => ({ url: '/api/v1/inspections/D2026-none-001/proposal-decision', body: { decision: 'declined', note: '矩阵' } }),
    who: { 'province-reviewer': same(about(/inspection/)) },
  },
  // 竞赛选拔 (000 §二(三)4): a place beyond 优异成绩 is refused past authorization (nothing issued)
  'POST /api/v1/recognitions': {
    req: () => ({
      url: '/api/v1/recognitions',
      body: { competition: '矩阵竞赛', rank: 99, holder: { name: '矩阵', idNumber: CANDIDATES[0].idNumber }, occupationCode: '6-18-01-01', level: 2 },
    }),
    who: { 'province-reviewer': same(422) },
  },
  'GET /api/v1/recognitions': {
    req: () => ({ url: '/api/v1/recognitions' }),
    who: { 'province-reviewer': same(200) },
    secrets: batchSecrets,
  },
  'GET /api/v1/recognitions/:id': {
    req: () => ({ url: '/api/v1/recognitions/RC-none' }),
    who: { 'province-reviewer': same(about(/recognition/)) },
  },
  'GET /api/v1/certificates/signing-keys': {
    req: () => ({ url: '/api/v1/certificates/signing-keys' }),
    who: everyone(200),
  },
  // the document prints the full ID number: the issuer and reviewers in scope (the revoked one, so a
  // cell that passed would be 409 and no print is audited: the matrix changes nothing)
  'GET /api/v1/certificates/:number/document': {
    req: (c) => ({ url: `/api/v1/certificates/${c.revoked}/document` }),
    who: { institution: scoped(409, 403), 'prefecture-reviewer': scoped(409, 403), 'province-reviewer': scoped(409, 403) },
    as: batchOwner,
    secrets: batchSecrets,
  },
  'POST /api/v1/certificates/:number/corrections': {
    req: (c) => ({ url: `/api/v1/certificates/${c.revoked}/corrections`, body: { field: 'trade', value: '矩阵', reason: '矩阵' } }),
    who: { institution: scoped(409, 403) },
    as: batchOwner,
    secrets: batchSecrets,
  },
  // no correction is open: past the role check, the center learns only that there is none
  'POST /api/v1/certificates/:number/corrections/:correctionId/decision': {
    req: (c) => ({ url: `/api/v1/certificates/${c.revoked}/corrections/cc-000000000000/decision`, body: { outcome: 'pass', opinion: '矩阵' } }),
    who: { center: same(about(/No such correction/)) },
    secrets: batchSecrets,
  },
  // the holder in full and the certificate's later life: the issuer, the reviewers and the center in scope
  'GET /api/v1/certificates/:number/record': {
    req: (c) => ({ url: `/api/v1/certificates/${c.revoked}/record` }),
    who: { institution: scoped(200, 403), 'prefecture-reviewer': scoped(200, 403), 'province-reviewer': scoped(200, 403), center: scoped(200, 403) },
    as: batchOwner,
    secrets: batchSecrets,
    check: (_who, _scope, r) => {
      const full = CANDIDATES.some((x) => x.idNumber === r.body.holder?.idNumber);
      if (r.status === 200) expect([full, r.body.status, r.body.revocation?.reason]).toEqual([true, 'revoked', '成绩录入错误']);
    },
  },
  // no correction was asked for in the fixtures: each gets its own scope's list (empty), never another's
  'GET /api/v1/certificates/corrections': {
    req: () => ({ url: '/api/v1/certificates/corrections' }),
    who: { institution: same(200), 'prefecture-reviewer': same(200), 'province-reviewer': same(200), center: same(200) },
    secrets: batchSecrets,
    check: (_who, _scope, r) => {
      if (r.status === 200) expect(r.body.items).toEqual([]);
    },
  },
  // ——— complaints and the credit file ———
  // an unknown institution: past authorization, everyone learns only that there is none (nothing is filed)
  'POST /api/v1/complaints': {
    req: () => ({ url: '/api/v1/complaints', body: { subject: { type: 'institution', id: '91220101MA00000000' }, ...COMPLAINANT, content: '矩阵' } }),
    who: everyone(about(/No such institution/)),
  },
  // the public with the tracking code, the reviewers in scope without; anyone else: it does not exist
  'GET /api/v1/complaints/:id': {
    req: (c, who) => ({ url: `/api/v1/complaints/${c.complaint.id}${who === 'anonymous' ? `?trackingCode=${c.complaint.code}` : ''}` }),
    who: { ...everyone(HIDDEN), anonymous: same(200), 'prefecture-reviewer': scoped(200, HIDDEN), 'province-reviewer': scoped(200, HIDDEN) },
    secrets: () => [COMPLAINANT.name, COMPLAINANT.contact],
    check: (who, scope, r) => {
      if (r.status !== 200) return;
      // the complainant only for the reviewers who investigate
      expect([who, scope, JSON.stringify(r.body).includes(COMPLAINANT.contact)]).toEqual([who, scope, who !== 'anonymous']);
    },
  },
  // decided already: past authorization and scope, 409
  'POST /api/v1/complaints/:id/decision': {
    req: (c) => ({ url: `/api/v1/complaints/${c.complaint.id}/decision`, body: { upheld: true, note: '矩阵' } }),
    who: { 'prefecture-reviewer': scoped(409, HIDDEN), 'province-reviewer': scoped(409, HIDDEN) },
    secrets: () => [COMPLAINANT.name, COMPLAINANT.contact],
  },
  // X2 revoked a certificate itself: kept in its file, not published (domain/credit.ts)
  'GET /api/v1/institutions/:creditCode/credit': {
    req: () => ({ url: `/api/v1/institutions/${X2.institution.creditCode}/credit` }),
    who: everyone(200),
    secrets: (c) => [c.revoked, COMPLAINANT.name, COMPLAINANT.contact],
    check: (_who, _scope, r) => expect(r.body.items).toEqual([]),
  },
  'POST /api/v1/certificates/:number/reissue': {
    req: (c) => ({ url: `/api/v1/certificates/${c.revoked}/reissue`, body: { reason: '矩阵' } }),
    who: { institution: scoped(409, 403) },
    as: batchOwner,
    secrets: batchSecrets,
  },
};

let today = '';
function planFor(c: Ctx & { f0?: string }, first: string) {
  return {
    filingId: (c as { f0?: string }).f0,
    firstExamDate: first,
    lastExamDate: first,
    venues: [{ name: '一号实训车间', address: '吉林省长春市朝阳区人民大街1号' }],
    modules: [{ kind: 'theory' }, { kind: 'skill', passMark: 60 }],
    candidates: CANDIDATES,
    proctors: [{ name: '监考' }],
    examiners: [{ name: '考评员' }],
    supervisors: [{ name: '内部督导' }],
  };
}

const keyOf = (r: Pick<RouteRecord, 'method' | 'url'>) => `${r.method} ${r.url}`;
const expectedOf = (row: Row, who: Who, scope: Scope, isPublic: boolean): Exp => {
  const cell = row.who[who];
  if (!cell) return who === 'anonymous' ? (isPublic ? 200 : 401) : 403;
  return scope === 'out' ? (cell.out ?? cell.in) : cell.in;
};
const fill = (url: string) => url.replace(/:(\w+)/g, (_m, p) => `matrix-${p}`);

describe('authorization matrix: route × role × scope', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const tokens = new Map<string, string | undefined>();
  const ctx: Ctx & { f0: string } = {
    f0: '',
    f1: '',
    f2: '',
    b1: '',
    cert: '',
    revoked: '',
    holder: { idNumber: '', name: '' },
    complaint: { id: '', code: '' },
    n: 0,
  };
  let routes: RouteRecord[] = [];
  const tk = (name: string) => tokens.get(name);
  let before: unknown;

  /** what the matrix must not change: F1's and B1's read models, decisions and audit trails */
  const snapshot = async () => {
    const { Filing, Batch, Audit, Certificate } = s.services.models;
    const f1 = await Filing.findById(ctx.f1).lean();
    const b1 = await Batch.findById(ctx.b1).lean();
    return {
      f1: { version: f1?.version, status: f1?.status, stage: f1?.stage, assignees: f1?.assignees },
      b1: { version: (b1 as { version?: number } | null)?.version, status: b1?.status },
      audit: await Audit.find({ targetId: { $in: [ctx.f1, ctx.b1, ctx.cert, ctx.revoked] } })
        .sort({ _id: 1 })
        .lean(),
      certificates: await Certificate.find({ batchId: ctx.b1 }).sort({ _id: 1 }).lean(),
    };
  };

  beforeAll(async () => {
    s = await devStack({ settings: { APP_MODE: 'demo' }, temporalAddress: timeSkippingAddress(), worker: { maxCachedWorkflows: 0 } });
    api = http(s.app);
    for (const [name, claims] of Object.entries(TOKENS)) tokens.set(name, claims ? await s.token({ name: claims.sub, ...claims }) : undefined);
    const ok = async (r: Promise<Reply>, status = 200) => {
      const got = await r;
      expect([got.status, got.body?.code, got.body?.detail]).toEqual([status, undefined, undefined]);
      return got.body;
    };
    const prov = tk('prov-22');
    const admin = tk('admin');
    for (const [path, body] of [
      ['/api/v1/experts', { userId: 'expert-a', name: '张专家', idNumber: idNumber(701), province: '22' }],
      ['/api/v1/experts', { userId: 'expert-b', name: '刘专家', idNumber: idNumber(702), province: '22' }],
      ['/api/v1/experts', { userId: 'expert-c', name: '赵专家', idNumber: idNumber(705), province: '22' }],
      ['/api/v1/experts', { userId: 'expert-pa', name: '长春专家', idNumber: idNumber(703), province: '22', prefecture: '220100' }],
      ['/api/v1/supervisors', { userId: 'sup-a', name: '长春督导', idNumber: idNumber(704), province: '22', prefecture: '220100' }],
      ['/api/v1/supervisors', { userId: 'sup-b', name: '吉林市督导', idNumber: idNumber(706), province: '22', prefecture: '220200' }],
    ] as const) {
      await ok(api.post(path, body, prov), 201);
    }

    // F0: X2's filing, in force
    ctx.f0 = (await ok(api.post('/api/v1/filings', X2, tk('inst-x2')), 201)).id;
    const f0 = (path: string, body: unknown, token: string | undefined) => ok(api.post(`/api/v1/filings/${ctx.f0}${path}`, body, token));
    for (const [stage, e] of [
      ['preliminary-review', 'expert-a'],
      ['technical-assessment', 'expert-b'],
      ['comprehensive-review', 'expert-c'],
    ]) {
      await f0('/assignments', { stage, expertIds: [e] }, tk('pref-a'));
      await f0(
        '/decisions',
        { stage, outcome: 'pass', opinion: '通过', ...(stage === 'technical-assessment' ? { score: 90 } : {}) },
        tokens.get(e) ?? (await s.token({ sub: e, name: e, role: 'expert', province: '22' })),
      );
    }
    await f0('/decisions', { stage: 'deliberation', outcome: 'pass', opinion: '审议通过' }, tk('pref-a'));
    await ok(api.post('/api/v1/admin/clock/advance', { by: 'P9D' }, admin));
    expect((await f0('/decisions', { stage: 'notice', outcome: 'pass', opinion: '准予备案' }, tk('prov-22'))).status).toBe('active');

    // B1: X2's batch, certified, with sup-a drawn to supervise it
    const now = (await api.get('/api/v1/admin/clock', admin)).body.now;
    today = chinaDateOf(Date.parse(now));
    const first = (await api.get(`/api/v1/calendar/working-days?from=${today}&add=10`)).body.date;
    ctx.b1 = (await ok(api.post('/api/v1/batches', planFor(ctx, first), tk('inst-x2')), 201)).id;
    const b1 = (path: string, body: unknown, token: string | undefined) => ok(api.post(`/api/v1/batches/${ctx.b1}${path}`, body, token));
    await b1('/decisions', { stage: 'plan-review', outcome: 'pass', opinion: '已收悉' }, tk('center-a'));
    const drawn = await b1('/supervision', { action: 'assign', count: 1 }, tk('center-a'));
    expect(drawn.supervision.assigned.map((a: { userId: string }) => a.userId)).toEqual(['sup-a']);
    await ok(api.post('/api/v1/admin/clock/advance', { by: 'P20D' }, admin));
    await b1('/supervision', { action: 'report', severity: 'none', findings: '规范' }, tk('sup-a'));
    expect((await b1('/scores', { scores: CANDIDATES.map((c) => ({ idNumber: c.idNumber, theory: 80, skill: 80 })) }, tk('inst-x2'))).status).toBe('publicity');
    await ok(api.post('/api/v1/admin/clock/advance', { by: 'P9D' }, admin));
    await b1('/results', {}, tk('inst-x2'));
    const done = await b1('/decisions', { stage: 'results-review', outcome: 'pass', opinion: '审核通过' }, tk('center-a'));
    expect(done.status).toBe('certified');
    const items: { number: string; idNumber: string; name: string }[] = done.certificates.items;
    expect(items.length).toBe(CANDIDATES.length);
    [ctx.cert, ctx.revoked] = [items[0].number, items[1].number];
    ctx.holder = {
      idNumber: CANDIDATES.find((c) => c.idNumber === items[0].idNumber)!.idNumber,
      name: CANDIDATES.find((c) => c.idNumber === items[0].idNumber)!.name,
    };
    await ok(api.post(`/api/v1/certificates/${ctx.revoked}/revocation`, { reason: '成绩录入错误' }, tk('inst-x2')));

    // F1 and F2, at their first stage (after every clock move, so nothing of theirs falls due during the matrix)
    ctx.f1 = (await ok(api.post('/api/v1/filings', X, tk('inst-x')), 201)).id;
    ctx.f2 = (await ok(api.post('/api/v1/filings', Y, tk('inst-y')), 201)).id;
    await ok(api.post(`/api/v1/filings/${ctx.f1}/assignments`, { stage: 'preliminary-review', expertIds: ['expert-a'] }, tk('pref-a')));
    // a complaint about X, dismissed (so no cell can change it)
    const filed = await ok(
      api.post('/api/v1/complaints', { subject: { type: 'institution', id: X.institution.creditCode }, ...COMPLAINANT, content: '矩阵投诉' }),
      202,
    );
    ctx.complaint = { id: filed.id, code: filed.trackingCode };
    await ok(api.post(`/api/v1/complaints/${ctx.complaint.id}/decision`, { upheld: false, note: '经核查不属实' }, tk('pref-a')));
    // console pages (action console.page) hold no rights: each calls these API routes with the
    // user's own token, so the matrix is the API's; test/console checks the pages' refusals
    routes = s.app.routeTable.filter((r) => r.method !== 'HEAD' && r.url !== '*' && !r.url.startsWith('/docs') && r.action !== 'console.page');
    before = await snapshot();
  });
  afterAll(async () => {
    // leave nothing running with timers on the time-skipping server
    const client = s?.services.temporal.client;
    for (const id of [filingWorkflowId(ctx.f0), filingWorkflowId(ctx.f1), filingWorkflowId(ctx.f2), batchWorkflowId(ctx.b1)]) {
      await client?.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
    }
    await s?.close();
  });

  it('has a row for every route (add rows for new routes to ROWS above)', () => {
    const missing = routes.filter((r) => !ROWS[keyOf(r)]).map(keyOf);
    expect(missing).toEqual([]);
  });

  it('every row is consistent with the policy: roles it does not name are refused, roles it names are let through', () => {
    for (const r of routes) {
      const row = ROWS[keyOf(r)];
      if (!row || !isAction(r.action)) continue;
      for (const role of ROLES) {
        const allowed = roleAllows({ sub: 'x', name: 'x', role }, r.action);
        const cell = row.who[role];
        // a role the policy refuses must be 403 everywhere; a role it admits must get past the role check in its scope
        if (!allowed) expect([keyOf(r), role, cell]).toEqual([keyOf(r), role, undefined]);
        else expect([keyOf(r), role, cell?.in === 403 || cell === undefined]).toEqual([keyOf(r), role, false]);
      }
    }
  });

  it('answers every cell as the matrix says, and no out-of-scope answer leaks', async () => {
    const failures: string[] = [];
    const leaks: string[] = [];
    let cells = 0;
    for (const r of routes) {
      const row = ROWS[keyOf(r)];
      const isPublic = isAction(r.action) && !!ruleOf(r.action).public;
      for (const c of CALLERS) {
        const tokenName = row?.as?.[c.who]?.[c.scope] ?? c.token;
        const claims = TOKENS[tokenName];
        ctx.n += 1;
        const policyOnly = c.who === 'anonymous' ? (isPublic ? -1 : 401) : isAction(r.action) && roleAllows(claims as Caller, r.action) ? -1 : 403;
        const exp: Exp = row ? expectedOf(row, c.who, c.scope, isPublic) : policyOnly;
        if (exp === -1) continue; // a route without a row: only the policy-implied cells are checked
        cells += 1;
        const req = row ? row.req(ctx, c.who) : { url: fill(r.url), body: r.method === 'GET' ? undefined : {} };
        const reply = await api.call(r.method, req.url, { token: tk(tokenName), body: req.body });
        const label = `${r.method} ${r.url} as ${c.who} ${tokenName} (${c.scope})`;
        const ok = (() => {
          if (typeof exp === 'number') return reply.status === exp;
          if (exp === 'list+' || exp === 'list-') {
            const has = JSON.stringify(reply.body).includes(row?.subject?.(ctx) ?? ctx.f1);
            return reply.status === 200 && has === (exp === 'list+');
          }
          return reply.status === exp.status && exp.detail.test(String(reply.body?.detail));
        })();
        if (!ok)
          failures.push(
            `${label}: expected ${typeof exp === 'object' ? `404 /${exp.detail.source}/` : exp}, got ${reply.status} ${reply.body?.code ?? ''} ${reply.body?.detail ?? ''}`,
          );
        if (reply.status >= 400 && (!String(reply.headers['content-type']).includes('application/problem+json') || typeof reply.body?.code !== 'string')) {
          failures.push(`${label}: ${reply.status} is not a problem document`);
        }
        if (row?.check) {
          try {
            row.check(c.who, c.scope, reply, ctx);
          } catch (err) {
            failures.push(`${label}: ${(err as Error).message.split('\n').slice(0, 6).join(' ')}`);
          }
        }
        const outsider = c.scope === 'out' || c.who === 'anonymous' || !row;
        if (outsider && !(isPublic && row?.secrets === undefined && r.url.includes('certificates'))) {
          const { instance: _instance, ...body } = (reply.body ?? {}) as Record<string, unknown>;
          const text = JSON.stringify(body);
          for (const secret of (row?.secrets ?? fileSecrets)(ctx)) if (secret && text.includes(secret)) leaks.push(`${label} shows ${secret}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(leaks).toEqual([]);
    expect(cells).toBeGreaterThanOrEqual(routes.length * (CALLERS.length - 1));
  });

  it('the matrix requests changed nothing of F1 or B1 (read models, audit trails, certificates)', async () => {
    expect(await snapshot()).toEqual(before);
    expect(before).toMatchObject({ f1: { status: 'in-review', stage: 'preliminary-review' }, b1: { status: 'certified' } });
  });

  describe('done-when checks', () => {
    it("a prefecture-A reviewer can neither read nor act on prefecture B's filings", async () => {
      const a = tk('pref-a');
      const f2 = ctx.f2;
      expect((await api.get(`/api/v1/filings/${f2}`, a)).status).toBe(404);
      expect((await api.get(`/api/v1/filings/${f2}/audit`, a)).status).toBe(404);
      const list = await api.get('/api/v1/filings?limit=100', a);
      expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(f2);
      for (const [path, body] of [
        ['assignments', { stage: 'preliminary-review', expertIds: ['expert-b'] }],
        ['decisions', { stage: 'deliberation', outcome: 'pass', opinion: '同意' }],
        ['objections/obj-1/resolution', { upheld: true, note: '成立' }],
      ] as const) {
        const r = await api.post(`/api/v1/filings/${f2}/${path}`, body, a);
        expect([path, r.status, r.body.detail]).toEqual([path, 404, 'No such filing']);
      }
      expect(JSON.stringify((await api.get('/api/v1/tasks', a)).body)).not.toContain(f2);
      // and prefecture B's own reviewer does act on it (the 404 above is scope, not a broken route)
      const b = await api.post(`/api/v1/filings/${f2}/assignments`, { stage: 'preliminary-review', expertIds: ['expert-b'] }, tk('pref-b'));
      expect(b.status).toBe(200);
      const f2state = await api.get(`/api/v1/filings/${f2}`, tk('admin'));
      expect(f2state.body.assignments['preliminary-review'].map((e: { userId: string }) => e.userId)).toEqual(['expert-b']);
    });

    it("institution X cannot see institution Y's people: the staff lists of its filing", async () => {
      const x = tk('inst-x');
      const ySecrets = secretsOf(Y);
      const answers = [
        await api.get(`/api/v1/filings/${ctx.f2}`, x),
        await api.get(`/api/v1/filings/${ctx.f2}/audit`, x),
        await api.get('/api/v1/filings?limit=100', x),
        await api.get('/api/v1/tasks', x),
        await api.get('/api/v1/notifications', x),
        await api.get('/api/v1/directory', x),
      ];
      expect(answers.map((r) => r.status)).toEqual([404, 403, 200, 200, 200, 200]);
      for (const r of answers) {
        const { instance: _i, ...body } = r.body as Record<string, unknown>;
        for (const secret of [ctx.f2, ...ySecrets]) expect(JSON.stringify(body)).not.toContain(secret);
      }
      // Y itself sees its staff in full; an expert who is not assigned to F2 does not see F2 at all
      const own = await api.get(`/api/v1/filings/${ctx.f2}`, tk('inst-y'));
      expect(JSON.stringify(own.body.application.staff)).toContain(Y.staff!.fullTime![0].idNumber!);
      expect((await api.get(`/api/v1/filings/${ctx.f2}`, tk('expert-a'))).status).toBe(404);
    });

    it("institution Y cannot see institution X2's candidates: the batch, its exports, lists and certificates", async () => {
      const y = tk('inst-y');
      const answers = [
        await api.get(`/api/v1/batches/${ctx.b1}`, y),
        await api.get(`/api/v1/batches/${ctx.b1}/roster`, y),
        await api.get(`/api/v1/batches/${ctx.b1}/summary`, y),
        await api.get(`/api/v1/batches/${ctx.b1}/roster?format=csv`, y),
        await api.get('/api/v1/batches?limit=100', y),
        await api.get(`/api/v1/certificates/${ctx.cert}`, y),
        await api.get(`/api/v1/certificates?idNumber=${ctx.holder.idNumber}&name=${encodeURIComponent(ctx.holder.name)}`, y),
      ];
      expect(answers.map((r) => r.status)).toEqual([404, 404, 404, 404, 200, 200, 200]);
      for (const r of answers) {
        const { instance: _i, ...body } = (typeof r.body === 'object' ? r.body : { text: r.body }) as Record<string, unknown>;
        for (const secret of [ctx.b1, ...CANDIDATES.map((c) => c.idNumber)]) expect(JSON.stringify(body)).not.toContain(secret);
      }
      // the owner sees them in full; the drawn supervisor sees the batch with the ID numbers masked
      expect(JSON.stringify((await api.get(`/api/v1/batches/${ctx.b1}`, tk('inst-x2'))).body)).toContain(CANDIDATES[0].idNumber);
      const sup = await api.get(`/api/v1/batches/${ctx.b1}`, tk('sup-a'));
      expect(sup.status).toBe(200);
      expect(JSON.stringify(sup.body)).not.toContain(CANDIDATES[0].idNumber);
    });
  });
});
