/**
 * `npm run backup -- --to DIR [--stack embedded|production]`: see infra/backup.ts and README "Backup and restore".
 */
import { BackupError, backupCommand } from '../infra/backup';
import { ProductionError } from '../infra/production';

backupCommand(process.argv.slice(2), process.env, (line) => console.log(line)).catch((err) => {
  console.error(err instanceof BackupError || err instanceof ProductionError ? err.message : err);
  process.exit(1);
});
