/** zod schemas of the filing routes (API.md "Filings"); the OpenAPI document is generated from them. */
import { z } from 'zod';
import { gradeMappingRefusal } from '../../domain/grades';
import { creditCodeProvinceRefusal, MATERIAL_KINDS, FILING_STATUSES } from '../../domain/filing';
import { creditCode, idNumber, level, occupationCode, pageQuery, phone, prefectureCode, provinceCode, text } from './common';

const person = z.object({ name: text(50), idNumber: idNumber.optional(), phone: phone.optional(), title: text(50).optional() }).strict();

export const occupationSchema = z
  .object({
    code: occupationCode,
    name: text(50),
    trade: text(50).optional(),
    levels: z
      .array(level)
      .min(1)
      .max(5)
      .refine((l) => new Set(l).size === l.length, { message: 'levels repeat' }),
    basis: z.enum(['national-standard', 'evaluation-spec']),
    /** 003 §三: the enterprise's own grades (学徒工, 首席技师 …) and the national level each corresponds to */
    gradeMapping: z
      .array(z.object({ grade: text(20), level }).strict())
      .max(20)
      .optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    const refusal = gradeMappingRefusal(o);
    if (refusal) ctx.addIssue({ code: 'custom', path: ['gradeMapping'], message: refusal });
  });

export const materialSchema = z
  .object({ kind: z.enum(MATERIAL_KINDS), title: text(200), verifiedOnline: z.boolean().optional(), ref: text(500).optional() })
  .strict();

const venue = z
  .object({
    name: text(100),
    address: text(200),
    hasVideoSurveillance: z.boolean().optional(),
    premises: z
      .enum(['own', 'external'])
      .optional()
      .describe("whose premises: the institution's own (default) or another's (an employer's skill exam needs its own, 000 §五(二)2)"),
  })
  .strict();

export const institutionSchema = z
  .object({
    name: text(100),
    creditCode,
    kind: z.enum(['Y', 'S']),
    legalRepresentative: text(50),
    address: text(200),
    province: provinceCode,
    affiliation: z.enum(['province', 'prefecture']),
    prefecture: prefectureCode.optional(),
    contact: z.object({ name: text(50), phone, email: z.email().max(100).optional() }).strict(),
    supervisingBody: text(100).optional(),
  })
  .strict()
  .superRefine((i, ctx) => {
    if (i.affiliation === 'prefecture' && !i.prefecture)
      ctx.addIssue({ code: 'custom', path: ['prefecture'], message: 'required when affiliation is prefecture' });
    if (i.affiliation === 'province' && i.prefecture)
      ctx.addIssue({ code: 'custom', path: ['prefecture'], message: 'must be absent when affiliation is province' });
    if (i.prefecture && !i.prefecture.startsWith(i.province)) ctx.addIssue({ code: 'custom', path: ['prefecture'], message: 'is not in the province' });
    const region = creditCodeProvinceRefusal(i);
    if (region) ctx.addIssue({ code: 'custom', path: ['province'], message: region });
  });

export const createFilingBody = z
  .object({
    institution: institutionSchema,
    occupations: z
      .array(occupationSchema)
      .min(1)
      .max(50)
      .refine((o) => new Set(o.map((x) => x.code)).size === o.length, { message: 'an occupation is listed twice' }),
    materials: z.array(materialSchema).max(50),
    staff: z
      .object({
        fullTime: z.array(person).max(2000).optional(),
        experts: z.array(person).max(500).optional(),
        examiners: z.array(person).max(500).optional(),
        supervisors: z.array(person).max(500).optional(),
      })
      .strict()
      .optional(),
    venues: z.array(venue).max(100).optional(),
    subsidiaries: z
      .array(z.object({ name: text(100), creditCode }).strict())
      .max(200)
      .optional(),
    // 004 Art.6(2), 002 Art.19: the published, non-profit fee standard, and what it was costed on; the directory publishes both
    feeStandard: text(2000).optional().describe('收费标准, e.g. 理论 80 元/人，技能 200 元/人'),
    feeBasis: text(2000).optional().describe('测算依据: standards, local conditions, costs (004 Art.6(2))'),
  })
  .strict();

export const filingCreated = z.object({ id: z.string(), status: z.enum(FILING_STATUSES), stage: z.string().nullable() });

export const decisionBody = z
  .object({
    stage: z.string().min(1).max(50),
    outcome: z.enum(['pass', 'supplement', 'reject']),
    opinion: text(5000),
    score: z.number().min(0).max(100).optional(),
    items: z.array(text(200)).max(50).optional().describe('补正: what the applicant must supply'),
  })
  .strict();

export const assignmentBody = z
  .object({
    stage: z.string().min(1).max(50),
    expertIds: z
      .array(z.string().min(1).max(128))
      .min(1)
      .max(15)
      .refine((a) => new Set(a).size === a.length, { message: 'an expert is listed twice' }),
  })
  .strict();

export const supplementBody = z.object({ note: text(2000).optional(), materials: z.array(materialSchema).min(1).max(50) }).strict();
export const resolutionBody = z.object({ upheld: z.boolean(), note: text(2000), returnTo: z.string().min(1).max(50).optional() }).strict();
export const renewalBody = z.object({ note: text(2000).optional() }).strict();
export const changeBody = z
  .object({
    address: text(200).optional(),
    legalRepresentative: text(50).optional(),
    venues: z.array(venue).min(1).max(100).optional(),
    occupations: z.array(occupationSchema).min(1).max(50).optional(),
    reason: text(2000).optional(),
  })
  .strict()
  .refine((c) => c.address || c.legalRepresentative || c.venues || c.occupations, {
    message: 'name at least one of address, legalRepresentative, venues, occupations',
  });
export const terminationBody = z.object({ reason: text(2000) }).strict();

/** The filing as GET /filings/:id answers: the workflow's state (personal data masked as the caller's rights say). */
export const filingStateSchema = z
  .object({
    id: z.string(),
    status: z.enum(FILING_STATUSES),
    track: z.string(),
    stage: z.string().nullable(),
    policy: z.object({ id: z.string(), label: z.string() }).loose(),
    application: z.object({}).loose(),
    assignments: z.record(z.string(), z.array(z.object({ userId: z.string(), name: z.string() }))),
    decisions: z.array(z.object({}).loose()),
    due: z.object({}).loose().nullable(),
    escalations: z.array(z.object({}).loose()),
    publicity: z.object({}).loose().nullable(),
    notice: z.object({ number: z.string(), sequence: z.string(), issuedAt: z.string(), validUntil: z.string() }).loose().nullable(),
    history: z.array(z.object({}).loose()),
  })
  .loose();

export const filingSummary = z.object({
  id: z.string(),
  institution: z.object({ name: z.string(), creditCode: z.string() }),
  province: z.string(),
  prefecture: z.string().nullable(),
  status: z.enum(FILING_STATUSES),
  stage: z.string().nullable(),
  track: z.string().optional(),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  escalation: z.number().int(),
  submittedAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
});

/** GET /filings: `?status=&stage=&overdue=&cursor=&limit=` */
export const filingListQuery = z
  .object({
    status: z.string().max(40).optional(),
    stage: z.string().max(50).optional(),
    overdue: z.enum(['true', 'false']).optional(),
    ...pageQuery,
  })
  .strict();
