/**
 * What the filing's and the batch's messages have in common (each messages.ts re-exports these,
 * and the API imports them from there): the envelope of every request, and the public's objection
 * during a publicity. Definitions only: no workflow code.
 */
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../domain/filing';

export interface Envelope {
  actor: Actor;
  /** the HTTP request id, for the audit trail */
  requestId?: string;
}

/** An objection's text goes to the objections collection, never into a workflow (domain/objections.ts). */
export interface ObjectionInput {
  requestId?: string;
}

/** Every open objection of the publicity dismissed at once (a flood of duplicates, investigated together). */
export interface DismissInput extends Envelope {
  note: string;
}

/** During a publicity, by the public: counted, answered with the objection's id. */
export const objectionUpdate = defineUpdate<{ objectionId: string }, [ObjectionInput]>('object');

/**
 * An admin loaded official calendar years (PUT /calendar/years/:year): due dates and a publicity
 * end computed from an estimated year are computed again (recorded in history and audit).
 */
export const calendarUpdatedSignal = defineSignal<[{ years: number[] }]>('calendarUpdated');
