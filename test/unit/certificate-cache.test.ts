/** api/certificate-cache.ts: TTL, the bound in entries (least recently used out), forgetting. */
import { CertificateCache } from '../../api/certificate-cache';

describe('CertificateCache', () => {
  let now = 1_000_000;
  const clock = () => now;
  const loader = () => {
    const calls: string[] = [];
    return {
      calls,
      load:
        (n: string, v = `v-${n}`) =>
        () => (calls.push(n), Promise.resolve(v)),
    };
  };

  it('keeps an answer for the TTL, then reads again', async () => {
    const c = new CertificateCache<string>({ ttlMs: 5000, now: clock });
    const { calls, load } = loader();
    expect(await c.get('A', load('A'))).toBe('v-A');
    now += 4999;
    expect(await c.get('A', load('A', 'new'))).toBe('v-A');
    now += 1;
    expect(await c.get('A', load('A', 'new'))).toBe('new');
    expect(calls).toEqual(['A', 'A']);
    expect([c.hits, c.misses]).toEqual([1, 2]);
  });

  it('with a TTL of 0 keeps nothing', async () => {
    const c = new CertificateCache<string>({ ttlMs: 0, now: clock });
    const { calls, load } = loader();
    await c.get('A', load('A'));
    await c.get('A', load('A'));
    expect(calls).toEqual(['A', 'A']);
    expect(c.size).toBe(0);
  });

  it('holds at most maxEntries, dropping the least recently used', async () => {
    const c = new CertificateCache<string>({ ttlMs: 60_000, maxEntries: 3, now: clock });
    const { calls, load } = loader();
    for (const n of ['A', 'B', 'C']) await c.get(n, load(n));
    await c.get('A', load('A')); // A used: B is now the oldest
    await c.get('D', load('D'));
    expect(c.size).toBe(3);
    calls.length = 0;
    for (const n of ['A', 'C', 'D', 'B']) await c.get(n, load(n));
    expect(calls).toEqual(['B']);
  });

  it('forgets a number, and does not keep what a look-up read before the forget', async () => {
    const c = new CertificateCache<string>({ ttlMs: 60_000, now: clock });
    await c.get('A', () => Promise.resolve('old'));
    c.forget('A');
    expect(await c.get('A', () => Promise.resolve('new'))).toBe('new');
    // a look-up under way while this process revokes: its answer is returned but not kept
    let release!: (v: string) => void;
    const slow = c.get('B', () => new Promise<string>((r) => (release = r)));
    c.forget('B');
    release('read before the revocation');
    expect(await slow).toBe('read before the revocation');
    expect(await c.get('B', () => Promise.resolve('revoked'))).toBe('revoked');
  });

  it('while suspended answers nothing from memory and keeps nothing; after resume keeps again', async () => {
    const c = new CertificateCache<string>({ ttlMs: 60_000, now: clock });
    const { calls, load } = loader();
    await c.get('A', load('A'));
    c.suspend();
    expect(c.size).toBe(0);
    await c.get('A', load('A'));
    await c.get('A', load('A'));
    expect(c.size).toBe(0);
    c.resume();
    await c.get('A', load('A'));
    await c.get('A', load('A'));
    expect(calls).toEqual(['A', 'A', 'A', 'A']);
  });
});
