/**
 * `npm run backfill-tallies`: once after upgrading to 0.5.0, with the stack running, the
 * certificate tallies of the batches certified before it (infra/certificate-tallies.ts), on the
 * database the app uses (MONGODB_URI, or the embedded FerretDB of `npm start`). Safe to run again:
 * it writes only what is missing.
 */
import { settingsSchema } from '../config';
import { connectDatabase } from '../models';
import { backfillCertificateTallies } from '../infra/certificate-tallies';

async function main() {
  // only where the database is: the app's other settings (its secrets among them) are not needed here
  const { MONGODB_URI, FERRETDB_PORT } = settingsSchema.pick({ MONGODB_URI: true, FERRETDB_PORT: true }).parse({
    MONGODB_URI: process.env.MONGODB_URI || undefined,
    FERRETDB_PORT: process.env.FERRETDB_PORT || undefined,
  });
  const { conn, models } = await connectDatabase(MONGODB_URI ?? `mongodb://127.0.0.1:${FERRETDB_PORT}/skillcert`);
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
