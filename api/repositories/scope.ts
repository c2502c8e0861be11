/**
 * Scope as the read models apply it: one stored case (domain/access.ts `inScope`) and the matching
 * database filter for lists, so a list never shows what a single read would refuse.
 */
import type { Caller } from '../../domain/roles';
import { inScope } from '../../domain/access';
import { centersDecide, CENTER_POLICY_IDS } from '../../domain/filing-policy';

export interface ScopedDoc {
  province: string;
  prefecture?: string | null;
  institutionId: string;
}

/** May the caller see this stored filing or batch? `assignees`: its experts or drawn supervisors. */
export function canRead(c: Caller, doc: ScopedDoc, assignees: readonly string[]): boolean {
  return inScope(c, { province: doc.province, prefecture: doc.prefecture ?? undefined, institutionId: doc.institutionId, assignees });
}

/** May the caller see this stored filing? A center only where its preset makes centers decide (domain centersDecide). */
export function canReadFiling(c: Caller, doc: ScopedDoc & { policyId?: string | null; assignees?: string[] }): boolean {
  return canRead(c, doc, doc.assignees ?? []) && (c.role !== 'center' || centersDecide(doc.policyId ?? undefined));
}

/** The list filter of canReadFiling. */
export function filingScopeFilter(c: Caller): Record<string, unknown> {
  const base = scopeFilter(c, 'assignees');
  return c.role === 'center' ? { ...base, policyId: { $in: CENTER_POLICY_IDS() } } : base;
}

/**
 * The database filter of the same rule for lists. `assigneesField` names the array of user ids
 * assigned to the document (experts of a filing, supervisors of a batch).
 */
export function scopeFilter(c: Caller, assigneesField: 'assignees' | 'supervisors'): Record<string, unknown> {
  switch (c.role) {
    case 'admin':
      return {};
    case 'province-reviewer':
      return { province: c.province };
    case 'prefecture-reviewer':
      return { prefecture: c.prefecture ?? '-' };
    case 'center':
      return c.prefecture ? { province: c.province, prefecture: c.prefecture } : { province: c.province };
    case 'institution':
      return { institutionId: c.institutionId ?? '-' };
    case 'expert':
    case 'supervisor':
      return { [assigneesField]: c.sub };
    default:
      return { _id: null };
  }
}
