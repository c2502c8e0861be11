/**
 * The dates of a filing's life (domain/filing-dates.ts): validity, the renewal deadline and its
 * reminders, idle exit. Each case is a date the seeds or SPEC §8 decide.
 */
import {
  idleExitDay,
  nextRenewalReminder,
  renewalDeadline,
  renewalIsLate,
  renewalReminderDates,
  renewalReminderDueOn,
  renewedLastDay,
  validityLastDay,
} from '../../domain/filing-dates';
import { JILIN_2025 } from '../../domain/filing-policy';
import { changeTrack } from '../../domain/filing';

describe('validity of a notice (004 Art.7(5): three years, the day of issue counting)', () => {
  it.each([
    ['2025-03-01', '2028-02-29'], // SPEC §8's example: the leap day is the last valid day
    ['2025-02-28', '2028-02-27'],
    ['2024-02-29', '2027-02-28'], // no 29 February in 2027: the anniversary is 1 March
    ['2028-02-29', '2031-02-28'],
    ['2025-12-31', '2028-12-30'],
    ['2026-01-01', '2028-12-31'],
  ])('issued %s, valid through %s', (issued, last) => {
    expect(validityLastDay(issued, 3)).toBe(last);
  });

  it('a renewal runs on from the day after the last valid day', () => {
    expect(renewedLastDay('2028-02-29', 3)).toBe('2031-02-28');
    expect(renewedLastDay('2027-02-28', 3)).toBe('2030-02-28');
    expect(renewedLastDay('2028-12-30', 3)).toBe('2031-12-30');
    // periods stay consecutive: 2024-02-29 … 2027-02-28, 2027-03-01 … 2030-02-28, … 2033-03-01 … 2036-02-29
    let v = validityLastDay('2024-02-29', 3);
    for (let i = 0; i < 3; i++) v = renewedLastDay(v, 3);
    expect(v).toBe('2036-02-29');
  });
});

describe('renewal deadline and reminders (004 Art.9, SPEC §8)', () => {
  it('is on time through the end of the day exactly 3 months before the last valid day', () => {
    expect(renewalDeadline('2028-02-29', 3)).toBe('2027-11-29');
    expect(renewalIsLate('2028-02-29', 3, '2027-11-29')).toBe(false);
    expect(renewalIsLate('2028-02-29', 3, '2027-11-30')).toBe(true);
    // a shorter month clamps
    expect(renewalDeadline('2028-05-31', 3)).toBe('2028-02-29');
    expect(renewalDeadline('2027-05-31', 3)).toBe('2027-02-28');
  });

  it('reminds 30 days before the deadline, on it, then monthly until the last valid day', () => {
    expect(renewalReminderDates('2028-02-29', JILIN_2025)).toEqual(['2027-10-30', '2027-11-29', '2027-12-29', '2028-01-29', '2028-02-29']);
    const early = renewalReminderDates('2028-02-29', JILIN_2025)[0];
    // the first reminder reaches the institution while applying is still on time
    expect(renewalIsLate('2028-02-29', 3, early)).toBe(false);
    expect(renewalReminderDates('2028-02-29', { ...JILIN_2025, renewalEarlyReminderDays: 0 })[0]).toBe('2027-11-29');
  });

  it('goes through the schedule one at a time, and sends one reminder, not a burst, after a long pause', () => {
    expect(nextRenewalReminder('2028-02-29', JILIN_2025)).toBe('2027-10-30');
    expect(nextRenewalReminder('2028-02-29', JILIN_2025, '2027-10-30')).toBe('2027-11-29');
    expect(nextRenewalReminder('2028-02-29', JILIN_2025, '2028-02-29')).toBeUndefined();
    expect(renewalReminderDueOn('2028-02-29', JILIN_2025, undefined, '2027-10-30')).toBe('2027-10-30');
    expect(renewalReminderDueOn('2028-02-29', JILIN_2025, undefined, '2028-01-05')).toBe('2027-12-29');
    expect(renewalReminderDueOn('2028-02-29', JILIN_2025, '2027-12-29', '2028-01-05')).toBeUndefined();
  });
});

describe('idle exit (001 §四(三), a Shanxi rule)', () => {
  it('is two years after the last exam day held', () => {
    expect(idleExitDay('2027-03-10', 2)).toBe('2029-03-10');
    expect(idleExitDay('2028-02-29', 2)).toBe('2030-02-28');
  });
});

describe('which changes run the whole application path (004 Art.7(1), Art.8)', () => {
  const filed = [{ code: '6-18-01-01', name: '车工', levels: [5, 4, 3], basis: 'national-standard' as const }];
  it('a new occupation, a new trade or a new level widens the scope; fewer levels or none do not', () => {
    expect(changeTrack(filed, { occupations: [...filed, { code: '6-18-01-02', name: '铣工', levels: [5], basis: 'national-standard' }] })).toBe('scope-change');
    expect(changeTrack(filed, { occupations: [{ ...filed[0], levels: [5, 4, 3, 2] }] })).toBe('scope-change');
    expect(changeTrack(filed, { occupations: [{ ...filed[0], trade: '数控车工' }] })).toBe('scope-change');
    expect(changeTrack(filed, { occupations: [{ ...filed[0], levels: [5, 4] }] })).toBe('change');
    expect(changeTrack(filed, { address: '新址', legalRepresentative: '新法人', venues: [{ name: 'x', address: 'y' }] })).toBe('change');
  });
});
