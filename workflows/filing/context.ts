/**
 * One filing's case as its workflow keeps it: the state (domain/filing FilingState), the record
 * (history, audit, notifications, the read model), the mailbox through which Updates hand work to
 * the main loop, and what wakes a wait. Every module of the workflow takes it as its first argument.
 */
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../../activities';
import type { FilingState, HistoryEntry, Track } from '../../domain/filing';
import { isoChina } from '../../domain/dates';
import { filingIndex } from '../../domain/search-attributes';
import { CaseRecord } from '../shared/case-record';
import { Mailbox, type WorkOf } from '../shared/mailbox';
import { workflowNow } from '../time';
import type {
  ChangeInput,
  DecideInput,
  FilingInput,
  RenewalInput,
  ResolveInput,
  SupplementInput,
  TerminationInput,
  AssignInput,
  DismissInput,
} from './messages';

/**
 * Calendar arithmetic is an ordinary activity (its result recorded in history, so a later
 * calendar never rewrites it). Not a local activity: demo-mode workers run without a workflow
 * cache (see worker.ts), and a local activity's result cannot reach an evicted workflow.
 */
export const acts = proxyActivities<activities.Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['SERIAL_EXHAUSTED'] },
});

/** The work an Update hands to the main loop (workflows/shared/mailbox.ts). */
export type FilingWork =
  | WorkOf<{
      assign: AssignInput;
      decide: DecideInput;
      supplement: SupplementInput;
      resolve: ResolveInput;
      dismiss: DismissInput;
      'ordered-termination': TerminationInput;
    }>
  | { kind: 'request'; track: Exclude<Track, 'application'>; input: RenewalInput | ChangeInput | TerminationInput };

export type DirectoryWrite = 'upsert' | 'remove' | undefined;

export interface FilingCase {
  readonly input: FilingInput;
  readonly state: FilingState;
  readonly record: CaseRecord<HistoryEntry, DirectoryWrite>;
  readonly mailbox: Mailbox<FilingWork>;
  /** a deadline may have moved (an exam held, a calendar loaded): a waiting loop looks again */
  deadlineMoved: boolean;
  /** official calendar years loaded since the last recomputation */
  calendarYears: number[];
  /** the filing reached the end of its validity during a renewal or change */
  expired: boolean;
  /** a renewal, change or voluntary termination is running its track: no other request meanwhile */
  requestUnderway: boolean;
}

export const is =
  <K extends FilingWork['kind']>(...kinds: K[]) =>
  (w: FilingWork): w is Extract<FilingWork, { kind: K }> =>
    (kinds as string[]).includes(w.kind);

/** `validateWork` validates handed-over work again as the loop takes it (validators.ts). */
export function openCase(input: FilingInput, validateWork: (c: FilingCase, w: FilingWork) => void): FilingCase {
  const state = input.carried ?? initialState(input);
  const record = new CaseRecord<HistoryEntry, DirectoryWrite>({
    snapshot: () => ({ status: state.status, stage: state.stage }),
    history: () => state.history,
    index: () => filingIndex(state),
    entry: (at, event, by, note) => ({ at, event, to: state.stage ?? state.status, by, note }),
    async write(drafts, directory) {
      state.version += 1;
      await acts.recordFiling({ state, audit: drafts.audit, notifications: drafts.notifications, directory });
    },
  });
  const c: FilingCase = {
    input,
    state,
    record,
    deadlineMoved: false,
    calendarYears: [],
    expired: false,
    requestUnderway: false,
    mailbox: new Mailbox<FilingWork>(
      () => state,
      (w) => validateWork(c, w),
    ),
  };
  return c;
}

/** An ordered termination, or the end of validity during a renewal or change, cuts the current step short. */
export function interrupted(c: FilingCase): boolean {
  return c.expired || c.mailbox.has(is('ordered-termination'));
}

/** The institution, as an audience. */
export function institutionOf(c: FilingCase) {
  return { role: 'institution' as const, institutionId: c.state.application.institution.creditCode };
}

function initialState(input: FilingInput): FilingState {
  const now = isoChina(workflowNow());
  return {
    id: input.filingId,
    policy: input.policy,
    application: input.application,
    status: 'in-review',
    track: 'application',
    stage: null,
    assignments: {},
    assignedExperts: [],
    decisions: [],
    supplements: [],
    due: null,
    escalations: [],
    publicity: null,
    notice: null,
    renewal: null,
    change: null,
    termination: null,
    history: [],
    version: 0,
    runs: 0,
    submittedAt: now,
    submittedBy: input.submittedBy,
  };
}
