/**
 * Keeps a case's Temporal search attributes current (domain/search-attributes.ts says what they
 * are), so operators find cases with `temporal workflow list --query` (README: "Finding cases").
 *
 * Patch `search-attributes` (release 0.3): runs recorded before it replay without the upserts.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributeUpdatePair } from '@temporalio/common';
import { patched, upsertSearchAttributes } from '@temporalio/workflow';
import type { CaseIndex } from '../../domain/search-attributes';

export const SEARCH_ATTRIBUTE_KEYS = {
  Kind: defineSearchAttributeKey('Kind', SearchAttributeType.KEYWORD),
  Province: defineSearchAttributeKey('Province', SearchAttributeType.KEYWORD),
  Prefecture: defineSearchAttributeKey('Prefecture', SearchAttributeType.KEYWORD),
  Stage: defineSearchAttributeKey('Stage', SearchAttributeType.KEYWORD),
  Status: defineSearchAttributeKey('Status', SearchAttributeType.KEYWORD),
  DueAt: defineSearchAttributeKey('DueAt', SearchAttributeType.DATETIME),
};

/** Upserts what changed since the last call of this run (a value of null clears an attribute). */
export class CaseIndexer {
  private last: Partial<Record<keyof CaseIndex, string | null>> = {};

  constructor(private readonly indexOf: () => CaseIndex | null) {}

  update(): void {
    const index = this.indexOf();
    if (!index || !patched('search-attributes')) return;
    const pairs: SearchAttributeUpdatePair[] = [];
    for (const name of Object.keys(SEARCH_ATTRIBUTE_KEYS) as (keyof CaseIndex)[]) {
      const value = index[name];
      if (name in this.last && this.last[name] === value) continue;
      this.last[name] = value;
      if (name === 'DueAt') pairs.push({ key: SEARCH_ATTRIBUTE_KEYS.DueAt, value: value ? new Date(value) : null });
      else pairs.push({ key: SEARCH_ATTRIBUTE_KEYS[name], value: value ?? null });
    }
    if (pairs.length) upsertSearchAttributes(pairs);
  }
}
