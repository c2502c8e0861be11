/**
 * Idempotency-Key on every mutating route (POST, PUT, PATCH, DELETE): the first answer (status below 500) is stored for a
 * day; the same key again returns it; the same key with a different body is 422
 * IDEMPOTENCY_KEY_REUSED.
 *
 * Keys are per route and per caller, and a caller is its whole identity (sub, role and every scope
 * claim), so a token with the same sub and other claims never replays another's answer; a replay
 * about a filing or batch checks again that the caller may see it. Anonymous callers share one
 * key space per route, the key bound to the body: two people who send the same key with
 * different bodies get 422, never each other's answer.
 */
import fp from 'fastify-plugin';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { DomainError, invalid, notFound } from '../problems';
import type { Caller } from '../../domain/roles';

const TTL_MS = 24 * 3_600_000;
const TRANSIENT = new Set([401, 404, 408, 429]);
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { id: string; hash: string; replayed?: boolean };
  }
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export default fp(
  async (app) => {
    const { Idempotency } = app.services.models;
    const { filings, batches } = app.repositories;

    async function mayStillSee(c: Caller, req: FastifyRequest): Promise<boolean> {
      const route = req.routeOptions.url ?? '';
      const id = (req.params as { id?: string } | undefined)?.id;
      if (!id) return true;
      if (route.startsWith('/api/v1/filings/:id')) return filings.visible(c, id);
      if (route.startsWith('/api/v1/batches/:id')) return batches.visible(c, id);
      return true;
    }

    async function replayStored(req: FastifyRequest, reply: FastifyReply) {
      const key = req.headers['idempotency-key'];
      if (!MUTATING.has(req.method) || key === undefined) return;
      if (typeof key !== 'string' || key.length < 1 || key.length > 200) throw invalid('Idempotency-Key must be 1–200 characters');
      const c = req.caller;
      const who = c ? JSON.stringify([c.sub, c.role, c.province ?? '', c.prefecture ?? '', c.institutionId ?? '']) : 'public';
      const id = sha(`${who}\n${req.method}\n${req.url.split('?')[0]}\n${key}`);
      const hash = sha(JSON.stringify(req.body ?? null));
      req.idempotency = { id, hash };
      const stored = await Idempotency.findById(id).lean();
      if (!stored || stored.expiresAt.getTime() < Date.now()) return;
      if (stored.requestHash !== hash) {
        throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request body');
      }
      // an answer with a case's data: the caller must (still) be allowed to see that case
      if (c && stored.statusCode < 300 && !(await mayStillSee(c, req))) throw notFound('case');
      req.idempotency.replayed = true;
      reply.header('idempotent-replayed', 'true');
      if (stored.contentType) reply.type(stored.contentType);
      return reply.status(stored.statusCode).send(stored.body ?? '');
    }

    async function storeAnswer(req: FastifyRequest, reply: FastifyReply, payload: unknown) {
      const idem = req.idempotency;
      // answers that may change without anything being done are not kept: a 404 (a case whose read
      // model is not written yet), 401, 408 and 429; a retry with the same key then runs again
      if (!idem || idem.replayed || reply.statusCode >= 500 || TRANSIENT.has(reply.statusCode)) return payload;
      if (reply.statusCode === 422 && (payload as string | undefined)?.includes?.('IDEMPOTENCY_KEY_REUSED')) return payload;
      const now = Date.now();
      try {
        await Idempotency.replaceOne(
          { _id: idem.id },
          {
            _id: idem.id,
            requestHash: idem.hash,
            statusCode: reply.statusCode,
            contentType: String(reply.getHeader('content-type') ?? ''),
            body: typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : JSON.stringify(payload ?? null),
            createdAt: new Date(now),
            expiresAt: new Date(now + TTL_MS),
          },
          { upsert: true },
        );
      } catch (err) {
        req.log.warn({ err }, 'could not store idempotent answer');
      }
      return payload;
    }

    // on the mutating routes only, registered after this plugin (all of the API's and the console's):
    // a read then runs neither hook (bench (h))
    app.addHook('onRoute', (r: RouteOptions) => {
      if (![r.method].flat().some((m) => MUTATING.has(m))) return;
      r.preHandler = [replayStored, ...[r.preHandler ?? []].flat()];
      r.onSend = [...[r.onSend ?? []].flat(), storeAnswer];
    });
  },
  { name: 'idempotency', dependencies: ['services', 'repositories'] },
);
