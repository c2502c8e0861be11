/**
 * objections (公示异议): the texts of public objections, one document per objection, inserted once
 * by the API's intake after the case's workflow has counted the objection and named it
 * (`p<round>-<n>`, domain/objections.ts). Never updated: how an objection stands is the
 * workflow's ledger. Read by reviewers in scope; the objector is never shown to the institution.
 */
import { Schema } from 'mongoose';

export interface ObjectionDoc {
  /** `<targetType>:<targetId>:<objectionId>` */
  _id: string;
  targetType: 'filing' | 'batch';
  targetId: string;
  objectionId: string;
  round: number;
  n: number;
  name: string;
  contact: string;
  reason: string;
  /** keyed hashes of the contact and the client address, for the per-objector bound; never the values */
  contactKey: string;
  addressKey: string;
  receivedAt: Date;
}

export const objectionSchema = new Schema<ObjectionDoc>(
  {
    _id: { type: String, required: true },
    targetType: { type: String, required: true },
    targetId: { type: String, required: true },
    objectionId: { type: String, required: true },
    round: { type: Number, required: true },
    n: { type: Number, required: true },
    name: { type: String, required: true },
    contact: { type: String, required: true },
    reason: { type: String, required: true },
    contactKey: { type: String, required: true },
    addressKey: { type: String, required: true },
    receivedAt: { type: Date, required: true },
  },
  { collection: 'objections', versionKey: false },
);
objectionSchema.index({ targetType: 1, targetId: 1, round: 1, n: 1 });

/**
 * objection_senders: which objections of one publicity one objector sent, one small document per
 * objector and kind (`<targetType>:<targetId>:<round>:<contact|address>:<key>`), read by _id for
 * the per-objector bound. Written only by the API's intake; a lost concurrent $push can at worst
 * let one objector past the bound by the few requests that raced.
 */
export const objectionSenderSchema = new Schema(
  {
    _id: { type: String, required: true },
    ids: { type: [String], default: [] },
  },
  { collection: 'objection_senders', versionKey: false },
);
