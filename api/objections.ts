/**
 * Public objections over HTTP (公示异议), for filings and batches alike. The workflow counts an
 * objection and names it (`p<round>-<n>`); its text goes to the objections collection here and
 * never through the workflow, so a flood of objections cannot jam a case (domain/objections.ts).
 *
 * One objector (a contact, and separately a client address) may hold at most
 * OBJECTIONS_PER_OBJECTOR open objections in one publicity; past it the answer is 429
 * TOO_MANY_OBJECTIONS, never a hang.
 */
import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { objectionStatus, openObjections, type ObjectionLedger } from '../domain/objections';
import type { Objection } from '../domain/filing';
import { DomainError } from './problems';
import { insertOnce } from '../activities/records';
import { withoutObjector } from './masking';
import { recordRequestAudit } from './audit';

type Target = { type: 'filing' | 'batch'; id: string };
type Publicity = { round: number; objections: ObjectionLedger; closedAt?: string } | null | undefined;

/** A keyed hash: the bound needs to recognise an objector, never to know the contact or address. */
const who = (s: { who: string }) => s.who;

/** Also the complaints' per-complainant bound (api/routes/complaints.ts). */
export function keyOf(app: FastifyInstance, what: string, value: string): string {
  return createHmac('sha256', `${app.services.settings.AUTH_JWT_SECRET ?? 'objections'}:${what}`)
    .update(value.normalize('NFKC').trim().toLowerCase())
    .digest('base64url');
}

/**
 * Takes one public objection: the bound per objector, the workflow's count and name for it
 * (`count`: the case's objection Update, api/cases.ts), its text stored. `publicity` is the case's
 * current publicity as the read model has it.
 */
export async function receiveObjection(
  req: FastifyRequest,
  reply: FastifyReply,
  target: Target,
  publicity: Publicity,
  count: () => Promise<{ objectionId: string }>,
  body: { name: string; contact: string; reason: string },
) {
  const app = req.server;
  const { models, settings } = app.services;
  const contactKey = keyOf(app, 'contact', body.contact);
  const addressKey = keyOf(app, 'address', req.ip);
  const senders = publicity
    ? (
        [
          ['contact', contactKey, 'this contact'],
          ['address', addressKey, 'this address'],
        ] as const
      ).map(([kind, key, who]) => ({ id: `${target.type}:${target.id}:${publicity.round}:${kind}:${key}`, who }))
    : [];
  if (publicity && !publicity.closedAt) {
    const limit = settings.OBJECTIONS_PER_OBJECTOR;
    for (const sender of senders) {
      const sent = (await models.ObjectionSender.findById(sender.id).lean())?.ids ?? [];
      // the read model's ledger may lag behind the workflow: an objection it does not know yet is open
      const open = sent.filter((id) => ['open', 'unknown'].includes(objectionStatus(publicity.objections, publicity.round, id))).length;
      if (open >= limit) {
        reply.header('retry-after', '3600');
        throw new DomainError(
          'TOO_MANY_OBJECTIONS',
          `This publicity already holds ${open} open objections from ${who(sender)}; more are accepted once they are resolved`,
        );
      }
    }
  }
  const { objectionId } = await count();
  const [round, n] = [Number(objectionId.slice(1, objectionId.indexOf('-'))), Number(objectionId.slice(objectionId.indexOf('-') + 1))];
  await insertOnce(models.Objection, [
    {
      _id: `${target.type}:${target.id}:${objectionId}`,
      targetType: target.type,
      targetId: target.id,
      objectionId,
      round,
      n,
      name: body.name,
      contact: body.contact,
      reason: body.reason,
      contactKey,
      addressKey,
      receivedAt: new Date(),
    },
  ]);
  // the audit trail says an objection came in, never who sent it
  await recordRequestAudit(app, req, { action: `${target.type}.object`, target: { type: target.type, id: target.id }, before: null, after: { objectionId } });
  const ofRound = (
    [
      ['contact', contactKey],
      ['address', addressKey],
    ] as const
  ).map(([kind, key]) => `${target.type}:${target.id}:${round}:${kind}:${key}`);
  await Promise.all(ofRound.map((id) => models.ObjectionSender.updateOne({ _id: id }, { $addToSet: { ids: objectionId } }, { upsert: true })));
  return reply.status(202).send({ objectionId });
}

/** How many objections the view lists of each kind (open, resolved on their own); the counts say how many there are. */
const LISTED = 50;

/**
 * The publicity as the API shows it: the open objections first (oldest first), then the latest
 * resolved on their own, each with its text and how it stands, and the counts; objections
 * dismissed together are counted in `dismissedThrough`. The objector only for those who
 * investigate.
 */
export async function publicityView<P extends NonNullable<Publicity>>(
  app: FastifyInstance,
  target: Target,
  p: P,
  investigates: boolean,
): Promise<
  Omit<P, 'objections'> & { objections: Objection[]; objectionCount: number; openObjections: number; dismissedThrough?: ObjectionLedger['dismissedThrough'] }
> {
  const l = p.objections;
  const view = (objections: Objection[]) => ({
    ...p,
    objections,
    objectionCount: l.received,
    openObjections: openObjections(l),
    ...(l.dismissedThrough ? { dismissedThrough: l.dismissedThrough } : {}),
  });
  if (l.received === 0) return view([]);
  const openIds: string[] = [];
  for (let n = (l.dismissedThrough?.through ?? 0) + 1; n <= l.received && openIds.length < LISTED; n++) {
    const id = `p${p.round}-${n}`;
    if (objectionStatus(l, p.round, id) === 'open') openIds.push(id);
  }
  const resolved = l.resolutions.slice(-LISTED);
  const ids = [...openIds, ...resolved.map((r) => r.objectionId)];
  // one lookup by _id each: what FerretDB answers without a scan
  const docs = (await Promise.all(ids.map((id) => app.services.models.Objection.findById(`${target.type}:${target.id}:${id}`).lean()))).filter((d) => !!d);
  const byId = new Map(docs.map((d) => [d.objectionId, d]));
  const shown = (id: string, resolution?: Objection['resolution']): Objection => {
    const d = byId.get(id);
    const o: Objection = {
      id,
      name: d?.name,
      contact: d?.contact,
      reason: d?.reason,
      receivedAt: d?.receivedAt?.toISOString(),
      ...(resolution ? { resolution } : {}),
    };
    return investigates ? o : (withoutObjector(o) as Objection);
  };
  return view([...openIds.map((id) => shown(id)), ...resolved.map((r) => shown(r.objectionId, r))]);
}
