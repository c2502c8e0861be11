/**
 * A batch's archive (认定资料档案) and how long each part is kept (#15 §6):
 * - 002 Art.21: the whole process's records are kept, paper at least 3 years, electronic at least 5,
 *   so that process and results can be traced back (可追溯、可倒查);
 * - 001 §四(三): process materials, candidates' files and exam papers at least 3 years;
 * - 000 §五(二)2: the exam room's video recording kept one year;
 * - 004 Art.12: an institution whose filing ended keeps its archive duties, and the certificate data
 *   (review, correction, revocation) stays: certificates are never disposed of.
 * Retention counts from the batch's end (its last step: certified, rejected or cancelled); the
 * video's from the last exam day, the day it was recorded. The retention workflow
 * (workflows/archive/retention.ts) reminds the institution REMINDER_DAYS before each end date and,
 * at the end, anonymises what this system holds of the part (never certificate data) or tells the
 * institution its paper or video may now be disposed of.
 */
import { addCalendarDays, addYears } from './dates';

export type ArchiveMedium = 'paper' | 'electronic';
/** what happens at the end: this system anonymises its copy, or the institution may dispose of what it keeps */
export type ArchiveDisposal = 'anonymise' | 'institution-disposes';

export interface ArchiveItemDef {
  kind: 'process-materials' | 'exam-papers' | 'score-sheets' | 'rosters' | 'exam-video';
  label: string;
  medium: ArchiveMedium;
  years: number;
  /** counted from the batch's end, or from the last exam day (the video) */
  from: 'batch-end' | 'last-exam-day';
  disposal: ArchiveDisposal;
  basis: string;
}

export const ARCHIVE_ITEMS: readonly ArchiveItemDef[] = [
  {
    kind: 'process-materials',
    label: '评价过程材料（认定计划、考务记录、督导记录、审核意见）',
    medium: 'paper',
    years: 3,
    from: 'batch-end',
    disposal: 'institution-disposes',
    basis: '002 第二十一条；001 §四(三)',
  },
  {
    kind: 'exam-papers',
    label: '试卷及答卷',
    medium: 'paper',
    years: 3,
    from: 'batch-end',
    disposal: 'institution-disposes',
    basis: '002 第二十一条；001 §四(三)',
  },
  {
    kind: 'score-sheets',
    label: '成绩记录（理论、技能、业绩评审成绩）',
    medium: 'electronic',
    years: 5,
    from: 'batch-end',
    disposal: 'anonymise',
    basis: '002 第二十一条',
  },
  {
    kind: 'rosters',
    label: '考生花名册、结果汇总表、合格人员花名册、公示名单',
    medium: 'electronic',
    years: 5,
    from: 'batch-end',
    disposal: 'anonymise',
    basis: '002 第二十一条',
  },
  {
    kind: 'exam-video',
    label: '考场视频监控录像',
    medium: 'electronic',
    years: 1,
    from: 'last-exam-day',
    disposal: 'institution-disposes',
    basis: '000 §五(二)2',
  },
];

/** Days before an end date that the institution is reminded. */
export const REMINDER_DAYS = 30;

export interface ArchiveIndexItem {
  kind: ArchiveItemDef['kind'];
  label: string;
  medium: ArchiveMedium;
  retentionYears: number;
  /** the first day of keeping; null while the batch has not ended */
  from: string | null;
  /** the last day it must be kept: from + years − 1 day; null while the batch has not ended */
  retentionEnd: string | null;
  disposal: ArchiveDisposal;
  basis: string;
}

export interface ArchiveSource {
  /** China date the batch ended, when it has */
  endedOn: string | null;
  lastExamDate: string;
}

/**
 * The archive index of a batch. The retention of every part starts once the batch has ended, so
 * an open batch lists its parts without dates; a batch cancelled before its exams keeps no video.
 */
export function archiveIndex(src: ArchiveSource, examsHeld = true): ArchiveIndexItem[] {
  return ARCHIVE_ITEMS.filter((d) => examsHeld || (d.kind !== 'exam-video' && d.kind !== 'exam-papers')).map((d) => {
    const from = src.endedOn === null ? null : d.from === 'last-exam-day' ? src.lastExamDate : src.endedOn;
    return {
      kind: d.kind,
      label: d.label,
      medium: d.medium,
      retentionYears: d.years,
      from,
      retentionEnd: from === null ? null : addCalendarDays(addYears(from, d.years), -1),
      disposal: d.disposal,
      basis: d.basis,
    };
  });
}

export interface RetentionStep {
  /** the last day of keeping for these parts */
  retentionEnd: string;
  /** the day the institution is reminded */
  remindOn: string;
  kinds: ArchiveItemDef['kind'][];
}

/** The retention workflow's steps: one per end date, soonest first. */
export function retentionSchedule(items: readonly ArchiveIndexItem[]): RetentionStep[] {
  const byEnd = new Map<string, ArchiveItemDef['kind'][]>();
  for (const i of items) if (i.retentionEnd) byEnd.set(i.retentionEnd, [...(byEnd.get(i.retentionEnd) ?? []), i.kind]);
  return [...byEnd.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([retentionEnd, kinds]) => ({ retentionEnd, remindOn: addCalendarDays(retentionEnd, -REMINDER_DAYS), kinds }));
}

/** Did the batch hold its exams (so that papers and video exist)? Not when it was cancelled or refused before them. */
export function examsHeld(s: { status: string; scoreTally?: { scored: number } | null }): boolean {
  return s.status === 'certified' || (s.scoreTally?.scored ?? 0) > 0;
}
