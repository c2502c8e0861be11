/**
 * One chaos client process: drives its share of filings over HTTP, every mutating request with an
 * Idempotency-Key, retrying with the same key through crashes and restarts, and journals each 2xx.
 *
 *   node --import tsx scripts/chaos-client.ts <job.json>
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { signToken } from '../api/plugins/auth';
import type { Caller } from '../domain/roles';

export interface ChaosJob {
  base: string;
  secret: string;
  phase: 'review' | 'notice';
  filings: { index: number; application: Record<string, any>; filingId?: string }[];
  journal: string;
  /** give up on one request after this long (the faults last seconds) */
  requestTimeoutMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const job: ChaosJob = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const tok = (c: Caller) => signToken(job.secret, c, '24h');
  const t = {
    pref: await tok({ sub: 'chaos-pref', name: 'pref', role: 'prefecture-reviewer', province: '22', prefecture: '220100' }),
    prov: await tok({ sub: 'chaos-prov', name: 'prov', role: 'province-reviewer', province: '22' }),
    ea: await tok({ sub: 'chaos-ea', name: 'ea', role: 'expert', province: '22' }),
    eb: await tok({ sub: 'chaos-eb', name: 'eb', role: 'expert', province: '22' }),
    ec: await tok({ sub: 'chaos-ec', name: 'ec', role: 'expert', province: '22' }),
  };

  /** POST until a definite answer: 2xx, or a 4xx other than a transient one. Same key every time. */
  async function post(path: string, body: unknown, token: string, key: string): Promise<{ status: number; body: any }> {
    const deadline = Date.now() + job.requestTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await fetch(`${job.base}/api/v1${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await r.text();
        const json = text ? JSON.parse(text) : undefined;
        if (r.status < 300) {
          appendFileSync(job.journal, `${JSON.stringify({ path, key, status: r.status, at: Date.now(), id: json?.id, stage: json?.stage, state: json?.status })}\n`);
          return { status: r.status, body: json };
        }
        // a 404 right after a restart can be a read model not yet written; 5xx and 429 are transient
        if (r.status < 500 && r.status !== 429 && !(r.status === 404 && attempt < 20)) return { status: r.status, body: json };
      } catch {
        /* connection refused or reset: the API is restarting */
      }
      if (Date.now() > deadline) throw new Error(`gave up on POST ${path} (${key})`);
      await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)));
    }
  }

  for (const f of job.filings) {
    const inst = await tok({ sub: `chaos-inst-${f.index}`, name: 'inst', role: 'institution', province: '22', institutionId: f.application.institution.creditCode });
    const k = (op: string) => `chaos-${f.index}-${op}`;
    const must = async (p: Promise<{ status: number; body: any }>, what: string) => {
      const r = await p;
      if (r.status >= 300) throw new Error(`${what} for filing #${f.index}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      return r.body;
    };
    if (job.phase === 'review') {
      const { id } = await must(post('/filings', f.application, inst, k('create')), 'create');
      await must(post(`/filings/${id}/assignments`, { stage: 'preliminary-review', expertIds: ['chaos-ea'] }, t.pref, k('assign-1')), 'assign 初评');
      await must(post(`/filings/${id}/assignments`, { stage: 'technical-assessment', expertIds: ['chaos-eb'] }, t.pref, k('assign-2')), 'assign 技术评估');
      await must(post(`/filings/${id}/assignments`, { stage: 'comprehensive-review', expertIds: ['chaos-ec'] }, t.pref, k('assign-3')), 'assign 综合汇总');
      await must(post(`/filings/${id}/decisions`, { stage: 'preliminary-review', outcome: 'pass', opinion: '通过' }, t.ea, k('d-1')), '初评');
      await must(post(`/filings/${id}/decisions`, { stage: 'technical-assessment', outcome: 'pass', opinion: '通过', score: 80 }, t.eb, k('d-2')), '技术评估');
      await must(post(`/filings/${id}/decisions`, { stage: 'comprehensive-review', outcome: 'pass', opinion: '通过' }, t.ec, k('d-3')), '综合汇总');
      await must(post(`/filings/${id}/decisions`, { stage: 'deliberation', outcome: 'pass', opinion: '通过' }, t.pref, k('d-4')), '审议');
    } else {
      const id = f.filingId!;
      await must(post(`/filings/${id}/decisions`, { stage: 'notice', outcome: 'pass', opinion: '准予备案' }, t.prov, k('notice')), '备案通知');
    }
  }
}

main().catch((err) => {
  console.error(`chaos client: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
