/**
 * The institution's credit file (信用档案): 000 §六(一) "建立信用档案和退出机制", 001 §四(一)
 * "建立企业信用档案和退出机制，对违规失信…的企业移出评价机构目录", 002 Art.26 "探索建立评价机构
 * 信用评估机制，动态公布评估结果".
 *
 * Five events write an entry, each once (its id is the event's: a retried activity writes nothing
 * twice), by the activity that already records the event:
 * - an upheld complaint (002 Art.25: 投诉举报…调查核实处理) — the complaint workflow's record;
 * - a serious supervision finding (000 §六(三): 过程性质量督导) — the batch's record;
 * - a serious finding of a random inspection (000 §六(三) 双随机; 002 Art.25 抽查检查) — the draw's
 *   record. The batch suspension such a finding orders is carried by a supervision report on the
 *   batch: that report writes no entry of its own (the inspection's is the record of the finding);
 * - an ordered termination (004 Art.11; 002 Art.27: 不履行工作承诺，经调查核实，退出评价机构目录) —
 *   the filing's record;
 * - a revoked certificate — the revocation activity.
 *
 * What is published (GET /institutions/:creditCode/credit): the entries that record a finding of
 * the department against the institution — 失信 in the seeds' sense, made after investigation:
 * - upheld complaints: 002 Art.25 verified by investigation, and 002 Art.26 publishes the
 *   assessment of institutions' credit "动态";
 * - serious supervision findings: 000 §六(三) "公开督导结果";
 * - serious inspection findings: the same article's 双随机、一公开 — the inspector is drawn by the
 *   department and its results are public (the inspection's outcome and measures already are, at
 *   GET /inspections). As there, the entry says what was found serious and what was ordered, never
 *   the findings' text (it may name candidates and staff, SPEC §7) nor who inspected;
 * - ordered terminations: 002 Art.27 / 001 §四(一) the exit from the directory is itself public;
 * - a certificate revoked by the department (a provincial reviewer): a sanction of the certificate
 *   the institution issued. One the institution revokes itself (e.g. a score entered wrongly) is
 *   self-correction under "谁评价、谁负责、谁发证" (000 §六(二)), not 失信: it stays in the file for
 *   the department, unpublished.
 * A complainant is never named in an entry (SPEC §7); the summary is the decision, not the complaint.
 */
import { chinaDateOf } from './dates';
import type { Jurisdiction } from './batch';
import type { Actor } from './filing';
import type { InspectionOrder } from './inspections';
import { prefectureName, provinceName } from './regions';

export const CREDIT_KINDS = ['complaint-upheld', 'supervision-serious', 'inspection-serious', 'termination-ordered', 'certificate-revoked'] as const;
export type CreditKind = (typeof CREDIT_KINDS)[number];

export interface CreditEntry {
  /**
   * the source event: `complaint:<id>`, `supervision:<batchId>:<reportId>`, `inspection:<inspectionId>:<n>` (its n-th finding),
   * `termination:<filingId>`, `revocation:<number>`
   */
  _id: string;
  creditCode: string;
  kind: CreditKind;
  /** China date of the decision */
  date: string;
  /** the deciding body */
  decidedBy: string;
  summary: string;
  published: boolean;
  source: { type: 'complaint' | 'batch' | 'inspection' | 'filing' | 'certificate'; id: string };
}

const SUMMARY_MAX = 500;
const clip = (s: string) => (s.length > SUMMARY_MAX ? `${s.slice(0, SUMMARY_MAX - 1)}…` : s);

/** The department of a jurisdiction, by name where the region is known. */
export function departmentOf(j: Pick<Jurisdiction, 'level' | 'province' | 'prefecture'>): string {
  if (j.level === 'prefecture' && j.prefecture) return `${prefectureName(j.prefecture) ?? j.prefecture}人力资源和社会保障局`;
  return `${provinceName(j.province) ?? j.province}人力资源和社会保障厅`;
}

/** The body whose reviewer decided: a provincial reviewer's department or a prefecture reviewer's bureau. */
export function bodyOfActor(a: Pick<Actor, 'role' | 'province' | 'prefecture'>, fallback: Jurisdiction): string {
  if (a.role === 'prefecture-reviewer' && a.prefecture)
    return departmentOf({ level: 'prefecture', province: a.province ?? fallback.province, prefecture: a.prefecture });
  if (a.role === 'province-reviewer' && a.province) return departmentOf({ level: 'province', province: a.province });
  return departmentOf(fallback);
}

/** The complainant's name and contact out of a text that will be published (a note may quote them). */
export function withoutComplainant(text: string, who: { name?: string; contact?: string } | null | undefined): string {
  let out = text;
  for (const v of [who?.name, who?.contact]) {
    const t = v?.trim();
    if (t && t.length >= 2) out = out.split(t).join('***');
  }
  return out;
}

const SUBJECT_LABELS: Record<string, string> = { institution: '机构', batch: '认定批次', certificate: '证书' };

