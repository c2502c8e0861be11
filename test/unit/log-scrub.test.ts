/**
 * The log scrubber (api/logging.ts scrubPersonalData) finds ID numbers and mobile numbers with one
 * cheap scan for runs of digits, then decides in code. It must mask exactly what the defining
 * patterns below match (an 18-character ID number with a valid check character, not inside a
 * longer run of letters or digits; a mobile number not inside a longer run of digits), on texts
 * built to sit at every boundary: runs of 10 to 20 digits, check characters, letters and
 * punctuation around them.
 */
import { scrubPersonalData } from '../../api/logging';
import { isValidIdNumber, maskEmail, maskIdNumber, maskPhone } from '../../domain/identifiers';
import { idNumber } from '../fixtures/filing';

/** the definition, as two plain regular expressions applied one after the other */
function reference(text: string): string {
  const withoutEmail = text.includes('@') ? text.replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g, (m) => maskEmail(m)) : text;
  return withoutEmail
    .replace(/(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g, (m) => (isValidIdNumber(m) ? maskIdNumber(m) : m))
    .replace(/(?<!\d)1[3-9]\d{9}(?!\d)/g, (m) => maskPhone(m));
}

/** a small deterministic generator (no dependency on the date or Math.random) */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('scrubPersonalData', () => {
  it('masks exactly what the defining patterns match', () => {
    const next = rng(20261202);
    const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)];
    const ids = Array.from({ length: 40 }, (_, i) => idNumber(i, `19${50 + i}0101`.slice(0, 8)));
    const pieces = () =>
      pick([
        () => pick(ids),
        () => pick(ids).slice(0, 17) + pick(['X', 'x', '0', '9']),
        () => `1${pick(['3', '5', '9', '2', '0'])}${String(Math.floor(next() * 1e9)).padStart(9, '0')}`,
        () =>
          String(Math.floor(next() * 1e15))
            .repeat(2)
            .slice(0, 10 + Math.floor(next() * 11)),
        () => pick(['a', 'Z', 'x', 'X', '-', ' ', '"', ':', '+86 ', '@', 'mail@example.cn', '1764270000000']),
      ])();
    let masked = 0;
    for (let n = 0; n < 3000; n++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 6) }, pieces).join('');
      const want = reference(text);
      expect([text, scrubPersonalData(text)]).toEqual([text, want]);
      if (want !== text) masked += 1;
    }
    // the texts did put both kinds of number in front of the scrubber, and many were masked
    expect(masked).toBeGreaterThan(500);
    expect(scrubPersonalData(`x ${ids[0]} y`)).not.toContain(ids[0]);
    expect(scrubPersonalData('tel:13912345678X')).toBe('tel:139****5678X');
  });
});
