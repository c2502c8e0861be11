/**
 * A batch's archive after the batch (#15 §6; domain/archives.ts): for each end date of keeping,
 * soonest first, remind the institution REMINDER_DAYS before it, then at the end anonymise what
 * this system holds and tell the institution what it may dispose of. Started by the activity that
 * records the batch's end (one per batch: its id is `archive-retention/<batchId>`); it runs on
 * whatever becomes of the institution's filing, because a terminated institution keeps its
 * archive duties (004 Art.12). The dates count from the day the batch ended, never from when a
 * timer fired; a worker that was down past a date runs the step late, once.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { archiveIndex, retentionSchedule } from '../../domain/archives';
import { addCalendarDays, isoChina, startOfDayMs } from '../../domain/dates';
import { workflowNow } from '../time';
import type { ArchiveRetentionInput } from './messages';

const acts = proxyActivities<activities.Activities>({
  startToCloseTimeout: '5 minutes',
  // the anonymisation rewrites a batch's pages: a database away for hours only delays it
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes' },
});

/** Sleeps until the start of the China day `date` (at once when it has passed). */
async function untilDay(date: string): Promise<void> {
  const wait = startOfDayMs(date) - workflowNow();
  if (wait > 0) await sleep(wait);
}

export async function archiveRetention(input: ArchiveRetentionInput): Promise<{ steps: number }> {
  const steps = retentionSchedule(archiveIndex({ endedOn: input.endedOn, lastExamDate: input.lastExamDate }, input.examsHeld));
  for (const step of steps) {
    await untilDay(step.remindOn);
    await acts.archiveReminder({ batchId: input.batchId, institutionId: input.institutionId, step, at: isoChina(workflowNow()) });
    // the day after the last day of keeping
    await untilDay(addCalendarDays(step.retentionEnd, 1));
    await acts.disposeArchive({ batchId: input.batchId, institutionId: input.institutionId, step, at: isoChina(workflowNow()) });
  }
  return { steps: steps.length };
}
