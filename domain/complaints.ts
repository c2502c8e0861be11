/**
 * Complaints and reports (投诉举报) about an institution, a batch or a certificate.
 *
 * - 000 §六(一) and 001 §四(二): the department "受理投诉举报并核实处理" — it takes complaints and
 *   investigates them; 002 Art.25: problems raised by complaints are "及时调查核实处理".
 * - Who handles one: the reviewer of the subject's jurisdiction (属地管理, 002 Art.24; 001 §四(一)
 *   puts the prefecture bureau in charge of its institutions), a provincial reviewer of that
 *   province too (the province is where an overdue complaint escalates to).
 * - How long: the seeds give no time limit. "及时" is made a policy number of working days (15 by
 *   default, counted from the day of receipt, SPEC §8), with a reminder before and the two-level
 *   escalation of filing stages after (SPEC §8: superior, then province).
 * - The outcome: upheld or dismissed, with a note. An upheld complaint goes into the institution's
 *   credit file (domain/credit.ts).
 *
 * The complainant's name and contact are personal data (SPEC §7): kept for the reviewers in scope,
 * never shown publicly, never in the workflow (they stay in the API's intake collection, as an
 * objection's text does, domain/objections.ts), never in the credit file.
 */
import type { Refusal } from './errors';
import type { Actor, Audience, PendingStep, StageDue } from './filing';
import { jurisdictionAudience } from './filing';
import type { Jurisdiction } from './batch';
import { inScope } from './access';
import type { Caller } from './roles';

export const COMPLAINT_SUBJECT_TYPES = ['institution', 'batch', 'certificate'] as const;
export type ComplaintSubjectType = (typeof COMPLAINT_SUBJECT_TYPES)[number];

export type ComplaintStatus = 'open' | 'upheld' | 'dismissed';

/** Fixed for a complaint when it is received, so a later change of policy never moves a running deadline. */
export interface ComplaintPolicy {
  id: string;
  /** "及时调查核实处理" (002 Art.25) as working days from the day of receipt */
  handleWorkingDays: number;
  /** a reminder to the reviewers this many working days before the due date (0: none) */
  reminderWorkingDaysBefore: number;
  /** overdue: to the superior at the due date, then to the province this many working days later (SPEC §8) */
  provinceAfterWorkingDays: number;
}

export const DEFAULT_COMPLAINT_POLICY: ComplaintPolicy = {
  id: 'complaint-default',
  handleWorkingDays: 15,
  reminderWorkingDaysBefore: 3,
  provinceAfterWorkingDays: 5,
};

/**
 * How many complaints one complainant (a contact, and separately a client address) may have open
 * at once: anyone may complain, so one person must not fill the reviewers' inbox. Past it the
 * answer is 429 TOO_MANY_COMPLAINTS until one is decided.
 */
export const OPEN_COMPLAINTS_PER_COMPLAINANT = 5;

/** A filing stage's due (the same deadline helpers run it), without the stage, plus the reminder. */
export type ComplaintDue = Omit<StageDue, 'track' | 'stage'> & {
  reminderAt?: string;
  reminderAtMs?: number;
  reminded?: boolean;
};

export interface ComplaintDecision {
  upheld: boolean;
  note: string;
  by: Actor;
  at: string;
}

/** A complaint as its workflow keeps it: no name, contact or text of the complainant. */
export interface ComplaintState {
  id: string;
  subject: { type: ComplaintSubjectType; id: string };
  institution: { creditCode: string; name: string };
  jurisdiction: Jurisdiction;
  policy: ComplaintPolicy;
  /** sha256 of the tracking code (hex): the code itself is shown once, in the 202 */
  trackingHash: string;
  status: ComplaintStatus;
  receivedAt: string;
  due: ComplaintDue | null;
  escalations: { level: 1 | 2; at: string }[];
  decision: ComplaintDecision | null;
  history: { at: string; event: string; by?: string; note?: string }[];
  version: number;
}

/** The reviewers of the subject's jurisdiction: a prefecture's bureau, or the province's department. */
export function complaintAudience(j: Jurisdiction): Audience {
  return jurisdictionAudience(j);
}

/** SPEC §8 escalation, as for a department's own overdue stage: its leadership (1), then the province (2). */
export function complaintEscalationAudience(level: 1 | 2, j: Jurisdiction): Audience {
  return level === 2 ? { role: 'province-reviewer', province: j.province } : jurisdictionAudience(j);
}

/** The reviewers who handle a complaint: those of its jurisdiction, and the province's (属地管理, 002 Art.24). */
export function handlesComplaint(caller: Caller | undefined, j: Jurisdiction): boolean {
  if (!caller || (caller.role !== 'prefecture-reviewer' && caller.role !== 'province-reviewer')) return false;
  return inScope(caller, { province: j.province, prefecture: j.prefecture });
}

/** The step an open complaint waits on (the inbox): the decision of the reviewers in scope. */
export function complaintPendingSteps(s: Pick<ComplaintState, 'status' | 'jurisdiction' | 'due'>): PendingStep[] {
  if (s.status !== 'open') return [];
  return [
    {
      action: 'decide-complaint',
      stage: null,
      audience: complaintAudience(s.jurisdiction),
      ...(s.due ? { dueAt: s.due.dueAt, dueAtMs: s.due.dueAtMs } : {}),
    },
  ];
}

export const COMPLAINT_NOTE_MAX = 2000;

/** 002 Art.25: a complaint is decided once, by a reviewer in scope, with what the investigation found. */
export function complaintDecisionRefusal(
  s: Pick<ComplaintState, 'id' | 'status' | 'jurisdiction'>,
  d: { actor?: Actor; upheld?: unknown; note?: unknown },
): Refusal | null {
  if (s.status !== 'open') return { code: 'ALREADY_DECIDED', message: `Complaint ${s.id} was ${s.status}` };
  if (!handlesComplaint(d.actor, s.jurisdiction)) return { code: 'FORBIDDEN', message: 'A complaint is decided by a reviewer of its jurisdiction' };
  if (typeof d.upheld !== 'boolean') return { code: 'VALIDATION_FAILED', message: 'upheld must be true or false' };
  if (typeof d.note !== 'string' || !d.note.trim() || d.note.length > COMPLAINT_NOTE_MAX) {
    return { code: 'VALIDATION_FAILED', message: `note must be 1–${COMPLAINT_NOTE_MAX} characters` };
  }
  return null;
}

/** What anyone holding the tracking code sees: how it stands, when it is due, the outcome — never who complained. */
export function complaintPublicView(s: {
  id: string;
  subject: ComplaintState['subject'];
  status: ComplaintStatus;
  receivedAt: string;
  dueDate: string | null;
  decision: { upheld: boolean; note: string; at: string } | null;
}) {
  return {
    id: s.id,
    subject: s.subject,
    status: s.status,
    receivedAt: s.receivedAt,
    dueDate: s.dueDate,
    outcome: s.decision ? { upheld: s.decision.upheld, note: s.decision.note, decidedAt: s.decision.at } : null,
  };
}
