import { Schema } from 'mongoose';
import type { Audience } from '../domain/filing';

/**
 * The mail outbox: one document per mailed notification, same id, written by the activity that
 * writes the notification (activities/records.ts, recordBatch) and drained by the worker's mail
 * sender (infra/mail-sender.ts). It holds who the mail is for as an audience, never an address:
 * addresses are looked up when sending, from the registries and the institution.
 */
export type MailState = 'pending' | 'sent' | 'failed' | 'no-recipient';

export interface MailDoc {
  _id: string;
  kind: string;
  notificationKind: string;
  targetType: string;
  targetId: string;
  audience: Audience;
  subject: string;
  text: string;
  createdAt: Date;
  state: MailState;
  attempts: number;
  /** when the next attempt may start; a claimed mail's is pushed out by the claim's lease */
  nextAttemptAt: Date;
  /** the last failure's type and message (never an address) */
  lastError?: string | null;
  sentAt?: Date | null;
  messageId?: string | null;
  /** how many addresses the server accepted and refused (counts only: addresses are personal data) */
  accepted?: number;
  rejected?: number;
}

export const mailSchema = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true },
    notificationKind: { type: String, required: true },
    targetType: String,
    targetId: { type: String, index: true },
    audience: { type: Schema.Types.Mixed, required: true },
    subject: { type: String, required: true },
    text: { type: String, required: true },
    createdAt: { type: Date, required: true },
    state: { type: String, required: true, index: true },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true, index: true },
    lastError: String,
    sentAt: Date,
    messageId: String,
    accepted: Number,
    rejected: Number,
  },
  { collection: 'mails', versionKey: false },
);
