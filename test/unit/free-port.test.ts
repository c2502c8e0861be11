/**
 * freePort inside a jest worker: ports from the worker's own block, never the same one twice, never
 * one that is bound, and a child process that inherits the environment gets the kernel's choice
 * (a port from its block could already be promised to a server the worker is about to start).
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { freePort, WORKER_PORT_BLOCK } from '../../infra/embedded';

const worker = Number(process.env.JEST_WORKER_ID);
const first = WORKER_PORT_BLOCK.base + (worker - 1) * WORKER_PORT_BLOCK.size;
const inBlock = (p: number) => p >= first && p < first + WORKER_PORT_BLOCK.size;

describe('freePort in a jest worker', () => {
  it('hands out distinct ports from this worker’s block', async () => {
    const ports = [];
    for (let i = 0; i < 20; i++) ports.push(await freePort());
    expect(ports.every(inBlock)).toBe(true);
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('skips a port that something already listens on', async () => {
    const next = await freePort();
    // occupy the two ports after it: the next call must pass over them
    const servers: Server[] = [];
    for (const port of [next + 1, next + 2]) {
      const srv = createServer();
      await new Promise<void>((ok) => srv.listen(port, '127.0.0.1', ok));
      servers.push(srv);
    }
    try {
      expect(await freePort()).toBe(next + 3);
    } finally {
      await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
    }
  });

  it('gives a child process the kernel’s choice, outside every worker block', () => {
    const script = `require(${JSON.stringify(join(__dirname, '../../infra/embedded'))}).freePort().then((p) => process.stdout.write(String(p)))`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { env: process.env, encoding: 'utf8' });
    const port = Number(out);
    expect(port).toBeGreaterThanOrEqual(WORKER_PORT_BLOCK.base + 12 * WORKER_PORT_BLOCK.size);
  });
});
