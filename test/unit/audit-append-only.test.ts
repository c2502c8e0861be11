/**
 * The audit trail is append-only (issue "Access control, audit trail…", part 3):
 * 1. a static check: no source file changes or removes audit entries, through the Audit model, an
 *    alias of it, `mongoose.model('Audit')`, its raw collection or `collection('audit')`, and no
 *    code hands the Audit model to a helper other than `insertOnce`;
 * 2. the schema-level guard in models/records.ts: every mongoose update or delete path on the
 *    audit schema throws before it reaches the database (checked on an unconnected model).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import mongoose from 'mongoose';
import { AppendOnlyViolation, auditSchema } from '../../models/records';

const ROOT = join(__dirname, '..', '..');
const SCANNED = ['api', 'console', 'activities', 'models', 'workflows', 'infra', 'domain', 'scripts', 'bench'];

const MUTATORS = [
  'updateOne',
  'updateMany',
  'update',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'remove',
  'findOneAndUpdate',
  'findByIdAndUpdate',
  'findOneAndDelete',
  'findByIdAndDelete',
  'findOneAndReplace',
  'findOneAndRemove',
  'findByIdAndRemove',
  'bulkWrite',
  'drop',
  'rename',
];
/** helpers that may receive the Audit model: they only insert */
const INSERT_ONLY_HELPERS = ['insertOnce'];

function sourceFiles(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(sourceFiles(p));
    else if (/\.(ts|js|mjs|cjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Removes comments (keeps strings such as 'mongodb://…' intact: a line comment needs whitespace or a line start before it). */
function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[\s;{}()])\/\/.*$/gm, '$1');
}

export interface Violation {
  line: number;
  text: string;
  why: string;
}

