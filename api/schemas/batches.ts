/** zod schemas of the batch routes (API.md "Assessment batches"); the OpenAPI document is generated from them. */
import { z } from 'zod';
import { BATCH_STATUSES, MODULE_KINDS } from '../../domain/batch';
import { creditCode, id, idNumber, isoDate, level, occupationCode, pageQuery, text } from './common';

const person = z.object({ name: text(50), idNumber: idNumber.optional() }).strict();
const candidate = z
  .object({
    name: text(50),
    idNumber,
    sex: z.enum(['M', 'F']).optional(),
    post: text(50),
    yearsInPost: z.number().min(0).max(60),
    occupationCode,
    trade: text(50).optional(),
    /** the national level; may be left out when `enterpriseGrade` is given (003 §三: the filing maps it) */
    level: level.optional(),
    enterpriseGrade: text(20).optional(),
    employerCreditCode: creditCode.optional(),
    employment: z.enum(['staff', 'dispatched', 'outsourced']).optional(),
    placedWithCreditCode: creditCode.optional(),
  })
  .strict()
  .refine((c) => c.level !== undefined || c.enterpriseGrade !== undefined, { message: 'a level or an enterprise grade is required', path: ['level'] });

export const planBody = z
  .object({
    filingId: id,
    firstExamDate: isoDate,
    lastExamDate: isoDate,
    overview: text(2000).optional(),
    venues: z
      .array(
        z
          .object({
            name: text(100),
            address: text(200),
            modules: z.array(z.enum(MODULE_KINDS)).min(1).max(4).optional().describe('modules held here (all when absent)'),
          })
          .strict(),
      )
      .min(1)
      .max(50)
      .describe("each one of the filing's venues (004 Art.8)"),
    modules: z
      .array(z.object({ kind: z.enum(MODULE_KINDS), passMark: z.number().min(0).max(100).optional(), required: z.boolean().optional() }).strict())
      .min(1)
      .max(4),
    candidates: z.array(candidate).min(1).max(20_000),
    proctors: z.array(person).max(500),
    examiners: z.array(person).max(500),
    supervisors: z.array(person).max(100),
  })
  .strict()
  .refine((p) => p.lastExamDate >= p.firstExamDate, { message: 'lastExamDate is before firstExamDate', path: ['lastExamDate'] });

export const batchCreated = z.object({
  id: z.string(),
  status: z.enum(BATCH_STATUSES),
  outsideAnnualPlan: z.boolean().optional().describe('000 §五(二)1: accepted, but outside the acknowledged annual plan of its year'),
});

const score = z.number().min(0).max(100);
export const scoresBody = z
  .object({
    scores: z
      .array(
        z
          .object({
            idNumber,
            theory: score.optional(),
            skill: score.optional(),
            performance: score.optional(),
            defense: score.optional(),
            absent: z.boolean().optional(),
          })
          .strict(),
      )
      .min(1)
      .max(20_000),
  })
  .strict();

export const supervisionBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('assign'), count: z.number().int().min(1).max(20) }).strict(),
  z.object({ action: z.literal('report'), severity: z.enum(['none', 'minor', 'serious']), findings: text(5000) }).strict(),
  z.object({ action: z.literal('resume'), note: text(2000).optional() }).strict(),
  z.object({ action: z.literal('cancel'), reason: text(2000) }).strict(),
]);

export const batchDecisionBody = z
  .object({ stage: z.enum(['plan-review', 'results-review']), outcome: z.enum(['pass', 'return', 'reject']), opinion: text(5000) })
  .strict();
export const batchResolutionBody = z.object({ upheld: z.boolean(), note: text(2000) }).strict();
export const resultsBody = z.object({ note: text(2000).optional() }).strict();

/** The batch as GET /batches/:id answers: the workflow's state (ID numbers masked as the caller's rights say). */
export const batchStateSchema = z
  .object({ id: z.string(), status: z.enum(BATCH_STATUSES), stage: z.string().nullable(), filingId: z.string(), plan: z.object({}).loose() })
  .loose();

/**
 * GET /batches/:id: one slice of the roster (a page of the console's score grid), or, without
 * these, every candidate as before. Both or neither.
 */
export const batchViewQuery = z
  .object({
    candidatesOffset: z.coerce.number().int().min(0).max(20_000).optional(),
    candidatesLimit: z.coerce.number().int().min(1).max(1_000).optional(),
  })
  .strict()
  .refine((q) => (q.candidatesOffset === undefined) === (q.candidatesLimit === undefined), {
    message: 'candidatesOffset and candidatesLimit go together',
    path: ['candidatesLimit'],
  });

export const batchListQuery = z.object({ status: z.enum(BATCH_STATUSES).optional(), filingId: id.optional(), ...pageQuery }).strict();

export const batchSummary = z.object({
  id: z.string(),
  filingId: z.string(),
  institution: z.object({ name: z.string(), creditCode: z.string() }),
  status: z.string(),
  stage: z.string().nullable(),
  firstExamDate: z.string().nullable(),
  lastExamDate: z.string().nullable(),
  candidates: z.number().int(),
  /** 000 §五(二)1: planned outside the acknowledged annual plan of its year (计划外) */
  outsideAnnualPlan: z.boolean(),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
});

/** `?format=` of the result tables: JSON, or CSV with a UTF-8 BOM that Excel opens. */
/** json, a UTF-8 CSV, or the seed's form as an Excel workbook (exports/workbooks.ts) */
export const exportFormat = z.object({ format: z.enum(['json', 'csv', 'xlsx']).default('json') }).strict();
