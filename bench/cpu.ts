/**
 * CPU time of processes (Linux /proc), for the bench's per-answer and per-filing costs: on a machine
 * shared with other work the CPU a process spent moves far less than a rate does.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** CPU time of a process so far, in ms (/proc/<pid>/stat: utime + stime in clock ticks of 10 ms); 0 once it is gone. */
export function cpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** The processes and their children right now (PostgreSQL forks a backend per connection). */
export function withChildren(pids: number[]): number[] {
  const all = new Set(pids);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      if (all.has(ppid)) all.add(Number(entry));
    } catch {
      // it ended while we looked
    }
  }
  return [...all];
}

export const cpuOf = (pids: number[]) => pids.reduce((sum, p) => sum + cpuMs(p), 0);
