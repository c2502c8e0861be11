/**
 * FerretDB 1.24 on SQLite scans the whole table for a look-up by _id unless the index of
 * infra/ferretdb-sqlite-indexes.ts is there: FerretDB's own explain shows the plan before and after.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { startFerretDB, type EmbeddedProcess } from '../../infra/embedded';
import { ensureIdPathIndexes } from '../../infra/ferretdb-sqlite-indexes';

jest.setTimeout(60_000);

describe("FerretDB's SQLite look-ups by _id", () => {
  const dir = mkdtempSync(join(tmpdir(), 'skillcert-fdb-idx-'));
  let fdb: EmbeddedProcess;
  let client: MongoClient;
  beforeAll(async () => {
    // without its own passes, so the test sees the plan before and after one
    fdb = await startFerretDB({ dataDir: dir, idPathIndexes: false });
    client = await MongoClient.connect(`mongodb://${fdb.address}/idx`);
  });
  afterAll(async () => {
    await client?.close();
    await fdb?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** the SQLite query plan FerretDB reports for a find by _id */
  const plan = async (collection: string) => {
    const r = await client.db('idx').command({ explain: { find: collection, filter: { _id: 'S0000000042' } }, verbosity: 'queryPlanner' });
    return JSON.stringify(r.queryPlanner);
  };

  it('are an index search once the pass ran, a table scan before; a second pass adds nothing', async () => {
    const certs = client.db('idx').collection<{ _id: string; n: number }>('certs');
    await certs.insertMany(Array.from({ length: 2000 }, (_, n) => ({ _id: `S${String(n).padStart(10, '0')}`, n })));
    await client
      .db('idx')
      .collection('other')
      .insertOne({ _id: 'x' } as never);
    expect(await plan('certs')).toMatch(/SCAN/);

    expect(await ensureIdPathIndexes(dir)).toBe(2);
    // a pooled SQLite connection reads the new schema when it next reads the database, which an
    // EXPLAIN alone does not do: look-ups go first, as they would in use
    const deadline = Date.now() + 15_000;
    do await certs.findOne({ _id: 'S0000000007' });
    while (!/USING INDEX/.test(await plan('certs')) && Date.now() < deadline);
    expect(await plan('certs')).toMatch(/USING INDEX \w+_ferretdb_id_path/);
    // what FerretDB answers is unchanged, and it keeps writing through the extra index
    expect(await certs.findOne({ _id: 'S0000000042' })).toEqual({ _id: 'S0000000042', n: 42 });
    await certs.updateOne({ _id: 'S0000000042' }, { $set: { n: -1 } });
    expect(await certs.findOne({ _id: 'S0000000042' })).toEqual({ _id: 'S0000000042', n: -1 });
    expect(await certs.countDocuments()).toBe(2000);

    expect(await ensureIdPathIndexes(dir)).toBe(0);
  });

  it('never brings back a database FerretDB dropped', async () => {
    await client
      .db('gone')
      .collection('c')
      .insertOne({ _id: 'a' } as never);
    expect(existsSync(join(dir, 'gone.sqlite'))).toBe(true);
    await client.db('gone').dropDatabase();
    expect(existsSync(join(dir, 'gone.sqlite'))).toBe(false);
    await ensureIdPathIndexes(dir);
    expect(existsSync(join(dir, 'gone.sqlite'))).toBe(false);
  });
});
