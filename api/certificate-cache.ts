/**
 * The public answer of GET /certificates/:number, kept by this API process
 * (CERTIFICATE_CACHE_SECONDS): without it every look-up is a database round trip, about twenty
 * times the CPU of a route that does nothing (bench (c)). Bounded in entries, the least recently
 * used going first (a Map keeps insertion order; a hit moves its entry to the end).
 *
 * A change to a certificate through this process (revocation, approved correction, reissue)
 * forgets its number when the call ends; one made anywhere else reaches this process through the
 * certificate changes the activities record, read every second (api/certificate-changes.ts). A
 * look-up that read the database before a forget does not put its (older) answer back. While
 * the changes cannot be read, nothing is answered from memory (suspend).
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
  private suspended = false;
  hits = 0;
  misses = 0;

  constructor(private readonly opts: CertificateCacheOptions) {
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.opts.ttlMs > 0;
  }

  /**
   * Stops answering from memory, and forgets everything kept, until `resume()`: while this process
   * cannot read the certificate changes (api/certificate-changes.ts) it would not learn of one.
   */
  suspend(): void {
    this.suspended = true;
    this.generation += 1;
    this.entries.clear();
  }

  resume(): void {
    this.suspended = false;
  }

  /** The kept answer for this number, or `load()`'s (kept when nothing was forgotten meanwhile). */
  async get(number: string, load: () => Promise<V>): Promise<V> {
    if (!this.enabled || this.suspended) return load();
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
