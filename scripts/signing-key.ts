/**
 * A new Ed25519 key for signing certificates' verification links (certificates/signature.ts):
 *   npm run signing-key -- k2026a
 * prints the CERT_SIGNING_KEYS entry (a private key: into the secret store, not a log) on stdout
 * and its public key, as GET /certificates/signing-keys will publish it, on stderr.
 */
import { CertificateSigningError, generateSigningKey } from '../certificates/signature';

const kid = process.argv[2] ?? `k${new Date().getFullYear()}a`;
try {
  const { settingEntry, publicKey } = generateSigningKey(kid);
  process.stderr.write(`public key (published): ${JSON.stringify(publicKey)}\nCERT_SIGNING_KEYS entry (keep secret; append it, the last entry signs):\n`);
  process.stdout.write(`${settingEntry}\n`);
} catch (err) {
  if (!(err instanceof CertificateSigningError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
