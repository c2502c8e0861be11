/**
 * Starting a process while the servers it needs are (re)starting. The API and the worker connect
 * to Temporal and the database once, at startup, and the SDKs give up on the first refused
 * connection; a process restarted while Temporal or FerretDB is down would exit and never come
 * back (found by npm run chaos: a worker restarted during a Temporal restart left every workflow
 * without a poller, so updates were admitted and never answered). Once connected, the clients
 * reconnect by themselves.
 */

/** A refused or unreachable server (gRPC, tonic or MongoDB driver), as opposed to a bad setting or code. */
export function isUnreachable(err: unknown): boolean {
  const e = err as { name?: string; code?: unknown; message?: string } | undefined;
  if (!e) return false;
  if (['TransportError', 'MongooseServerSelectionError', 'MongoServerSelectionError', 'MongoNetworkError', 'MongoNetworkTimeoutError'].includes(e.name ?? ''))
    return true;
  // @grpc/grpc-js status UNAVAILABLE (14) and DEADLINE_EXCEEDED (4)
  if (e.code === 14 || e.code === 4) return true;
  return /Connection refused|ECONNREFUSED|ECONNRESET|UNAVAILABLE|tcp connect error|transport error|Failed to connect before the deadline/i.test(
    e.message ?? '',
  );
}

/**
 * Runs `attempt` until it succeeds, retrying with backoff while the error says a server is
 * unreachable, for up to `timeoutMs`. Any other error, or the deadline, is thrown.
 */
export async function whileUnreachable<T>(what: string, attempt: () => Promise<T>, opts: { timeoutMs?: number; log?: (msg: string) => void } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
  const log = opts.log ?? ((msg: string) => console.warn(msg));
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isUnreachable(err) || Date.now() > deadline) throw err;
      const delay = Math.min(5_000, 250 * 2 ** Math.min(n, 5));
      log(`${what}: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}; retrying in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
