/**
 * One complaint's case as its workflow keeps it: the state (domain/complaints ComplaintState), the
 * record (history, audit, notifications, the read model through `recordComplaint`) and the mailbox
 * through which the decision Update hands its work to the main loop.
 */
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../../activities';
import type { ComplaintState } from '../../domain/complaints';
import { isoChina } from '../../domain/dates';
import { CaseRecord } from '../shared/case-record';
import { Mailbox, type WorkOf } from '../shared/mailbox';
import { workflowNow } from '../time';
import type { ComplaintInput, DecideComplaintInput } from './messages';

export const acts = proxyActivities<activities.Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export type ComplaintWork = WorkOf<{ decide: DecideComplaintInput }>;

export class ComplaintCase {
  readonly s: ComplaintState;
  /** the read model holds the complaint (the receivedUpdate answers then) */
  recorded = false;
  readonly mailbox: Mailbox<ComplaintWork>;
  readonly record = new CaseRecord<ComplaintState['history'][number]>({
    snapshot: () => ({ status: this.s.status, stage: null }),
    history: () => this.s.history,
    // no search attributes: complaints are found through their read model
    index: () => null,
    entry: (at, event, by, note) => ({ at, event, by, note }),
    write: async (drafts) => {
      this.s.version += 1;
      await acts.recordComplaint({ state: this.s, audit: drafts.audit, notifications: drafts.notifications });
    },
  });

  constructor(
    readonly input: ComplaintInput,
    validate: (c: ComplaintCase, w: ComplaintWork) => void,
  ) {
    this.s = {
      id: input.complaintId,
      subject: input.subject,
      institution: input.institution,
      jurisdiction: input.jurisdiction,
      policy: input.policy,
      trackingHash: input.trackingHash,
      status: 'open',
      receivedAt: isoChina(workflowNow()),
      due: null,
      escalations: [],
      decision: null,
      history: [],
      version: 0,
    };
    this.mailbox = new Mailbox<ComplaintWork>(
      () => this.s,
      (w) => validate(this, w),
    );
  }
}
