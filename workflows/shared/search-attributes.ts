/**
 * Keeps a case's Temporal search attributes current (domain/search-attributes.ts says what they
 * are), so operators find cases with `temporal workflow list --query` (README: "Finding cases").
 *
 * Patch `search-attributes` (release 0.3): runs recorded before it replay without the upserts.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributeUpdatePair } from '@temporalio/common';
import { patched, upsertSearchAttributes } from '@temporalio/workflow';
import { searchAttributesOf, type CaseIndex, type SearchAttributeName } from '../../domain/search-attributes';

export const SEARCH_ATTRIBUTE_KEYS = {
  Kind: defineSearchAttributeKey('Kind', SearchAttributeType.KEYWORD),
  Province: defineSearchAttributeKey('Province', SearchAttributeType.KEYWORD),
  Prefecture: defineSearchAttributeKey('Prefecture', SearchAttributeType.KEYWORD),
  Stage: defineSearchAttributeKey('Stage', SearchAttributeType.KEYWORD),
  Status: defineSearchAttributeKey('Status', SearchAttributeType.KEYWORD),
  DueAt: defineSearchAttributeKey('DueAt', SearchAttributeType.DATETIME),
  // one key per name the domain lists: a name added there and not here does not compile
} satisfies Record<SearchAttributeName, ReturnType<typeof defineSearchAttributeKey>>;

/** Upserts what changed since the last call of this run (a value of null clears an attribute). */
export class CaseIndexer {
  private last: Partial<Record<keyof CaseIndex, string | null>> = {};

  constructor(private readonly indexOf: () => CaseIndex | null) {}

  update(): void {
    const index = this.indexOf();
    if (!index || !patched('search-attributes')) return;
    // what to write (absent values cleared) is the domain's rule; only the changed ones go out
    const values = searchAttributesOf(index);
    const pairs: SearchAttributeUpdatePair[] = [];
    for (const name of Object.keys(SEARCH_ATTRIBUTE_KEYS) as SearchAttributeName[]) {
      const value = index[name];
      if (name in this.last && this.last[name] === value) continue;
      this.last[name] = value;
      const [first] = values[name];
      pairs.push({ key: SEARCH_ATTRIBUTE_KEYS[name], value: first ?? null } as SearchAttributeUpdatePair);
    }
    if (pairs.length) upsertSearchAttributes(pairs);
  }
}
