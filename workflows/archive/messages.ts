/** The archive retention workflow's id and input, importable without workflow code (activities start it). */
export const archiveRetentionId = (batchId: string) => `archive-retention/${batchId}`;

export interface ArchiveRetentionInput {
  batchId: string;
  institutionId: string;
  /** China date the batch ended: retention counts from it */
  endedOn: string;
  lastExamDate: string;
  /** papers and video exist only when the exams were held */
  examsHeld: boolean;
}
