/** api/certificate-changes.ts: reading the certificate changes into the look-up cache. */
import { SKEW_MS, watchCertificateChanges } from '../../api/certificate-changes';
import { CertificateCache } from '../../api/certificate-cache';

describe('watching the certificate changes', () => {
  let now = 1_700_000_000_000;
  const clock = () => now;
  /** a stand-in for the CertificateChange model: answers (or fails) what the test says, records the filters */
  function changes() {
    const filters: { recordedAt: { $gte: Date } }[] = [];
    let next: () => { number: string }[] = () => [];
    const model = {
      find: (filter: { recordedAt: { $gte: Date } }) => {
        filters.push(filter);
        return { lean: () => Promise.resolve().then(next) };
      },
    };
    return { model, filters, answer: (f: () => { number: string }[]) => (next = f) };
  }
  const cached = async (c: CertificateCache<string>, n: string) => {
    let read = false;
    await c.get(n, () => ((read = true), Promise.resolve(n)));
    return !read;
  };

  it('forgets every number in the entries it reads, reaching back SKEW_MS before its last read', async () => {
    const cache = new CertificateCache<string>({ ttlMs: 3_600_000, now: clock });
    const feed = changes();
    const watch = watchCertificateChanges({ CertificateChange: feed.model } as never, cache, { now: clock, pollMs: 3_600_000 });
    try {
      for (const n of ['A', 'B', 'C']) await cache.get(n, () => Promise.resolve(n));
      const start = now;
      feed.answer(() => [{ number: 'A' }, { number: 'C' }]);
      await watch.poll();
      expect(feed.filters[0].recordedAt.$gte.getTime()).toBe(start - SKEW_MS);
      expect([await cached(cache, 'A'), await cached(cache, 'B'), await cached(cache, 'C')]).toEqual([false, true, false]);
      now += 1000;
      const second = now;
      feed.answer(() => []);
      await watch.poll();
      // the second read starts where the first began, less the margin
      expect(feed.filters[1].recordedAt.$gte.getTime()).toBe(start - SKEW_MS);
      await watch.poll();
      expect(feed.filters[2].recordedAt.$gte.getTime()).toBe(second - SKEW_MS);
    } finally {
      watch.stop();
    }
  });

  it('suspends the cache while the changes cannot be read, and resumes it after', async () => {
    const cache = new CertificateCache<string>({ ttlMs: 3_600_000, now: clock });
    const feed = changes();
    const errors: unknown[] = [];
    const watch = watchCertificateChanges({ CertificateChange: feed.model } as never, cache, {
      now: clock,
      pollMs: 3_600_000,
      onError: (e) => errors.push(e),
    });
    try {
      await cache.get('A', () => Promise.resolve('A'));
      expect(await cached(cache, 'A')).toBe(true);
      feed.answer(() => {
        throw new Error('database away');
      });
      await watch.poll();
      await watch.poll();
      expect(errors).toHaveLength(1);
      expect(cache.size).toBe(0);
      expect(await cached(cache, 'A')).toBe(false);
      expect(await cached(cache, 'A')).toBe(false);
      feed.answer(() => []);
      await watch.poll();
      await cache.get('A', () => Promise.resolve('A'));
      expect(await cached(cache, 'A')).toBe(true);
    } finally {
      watch.stop();
    }
  });
});
