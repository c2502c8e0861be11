/** zod schemas of the random inspections (双随机、一公开, domain/inspections.ts). */
import { z } from 'zod';
import { INSPECTION_LIMITS, INSPECTION_ORDERS, PROPOSAL_DECISIONS, SEVERITIES } from '../../domain/inspections';
import { pageQuery, provinceCode, text } from './common';

export const drawBody = z
  .object({
    year: z.number().int().min(2000).max(2100),
    count: z.number().int().min(1).max(INSPECTION_LIMITS.maxCount),
    inspectorsPerInspection: z.number().int().min(1).max(INSPECTION_LIMITS.maxInspectorsPerInspection),
  })
  .strict();

const institution = z.object({ creditCode: z.string(), name: z.string() });
const person = z.object({ userId: z.string(), name: z.string() });

export const drawView = z.object({
  id: z.string(),
  year: z.number().int(),
  drawnAt: z.string(),
  /** with the eligible lists recorded with the draw, the seed reproduces it (domain/inspections drawInspections) */
  seed: z.number().int(),
  eligible: z.object({ institutions: z.number().int(), inspectors: z.number().int(), hash: z.string() }),
  inspections: z.array(z.object({ id: z.string(), institution, inspectors: z.array(person) })),
});

export const inspectionsQuery = z
  .object({ year: z.coerce.number().int().min(2000).max(2100).optional(), province: provinceCode.optional(), ...pageQuery })
  .strict();

/** What the public sees of an inspection (see the route's comment for why only this). */
export const publicInspection = z.object({
  id: z.string(),
  drawId: z.string(),
  year: z.number().int(),
  province: z.string(),
  drawnAt: z.string(),
  /** the role of the department that drew it (province-reviewer | center) */
  drawnBy: z.string(),
  institution,
  inspectors: z.number().int(),
  status: z.enum(['in-progress', 'concluded']),
  outcome: z.enum(SEVERITIES).nullable(),
  measures: z.array(z.enum(INSPECTION_ORDERS)),
  concludedAt: z.string().nullable(),
});

const finding = z.object({
  by: person,
  severity: z.enum(SEVERITIES),
  text: z.string(),
  order: z.enum(INSPECTION_ORDERS).nullable(),
  at: z.string(),
  suspendedBatches: z.array(z.string()).optional(),
});

export const proposalDecision = z.object({ decision: z.enum(PROPOSAL_DECISIONS), note: z.string(), filingId: z.string(), by: person, at: z.string() });

/** An inspection as its inspectors and the province's reviewers see it. */
export const inspectionView = publicInspection.extend({
  institution: institution.extend({ filingId: z.string() }),
  inspectorList: z.array(person),
  findings: z.array(finding),
  /**
   * `open` while undecided and the institution is still in force: a provincial reviewer orders the
   * termination (POST /filings/:id/termination) and closes it (POST /inspections/:id/proposal-decision)
   */
  proposal: z.object({ by: person, at: z.string(), text: z.string(), open: z.boolean(), decision: proposalDecision.nullable() }).nullable(),
  /** for an inspector: has the caller filed their findings */
  filedByMe: z.boolean(),
});

export const proposalDecisionBody = z.object({ decision: z.enum(PROPOSAL_DECISIONS), note: text(2000) }).strict();

export const findingBody = z
  .object({
    severity: z.enum(SEVERITIES),
    text: text(5000),
    order: z.enum(INSPECTION_ORDERS).optional(),
  })
  .strict();

export const inspectionParams = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,80}$/) }).strict();
