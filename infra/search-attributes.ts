/**
 * Registers the search attributes the workflows keep (domain/search-attributes.ts) with a Temporal
 * namespace, adding only those missing. The embedded servers get them as they start
 * (infra/embedded.ts); a worker checks them before it polls (worker.ts), so a production cluster or
 * any cluster TEMPORAL_ADDRESS names has them before the first workflow task needs them. Without
 * them a workflow task fails with "search attribute … is not defined".
 */
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_TYPES, type SearchAttributeName } from '../domain/search-attributes';

const INDEXED = temporal.api.enums.v1.IndexedValueType;
const TYPE_OF = { Keyword: INDEXED.INDEXED_VALUE_TYPE_KEYWORD, Datetime: INDEXED.INDEXED_VALUE_TYPE_DATETIME } as const;

/** The names it added (none when all were there). */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<SearchAttributeName[]> {
  const names = Object.keys(SEARCH_ATTRIBUTE_TYPES) as SearchAttributeName[];
  let present = new Set<string>();
  try {
    const listed = await connection.operatorService.listSearchAttributes({ namespace });
    present = new Set(Object.keys(listed.customAttributes ?? {}));
  } catch {
    // the time-skipping test server lists none; adding tells what is missing
  }
  const missing = names.filter((n) => !present.has(n));
  const added: SearchAttributeName[] = [];
  // one at a time: a server that cannot list them (the time-skipping one) answers ALREADY_EXISTS
  // for those it has, and that is what we want
  for (const n of missing) {
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: { [n]: TYPE_OF[SEARCH_ATTRIBUTE_TYPES[n]] } });
      added.push(n);
    } catch (err) {
      if (!alreadyExists(err)) throw err;
    }
  }
  return added;
}

/** gRPC status code 6 */
const GRPC_ALREADY_EXISTS = 6;
const alreadyExists = (err: unknown) => {
  const e = err as { code?: number; message?: string };
  return e.code === GRPC_ALREADY_EXISTS || /already exists/i.test(String(e.message));
};

/** Connects to `address` just for this (the embedded servers, as they start). */
export async function registerSearchAttributes(address: string, namespace = 'default'): Promise<SearchAttributeName[]> {
  const connection = await Connection.connect({ address });
  try {
    return await ensureSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }
}
