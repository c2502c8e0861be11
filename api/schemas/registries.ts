/** zod schemas of the registries (专家库, 督导员库; API.md "Registries"). */
import { z } from 'zod';
import { idNumber, occupationCode, prefectureCode, provinceCode, text, userId } from './common';

export const registrantBody = z
  .object({
    userId,
    name: text(50),
    idNumber,
    province: provinceCode,
    prefecture: prefectureCode.optional(),
    occupations: z.array(occupationCode).max(50).optional(),
    /** where reminders, escalations and decisions are mailed (README "E-mail") */
    email: z.email().max(100).optional(),
  })
  .strict()
  .refine((b) => !b.prefecture || b.prefecture.startsWith(b.province), { message: 'prefecture is not in the province', path: ['prefecture'] });

/** A change of a registration: its user id stays. */
export const registrantUpdate = z
  .object({
    name: text(50),
    idNumber,
    province: provinceCode,
    prefecture: prefectureCode.optional(),
    occupations: z.array(occupationCode).max(50).optional(),
    /** absent: kept as it is; null: removed */
    email: z.email().max(100).nullable().optional(),
    active: z.boolean().optional(),
  })
  .strict()
  .refine((b) => !b.prefecture || b.prefecture.startsWith(b.province), { message: 'prefecture is not in the province', path: ['prefecture'] });

export const registrantView = z.object({
  userId: z.string(),
  name: z.string(),
  idNumber: z.string().describe('masked'),
  province: z.string(),
  prefecture: z.string().nullable(),
  occupations: z.array(z.string()),
  email: z.string().nullable().describe('masked unless the caller keeps the registry of its province'),
  active: z.boolean(),
});

export const registrantParams = z.object({ userId }).strict();
export const registryQuery = z.object({ occupation: occupationCode.optional() }).strict();

/** The roles whose mail goes to the reviewers' address book: the HR departments' reviewers and the skills centers. */
export const REVIEWER_ROLES = ['prefecture-reviewer', 'province-reviewer', 'center'] as const;

const reviewerFields = {
  name: text(50),
  role: z.enum(REVIEWER_ROLES),
  province: provinceCode,
  prefecture: prefectureCode.optional(),
  email: z.email().max(100),
};
const reviewerRegion = <T extends { role: string; province: string; prefecture?: string }>(o: z.ZodType<T>) =>
  o
    .refine((b) => !b.prefecture || b.prefecture.startsWith(b.province), { message: 'prefecture is not in the province', path: ['prefecture'] })
    .refine((b) => b.role !== 'prefecture-reviewer' || !!b.prefecture, { message: 'a prefecture reviewer has a prefecture', path: ['prefecture'] })
    .refine((b) => b.role !== 'province-reviewer' || !b.prefecture, { message: 'a province reviewer has no prefecture', path: ['prefecture'] });

export const reviewerBody = reviewerRegion(z.object({ userId, ...reviewerFields }).strict());
export const reviewerUpdate = reviewerRegion(z.object({ ...reviewerFields, active: z.boolean().optional() }).strict());
export const reviewerView = z.object({
  userId: z.string(),
  name: z.string(),
  role: z.enum(REVIEWER_ROLES),
  province: z.string(),
  prefecture: z.string().nullable(),
  email: z.string().describe('masked unless the caller keeps the registries of its province'),
  active: z.boolean(),
});
