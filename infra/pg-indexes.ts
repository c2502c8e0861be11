/**
 * GIN indexes that let PostgreSQL answer FerretDB's equality look-ups (issue #13).
 *
 * FerretDB 1.24 on PostgreSQL pushes `{ _id: "…" }` and `{ batchId: "…" }` down as
 * `SELECT _jsonb FROM "<db>"."<table>" WHERE _jsonb->$1 @> $2` (query.go, filterEqual). Its own
 * indexes, and those the app declares through mongoose, are btrees on `(_jsonb->'<field>')`, which
 * cannot serve `@>`: every look-up read the whole table (EXPLAIN ANALYZE, 5,000 certificates:
 * Seq Scan, 2.2 ms, growing with the table). A GIN index on the same expression with
 * jsonb_path_ops serves it: Bitmap Index Scan, 0.02 ms (0.4 ms for the 100 certificates of a batch).
 * The key is a bind parameter, so only a custom plan (one that sees `'_id'`) can use the index;
 * see FERRETDB_ROLE_SETTINGS.
 *
 * FerretDB does not know these indexes (listIndexes shows only its own) and drops them with the
 * table when a collection is dropped.
 */
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import { createModels } from '../models';

/**
 * Settings of the role FerretDB connects as. FerretDB keeps prepared statements per connection
 * (pgx's statement cache); after five executions PostgreSQL compares the generic plan (which cannot
 * use the index: the key is `$1`) with the average of the custom plans so far. A connection whose
 * statement ran before the index existed has averaged seq-scan costs, so it goes on with the
 * generic seq scan for as long as it lives (measured: 40 of 40 look-ups seq scans after CREATE INDEX
 * on a warm connection; with force_custom_plan 20 of 20 index scans). Planning such a query costs
 * about 0.05 ms.
 */
export const FERRETDB_ROLE_SETTINGS = { plan_cache_mode: 'force_custom_plan' } as const;

/** FerretDB's collection → table mapping, one table per database (= PostgreSQL schema). */
export const FERRETDB_METADATA_TABLE = '_ferretdb_database_metadata';

/**
 * For each collection of the app (mongoose models), the fields it looks documents up by equality:
 * `_id`, and every single-field index the app declares on a top-level string (or array of
 * strings, which `@>` matches by element as MongoDB does). Dotted paths are left out: FerretDB
 * filters them with `_jsonb#>$1` (a path), an expression of its own, and the app declares none alone.
 */
export function appEqualityFields(): Map<string, string[]> {
  // never opened: only the models' collection names and schemas are read
  const conn = mongoose.createConnection();
  conn.set('autoIndex', false);
  conn.set('autoCreate', false);
  const out = new Map<string, string[]>();
  for (const model of Object.values(createModels(conn))) {
    const fields = new Set(['_id']);
    const schema = model.schema as mongoose.Schema;
    for (const [keys] of schema.indexes()) {
      const paths = Object.keys(keys);
      if (paths.length !== 1 || paths[0].includes('.')) continue;
      const type = schema.path(paths[0]) as (mongoose.SchemaType & { caster?: mongoose.SchemaType }) | undefined;
      if (type?.instance === 'String' || (type?.instance === 'Array' && type.caster?.instance === 'String')) fields.add(paths[0]);
    }
    const collection = model.collection.collectionName;
    out.set(collection, [...new Set([...(out.get(collection) ?? []), ...fields])]);
  }
  return out;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** At most 63 bytes (PostgreSQL truncates longer names, and two fields could then collide). */
export function ginIndexName(table: string, field: string): string {
  const hash = createHash('sha256').update(field).digest('hex').slice(0, 8);
  return `${table.slice(0, 36)}_${field.replace(/[^A-Za-z0-9]/g, '').slice(0, 12)}_${hash}_gin`;
}

/**
 * The CREATE INDEX statements for the collections that have a table; `_id` for every table
 * (also collections the models do not name), the declared fields for the app's.
 */
export function ginIndexStatements(schema: string, tables: Map<string, string>, fields: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [collection, table] of tables) {
    for (const field of fields.get(collection) ?? ['_id']) {
      out.push(
        `CREATE INDEX IF NOT EXISTS ${ident(ginIndexName(table, field))} ON ${ident(schema)}.${ident(table)} USING gin ((_jsonb->${literal(field)}) jsonb_path_ops);`,
      );
    }
  }
  return out;
}

/** Parses `psql -At` rows of `collection|table`. */
export function parseTables(out: string): Map<string, string> {
  const tables = new Map<string, string>();
  for (const line of out.split('\n')) {
    const bar = line.lastIndexOf('|');
    if (bar > 0) tables.set(line.slice(0, bar), line.slice(bar + 1));
  }
  return tables;
}

/**
 * Creates the missing GIN indexes of `database` (idempotent, IF NOT EXISTS). With `waitMs`, first
 * waits until every collection of the app has a table (the workers create them when they start),
 * at most that long. Returns the collections found and the statements run.
 */
export async function ensureEqualityIndexes(
  psql: (sql: string, database?: string) => Promise<string>,
  database: string,
  opts: { pgDatabase?: string; waitMs?: number } = {},
): Promise<{ tables: Map<string, string>; statements: string[] }> {
  const pgDatabase = opts.pgDatabase ?? 'ferretdb';
  const fields = appEqualityFields();
  const read = async () => {
    // the schema and its metadata table appear with the database's first collection
    const metadata = `${ident(database)}.${ident(FERRETDB_METADATA_TABLE)}`;
    const exists = (await psql(`SELECT to_regclass(${literal(metadata)}) IS NOT NULL;\n`, pgDatabase)).trim() === 't';
    if (!exists) return new Map<string, string>();
    return parseTables(await psql(`SELECT _jsonb->>'_id', _jsonb->>'table' FROM ${metadata};\n`, pgDatabase));
  };
  let tables = await read();
  const deadline = Date.now() + (opts.waitMs ?? 0);
  while ([...fields.keys()].some((c) => !tables.has(c)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    tables = await read();
  }
  const statements = ginIndexStatements(database, tables, fields);
  if (statements.length) await psql(statements.join('\n') + '\n', pgDatabase);
  return { tables, statements };
}
