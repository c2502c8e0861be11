/**
 * The load generator of figures (c) and (h), run by bench/run.ts in a process of its own:
 *
 *   node --import tsx bench/load.ts '{"jobs":[{"base":"http://127.0.0.1:1234","paths":["/livez"]},…],"connections":32,"seconds":6}'
 *   node --import tsx bench/load.ts @jobs.json
 *
 * autocannon (programmatic API, so one job can cycle through many paths: each connection sends
 * the paths in turn) warms each job's server up for a second, then measures the jobs in turns of
 * one second each, round after round, until each has had `seconds`: on a machine shared with other
 * work, a burst of it then falls on every job alike instead of on whichever ran at that moment.
 * It prints one JSON line: per job, 2xx answers per second, the server's CPU time per answer
 * (which other work on the machine moves far less than the rate), non-2xx answers, errors and
 * timeouts, latency p50/p99 (of the last round).
 *
 * A job with `spread` has each connection start at its own place in the path list (and a later
 * turn at another place again): with many certificate numbers, the connections then do not walk
 * the list in step, each asking for the number another asked for a moment before.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { cpuOf, withChildren } from './cpu';
import type { LoadJob } from './cannon';

/** a job as bench/cannon.ts describes it (the driver writes them, this reads them) */
type Job = LoadJob;

function run(job: Job, connections: number, seconds: number, turn = 0) {
  const requests = job.paths.map((path) => ({ method: 'GET' as const, path }));
  let client = 0;
  const stride = Math.max(1, Math.floor(requests.length / connections));
  return autocannon({
    url: job.base,
    connections,
    duration: seconds,
    requests,
    ...(job.rate ? { overallRate: job.rate } : {}),
    ...(job.spread && requests.length > 1
      ? {
          setupClient: (c: { setRequests(r: typeof requests): void }) => {
            const from = (client++ * stride + turn * 7919) % requests.length;
            c.setRequests([...requests.slice(from), ...requests.slice(0, from)]);
          },
        }
      : {}),
  });
}

async function main() {
  // `@file`: the JSON in a file (thousands of paths are more than one argument may hold)
  const arg = process.argv[2];
  const { jobs, connections, seconds } = JSON.parse(arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg) as {
    jobs: Job[];
    connections: number;
    seconds: number;
  };
  for (const job of jobs) await run(job, connections, 1);
  const totals = jobs.map(() => ({ ok: 0, seconds: 0, cpuMs: 0, backendCpuMs: 0, non2xx: 0, errors: 0, timeouts: 0, p50: 0, p99: 0 }));
  for (let round = 0; round < seconds; round++) {
    for (const [i, job] of jobs.entries()) {
      const servers = [...(job.pid ? [job.pid] : []), ...(job.pids ?? [])];
      const backends = job.backendPids ? withChildren(job.backendPids) : [];
      const cpu0 = cpuOf(servers);
      const backend0 = cpuOf(backends);
      const r = await run(job, connections, 1, round + 1);
      const t = totals[i];
      t.cpuMs += cpuOf(servers) - cpu0;
      t.backendCpuMs += cpuOf(backends) - backend0;
      t.ok += r['2xx'];
      t.seconds += r.duration;
      t.non2xx += r.non2xx;
      t.errors += r.errors;
      t.timeouts += r.timeouts;
      t.p50 = r.latency.p50;
      t.p99 = r.latency.p99;
    }
  }
  process.stdout.write(
    `${JSON.stringify(totals.map((t) => ({ perSecond: t.ok / t.seconds, cpuMicrosPerRequest: (t.cpuMs * 1000) / t.ok, backendCpuMicrosPerRequest: (t.backendCpuMs * 1000) / t.ok, ...t })))}\n`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
