/**
 * The mail sender: drains the outbox (models/mail.ts) that the record activities fill, in every
 * worker process while mail is on (SMTP_URL set).
 *
 * Why an outbox and not an activity the workflow schedules: the outbox document is written by the
 * same activity, in the same retry, as the notification it mirrors, so once a transition is
 * recorded its mail exists durably — whatever SMTP, the workflow run (it may end or continue as
 * new a moment later) or this process do next. Sending apart from that write means an SMTP outage
 * never fails or repeats a case's transition, and no workflow's command sequence changes (recorded
 * histories replay as they are). The retry policy is here: a mail the server could not take
 * (SMTP_UNAVAILABLE: down, 4xx, TLS, authentication) is tried again after 30 s, doubling to every
 * 10 minutes, without end — an outage of hours or days only delays it; one the server refused for
 * good (SMTP_REJECTED, MAIL_INVALID) is kept as `failed` with the reason, never dropped silently.
 *
 * Several workers drain one outbox: each mail is claimed with a lease (its next attempt pushed out
 * by LEASE before sending), so one worker sends it at a time; a worker that dies mid-send leaves
 * the lease to expire and another sends again — at-least-once, with the same Message-ID
 * (infra/mailer.ts), so copies are recognisable.
 *
 * Addresses are looked up at each attempt and never logged or stored in the outbox: the log says
 * which mail, which attempt and how it went.
 */
import type { Models } from '../models';
import type { MailDoc } from '../models/mail';
import type { Audience } from '../domain/filing';
import type { Mailer } from './mailer';

export interface MailSenderOptions {
  /** how often the outbox is looked at, ms */
  pollMs?: number;
  /** the first retry's delay and the longest, ms */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** how long a claimed mail is left to its sender before another may take it, ms */
  leaseMs?: number;
  /** mails claimed per look */
  batch?: number;
  log?: (line: string) => void;
}

export interface MailSender {
  /** one pass over the due mails; resolves with how many were sent */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/** The delay before attempt `attempts + 1`: doubling from `initial`, capped at `max`. */
export function retryDelayMs(attempts: number, initial: number, max: number): number {
  return Math.min(max, initial * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
}

/** Where an audience's mail goes: the institution's contact, and the registered people it names who have an address. */
export async function recipientsOf(models: Models, audience: Audience): Promise<string[]> {
  const to = new Set<string>();
  if (audience.institutionId) {
    const inst = await models.Institution.findById(audience.institutionId, { contactEmail: 1 }).lean();
    if (inst?.contactEmail) to.add(inst.contactEmail);
  }
  const ids = audience.userIds ?? [];
  if (ids.length) {
    const registries = audience.role === 'expert' ? [models.Expert] : audience.role === 'supervisor' ? [models.Supervisor] : [models.Expert, models.Supervisor];
    for (const registry of registries) {
      const people = await registry.find({ _id: { $in: ids } }, { email: 1, active: 1 }).lean();
      for (const p of people) if (p.email && p.active !== false) to.add(p.email);
    }
  }
  // a step addressed to a role in a region (a reviewer's task, an escalation): the address book's people of that role there
  if (audience.role && REVIEWER_ROLE_SET.has(audience.role) && audience.province) {
    const where = audience.role === 'province-reviewer' ? {} : audience.prefecture ? { prefecture: audience.prefecture } : { prefecture: null };
    const people = await models.Reviewer.find({ role: audience.role, province: audience.province, ...where }, { email: 1, active: 1 }).lean();
    for (const p of people) if (p.email && p.active !== false) to.add(p.email);
  }
  return [...to];
}

const REVIEWER_ROLE_SET: ReadonlySet<string> = new Set(['prefecture-reviewer', 'province-reviewer', 'center']);

export function startMailSender(models: Models, mailer: Mailer, opts: MailSenderOptions = {}): MailSender {
  const pollMs = opts.pollMs ?? 2_000;
  const initial = opts.retryInitialMs ?? 30_000;
  const max = opts.retryMaxMs ?? 600_000;
  const lease = opts.leaseMs ?? 120_000;
  const batch = opts.batch ?? 20;
  const log = opts.log ?? ((line: string) => console.log(line));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function deliver(m: MailDoc): Promise<boolean> {
    // the claim's attempt number guards every outcome: a later claim (after this lease ran out) wins
    const mine = { _id: m._id, attempts: m.attempts };
    const to = await recipientsOf(models, m.audience);
    if (!to.length) {
      await models.Mail.updateOne(mine, { $set: { state: 'no-recipient', lastError: null } });
      return false;
    }
    try {
      const sent = await mailer.sendMail({ to, subject: m.subject, text: m.text, messageId: `mail-${m._id}` });
      await models.Mail.updateOne(mine, {
        $set: { state: 'sent', sentAt: new Date(), messageId: sent.messageId, accepted: sent.accepted.length, rejected: sent.rejected.length, lastError: null },
      });
      return true;
    } catch (err) {
      const f = err as { type?: string; nonRetryable?: boolean; message?: string };
      const reason = `${f.type ?? 'ERROR'}: ${f.message ?? String(err)}`.slice(0, 500);
      if (f.nonRetryable) {
        await models.Mail.updateOne(mine, { $set: { state: 'failed', lastError: reason } });
        log(`mail ${m._id}: refused for good after attempt ${m.attempts} (${f.type})`);
      } else {
        const next = new Date(Date.now() + retryDelayMs(m.attempts, initial, max));
        await models.Mail.updateOne(mine, { $set: { nextAttemptAt: next, lastError: reason } });
        log(`mail ${m._id}: attempt ${m.attempts} not sent (${f.type ?? 'ERROR'}); next attempt at ${next.toISOString()}`);
      }
      return false;
    }
  }

  async function drainOnce(): Promise<number> {
    const now = new Date();
    const due = await models.Mail.find({ state: 'pending', nextAttemptAt: { $lte: now } }, { _id: 1 })
      .sort({ nextAttemptAt: 1 })
      .limit(batch)
      .lean();
    let sent = 0;
    for (const { _id } of due) {
      if (stopped) break;
      const claimed = await models.Mail.findOneAndUpdate(
        { _id, state: 'pending', nextAttemptAt: { $lte: now } },
        { $set: { nextAttemptAt: new Date(Date.now() + lease) }, $inc: { attempts: 1 } },
        { new: true },
      ).lean();
      if (claimed && (await deliver(claimed as MailDoc))) sent++;
    }
    return sent;
  }

  const drain = () => {
    // one pass at a time in a process: the timer and a caller share it
    running ??= drainOnce().finally(() => (running = undefined));
    return running;
  };

  const tick = async () => {
    try {
      await drain();
    } catch (err) {
      // the database away: the outbox stays as it is, the next look tries again
      log(`mail sender: outbox not read (${(err as Error).message}); trying again`);
    }
    if (!stopped) timer = setTimeout(tick, pollMs);
  };
  timer = setTimeout(tick, 0);

  return {
    drain,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
      mailer.close();
    },
  };
}
