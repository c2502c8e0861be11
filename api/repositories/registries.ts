/**
 * The registries (专家库, 督导员库): registered people by user id (their token's `sub`), written
 * only by the registry routes. A list is the caller's scope: a prefecture's people are those
 * registered for it or for the whole province; a province's, its own; an admin's, everyone.
 */
import type { Models } from '../../models';
import type { Caller } from '../../domain/roles';
import { keepsRegistration, seesRegistrantEmail } from '../../domain/access';
import { maskEmail, maskIdNumber } from '../../domain/identifiers';

export type RegistryKind = 'expert' | 'supervisor';

export interface Registrant {
  _id: string;
  name: string;
  idNumber: string;
  province: string;
  prefecture?: string | null;
  occupations?: string[];
  email?: string | null;
  active?: boolean | null;
  registeredBy?: string | null;
  registeredAt?: Date | null;
  updatedBy?: string | null;
  updatedAt?: Date | null;
}

/**
 * A registration as the API shows it: the ID number masked; the e-mail address whole only for
 * `caller` entitled to it (domain seesRegistrantEmail), masked for anyone else and in the audit trail (no caller).
 */
export function present(d: Registrant, caller?: Caller) {
  return {
    userId: d._id,
    name: d.name,
    idNumber: maskIdNumber(d.idNumber),
    province: d.province,
    prefecture: d.prefecture ?? null,
    occupations: d.occupations ?? [],
    email: d.email ? (seesRegistrantEmail(caller, d.province) ? d.email : maskEmail(d.email)) : null,
    active: d.active ?? true,
  };
}

function scopeOf(c: Caller): Record<string, unknown> {
  if (c.role === 'admin') return {};
  if (c.prefecture) return { province: c.province, $or: [{ prefecture: null }, { prefecture: c.prefecture }] };
  return { province: c.province };
}

export interface ReviewerContact {
  _id: string;
  name: string;
  role: 'prefecture-reviewer' | 'province-reviewer' | 'center';
  province: string;
  prefecture?: string | null;
  email: string;
  active?: boolean | null;
  registeredBy?: string | null;
  registeredAt?: Date | null;
  updatedBy?: string | null;
  updatedAt?: Date | null;
}

/** A reviewer's entry as the API shows it: the address whole only for those entitled (domain seesRegistrantEmail). */
export function presentReviewer(d: ReviewerContact, caller?: Caller) {
  return {
    userId: d._id,
    name: d.name,
    role: d.role,
    province: d.province,
    prefecture: d.prefecture ?? null,
    email: seesRegistrantEmail(caller, d.province) ? d.email : maskEmail(d.email),
    active: d.active ?? true,
  };
}

export function createRegistriesRepository(models: Models) {
  const modelOf = (kind: RegistryKind) => (kind === 'expert' ? models.Expert : models.Supervisor);
  return {
    /** Registers a person; false when the user id is registered already (a unique _id). */
    async register(kind: RegistryKind, doc: Registrant): Promise<boolean> {
      try {
        await modelOf(kind).create(doc);
        return true;
      } catch (err) {
        if ((err as { code?: number }).code === 11000) return false;
        throw err;
      }
    },
    /** A registration the caller keeps (domain keepsRegistration): another province's does not exist for it. */
    async findKept(kind: RegistryKind, caller: Caller, userId: string): Promise<Registrant | undefined> {
      const doc = await modelOf(kind).findById(userId).lean();
      return doc && keepsRegistration(caller, doc.province) ? doc : undefined;
    },
    replace: (kind: RegistryKind, doc: Registrant) => modelOf(kind).replaceOne({ _id: doc._id }, doc),
    /** The people in the caller's scope, by user id. */
    list: (kind: RegistryKind, caller: Caller, occupation?: string) =>
      modelOf(kind)
        .find({ ...scopeOf(caller), ...(occupation ? { occupations: occupation } : {}) })
        .sort({ _id: 1 })
        .limit(1000)
        .lean(),
    reviewers: {
      /** false when the user id is in the address book already (a unique _id) */
      async register(doc: ReviewerContact): Promise<boolean> {
        try {
          await models.Reviewer.create(doc);
          return true;
        } catch (err) {
          if ((err as { code?: number }).code === 11000) return false;
          throw err;
        }
      },
      async findKept(caller: Caller, userId: string): Promise<ReviewerContact | undefined> {
        const doc = await models.Reviewer.findById(userId).lean<ReviewerContact>();
        return doc && keepsRegistration(caller, doc.province) ? doc : undefined;
      },
      replace: (doc: ReviewerContact) => models.Reviewer.replaceOne({ _id: doc._id }, doc),
      list: (caller: Caller) =>
        models.Reviewer.find(caller.role === 'admin' ? {} : { province: caller.province })
          .sort({ _id: 1 })
          .limit(1000)
          .lean<ReviewerContact[]>(),
    },
    /** Experts by user id, for forming a group (domain expertGroupRefusal). */
    experts: (ids: readonly string[]) => models.Expert.find({ _id: { $in: ids } }).lean(),
  };
}

export type RegistriesRepository = ReturnType<typeof createRegistriesRepository>;
