/**
 * The GIN indexes the production stack adds for FerretDB's equality look-ups (infra/pg-indexes.ts):
 * which fields they cover, read from the app's own models, and the SQL that creates them.
 */
import { appEqualityFields, ginIndexName, ginIndexStatements, parseTables } from '../../infra/pg-indexes';
import { createModels } from '../../models';
import mongoose from 'mongoose';

describe('appEqualityFields', () => {
  const fields = appEqualityFields();

  it('covers _id of every collection the models name', () => {
    const conn = mongoose.createConnection();
    conn.set('autoCreate', false);
    conn.set('autoIndex', false);
    const collections = Object.values(createModels(conn)).map((m) => m.collection.collectionName);
    expect([...fields.keys()].sort()).toEqual([...new Set(collections)].sort());
    for (const c of collections) expect(fields.get(c)).toContain('_id');
  });

  it('adds single-field indexes on strings and arrays of strings, not on dates, numbers, dotted or compound keys', () => {
    // certificates: batchId (string); compound and dotted holder.idNumber/holder.name left out
    expect(fields.get('certificates')).toEqual(['_id', 'batchId']);
    // batches: dueAt and publicityEndsAt are dates, supervisors an array of strings
    const batches = fields.get('batches')!;
    expect(batches).toEqual(expect.arrayContaining(['status', 'filingId', 'province', 'institutionId', 'supervisors']));
    expect(batches).not.toContain('dueAt');
    expect(batches).not.toContain('publicityEndsAt');
    // inspections: year is a number, drawnAt a date
    expect(fields.get('inspections')).not.toContain('year');
    expect(fields.get('inspections')).not.toContain('drawnAt');
    // a unique index counts as well
    expect(fields.get('recognitions')).toContain('key');
    for (const list of fields.values()) for (const f of list) expect(f).not.toContain('.');
  });
});

describe('ginIndexStatements', () => {
  it('indexes FerretDB’s table of each collection, with the expression its filter uses', () => {
    const sql = ginIndexStatements(
      'skillcert',
      new Map([
        ['certificates', 'certificates_161e4ab9'],
        ['other', 'other_0a1b2c3d'],
      ]),
      new Map([['certificates', ['_id', 'batchId']]]),
    );
    expect(sql).toHaveLength(3);
    expect(sql[1]).toBe(
      `CREATE INDEX IF NOT EXISTS "${ginIndexName('certificates_161e4ab9', 'batchId')}" ON "skillcert"."certificates_161e4ab9" USING gin ((_jsonb->'batchId') jsonb_path_ops);`,
    );
    // a collection the models do not name still gets its _id
    expect(sql[2]).toContain(`ON "skillcert"."other_0a1b2c3d" USING gin ((_jsonb->'_id') jsonb_path_ops)`);
  });

  it('quotes names and keys', () => {
    const [sql] = ginIndexStatements('we"ird', new Map([['c', 'c_1']]), new Map([['c', ["o'k"]]]));
    expect(sql).toContain(`"we""ird"."c_1"`);
    expect(sql).toContain(`(_jsonb->'o''k')`);
  });
});

describe('ginIndexName', () => {
  it('stays within PostgreSQL’s 63 bytes and apart for fields that share a long prefix', () => {
    const table = 'inspection_proposal_decisions_' + 'x'.repeat(33);
    const a = ginIndexName(table, 'institutionIdOfTheFirstKind');
    const b = ginIndexName(table, 'institutionIdOfTheSecondKind');
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(63);
    expect(Buffer.byteLength(b)).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
    expect(ginIndexName(table, 'x')).toBe(ginIndexName(table, 'x'));
  });
});

describe('parseTables', () => {
  it('reads psql -At rows of collection|table', () => {
    expect([...parseTables('certificates|certificates_161e4ab9\nbatches|batches_5d4a\n')]).toEqual([
      ['certificates', 'certificates_161e4ab9'],
      ['batches', 'batches_5d4a'],
    ]);
  });
});
