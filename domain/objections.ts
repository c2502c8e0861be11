/**
 * Public objections during a 公示 (SPEC §2 step 5, §3 step 5; 004 Art.7(5), 000 §五(二)3).
 *
 * Anyone may object, so an objection must never make a case's state, an Update's reply or a
 * history event grow without bound. The workflow keeps a ledger of counts and resolutions only:
 * objections of one publicity are numbered `p<round>-1`, `p<round>-2`, …; their texts (name,
 * contact, reason) live in the `objections` collection, keyed by the same id, and never pass
 * through the workflow. Reviewers resolve one at a time, or dismiss every open one at once after
 * investigating a flood of duplicates. Resolutions are bounded by what reviewers do.
 */
import type { Caller as Actor } from './roles';

export interface ObjectionResolution {
  objectionId: string;
  upheld: boolean;
  note: string;
  /** when upheld: send the case back to this stage instead of rejecting it (filings) */
  returnTo?: string;
  by: Actor;
  at: string;
}

export interface ObjectionLedger {
  /** objections accepted in this publicity: ids p<round>-1 … p<round>-<received> */
  received: number;
  /** each objection resolved on its own */
  resolutions: ObjectionResolution[];
  /** every objection up to #through not resolved on its own was dismissed together */
  dismissedThrough?: { through: number; note: string; by: Actor; at: string };
}

export const emptyLedger = (): ObjectionLedger => ({ received: 0, resolutions: [] });

export const objectionIdOf = (round: number, n: number): string => `p${round}-${n}`;

/** The number of an objection of this publicity, or null when the id is not one of it. */
export function objectionNumber(round: number, id: string): number | null {
  const m = /^p(\d{1,4})-(\d{1,9})$/.exec(id);
  if (!m || Number(m[1]) !== round) return null;
  const n = Number(m[2]);
  return n >= 1 ? n : null;
}

/** How an objection stands: unknown, open, or resolved (upheld or dismissed). */
export function objectionStatus(l: ObjectionLedger, round: number, id: string): 'unknown' | 'open' | 'upheld' | 'dismissed' {
  const n = objectionNumber(round, id);
  if (n === null || n > l.received) return 'unknown';
  const own = l.resolutions.find((r) => r.objectionId === id);
  if (own) return own.upheld ? 'upheld' : 'dismissed';
  if (l.dismissedThrough && n <= l.dismissedThrough.through) return 'dismissed';
  return 'open';
}

/** Objections neither resolved on their own nor covered by a bulk dismissal. */
export function openObjections(l: ObjectionLedger): number {
  const through = l.dismissedThrough?.through ?? 0;
  const resolvedAfter = l.resolutions.filter((r) => {
    const n = Number(r.objectionId.split('-')[1]);
    return n > through;
  }).length;
  return l.received - through - resolvedAfter;
}

export const upheldObjection = (l: ObjectionLedger): ObjectionResolution | undefined => l.resolutions.find((r) => r.upheld);

/** Why a resolution of `id` is refused, or null. */
export function resolutionRefusal(l: ObjectionLedger, round: number, id: string): { code: 'NOT_FOUND' | 'ALREADY_DECIDED'; message: string } | null {
  const status = objectionStatus(l, round, id);
  if (status === 'unknown') return { code: 'NOT_FOUND', message: 'No such objection in the current publicity' };
  if (status !== 'open') return { code: 'ALREADY_DECIDED', message: 'This objection is already resolved' };
  return null;
}

/** The moment the last resolution was made, epoch ms (0 when none): a publicity kept open by objections closes then. */
export function lastResolutionMs(l: ObjectionLedger): number {
  return Math.max(0, ...l.resolutions.map((r) => Date.parse(r.at)), l.dismissedThrough ? Date.parse(l.dismissedThrough.at) : 0);
}
