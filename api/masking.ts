/**
 * Personal data (ID numbers, phones) is shown only to those entitled to it: the owning
 * institution and in-scope reviewers (SPEC §7, issue "privacy"). Everyone else gets it masked.
 */
import { maskIdNumber, maskPhone } from '../domain/identifiers';
import type { Caller } from '../domain/roles';
import type { FilingState, Person } from '../domain/filing';

export function entitledToPersonalData(caller: Caller | undefined, scope: { province: string; prefecture?: string | null; institutionId?: string }): boolean {
  if (!caller) return false;
  switch (caller.role) {
    // the admin runs the system, not the cases: masked, like everyone not entitled (API.md gives it no such right)
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

/**
 * Who objected is for the reviewers who investigate, never for the institution objected to (nor
 * anyone else): it sees what was objected and how it was resolved.
 */
export function withoutObjector<T extends { name?: string; contact?: string }>(o: T): Omit<T, 'name' | 'contact'> {
  const { name: _name, contact: _contact, ...rest } = o;
  return rest;
}

const maskPeople = (people?: Person[]) => people?.map((p) => ({ ...p, idNumber: p.idNumber && maskIdNumber(p.idNumber), phone: p.phone && maskPhone(p.phone) }));

export function filingForCaller(state: FilingState, caller: Caller | undefined, scope: { province: string; prefecture?: string | null; institutionId: string }): FilingState {
  const entitled = entitledToPersonalData(caller, scope);
  const s: FilingState = structuredClone(state);
  if (entitled) return s;
  const i = s.application.institution;
  i.contact = { ...i.contact, phone: maskPhone(i.contact.phone) };
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