/** Every place in one source text that could change or remove an audit entry. */
export function auditWrites(source: string): Violation[] {
  const src = stripComments(source);
  const names = new Set(['Audit']);
  // aliases: const A = models.Audit; const { Audit: A } = models; const A = conn.model('Audit'); const c = db.collection('audit')
  for (const m of src.matchAll(/(?:const|let|var)\s+(\w+)\s*(?::[^=]+)?=\s*[\w.?!\s]*\bAudit\b(?!\w)\s*[;,\n)]/g)) names.add(m[1]);
  for (const m of src.matchAll(/\{([^{}]*)\}\s*=/g)) {
    for (const part of m[1].split(',')) {
      const [key, alias] = part.split(':').map((x) => x.trim());
      if (key === 'Audit') names.add(alias || 'Audit');
    }
  }
  for (const m of src.matchAll(/(?:const|let|var)\s+(\w+)\s*(?::[^=]+)?=\s*[^;\n]*\b(?:model|collection)\(\s*['"`](?:Audit|audit)['"`]\s*\)/g)) names.add(m[1]);

  const mut = MUTATORS.join('|');
  const rules: [RegExp, string][] = [
    [new RegExp(`\\b(${[...names].join('|')})\\b(?:\\s*[?!]?\\.\\s*collection)?\\s*[?!]?\\.\\s*(${mut})\\s*[(<]`, 'g'), 'mutates the Audit model'],
    [
      new RegExp(`\\b(?:model|collection)\\(\\s*['"\`](?:Audit|audit)['"\`]\\s*\\)(?:\\s*[?!]?\\.\\s*collection)?\\s*[?!]?\\.\\s*(${mut})\\s*[(<]`, 'g'),
      'mutates the audit collection',
    ],
    [new RegExp(`\\b(?:dropCollection|renameCollection)\\(\\s*['"\`]audit['"\`]`, 'g'), 'drops or renames the audit collection'],
  ];
  const out: Violation[] = [];
  const lineOf = (index: number) => src.slice(0, index).split('\n').length;
  for (const [re, why] of rules) {
    for (const m of src.matchAll(re)) out.push({ line: lineOf(m.index!), text: m[0], why });
  }
  // the model handed to a helper: only insert-only helpers may take it
  for (const m of src.matchAll(/\b(\w+)\s*\(\s*[\w.?!]*\bAudit\b\s*[,)]/g)) {
    if (!INSERT_ONLY_HELPERS.includes(m[1]) && !['model', 'expect', 'describe', 'it'].includes(m[1])) {
      out.push({ line: lineOf(m.index!), text: m[0], why: `passes the Audit model to ${m[1]}(), which is not known to only insert` });
    }
  }
  return out;
}

describe('the audit trail is append-only', () => {
  describe('static check of the source', () => {
    const files = SCANNED.flatMap((d) => sourceFiles(join(ROOT, d))).concat(
      ['app.ts', 'server.ts', 'worker.ts', 'config.ts']
        .map((f) => join(ROOT, f))
        .filter((f) => {
          try {
            return statSync(f).isFile();
          } catch {
            return false;
          }
        }),
    );

    it('scans the code that can reach the database', () => {
      const rel = files.map((f) => relative(ROOT, f));
      expect(rel).toEqual(expect.arrayContaining(['activities/records.ts', 'models/records.ts', 'api/audit.ts', 'api/routes/filings.ts']));
      // the scan sees the real writers (so it would see a bad one): inserts through insertOnce and create
      const records = readFileSync(join(ROOT, 'activities/records.ts'), 'utf8');
      expect(records).toMatch(/insertOnce\(models\.Audit/);
    });

    it('finds no update, replace or delete of audit entries anywhere', () => {
      const found = files.flatMap((f) => auditWrites(readFileSync(f, 'utf8')).map((v) => `${relative(ROOT, f)}:${v.line}: ${v.why}: ${v.text}`));
      expect(found).toEqual([]);
    });

    it.each([
      ['models.Audit.updateOne({ _id: id }, { $set: { note: "x" } })', 'direct update'],
      ['await this.models.Audit.deleteMany({ targetId })', 'delete'],
      ['models.Audit?.findByIdAndUpdate(id, {})', 'optional chaining'],
      ['const { Audit } = models;\nawait Audit.replaceOne({}, {});', 'destructured'],
      ['const { Audit: trail } = app.services.models;\ntrail.findOneAndDelete({});', 'destructured alias'],
      ['const log = models.Audit;\nlog.updateMany({}, {});', 'alias'],
      ['models.Audit.collection.updateOne({}, {})', 'raw collection of the model'],
      ["db.collection('audit').deleteOne({ _id })", 'raw collection by name'],
      ["const c = conn.db.collection('audit');\nc.updateOne({}, {});", 'raw collection alias'],
      ["mongoose.model('Audit').bulkWrite([])", 'model by name'],
      ["await db.dropCollection('audit')", 'drop'],
      ['await putVersioned(models.Audit, id, 1, {})', 'handed to a replacing helper'],
    ])('would catch %p (%s)', (code) => {
      expect(auditWrites(code).length).toBeGreaterThan(0);
    });

    it.each([
      'await insertOnce(models.Audit, auditDocs("filing", id, v, drafts))',
      'await models.Audit.create({ _id })',
      'await models.Audit.find({ targetId }).sort({ seq: 1 }).lean()',
      'await models.Audit.countDocuments({})',
      'await models.Filing.replaceOne({ _id }, doc)',
      '// models.Audit.deleteMany({}) in a comment',
      "const uri = 'mongodb://127.0.0.1/x'; models.Audit.insertMany(docs)",
      'Audit: conn.model("Audit", auditSchema),',
    ])('lets %p pass', (code) => {
      expect(auditWrites(code)).toEqual([]);
    });
  });

  describe('schema-level guard (models/records.ts)', () => {
    const conn = mongoose.createConnection(); // never opened: the guard throws before anything is sent
    const Audit = conn.model('AuditGuardProbe', auditSchema);
    const entry = () => Audit.hydrate({ _id: 'a1', targetType: 'filing', targetId: 'F1', actor: 'u', action: 'filing.submit', at: new Date() });
    afterAll(() => conn.close());

    it.each<[string, () => Promise<unknown>]>([
      ['updateOne', () => Audit.updateOne({ _id: 'a1' }, { $set: { note: 'x' } }).exec()],
      ['updateMany', () => Audit.updateMany({}, { $set: { note: 'x' } }).exec()],
      ['replaceOne', () => Audit.replaceOne({ _id: 'a1' }, { note: 'x' }).exec()],
      ['findOneAndUpdate', () => Audit.findOneAndUpdate({}, { note: 'x' }).exec()],
      ['findByIdAndUpdate', () => Audit.findByIdAndUpdate('a1', { note: 'x' }).exec()],
      ['findOneAndReplace', () => Audit.findOneAndReplace({}, {}).exec()],
      ['findOneAndDelete', () => Audit.findOneAndDelete({}).exec()],
      ['findByIdAndDelete', () => Audit.findByIdAndDelete('a1').exec()],
      ['deleteOne', () => Audit.deleteOne({}).exec()],
      ['deleteMany', () => Audit.deleteMany({}).exec()],
      ['bulkWrite with an update', () => Audit.bulkWrite([{ updateOne: { filter: {}, update: { note: 'x' } } }])],
      ['bulkWrite with a delete', () => Audit.bulkWrite([{ insertOne: { document: {} } }, { deleteMany: { filter: {} } }])],
      ['doc.updateOne()', () => entry().updateOne({ note: 'x' }).exec()],
      ['doc.deleteOne()', () => entry().deleteOne()],
      [
        'saving a changed entry',
        () => {
          const d = entry();
          d.set('note', 'changed');
          return d.save();
        },
      ],
    ])('%s throws AppendOnlyViolation', async (_name, op) => {
      await expect(op()).rejects.toBeInstanceOf(AppendOnlyViolation);
    });
  });
});
