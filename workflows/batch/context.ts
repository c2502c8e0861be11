/**
 * One batch's case as its workflow keeps it: the input and policy, the state once the plan is
 * accepted (domain/batch BatchState), the record (history, audit, notifications, the read model)
 * and the mailbox through which Updates hand work to the main loop.
 */
import { proxyActivities, type ApplicationFailure, type RetryPolicy } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { DEFAULT_BATCH_POLICY, type BatchPolicy, type BatchState } from '../../domain/batch';
import { endOfDayMs, startOfDayMs } from '../../domain/dates';
import { batchIndex } from '../../domain/search-attributes';
import { CaseRecord } from '../shared/case-record';
import { failure } from '../shared/failure';
import { Mailbox, type WorkOf } from '../shared/mailbox';
import type { BatchInput, DecideInput, DismissInput, FilingTerminatedInput, ResolveInput, ResultsInput, ScoresInput, SuperviseInput } from './messages';

const retry: RetryPolicy = {
  initialInterval: '1 second',
  maximumInterval: '30 seconds',
  nonRetryableErrorTypes: ['SERIAL_EXHAUSTED', 'NOT_ENOUGH_SUPERVISORS'],
};

export const acts = proxyActivities<activities.Activities>({ startToCloseTimeout: '60 seconds', retry });

/**
 * The activities that go through a whole roster (20,000 candidates at most): longer, with
 * heartbeats, so a worker that dies mid-way is noticed in seconds and the retry resumes.
 */
export const rosterActs = proxyActivities<activities.Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '60 seconds', retry });

/** The work handed to the main loop (workflows/shared/mailbox.ts): Updates, and what signals and objections post. */
export type BatchWork =
  | WorkOf<{
      decide: DecideInput;
      supervise: SuperviseInput;
      scores: ScoresInput;
      resolve: ResolveInput;
      dismiss: DismissInput;
      results: ResultsInput;
      'filing-terminated': FilingTerminatedInput;
    }>
  | { kind: 'tell-objections' }
  | { kind: 'calendar'; years: number[] };

export type BatchHistoryEntry = BatchState['history'][number];

export class BatchCase {
  readonly policy: BatchPolicy;
  /** null until the plan is accepted */
  state: BatchState | null = null;
  /** the plan check's outcome, for the submitPlan Update */
  readonly plan: { settled: boolean; answered: boolean; refusal: ApplicationFailure | null } = { settled: false, answered: false, refusal: null };
  /** the center has been told that objections are open (once each time some are) */
  toldOfOpen = false;
  readonly mailbox: Mailbox<BatchWork>;
  readonly record = new CaseRecord<BatchHistoryEntry>({
    snapshot: () => ({ status: this.state?.status ?? null, stage: this.state?.stage ?? null }),
    history: () => this.s.history,
    index: () => (this.state ? batchIndex(this.state) : null),
    entry: (at, event, by, note) => ({ at, event, by, note, status: this.s.status }),
    write: async (drafts) => {
      this.s.version += 1;
      await acts.recordBatch({ state: this.s, audit: drafts.audit, notifications: drafts.notifications });
    },
  });

  /** `validateWork` validates handed-over work again as the loop takes it (validators.ts). */
  constructor(
    readonly input: BatchInput,
    validateWork: (c: BatchCase, w: BatchWork) => void,
  ) {
    this.policy = input.policy ?? DEFAULT_BATCH_POLICY;
    this.mailbox = new Mailbox<BatchWork>(
      () => this.state,
      (w) => validateWork(this, w),
    );
  }

  /** The accepted batch; refused while the plan is still being checked. */
  get s(): BatchState {
    if (!this.state) throw failure('INVALID_STATE', 'The batch plan is still being checked');
    return this.state;
  }

  /** 00:00 of the first exam day */
  get examStartMs(): number {
    return startOfDayMs(this.s.plan.firstExamDate);
  }

  /** the end of the last exam day */
  get examEndMs(): number {
    return endOfDayMs(this.s.plan.lastExamDate);
  }
}
