/**
 * `npm run backfill-tallies` (scripts/backfill-tallies.ts) as an operator runs it after upgrading
 * to 0.5.0: against the real FerretDB, it writes the tallies of certificates issued without one,
 * and a second run writes nothing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { connectDatabase, type Models } from '../../models';
import { ROOT } from '../../infra/embedded';
import { stackInfo, uniqueName } from '../harness/stack';
import { buildCertificateCode } from '../../domain/certificate-code';
import { certificateDoc } from '../fixtures/certificates';
import { idNumber, newCreditCode } from '../fixtures/filing';
import type { Connection } from 'mongoose';

const run = promisify(execFile);

describe('npm run backfill-tallies', () => {
  const uri = `${stackInfo().mongoBase}/${uniqueName('bf').replace(/-/g, '_')}`;
  let conn: Connection;
  let models: Models;
  beforeAll(async () => {
    ({ conn, models } = await connectDatabase(uri));
  });
  afterAll(async () => conn?.close());

  it('tallies the certificates issued before 0.5.0, once', async () => {
    const X = newCreditCode('220102');
    const number = (serial: number, level: 3 | 4) =>
      buildCertificateCode({ kind: 'Y', province: '22', institutionSequence: 51, issueYear: 2025, level, serial });
    const holder = { name: '某', idNumber: idNumber(900), sex: 'F' as const };
    await models.Certificate.insertMany([
      certificateDoc(number(1, 4), X, 'b-old-1', { holder, level: 4 }),
      certificateDoc(number(2, 4), X, 'b-old-1', { holder, level: 4 }),
      certificateDoc(number(1, 3), X, 'b-old-1', { holder, level: 3 }),
      certificateDoc(number(3, 4), X, 'b-old-2', { holder, level: 4, issuedAt: new Date('2025-06-01T02:00:00Z') }),
    ]);
    const script = (): Promise<string> =>
      run(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/backfill-tallies.ts')], { cwd: ROOT, env: { ...process.env, MONGODB_URI: uri } }).then(
        (r) => r.stdout,
      );
    expect(await script()).toMatch(/^backfill-tallies: 2 tallies for 4 certificates in /);
    const tallies = await models.CertificateTally.find({}).sort({ batchId: 1 }).lean();
    expect(tallies.map((t) => [t.batchId, t.total, t.counts.map((c) => `${c.level}:${c.count}`)])).toEqual([
      ['b-old-1', 3, ['4:2', '3:1']],
      ['b-old-2', 1, ['4:1']],
    ]);
    expect(await script()).toMatch(/^backfill-tallies: 0 tallies for 0 certificates in /);
  });
});
