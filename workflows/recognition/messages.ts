/**
 * A competition recognition's messages (竞赛选拔, 000 §二(三)4, 003 §六; domain/recognitions.ts).
 * The API imports this module (no workflow code).
 */
import type { Actor } from '../../domain/filing';
import type { RecognitionRequest } from '../../domain/recognitions';

export const RECOGNITION_WORKFLOW = 'recognition';
export const recognitionWorkflowId = (id: string) => `recognition/${id}`;

export interface RecognitionInput {
  /** `R<year>-<suffix>`: from the Idempotency-Key, so a retried request is the same recognition */
  id: string;
  /** the recording reviewer's province: the issuing body and the allocator scope */
  province: string;
  request: RecognitionRequest & { occupationName?: string; trade?: string | null };
  actor: Actor;
  requestId: string;
}

export interface RecognitionResult {
  id: string;
  number: string;
  level: number;
  issuedAt: string;
}
