/**
 * A batch's archive after it ends (#15 §6): the batch's last recording starts its retention
 * workflow once; the institution is reminded 30 days before each end of keeping (the video's one
 * year from the exam day, the paper's three years and the electronic records' five from the
 * batch's end); at the end the roster and score pages lose their personal data while the
 * certificates keep theirs. On the time-skipping server, with the real workflows and activities.
 */
import { application } from '../fixtures/filing';
import { candidates, passingScores, plan } from '../fixtures/batch';
import { batchBed, DAY, eventually, HOUR, leadDates, passResults, toPublicity, toResultsReview, type ActiveFiling, type BatchBed } from '../harness/batch-env';
import { archiveIndex, retentionSchedule } from '../../domain/archives';
import { startOfDayMs } from '../../domain/dates';
import { readCandidates } from '../../models/candidates';
import { archiveRetentionId } from '../../workflows/archive/messages';
import { ANONYMISED_NAME } from '../../activities/archive';
import { describeOnce } from '../harness/start-dates';

// the retention counts calendar years and days from the batch's end, never working days, so the
// date matrix (scripts/test-dates.sh: the same tests from other kinds of start day) skips it: its
// five simulated years would cost CI four times over for nothing the start day changes
describeOnce('archive retention', () => {
  let bed: BatchBed;
  let f: ActiveFiling;
  beforeAll(async () => {
    bed = await batchBed();
    await bed.begin();
    f = await bed.activeFiling(application());
  });
  afterEach(async () => bed.record());
  afterAll(async () => bed?.close());

  it('reminds before each end of keeping, then anonymises the rosters and scores at five years; certificates stay whole', async () => {
    const { earliest } = await leadDates(bed);
    const p = plan(f.app, earliest.date, earliest.date, candidates(f.app, [4, 4, 3]));
    const b = await bed.submit(f, p);
    await toPublicity(bed, f, b.id, passingScores(p.candidates));
    await toResultsReview(bed, f, b.id);
    const certified = await passResults(bed, f, b.id);
    expect(certified.status).toBe('certified');

    const retention = bed.client.workflow.getHandle(archiveRetentionId(b.id));
    await eventually(async () => expect((await retention.describe()).status.name).toBe('RUNNING'));
    const steps = retentionSchedule(archiveIndex({ endedOn: certified.endedAt!.slice(0, 10), lastExamDate: p.lastExamDate }));
    // video (1 year from the exam day), paper (3 years), electronic (5 years), each a separate date
    expect(steps.map((s) => s.kinds)).toEqual([['exam-video'], ['process-materials', 'exam-papers'], ['score-sheets', 'rosters']]);
    const names = (await readCandidates(bed.models, b.id)).map((r) => r.name);
    const holders = async () => (await bed.models.Certificate.find({ batchId: b.id }).sort({ _id: 1 }).lean()).map((c) => c.holder);
    const certHolders = await holders();
    expect(certHolders).toHaveLength(3);
    const note = (end: string, key: string) => bed.models.Notification.findById(`${b.id}:archive:${end}:${key}`).lean();

    for (const [i, step] of steps.entries()) {
      // the day before the reminder: nothing yet
      await bed.skipTo(startOfDayMs(step.remindOn) - HOUR);
      expect(await note(step.retentionEnd, 'reminder')).toBeNull();
      await bed.skipTo(startOfDayMs(step.remindOn) + HOUR);
      const reminder = await eventually(async () => {
        const n = await note(step.retentionEnd, 'reminder');
        expect(n).not.toBeNull();
        return n!;
      });
      expect(reminder).toMatchObject({ kind: 'archive-reminder', institutionId: f.app.institution.creditCode });
      expect(reminder.message).toContain(step.retentionEnd);
      // the last day of keeping is still kept
      await bed.skipTo(startOfDayMs(step.retentionEnd) + 12 * HOUR);
      expect(await note(step.retentionEnd, 'disposed')).toBeNull();
      await bed.skipTo(startOfDayMs(step.retentionEnd) + DAY + HOUR);
      await eventually(async () => expect(await note(step.retentionEnd, 'disposed')).not.toBeNull());
      const rows = await readCandidates(bed.models, b.id);
      if (i < 2) expect(rows.map((r) => r.name)).toEqual(names);
    }

    const rows = await readCandidates(bed.models, b.id);
    expect(rows.map((r) => r.name)).toEqual(rows.map(() => ANONYMISED_NAME));
    expect(rows.every((r) => r.idNumber.includes('*'))).toBe(true);
    expect(rows.map((r) => r.outcome.passed)).toEqual([true, true, true]); // the results stay, without the people
    expect(await holders()).toEqual(certHolders);
    expect(await retention.result()).toEqual({ steps: 3 });
    const audit = await bed.models.Audit.find({ targetType: 'batch', targetId: b.id, action: /^archive\./ })
      .sort({ seq: 1 })
      .lean();
    expect(audit.map((a) => a.action)).toEqual([
      'archive.reminder',
      'archive.disposed',
      'archive.reminder',
      'archive.disposed',
      'archive.reminder',
      'archive.disposed',
    ]);
    expect(audit[5].after).toMatchObject({ candidates: 3 });
  });
});
