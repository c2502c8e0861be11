/**
 * The API logs to stdout asynchronously (api/logging.ts stdoutDestination): lines still buffered
 * when the process dies must be written all the same, scrubbed like the others.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

describe('the asynchronous log destination', () => {
  it.each(['exit', 'throw', 'reject'])(
    'writes every buffered line when the process dies (%s)',
    (how) => {
      const lines = 20_000;
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test/fixtures/log-exit.ts'), String(lines), how], {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(r.status).not.toBe(0);
      const out = r.stdout.trim().split('\n');
      expect(out).toHaveLength(lines + 1);
      const parsed = out.map((l) => JSON.parse(l) as { i?: number; msg: string; phone?: string });
      // in order, none missing
      expect(parsed.slice(0, lines).every((l, i) => l.i === i)).toBe(true);
      expect(parsed[lines].msg).toBe('last line');
      expect(r.stdout).not.toContain('13912345678');
      expect(parsed[0]).toMatchObject({ phone: '[redacted]', msg: 'line 0, tel 139****5678' });
    },
    60_000,
  );
});
