/**
 * Messages of a complaint (投诉举报, domain/complaints.ts): one workflow per complaint, id
 * `complaint/<id>`. The API imports this module (it pulls in no workflow code).
 *
 * The API starts the workflow and then asks `receivedUpdate`, which answers once the complaint's
 * read model is written (so the 202's tracking code works at once); the reviewer in scope decides
 * with `decideComplaintUpdate`. The complainant's name, contact and text never enter the workflow:
 * they are in the `complaint_submissions` collection, written by the API (models/complaints.ts).
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Jurisdiction } from '../../domain/batch';
import type { ComplaintPolicy, ComplaintState, ComplaintSubjectType } from '../../domain/complaints';
import type { Envelope } from '../shared/messages';

export const COMPLAINT_WORKFLOW = 'complaint';
export const complaintWorkflowId = (id: string) => `complaint/${id}`;

export interface ComplaintInput {
  complaintId: string;
  subject: { type: ComplaintSubjectType; id: string };
  institution: { creditCode: string; name: string };
  jurisdiction: Jurisdiction;
  policy: ComplaintPolicy;
  trackingHash: string;
  requestId?: string;
}

export interface DecideComplaintInput extends Envelope {
  upheld: boolean;
  note: string;
}

/** Answers once the complaint is recorded (its due date set), with its state. */
export const receivedUpdate = defineUpdate<ComplaintState, []>('received');
/** The reviewer in scope: upheld or dismissed, with a note; answers with the decided state. */
export const decideComplaintUpdate = defineUpdate<ComplaintState, [DecideComplaintInput]>('decideComplaint');
export const complaintStateQuery = defineQuery<ComplaintState>('state');
