/**
 * The public answer of GET /certificates/:number, kept a few seconds by this API process
 * (CERTIFICATE_CACHE_SECONDS): without it every look-up is a database round trip, about seven
 * times the CPU of a route that does nothing (bench (c)). Bounded in entries, the least recently
 * used going first (a Map keeps insertion order; a hit moves its entry to the end).
 *
 * A write to a certificate through this process (revocation, approved correction, reissue)
 * forgets its number when it completes, so this process never answers the old state afterwards;
 * a look-up that read the database before that write ended does not put its (older) answer back.
 * Another API process, or a workflow started elsewhere, changes a certificate without telling this
 * one: that change shows here after at most the TTL.
 */
export interface CertificateCacheOptions {
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
}

export class CertificateCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** bumped by every forget: a look-up started before it does not store what it read */
  private generation = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly opts: CertificateCacheOptions) {
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.opts.ttlMs > 0;
  }

  /** The kept answer for this number, or `load()`'s (kept when nothing was forgotten meanwhile). */
  async get(number: string, load: () => Promise<V>): Promise<V> {
    if (!this.enabled) return load();
    const now = this.now();
    const hit = this.entries.get(number);
    if (hit && hit.expires > now) {
      this.hits += 1;
      this.entries.delete(number);
      this.entries.set(number, hit);
      return hit.value;
    }
    this.misses += 1;
    if (hit) this.entries.delete(number);
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation) {
      this.entries.set(number, { value, expires: now + this.opts.ttlMs });
      if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    return value;
  }

  /** This process changed the certificate: its next look-up reads the database. */
  forget(number: string): void {
    this.generation += 1;
    this.entries.delete(number);
  }

  get size(): number {
    return this.entries.size;
  }
}