/** 002 Art.25: an upheld complaint, as its decision says (the complainant removed from the note). */
export function complaintCreditEntry(
  c: { id: string; subject: { type: string; id: string }; institution: { creditCode: string }; jurisdiction: Jurisdiction },
  d: { note: string; by: Actor; at: string },
  complainant?: { name?: string; contact?: string } | null,
): CreditEntry {
  const about = c.subject.type === 'institution' ? '' : `（${SUBJECT_LABELS[c.subject.type]} ${c.subject.id}）`;
  return {
    _id: `complaint:${c.id}`,
    creditCode: c.institution.creditCode,
    kind: 'complaint-upheld',
    date: chinaDateOf(Date.parse(d.at)),
    decidedBy: bodyOfActor(d.by, c.jurisdiction),
    summary: clip(`投诉举报经调查核实成立${about}：${withoutComplainant(d.note, complainant)}`),
    published: true,
    source: { type: 'complaint', id: c.id },
  };
}

/** 000 §六(三): a quality supervisor's serious finding on a batch (the supervisor is sent by the department). */
export function supervisionCreditEntry(
  b: { id: string; institution: { creditCode: string }; jurisdiction: Jurisdiction },
  r: { id: string; findings: string; at: string },
): CreditEntry {
  return {
    _id: `supervision:${b.id}:${r.id}`,
    creditCode: b.institution.creditCode,
    kind: 'supervision-serious',
    date: chinaDateOf(Date.parse(r.at)),
    decidedBy: `${departmentOf(b.jurisdiction)}（质量督导）`,
    summary: clip(`认定批次 ${b.id} 质量督导发现严重问题：${r.findings}`),
    published: true,
    source: { type: 'batch', id: b.id },
  };
}

/**
 * 000 §六(三), 002 Art.25: the n-th finding (1-based, in the order filed) of a random inspection,
 * when serious. Drawn by a province: its department; by a prefecture's center: that bureau.
 */
export function inspectionCreditEntry(
  x: { id: string; institution: { creditCode: string }; scope: { province: string; prefecture?: string | null } },
  n: number,
  f: { severity: string; order: InspectionOrder | null; at: string; suspendedBatches?: string[] },
): CreditEntry | null {
  if (f.severity !== 'serious') return null;
  const j = x.scope.prefecture
    ? { level: 'prefecture' as const, province: x.scope.province, prefecture: x.scope.prefecture }
    : { level: 'province' as const, province: x.scope.province };
  const measure =
    f.order === 'suspend-batches'
      ? f.suspendedBatches?.length
        ? `，责令暂停认定批次 ${f.suspendedBatches.join('、')}`
        : '，责令暂停该机构进行中的认定批次（无进行中的批次）'
      : f.order === 'propose-termination'
        ? '，建议终止其备案'
        : '';
  return {
    _id: `inspection:${x.id}:${n}`,
    creditCode: x.institution.creditCode,
    kind: 'inspection-serious',
    date: chinaDateOf(Date.parse(f.at)),
    decidedBy: `${departmentOf(j)}（双随机抽查）`,
    summary: clip(`双随机抽查（${x.id}）发现严重问题${measure}`),
    published: true,
    source: { type: 'inspection', id: x.id },
  };
}

/** 004 Art.11, 002 Art.27: an ordered termination, the exit from the directory. */
export function terminationCreditEntry(
  f: { id: string; creditCode: string; jurisdiction: Jurisdiction },
  t: { reason: string; at: string; by: Actor },
): CreditEntry {
  return {
    _id: `termination:${f.id}`,
    creditCode: f.creditCode,
    kind: 'termination-ordered',
    date: chinaDateOf(Date.parse(t.at)),
    decidedBy: bodyOfActor(t.by, { level: 'province', province: f.jurisdiction.province }),
    summary: clip(`责令终止备案，退出评价机构目录：${t.reason}`),
    published: true,
    source: { type: 'filing', id: f.id },
  };
}

/** A revoked certificate: published when the department revoked it, kept unpublished when the institution did (see above). */
export function revocationCreditEntry(
  c: { number: string; creditCode: string; institutionName: string; province: string },
  r: { reason: string; at: string | Date; by: Pick<Actor, 'role' | 'province' | 'prefecture'> },
): CreditEntry {
  const byDepartment = r.by.role === 'province-reviewer' || r.by.role === 'prefecture-reviewer';
  const at = typeof r.at === 'string' ? Date.parse(r.at) : r.at.getTime();
  return {
    _id: `revocation:${c.number}`,
    creditCode: c.creditCode,
    kind: 'certificate-revoked',
    date: chinaDateOf(at),
    decidedBy: byDepartment ? bodyOfActor(r.by, { level: 'province', province: c.province }) : c.institutionName,
    summary: clip(`${byDepartment ? '撤销' : '机构自行撤销'}职业技能等级证书 ${c.number}：${r.reason}`),
    published: byDepartment,
    source: { type: 'certificate', id: c.number },
  };
}

/** What the public sees of an entry (API.md: `{ kind, date, decidedBy, summary }`). */
export function publicCreditItem(e: Pick<CreditEntry, 'kind' | 'date' | 'decidedBy' | 'summary'>) {
  return { kind: e.kind, date: e.date, decidedBy: e.decidedBy, summary: e.summary };
}
