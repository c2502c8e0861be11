/**
 * What Temporal indexes about a case, for operators' `temporal workflow list --query` (issue #14):
 * the kind of case, where it belongs, where it stands and when its current step is due. No
 * personal data: no names, ID numbers, phones or institution names (the index is not encrypted).
 */
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
