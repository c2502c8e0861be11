/**
 * What a filing's 公示 and a batch's result publicity share (004 Art.7(5), 000 §五(二)3): the
 * resolution of objections as the record shows it, and the moment a publicity closed.
 */
import type { DueDate } from '../../activities/calendar';
import { isoChina } from '../../domain/dates';
import { lastResolutionMs, openObjections, type ObjectionLedger } from '../../domain/objections';
import type { DismissInput, Envelope } from './messages';
import type { CaseRecord } from './case-record';
import { workflowNow } from '../time';

/** One objection resolved by a reviewer: in the ledger, the history and the audit (`action`). */
export function recordResolution(
  record: CaseRecord<unknown, unknown>,
  ledger: ObjectionLedger,
  r: Envelope & { objectionId: string; upheld: boolean; note: string; returnTo?: string },
  action: string,
): void {
  const before = record.snapshot();
  ledger.resolutions.push({ objectionId: r.objectionId, upheld: r.upheld, note: r.note, returnTo: r.returnTo, by: r.actor, at: isoChina(workflowNow()) });
  record.log(r.upheld ? 'objection-upheld' : 'objection-dismissed', r.actor, `${r.objectionId}: ${r.note.slice(0, 200)}`);
  record.audit(action, r, before, `${r.objectionId}: ${r.upheld ? 'upheld' : 'dismissed'}`);
}

/** Every open objection dismissed at once (a flood of duplicates investigated together). */
export function recordDismissal(record: CaseRecord<unknown, unknown>, ledger: ObjectionLedger, d: DismissInput, action: string): void {
  const before = record.snapshot();
  const open = openObjections(ledger);
  ledger.dismissedThrough = { through: ledger.received, note: d.note, by: d.actor, at: isoChina(workflowNow()) };
  record.log('objections-dismissed', d.actor, `${open} through #${ledger.received}: ${d.note.slice(0, 200)}`);
  record.audit(action, d, before, `${open} open objections through #${ledger.received}`);
}

/** A publicity closes at its end, or when the last objection was resolved after it: that moment, not the timer's. */
export function closingMs(p: { endsAtMs: number; objections: ObjectionLedger }): number {
  return Math.max(p.endsAtMs, lastResolutionMs(p.objections));
}

/** A publicity's end as the calendar activity computed it. */
export function publicityEnd(r: DueDate) {
  return { endDate: r.date, endsAt: r.dueAt, endsAtMs: r.dueAtMs, coverage: r.coverage };
}
