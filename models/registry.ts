import { Schema } from 'mongoose';

/**
 * 专家库 and 督导员库: registered people, keyed by their user id (the `sub` of their token).
 * Written only by the registry routes (province reviewers and admins), one document per person.
 */
export const registrantSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    idNumber: { type: String, required: true },
    province: { type: String, required: true, index: true },
    prefecture: { type: String, default: null },
    occupations: { type: [String], default: [] },
    /** where their reminders, escalations and decisions are mailed (personal data) */
    email: { type: String, default: null },
    active: { type: Boolean, default: true },
    registeredBy: String,
    registeredAt: Date,
    updatedBy: String,
    updatedAt: Date,
  },
  { versionKey: false },
);

/**
 * The reviewers' mail addresses (审核人员通讯录): who at a prefecture's or province's HR department
 * or skills center receives the mail of a step addressed to their role there (escalations,
 * reminders, tasks). Reviewers sign in by token and are not otherwise registered; only their
 * address needs a home. Written only by the /reviewers routes.
 */
export const reviewerSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    role: { type: String, required: true },
    province: { type: String, required: true, index: true },
    prefecture: { type: String, default: null },
    /** personal data: shown whole only to those who keep the province's registries */
    email: { type: String, required: true },
    active: { type: Boolean, default: true },
    registeredBy: String,
    registeredAt: Date,
    updatedBy: String,
    updatedAt: Date,
  },
  { versionKey: false },
);

/** Stored first answers to mutating requests that carried an Idempotency-Key. */
export const idempotencySchema = new Schema(
  {
    _id: { type: String, required: true },
    requestHash: { type: String, required: true },
    statusCode: { type: Number, required: true },
    contentType: String,
    body: String,
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true, index: true },
  },
  { collection: 'idempotency', versionKey: false },
);
