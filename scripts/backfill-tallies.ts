/**
 * `npm run backfill-tallies`: once after upgrading to 0.5.0, with the stack running, the
 * certificate tallies of the batches certified before it (infra/certificate-tallies.ts), on the
 * database the app uses (MONGODB_URI, or the embedded FerretDB of `npm start`). Safe to run again:
 * it writes only what is missing.
 */
import { loadSettings } from '../config';
import { connectDatabase } from '../models';
import { backfillCertificateTallies } from '../infra/certificate-tallies';
import { endpointsFrom } from '../infra/services';

async function main() {
  const settings = loadSettings();
  const { conn, models } = await connectDatabase(endpointsFrom(settings).mongoUri);
  try {
    const started = Date.now();
    const r = await backfillCertificateTallies(models);
    console.log(`backfill-tallies: ${r.tallies} tallies for ${r.certificates} certificates in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await conn.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
