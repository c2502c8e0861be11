/**
 * The procedures after the notice, each a track of stages of its own (004 Art.8–10): a renewal, a
 * change (or a scope change, the whole application path), a voluntary termination. Opening one
 * records the institution's request; ending one records its result.
 */
import { jurisdictionAudience, jurisdictionOf, type Track } from '../../domain/filing';
import { chinaDateOf, isoChina } from '../../domain/dates';
import { renewalIsLate } from '../../domain/filing-dates';
import { TRACK_LABELS, label } from '../../domain/labels';
import { SYSTEM } from '../shared/case-record';
import { workflowNow } from '../time';
import { institutionOf, type FilingCase, type FilingWork } from './context';
import type { ChangeInput, TerminationInput } from './messages';
import { applyChange } from './notice';

type Request = Extract<FilingWork, { kind: 'request' }>;

/** The institution's request, as the main loop takes it: recorded, and its track about to run. */
export function openRequest(c: FilingCase, { track, input }: Request): void {
  const { state, record } = c;
  const now = workflowNow();
  if (track === 'change' || track === 'scope-change') state.change = { ...(input as ChangeInput).change, appliedAt: isoChina(now) };
  if (track === 'termination')
    state.termination = { kind: 'voluntary', reason: (input as TerminationInput).reason, requestedAt: isoChina(now), by: input.actor };
  const before = record.snapshot();
  if (track === 'renewal') {
    const late = renewalIsLate(state.notice!.validUntil, state.policy.renewalLeadMonths, chinaDateOf(now));
    state.renewal = { appliedAt: isoChina(now), late, remindersSent: state.reminders?.sent ?? 0 };
    state.status = 'renewal-pending';
    record.log('renewal-applied', input.actor, late ? 'late' : 'in time');
  } else if (track === 'change' || track === 'scope-change') {
    state.status = 'change-pending';
    record.log('change-applied', input.actor, track === 'scope-change' ? 'adds occupations or levels: the whole application path (004 Art.7(1))' : undefined);
  } else {
    record.log('termination-requested', input.actor, state.termination?.reason);
  }
  record.audit(`filing.apply-${track}`, input, before);
  record.notify(
    jurisdictionAudience(jurisdictionOf(state.application)),
    'request',
    `「${state.application.institution.name}」申请${label(TRACK_LABELS, track)}`,
  );
}

/** An ordered termination (004 Art.11), as the main loop takes it. */
export function orderTermination(c: FilingCase, t: TerminationInput): void {
  c.state.termination = { kind: 'ordered', reason: t.reason, requestedAt: isoChina(workflowNow()), by: t.actor };
}

/**
 * The end of a track. The application's pass is recorded as filed (its rejection ends the filing,
 * endings.ts); a request's result returns the filing to active, a change taking effect now (a
 * scope change took effect with its notice) and a renewal, change or scope change writing the
 * directory.
 */
export async function endTrack(c: FilingCase, track: Track, result: 'passed' | 'rejected'): Promise<'passed' | 'rejected'> {
  const { state, record } = c;
  const before = record.snapshot();
  state.due = null;
  state.stage = null;
  if (track === 'application') {
    if (result === 'passed') {
      record.log('filed', undefined);
      await record.flush();
    }
    return result;
  }
  const passed = result === 'passed';
  if (track === 'change' && passed) applyChange(c);
  if (track === 'renewal' && !passed) state.renewal = null;
  if (track === 'change' || track === 'scope-change') state.change = null;
  if (track === 'termination' && !passed) state.termination = null;
  state.track = 'application';
  if (!(track === 'termination' && passed)) state.status = 'active';
  record.log(`${track}-${result}`, undefined);
  record.audit(`filing.${track}-${result}`, { actor: SYSTEM }, before);
  record.notify(institutionOf(c), 'decision', `${label(TRACK_LABELS, track)}${passed ? '已通过' : '未通过'}`);
  await record.flush(track !== 'termination' && passed ? 'upsert' : undefined);
  return result;
}
