/**
 * The driver side of the load generator: runs bench/load.ts (autocannon) in a process of its own
 * for the embedded (bench/run.ts) and production (bench/production.ts) figures (c) and (h).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../infra/embedded';

export interface LoadJob {
  base: string;
  /** the paths each connection cycles through */
  paths: string[];
  /** the server's process: its CPU time (user + system) per 2xx answer is reported too */
  pid?: number;
  /** more server processes counted with `pid` (the API processes of a cluster) */
  pids?: number[];
  /**
   * processes behind the server (FerretDB; PostgreSQL's postmaster, whose per-connection children
   * are counted too): their CPU time per 2xx answer is reported apart, as backendCpuMicrosPerRequest
   */
  backendPids?: number[];
  /** each connection starts at its own place in `paths` */
  spread?: boolean;
  /** requests per second over all connections (autocannon's overallRate); none: as fast as it goes */
  rate?: number;
}

export interface LoadResult {
  perSecond: number;
  cpuMicrosPerRequest: number;
  backendCpuMicrosPerRequest: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
}

/**
 * The jobs measured in alternating one-second turns for `seconds` each (bench/load.ts). An answer
 * that is not 2xx (a 429, a 404, a 500) is not a request served: the figure fails.
 */
export async function cannon(jobs: LoadJob[], seconds: number, connections = 32): Promise<LoadResult[]> {
  // in a file: thousands of certificate paths would not fit an argument
  const dir = mkdtempSync(join(tmpdir(), 'skillcert-load-'));
  const spec = join(dir, 'jobs.json');
  writeFileSync(spec, JSON.stringify({ jobs, connections, seconds }));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/load.ts'), `@${spec}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    if (code !== 0) throw new Error(`bench/load.ts exited ${code}`);
    const results = JSON.parse(out.trim().split('\n').pop()!) as LoadResult[];
    for (const [i, r] of results.entries())
      if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
        throw new Error(`${jobs[i].base}${jobs[i].paths[0]}: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts under load`);
      }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
