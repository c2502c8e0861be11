/**
 * The load generator of figures (c) and (h), run by bench/run.ts in a process of its own:
 *
 *   node --import tsx bench/load.ts '{"base":"http://127.0.0.1:1234","paths":["/livez"],"connections":32,"seconds":5}'
 *
 * autocannon (programmatic API, so one run can cycle through many paths: each connection sends
 * the paths in turn) first warms the server up for a second, then measures; it prints one JSON
 * line: 2xx answers per second, non-2xx answers, errors and timeouts, latency p50/p99.
 */
import autocannon from 'autocannon';

interface Job {
  base: string;
  paths: string[];
  connections: number;
  seconds: number;
  warmupSeconds?: number;
}

function run(job: Job, seconds: number) {
  return autocannon({
    url: job.base,
    connections: job.connections,
    duration: seconds,
    requests: job.paths.map((path) => ({ method: 'GET' as const, path })),
  });
}

async function main() {
  const job = JSON.parse(process.argv[2]) as Job;
  if (job.warmupSeconds !== 0) await run(job, job.warmupSeconds ?? 1);
  const r = await run(job, job.seconds);
  const ok = r['2xx'];
  process.stdout.write(
    `${JSON.stringify({
      perSecond: ok / r.duration,
      ok,
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
      seconds: r.duration,
      p50: r.latency.p50,
      p99: r.latency.p99,
    })}\n`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
