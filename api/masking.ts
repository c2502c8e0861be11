/**
 * What a caller is shown of a case: personal data (ID numbers, phones, e-mail addresses) masked unless the access
 * rules (domain/access.ts `entitledToPersonalData`, `entitledToCandidates`, SPEC §7) entitle them,
 * and who objected left out for anyone who does not investigate (`seesObjectors`).
 */
import { maskEmail, maskIdNumber, maskPhone } from '../domain/identifiers';
import type { Caller } from '../domain/roles';
import type { FilingState, Person } from '../domain/filing';
import type { BatchState, BatchView } from '../domain/batch';
import { entitledToCandidates, entitledToPersonalData } from '../domain/access';

/**
 * Who objected is for the reviewers who investigate, never for the institution objected to (nor
 * anyone else): it sees what was objected and how it was resolved.
 */
export function withoutObjector<T extends { name?: string; contact?: string }>(o: T): Omit<T, 'name' | 'contact'> {
  const { name: _name, contact: _contact, ...rest } = o;
  return rest;
}

const maskPeople = (people?: Person[]) =>
  people?.map((p) => ({ ...p, idNumber: p.idNumber && maskIdNumber(p.idNumber), phone: p.phone && maskPhone(p.phone) }));

/** Where a filing sits, for the access rules. */
export const filingScope = (s: FilingState) => ({
  province: s.application.institution.province,
  prefecture: s.application.institution.prefecture,
  institutionId: s.application.institution.creditCode,
});

/** Where a batch sits, for the access rules. */
export const batchScope = (s: Pick<BatchState, 'jurisdiction' | 'institution'>) => ({
  province: s.jurisdiction.province,
  prefecture: s.jurisdiction.prefecture,
  institutionId: s.institution.creditCode,
});

export function filingForCaller(state: FilingState, caller: Caller | undefined): FilingState {
  const s: FilingState = structuredClone(state);
  if (entitledToPersonalData(caller, filingScope(state))) return s;
  const i = s.application.institution;
  i.contact = { ...i.contact, phone: maskPhone(i.contact.phone), ...(i.contact.email ? { email: maskEmail(i.contact.email) } : {}) };
  if (s.application.staff) {
    s.application.staff = {
      fullTime: maskPeople(s.application.staff.fullTime),
      experts: maskPeople(s.application.staff.experts),
      examiners: maskPeople(s.application.staff.examiners),
      supervisors: maskPeople(s.application.staff.supervisors),
    };
  }
  return s;
}

/**
 * Candidates' and staff ID numbers for the institution, its center and reviewers in scope; masked
 * for everyone else. Takes the workflow's state (an Update's answer, without lists) or the view
 * with its lists (GET /batches/:id).
 */
export function batchForCaller<T extends BatchState | BatchView>(state: T, caller: Caller | undefined): T {
  const v = structuredClone(state);
  if (entitledToCandidates(caller, batchScope(state))) return v;
  v.plan.proctors = v.plan.proctors.map((p) => ({ ...p, idNumber: p.idNumber && maskIdNumber(p.idNumber) }));
  v.plan.examiners = v.plan.examiners.map((p) => ({ ...p, idNumber: p.idNumber && maskIdNumber(p.idNumber) }));
  if (!isView(v)) return v;
  v.plan.candidates = v.plan.candidates.map((x) => ({ ...x, idNumber: maskIdNumber(x.idNumber) }));
  v.scores = Object.fromEntries(Object.entries(v.scores).map(([k, sc]) => [maskIdNumber(k), sc]));
  if (v.certificates) v.certificates.items = v.certificates.items.map((i) => ({ ...i, idNumber: maskIdNumber(i.idNumber) }));
  if (v.cancellation?.refund) v.cancellation.refund.idNumbers = v.cancellation.refund.idNumbers.map(maskIdNumber);
  return v;
}

const isView = (s: BatchState | BatchView): s is BatchView => 'candidates' in s.plan;
