/**
 * zod building blocks shared by the route schemas of every resource (api/schemas/*.ts); the
 * OpenAPI document is generated from them.
 */
import { z } from 'zod';
import { isValidIsoDate } from '../../domain/calendar';
import { isValidCreditCode, isValidIdNumber } from '../../domain/identifiers';
import { isMainlandProvinceCode, isPrefectureCode } from '../../domain/regions';
import { OCCUPATION_CODE } from '../../domain/filing';

export const isoDate = z.string().refine(isValidIsoDate, { message: 'expected a real date as YYYY-MM-DD' }).meta({ format: 'date', example: '2026-09-28' });

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
  })
  .loose();

/** Bidirectional controls can make a name read backwards on a reviewer's screen (U+202E and kin). */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Short human text: trimmed, no control characters, no bidi controls, no unpaired surrogates, bounded. */
export const text = (max = 200) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), { message: 'contains control characters' })
    .refine((s) => !BIDI_CONTROLS.test(s), { message: 'contains bidirectional control characters' })
    .refine((s) => !LONE_SURROGATE.test(s), { message: 'contains an unpaired surrogate (not valid Unicode text)' });

/** A registry user id (the `sub` of the person's token): letters, digits and . _ @ - only. */
export const userId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'a user id is 1–64 letters, digits, . _ @ or -, starting with a letter or digit');

export const creditCode = z
  .string()
  .length(18)
  .refine(isValidCreditCode, { message: 'not a valid unified social credit code (GB 32100 check character)' })
  .meta({ example: '91220101MA14XXXXX0' });
export const idNumber = z
  .string()
  .length(18)
  .transform((s) => s.toUpperCase())
  .refine((s) => isValidIdNumber(s), { message: 'not a valid resident ID number (GB 11643 check digit)' });
export const provinceCode = z.string().refine(isMainlandProvinceCode, { message: 'not a GB/T 2260 province code' }).meta({ example: '22' });
export const prefectureCode = z
  .string()
  .regex(/^\d{6}$/)
  .refine(isPrefectureCode, { message: 'not a prefecture-level region code' })
  .meta({ example: '220100' });
export const phone = z
  .string()
  .trim()
  .regex(/^[0-9+\-() ]{5,20}$/, 'expected a phone number');
export const level = z.number().int().min(1).max(5).describe('national level: 5 初级工, 4 中级工, 3 高级工, 2 技师, 1 高级技师');
/** 职业分类大典 code (domain OCCUPATION_CODE): 4 segments, an optional 5th for a trade; categories 3–6. */
export const occupationCode = z
  .string()
  .regex(OCCUPATION_CODE, 'expected a 职业分类大典 code of categories 3–6, e.g. 6-18-01-01 (or 6-18-01-01-02 for a trade)');
export const id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9:/_\-]+$/, 'not an id');

/** The problem documents a route may answer, by status (API.md "Conventions"). */
export function problems<S extends number>(...statuses: S[]): Record<S, typeof problemSchema> {
  return Object.fromEntries(statuses.map((s) => [s, problemSchema])) as Record<S, typeof problemSchema>;
}

/** The refusals of a signed-in route about one case: malformed, no token, not allowed, unknown, its state, its rules. */
export const caseProblems = problems(400, 401, 403, 404, 409, 422);

/** `?cursor=&limit=` of every paginated list. */
export const pageQuery = {
  cursor: z.string().max(200).optional().describe('opaque cursor from the previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
};

/** A page of a list: its items and the cursor of the next page (null on the last). */
export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** `/:id` of a filing or a batch. */
export const caseIdParams = z.object({ id: z.string().min(1).max(100) }).strict();
/** `/:id/objections/:objectionId/resolution` */
export const objectionParams = z.object({ id: z.string().min(1).max(100), objectionId: z.string().min(1).max(100) }).strict();

/** An objection during a publicity (public): who objects, how to reach them, why. */
export const objectionBody = z.object({ name: text(50), contact: text(100), reason: text(5000) }).strict();
export const objectionAccepted = z.object({ objectionId: z.string() });
/** Every open objection dismissed at once, after investigating them together. */
export const dismissalBody = z.object({ note: text(2000).describe('what the investigation found, for every objection dismissed') }).strict();

/** An audit trail (append-only): who, role, action, target, time, before → after, request id. */
export const auditTrail = z.object({ items: z.array(z.object({}).loose()) });

/**
 * What a value of T is once sent as JSON: the same fields, as plain data. The loose response
 * schemas (`.loose()`) take any plain object with their fields; an interface type is not one to
 * TypeScript (it has no index signature), its JSON is.
 */
export type Json<T> = T extends (infer U)[] ? Json<U>[] : T extends Date ? T : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
