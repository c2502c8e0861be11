/** zod schemas of complaints (投诉举报) and the credit file (信用档案): API.md "Added: seed rules". */
import { z } from 'zod';
import { COMPLAINT_SUBJECT_TYPES, COMPLAINT_NOTE_MAX } from '../../domain/complaints';
import { CREDIT_KINDS } from '../../domain/credit';
import { creditCode, text } from './common';

/** A complaint's id (`cp-` and 12 hex characters). */
const complaintId = z.string().regex(/^cp-[0-9a-f]{12}$/, 'not a complaint id');
/** The tracking code shown once in the 202. */
const trackingCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, 'not a tracking code');

export const complaintBody = z
  .object({
    subject: z
      .object({
        type: z.enum(COMPLAINT_SUBJECT_TYPES),
        id: z
          .string()
          .trim()
          .min(1)
          .max(100)
          .regex(/^[A-Za-z0-9:/_\-]+$/, 'not an id')
          .describe("the institution's credit code, the batch id or the certificate number"),
      })
      .strict(),
    name: text(50),
    contact: text(100),
    content: text(5000),
  })
  .strict();

export const complaintAccepted = z.object({
  id: z.string(),
  trackingCode: z.string().describe('shown once: keep it to follow the complaint (GET /complaints/:id?trackingCode=)'),
  dueDate: z.string().nullable(),
});

export const complaintParams = z.object({ id: complaintId }).strict();
export const complaintQuery = z.object({ trackingCode: trackingCode.optional() }).strict();

export const complaintDecisionBody = z.object({ upheld: z.boolean(), note: text(COMPLAINT_NOTE_MAX) }).strict();

const outcome = z.object({ upheld: z.boolean(), note: z.string(), decidedAt: z.string() }).nullable();

/** What the holder of the tracking code sees; reviewers in scope also see who complained, what, and the history. */
export const complaintView = z
  .object({
    id: z.string(),
    subject: z.object({ type: z.enum(COMPLAINT_SUBJECT_TYPES), id: z.string() }),
    status: z.enum(['open', 'upheld', 'dismissed']),
    receivedAt: z.string(),
    dueDate: z.string().nullable(),
    outcome,
    institution: z.object({ creditCode: z.string(), name: z.string() }).optional(),
    complainant: z.object({ name: z.string(), contact: z.string() }).optional(),
    content: z.string().optional(),
    escalation: z.number().int().optional(),
    decidedBy: z.object({ sub: z.string(), name: z.string().optional(), role: z.string().optional() }).nullable().optional(),
    history: z.array(z.object({ at: z.string(), event: z.string(), by: z.string().optional(), note: z.string().optional() })).optional(),
  })
  .loose();

export const creditParams = z.object({ creditCode }).strict();
export const creditFile = z.object({
  items: z.array(z.object({ kind: z.enum(CREDIT_KINDS), date: z.string(), decidedBy: z.string(), summary: z.string() })),
});
