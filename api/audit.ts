/**
 * Audit entries for state-changing HTTP requests that no workflow records (registry
 * registrations, calendar loads): who, role, action, target, time, before → after, request id.
 * Workflow transitions are recorded by their own activities (activities/records.ts). The trail is
 * append-only: entries are inserted, never updated or deleted (models/records.ts guards it, and
 * test/unit/audit-append-only.test.ts checks the source).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Models } from '../models';

export interface RequestAudit {
  /** what was done, e.g. `registry.register-expert`, `calendar.load` */
  action: string;
  target: { type: string; id: string };
  /** the target before the request (null when it did not exist); personal data masked */
  before: unknown;
  /** the target after the request; personal data masked */
  after: unknown;
  note?: string;
}

/**
 * Appends one entry. Called after the change is made: when the append fails the request fails
 * (500) and the client's retry (registrations and calendar loads are idempotent upserts) records it.
 */
export async function recordRequestAudit(app: FastifyInstance, req: FastifyRequest, entry: RequestAudit): Promise<void> {
  const caller = req.caller;
  await app.services.models.Audit.create({
    _id: `req:${randomUUID()}`,
    targetType: entry.target.type,
    targetId: entry.target.id,
    actor: caller?.sub ?? 'public',
    actorName: caller?.name,
    role: caller?.role ?? 'public',
    action: entry.action,
    requestId: req.id,
    before: entry.before ?? null,
    after: entry.after ?? null,
    note: entry.note,
    at: await app.services.clock.now(),
  });
}

/** A case's audit trail, oldest first, for reviewers in scope (GET /filings/:id/audit, GET /batches/:id/audit). */
export async function auditTrail(models: Models, target: { type: 'filing' | 'batch'; id: string }, limit: number): Promise<Record<string, unknown>[]> {
  const items = await models.Audit.find({ targetType: target.type, targetId: target.id }).sort({ seq: 1, at: 1 }).limit(limit).lean();
  return items.map(({ _id, ...rest }) => ({ id: _id, ...rest, at: (rest.at as Date).toISOString() }));
}
