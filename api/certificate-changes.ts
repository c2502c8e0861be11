/**
 * Every API process learns of a change to a certificate made anywhere (another API process, a
 * workflow) within about a second: the activities that revoke, correct or reissue a certificate
 * record one entry each in `certificate_changes` (activities/records.ts recordCertificateChange),
 * and this reads the new entries every POLL_MS and forgets their numbers in the look-up cache.
 *
 * Entries are read by the time the writing worker gave them, so the read reaches back SKEW_MS
 * before the last one (the worker's clock may run behind this one's, and an insert lands a moment
 * after its time); an entry read twice is forgotten twice, which costs nothing. A read that fails
 * suspends the cache until one succeeds: a change could be missed meanwhile.
 */
import type { Models } from '../models';
import type { CertificateCache } from './certificate-cache';

export const POLL_MS = 1_000;
export const SKEW_MS = 60_000;

export interface CertificateChangeWatch {
  /** one read of the new entries (the timer calls it; tests may too) */
  poll(): Promise<void>;
  stop(): void;
}

export function watchCertificateChanges(
  models: Pick<Models, 'CertificateChange'>,
  cache: Pick<CertificateCache<unknown>, 'forget' | 'suspend' | 'resume'>,
  opts: { pollMs?: number; now?: () => number; onError?: (err: unknown) => void } = {},
): CertificateChangeWatch {
  const now = opts.now ?? Date.now;
  // nothing is kept before the first look-up, so there is nothing older to forget
  let since = now();
  let polling: Promise<void> | undefined;
  let failing = false;

  const read = async () => {
    const started = now();
    try {
      const entries = await models.CertificateChange.find({ recordedAt: { $gte: new Date(since - SKEW_MS) } }, { number: 1 }).lean();
      for (const e of entries) cache.forget(e.number);
      since = started;
      if (failing) cache.resume();
      failing = false;
    } catch (err) {
      if (!failing) opts.onError?.(err);
      failing = true;
      cache.suspend();
    }
  };
  // one read at a time: a slow database does not pile them up
  const poll = () => (polling ??= read().finally(() => (polling = undefined)));
  const timer = setInterval(() => void poll(), opts.pollMs ?? POLL_MS);
  timer.unref();
  return { poll, stop: () => clearInterval(timer) };
}
