/**
 * FerretDB 1.24's SQLite backend looks a document up by `_id` with
 * `WHERE _ferretdb_sjson->'$._id' = ?` (backends/sqlite/collection.go: find, update, explain), but
 * builds the collection's `_id_` index on `_ferretdb_sjson->"_id"` (metadata/registry.go
 * indexesCreate). SQLite matches an index to a query by its expression, and these two differ in
 * spelling, so every `findById`, every `updateOne({ _id })` and every read-model write scanned the
 * whole table: 34 ms per look-up at 20,000 documents, growing with the table (bench (c)).
 *
 * This adds, beside FerretDB's own index, one on the expression its queries use
 * (`<table>_ferretdb_id_path`), through SQLite itself: the look-up above then takes 1.5 ms. FerretDB
 * neither lists nor needs it (its metadata keeps the indexes it made), and drops it with the table.
 * Tables appear as the app creates collections, so the embedded stack runs this shortly after
 * FerretDB starts and then every minute (`startFerretDB`); once a table has its index a pass costs
 * one `CREATE INDEX IF NOT EXISTS` that does nothing. Python's sqlite3 module does the work (Python 3
 * is a prerequisite of provisioning already): Node 20 has no SQLite of its own.
 */
import { execFile } from 'node:child_process';

export const ID_PATH_INDEX_SUFFIX = '_ferretdb_id_path';

// mode=rw: a database FerretDB has just dropped (its file deleted) must not be created again here
const SCRIPT = `
import glob, os, sqlite3, sys
made = 0
for path in sorted(glob.glob(os.path.join(sys.argv[1], '*.sqlite'))):
    try:
        db = sqlite3.connect('file:' + path + '?mode=rw', uri=True, timeout=10)
    except sqlite3.OperationalError:
        continue
    try:
        tables = [r[0] for r in db.execute('SELECT table_name FROM _ferretdb_collections')]
        for t in tables:
            name = t + '${ID_PATH_INDEX_SUFFIX}'
            if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)).fetchone():
                continue
            db.execute('CREATE INDEX IF NOT EXISTS "%s" ON "%s" (_ferretdb_sjson->\\'$._id\\')' % (name, t))
            made += 1
        db.commit()
    except sqlite3.OperationalError:
        pass  # not a FerretDB database yet, or dropped meanwhile: the next pass sees it
    finally:
        db.close()
print(made)
`;

/** One pass over FerretDB's SQLite directory; resolves with the number of indexes it created. */
export function ensureIdPathIndexes(sqliteDir: string): Promise<number> {
  return new Promise((ok, fail) => {
    execFile('python3', ['-c', SCRIPT, sqliteDir], { timeout: 120_000 }, (err, stdout) => (err ? fail(err) : ok(Number(stdout.trim()) || 0)));
  });
}
