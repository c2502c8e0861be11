/**
 * 双随机、一公开: random inspections of filed institutions (000 §六(三): 各级人力资源社会保障行政部门按
 * "双随机、一公开"原则，随机抽取企业开展职业技能等级评价工作检查……并公开督导结果; 001 §三(六); 002
 * Art.25: 对评价机构及其评价活动进行抽查检查). Two random choices — which institutions, and which
 * inspectors from the supervisor registry (督导员库) — and one publication: the results.
 *
 * The draw is a pure function of the eligible lists and a 32-bit seed, so an auditor who has the
 * recorded lists (or checks them against the recorded hash) and the seed draws the same again.
 */
import type { Actor } from './filing';
import type { Refusal } from './errors';

/** How much one draw may ask for: a year's programme, not a census. */
export const INSPECTION_LIMITS = { maxCount: 200, maxInspectorsPerInspection: 5 } as const;

export const SEVERITIES = ['none', 'minor', 'serious'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const INSPECTION_ORDERS = ['suspend-batches', 'propose-termination'] as const;
export type InspectionOrder = (typeof INSPECTION_ORDERS)[number];

export interface EligibleInstitution {
  creditCode: string;
  name: string;
  filingId: string;
  province: string;
  prefecture: string | null;
}
export interface EligibleInspector {
  userId: string;
  name: string;
}

/** What the draw chooses from, canonically ordered (by credit code, by user id) so that the seed alone fixes the outcome. */
export interface EligiblePools {
  institutions: EligibleInstitution[];
  inspectors: EligibleInspector[];
  /** [credit code, user id]: the supervisor is on the institution's filed staff lists (利益冲突, as domain/filing conflictOfInterest) */
  conflicts: [string, string][];
  /** sha256 of the canonical id lists (inspectionPoolDigestInput), recorded with the draw */
  hash: string;
}

export interface DrawnInspection {
  /** 1-based position in the draw */
  seq: number;
  institution: EligibleInstitution;
  inspectors: EligibleInspector[];
}

/** The text an auditor hashes to check the recorded lists: ids only, one per line, institutions then inspectors then conflicts. */
export function inspectionPoolDigestInput(p: Pick<EligiblePools, 'institutions' | 'inspectors' | 'conflicts'>): string {
  return [...p.institutions.map((i) => `i:${i.creditCode}`), ...p.inspectors.map((s) => `s:${s.userId}`), ...p.conflicts.map(([c, u]) => `c:${c}:${u}`)].join(
    '\n',
  );
}

/** Where a caller draws: a provincial department or center its province, a prefecture center its prefecture (属地管理, 002 Art.24). */
export function inspectionScopeOf(a: Pick<Actor, 'role' | 'province' | 'prefecture'>): { province: string; prefecture?: string } | null {
  if (!a.province || (a.role !== 'province-reviewer' && a.role !== 'center')) return null;
  return a.role === 'center' && a.prefecture ? { province: a.province, prefecture: a.prefecture } : { province: a.province };
}

/** Bounds of a request, before anything is read. */
export function drawRequestRefusal(i: { year: number; count: number; inspectorsPerInspection: number }): Refusal | null {
  const int = (n: number, lo: number, hi: number) => Number.isSafeInteger(n) && n >= lo && n <= hi;
  if (!int(i.year, 2000, 2100)) return { code: 'VALIDATION_FAILED', message: 'year must be 2000–2100' };
  if (!int(i.count, 1, INSPECTION_LIMITS.maxCount)) return { code: 'VALIDATION_FAILED', message: `count must be 1–${INSPECTION_LIMITS.maxCount}` };
  if (!int(i.inspectorsPerInspection, 1, INSPECTION_LIMITS.maxInspectorsPerInspection))
    return { code: 'VALIDATION_FAILED', message: `inspectorsPerInspection must be 1–${INSPECTION_LIMITS.maxInspectorsPerInspection}` };
  return null;
}

/**
 * The institutions that can be inspected at all: those with at least `per` registered inspectors
 * free of a conflict with them. Left out before the random draw (never after it), so a draw can
 * only fail on counts known before any randomness is used, and nobody can draw again until a
 * draw they like comes up.
 */
export function coverableInstitutions(p: EligiblePools, per: number): EligibleInstitution[] {
  const conflicted = conflictIndex(p);
  return p.institutions.filter((i) => p.inspectors.filter((s) => !conflicted.has(`${i.creditCode}\n${s.userId}`)).length >= per);
}

/** 422 when the pools cannot give what is asked: more institutions than are in force (RULE_VIOLATION), too few inspectors (NOT_ENOUGH_SUPERVISORS). */
export function drawPoolRefusal(p: EligiblePools, count: number, per: number): Refusal | null {
  if (count > p.institutions.length)
    return {
      code: 'RULE_VIOLATION',
      message: `${p.institutions.length} filed institution(s) in force in scope, ${count} requested`,
      details: { eligible: p.institutions.length, requested: count },
    };
  if (p.inspectors.length < per)
    return {
      code: 'NOT_ENOUGH_SUPERVISORS',
      message: `${p.inspectors.length} registered supervisor(s) in scope, ${per} per inspection requested`,
      details: { eligible: p.inspectors.length, requested: per },
    };
  const coverable = coverableInstitutions(p, per).length;
  if (count > coverable)
    return {
      code: 'NOT_ENOUGH_SUPERVISORS',
      message: `Only ${coverable} institution(s) have ${per} supervisor(s) without a conflict of interest`,
      details: { eligible: coverable, requested: count },
    };
  return null;
}

/** mulberry32: a small, well-known 32-bit generator, so the draw can be re-run anywhere from its recorded seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 双随机: `count` institutions uniformly at random among the coverable ones (partial Fisher–Yates),
 * then for each, in draw order, `per` inspectors free of a conflict with it — the least loaded
 * first, ties broken at random — so that the work spreads over the registry. Call only after
 * drawPoolRefusal returned null.
 */
export function drawInspections(p: EligiblePools, count: number, per: number, seed: number): DrawnInspection[] {
  const rnd = seededRandom(seed);
  const pick = (n: number) => Math.floor(rnd() * n);
  const pool = coverableInstitutions(p, per).slice();
  for (let k = 0; k < count; k++) {
    const r = k + pick(pool.length - k);
    [pool[k], pool[r]] = [pool[r], pool[k]];
  }
  const conflicted = conflictIndex(p);
  const load = new Map<string, number>();
  return pool.slice(0, count).map((institution, i) => {
    const free = p.inspectors.filter((s) => !conflicted.has(`${institution.creditCode}\n${s.userId}`)).map((s) => ({ s, tie: rnd() }));
    free.sort((a, b) => (load.get(a.s.userId) ?? 0) - (load.get(b.s.userId) ?? 0) || a.tie - b.tie);
    const inspectors = free.slice(0, per).map((x) => x.s);
    for (const s of inspectors) load.set(s.userId, (load.get(s.userId) ?? 0) + 1);
    return { seq: i + 1, institution, inspectors };
  });
}

function conflictIndex(p: Pick<EligiblePools, 'conflicts'>): Set<string> {
  return new Set(p.conflicts.map(([c, u]) => `${c}\n${u}`));
}

// ——— findings ———

export interface InspectionFinding {
  by: { userId: string; name: string };
  severity: Severity;
  text: string;
  order: InspectionOrder | null;
  at: string;
  /** suspend-batches: the batches the order suspended (open ones already suspended are listed too) */
  suspendedBatches?: string[];
}

export interface InspectionRecord {
  id: string;
  seq: number;
  institution: EligibleInstitution;
  inspectors: EligibleInspector[];
  findings: InspectionFinding[];
  /** propose-termination: for the province's reviewers to decide (an ordered termination, 004 Art.11, is theirs) */
  proposal: { by: { userId: string; name: string }; at: string; text: string } | null;
  concludedAt: string | null;
}

export interface FindingInput {
  inspectionId: string;
  severity: Severity;
  text: string;
  order?: InspectionOrder | null;
  actor: Actor;
}

/**
 * A finding (002 Art.25) is filed once by each inspector drawn for that inspection; an order
 * (suspending the institution's open batches, or proposing termination of its filing) goes only
 * with a serious finding (as a supervisor's serious report suspends a batch, 000 §五(二)2).
 */
export function findingRefusal(inspections: readonly InspectionRecord[], i: FindingInput): Refusal | null {
  const x = inspections.find((r) => r.id === i?.inspectionId);
  if (!x) return { code: 'NOT_FOUND', message: `No inspection ${i?.inspectionId}` };
  if (i.actor?.role !== 'supervisor' || !x.inspectors.some((s) => s.userId === i.actor.sub))
    return { code: 'NOT_ASSIGNED', message: 'Only an inspector drawn for this inspection files its findings' };
  if (x.findings.some((f) => f.by.userId === i.actor.sub)) return { code: 'ALREADY_DECIDED', message: 'You have filed your findings on this inspection' };
  if (!SEVERITIES.includes(i.severity)) return { code: 'VALIDATION_FAILED', message: 'severity must be none, minor or serious' };
  if (typeof i.text !== 'string' || !i.text.trim()) return { code: 'VALIDATION_FAILED', message: 'text is required' };
  if (i.order && !INSPECTION_ORDERS.includes(i.order)) return { code: 'VALIDATION_FAILED', message: 'order must be suspend-batches or propose-termination' };
  if (i.order && i.severity !== 'serious')
    return { code: 'VALIDATION_FAILED', message: 'Only a serious finding orders a suspension or proposes a termination', status: 422 };
  return null;
}

/** The outcome so far: the most serious finding filed (null until the first). */
export function inspectionOutcome(x: Pick<InspectionRecord, 'findings'>): Severity | null {
  if (!x.findings.length) return null;
  return x.findings.reduce<Severity>((w, f) => (SEVERITIES.indexOf(f.severity) > SEVERITIES.indexOf(w) ? f.severity : w), 'none');
}

/** An inspection is concluded once every inspector drawn for it has filed. */
export const inspectionConcluded = (x: Pick<InspectionRecord, 'findings' | 'inspectors'>) =>
  x.inspectors.every((s) => x.findings.some((f) => f.by.userId === s.userId));

/** The measures taken, as published: a suspension that was ordered, a termination that was proposed. */
export function inspectionMeasures(x: Pick<InspectionRecord, 'findings' | 'proposal'>): InspectionOrder[] {
  const m: InspectionOrder[] = [];
  if (x.findings.some((f) => f.order === 'suspend-batches')) m.push('suspend-batches');
  if (x.proposal) m.push('propose-termination');
  return m;
}

// ——— closing a termination proposal ———

export const PROPOSAL_DECISIONS = ['terminated', 'declined'] as const;
export type ProposalDecisionKind = (typeof PROPOSAL_DECISIONS)[number];

/** How the province's reviewers closed a termination proposal: the filing's termination they ordered, or a refusal with its reason. */
export interface ProposalDecision {
  decision: ProposalDecisionKind;
  note: string;
  /** the filing whose ordered termination (POST /filings/:id/termination) carried out the proposal */
  filingId: string;
  by: { userId: string; name: string };
  at: string;
}

/**
 * A termination is ordered by a provincial reviewer of the institution's province (004 Art.11;
 * domain/filing terminationKindOf), through the filing's own procedure: closing the proposal as
 * `terminated` only records that it was, once the filing is terminated by order; `declined` needs
 * the reason. A proposal is closed once.
 */
export function proposalDecisionRefusal(
  x: Pick<InspectionRecord, 'institution' | 'proposal'>,
  decided: boolean,
  i: { decision: ProposalDecisionKind; note: string; actor: Pick<Actor, 'role' | 'province'> },
  filing: { status: string; termination?: { kind?: string } | null } | null,
): Refusal | null {
  if (i.actor.role !== 'province-reviewer' || i.actor.province !== x.institution.province)
    return { code: 'FORBIDDEN', message: "A termination proposal is decided by a provincial reviewer of the institution's province" };
  if (!x.proposal) return { code: 'NOT_FOUND', message: 'No termination was proposed on this inspection' };
  if (decided) return { code: 'ALREADY_DECIDED', message: 'This termination proposal has been decided' };
  if (!PROPOSAL_DECISIONS.includes(i.decision)) return { code: 'VALIDATION_FAILED', message: 'decision must be terminated or declined' };
  if (typeof i.note !== 'string' || !i.note.trim()) return { code: 'VALIDATION_FAILED', message: 'note is required' };
  if (i.decision === 'terminated' && !(filing?.status === 'terminated' && filing.termination?.kind === 'ordered'))
    return {
      code: 'INVALID_STATE',
      message: `Filing ${x.institution.filingId} is not terminated by order: order its termination first (POST /filings/${x.institution.filingId}/termination)`,
    };
  return null;
}
