/** zod building blocks shared by the route schemas. */
import { z } from 'zod';
import { isValidIsoDate } from '../domain/calendar';

export const isoDate = z
  .string()
  .refine(isValidIsoDate, { message: 'expected a real date as YYYY-MM-DD' })
  .meta({ format: 'date', example: '2026-09-28' });

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  instance: z.string().optional(),
}).loose();

import { isValidCreditCode, isValidIdNumber } from '../domain/identifiers';
import { isMainlandProvinceCode, isPrefectureCode } from '../domain/regions';
import { OCCUPATION_CODE } from '../domain/filing';

/** Short human text: trimmed, no control characters, bounded. */
export const text = (max = 200) =>
  z.string().trim().min(1).max(max).refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), { message: 'contains control characters' });

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
export const prefectureCode = z.string().regex(/^\d{6}$/).refine(isPrefectureCode, { message: 'not a prefecture-level region code' }).meta({ example: '220100' });
export const phone = z.string().trim().regex(/^[0-9+\-() ]{5,20}$/, 'expected a phone number');
export const level = z.number().int().min(1).max(5).describe('national level: 5 初级工, 4 中级工, 3 高级工, 2 技师, 1 高级技师');
/** 职业分类大典 code (domain OCCUPATION_CODE): 4 segments, an optional 5th for a trade; categories 3–6. */
export const occupationCode = z.string().regex(OCCUPATION_CODE, 'expected a 职业分类大典 code of categories 3–6, e.g. 6-18-01-01 (or 6-18-01-01-02 for a trade)');
export const id = z.string().min(1).max(100).regex(/^[A-Za-z0-9:/_\-]+$/, 'not an id');
