/**
 * What Temporal indexes about a case, for operators' `temporal workflow list --query` (issue #14):
 * the kind of case, where it belongs, where it stands and when its current step is due. No
 * personal data: no names, ID numbers, phones or institution names (the index is not encrypted).
 */
import { jurisdictionOf, openPublicity, type FilingState } from './filing';
import { jurisdictionOfInstitution, type BatchState } from './batch';

export const SEARCH_ATTRIBUTE_TYPES = {
  Kind: 'Keyword',
  Province: 'Keyword',
  Prefecture: 'Keyword',
  Stage: 'Keyword',
  Status: 'Keyword',
  DueAt: 'Datetime',
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTE_TYPES;

export interface CaseIndex {
  Kind: 'filing' | 'batch';
  Province: string;
  /** null for a provincial case */
  Prefecture: string | null;
  /** null between stages (an active filing, a batch waiting for its exams) */
  Stage: string | null;
  Status: string;
  /** the current step's due instant (ISO), null when nothing is due */
  DueAt: string | null;
}

/** The index entry of a case: absent values are cleared (an empty list), never written as "". */
export function searchAttributesOf(index: CaseIndex): Record<SearchAttributeName, string[] | Date[]> {
  const one = (v: string | null) => (v ? [v] : []);
  return {
    Kind: [index.Kind],
    Province: [index.Province],
    Prefecture: one(index.Prefecture),
    Stage: one(index.Stage),
    Status: [index.Status],
    DueAt: index.DueAt ? [new Date(index.DueAt)] : [],
  };
}

/**
 * A filing's index entry: province and prefecture of its jurisdiction (004 Art.4), its stage, and
 * when the step is due — a stage's due instant, or the end of an open 公示.
 */
export function filingIndex(state: Pick<FilingState, 'application' | 'status' | 'stage' | 'due' | 'publicity'>): CaseIndex {
  const j = jurisdictionOf(state.application);
  return {
    Kind: 'filing',
    Province: j.province,
    Prefecture: j.prefecture ?? null,
    Stage: state.stage,
    Status: state.status,
    DueAt: state.due?.dueAt ?? openPublicity(state)?.endsAt ?? null,
  };
}

/** A batch's index entry: the institution's jurisdiction, the batch's status, the decision stage waiting, and the step due (or the result publicity's end). */
export function batchIndex(state: Pick<BatchState, 'institution' | 'status' | 'stage' | 'due' | 'publicity'>): CaseIndex {
  const j = jurisdictionOfInstitution(state.institution);
  return {
    Kind: 'batch',
    Province: j.province,
    Prefecture: j.level === 'prefecture' ? (j.prefecture ?? null) : null,
    Stage: state.stage,
    Status: state.status,
    DueAt: state.due?.dueAt ?? (state.status === 'publicity' ? (state.publicity?.endsAt ?? null) : null),
  };
}
