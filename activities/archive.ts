/**
 * The archive's retention steps (#15 §6, domain/archives.ts), for the `archive-retention/<batchId>`
 * workflow: the reminder before a part's keeping ends, and what happens at the end. Each step's
 * notification, mail and audit entry have ids fixed by the batch and the end date, so a retried
 * activity writes them once; the anonymisation is idempotent (a second pass finds nothing left).
 */
import type { Models } from '../models';
import { CANDIDATE_PAGE_ROWS } from '../models/batch';
import { readCandidates, rewritePages } from '../models/candidates';
import { ARCHIVE_ITEMS, type RetentionStep } from '../domain/archives';
import { maskIdNumber } from '../domain/identifiers';
import { auditDocs, insertOnce, mailDocs, notificationDocs } from './records';

export interface RetentionStepInput {
  batchId: string;
  institutionId: string;
  step: RetentionStep;
  /** the step's instant, fixed by the workflow */
  at: string;
}

/** The name that replaces a candidate's once the rosters' keeping has ended. */
export const ANONYMISED_NAME = '（已匿名）';

const labelsOf = (kinds: readonly string[]) => kinds.map((k) => ARCHIVE_ITEMS.find((d) => d.kind === k)?.label ?? k).join('、');

export function createArchiveActivities(deps: { models: Models; mail?: boolean }) {
  const { models } = deps;

  /** A notification to the institution, its mail, and an audit entry, all keyed by the step. */
  async function record(i: RetentionStepInput, key: string, kind: string, message: string, action: string, after: unknown) {
    const suffix = `archive:${i.step.retentionEnd}:${key}`;
    const notes = notificationDocs('batch', i.batchId, 0, [{ audience: { institutionId: i.institutionId }, kind, message, at: i.at }]).map((n) => ({
      ...n,
      _id: `${i.batchId}:${suffix}`,
    }));
    await insertOnce(models.Notification, notes);
    if (deps.mail) await insertOnce(models.Mail, mailDocs(notes, new Date()));
    const audit = auditDocs('batch', i.batchId, 0, [{ actor: 'system', role: 'system', action, before: null, after, at: i.at }]).map((a) => ({
      ...a,
      _id: `${i.batchId}:${suffix}`,
      // after every entry of the batch's own life (version × 1000 + n)
      seq: Date.parse(i.at),
    }));
    await insertOnce(models.Audit, audit);
  }

  return {
    async archiveReminder(i: RetentionStepInput): Promise<void> {
      await record(
        i,
        'reminder',
        'archive-reminder',
        `认定批次 ${i.batchId} 的档案（${labelsOf(i.step.kinds)}）保存期至 ${i.step.retentionEnd} 届满（002 第二十一条）。届满前请勿处置；届满后本系统将删除其中的个人信息，纸质材料与录像可依规处置。`,
        'archive.reminder',
        { kinds: i.step.kinds, retentionEnd: i.step.retentionEnd },
      );
    },

    /**
     * The end of a part's keeping: what this system holds of it loses its personal data (candidates'
     * names and ID numbers in the roster and score pages, the publicity's names, objectors' names
     * and contacts), and the institution is told that what it keeps may be disposed of.
     * Certificates are never touched (004 Art.12: their data outlives every archive).
     */
    async disposeArchive(i: RetentionStepInput): Promise<{ candidates: number; objections: number; publicityNames: number }> {
      const anonymise = i.step.kinds.some((k) => ARCHIVE_ITEMS.find((d) => d.kind === k)?.disposal === 'anonymise');
      let candidates = 0;
      let objections = 0;
      let publicityNames = 0;
      if (anonymise) {
        const rows = await readCandidates(models, i.batchId);
        const changed: number[] = [];
        rows.forEach((r, n) => {
          if (r.name === ANONYMISED_NAME) return;
          Object.assign(r, { name: ANONYMISED_NAME, idNumber: maskIdNumber(r.idNumber), post: '', employerCreditCode: null, placedWithCreditCode: null });
          changed.push(n);
        });
        // one page write per page touched (pages of CANDIDATE_PAGE_ROWS)
        await rewritePages(models, i.batchId, rows, changed);
        candidates = changed.length;
        const objected = await models.Objection.updateMany(
          { targetType: 'batch', targetId: i.batchId, name: { $ne: ANONYMISED_NAME } },
          { $set: { name: ANONYMISED_NAME, contact: '（已匿名）' } },
        );
        objections = objected.modifiedCount;
        publicityNames = (await models.PublicityNames.deleteMany({ _id: { $regex: `^${i.batchId.replace(/[^A-Za-z0-9-]/g, '')}:` } })).deletedCount;
      }
      const done = { kinds: i.step.kinds, retentionEnd: i.step.retentionEnd, candidates, objections, publicityNames, pageRows: CANDIDATE_PAGE_ROWS };
      await record(
        i,
        'disposed',
        'archive-disposed',
        `认定批次 ${i.batchId} 的档案（${labelsOf(i.step.kinds)}）保存期已于 ${i.step.retentionEnd} 届满。${
          anonymise ? `本系统已删除其中的个人信息（考生 ${candidates} 人）；证书数据继续保存。` : ''
        }评价机构保管的纸质材料与录像可依规处置。`,
        'archive.disposed',
        done,
      );
      return { candidates, objections, publicityNames };
    },
  };
}
