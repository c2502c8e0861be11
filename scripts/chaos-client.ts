/**
 * One chaos client process: drives its share of filings, or of batches, over HTTP, every mutating
 * request with an Idempotency-Key, retrying with the same key through crashes and restarts, and
 * journals each 2xx.
 *
 * A batch goes the way scripts/scenario.ts `runBatch()` takes it, in three phases between which
 * the supervisor moves demo time: `batch-plan` (plan ≥ 10 working days ahead, center plan-review
 * pass, supervisor draw), `batch-exams` (after the exam days: the drawn supervisor's report, the
 * scores), `batch-results` (after the result publicity: results, center results-review pass →
 * certificates).
 *
 *   node --import tsx scripts/chaos-client.ts <job.json>
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { signToken } from '../api/tokens';
import type { Caller } from '../domain/roles';
import { samplePlan } from './samples';

/** One batch the chaos run takes to `certified`: its plan's candidates and the scores they get. */
export interface ChaosBatch {
  index: number;
  filingId: string;
  creditCode: string;
  candidates: { name: string; idNumber: string; post: string; yearsInPost: number; occupationCode: string; level: number; employerCreditCode: string }[];
  scores: { idNumber: string; theory: number; skill: number }[];
  /** candidates whose every module reaches 60: the certificates the batch must issue */
  passing: string[];
  batchId?: string;
}

export interface ChaosJob {
  base: string;
  secret: string;
  phase: 'review' | 'notice' | 'batch-plan' | 'batch-exams' | 'batch-results';
  filings: { index: number; application: Record<string, any>; filingId?: string }[];
  batches?: ChaosBatch[];
  journal: string;
  /** give up on one request after this long (the faults last seconds) */
  requestTimeoutMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Batch statuses in the order a certified batch passes them. */
const ORDER = ['planned', 'acknowledged', 'examining', 'scoring', 'publicity', 'results-due', 'results-review', 'certified'];

async function main() {
  const job: ChaosJob = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const tok = (c: Caller) => signToken(job.secret, c, '24h');
  const t = {
    pref: await tok({ sub: 'chaos-pref', name: 'pref', role: 'prefecture-reviewer', province: '22', prefecture: '220100' }),
    prov: await tok({ sub: 'chaos-prov', name: 'prov', role: 'province-reviewer', province: '22' }),
    ea: await tok({ sub: 'chaos-ea', name: 'ea', role: 'expert', province: '22' }),
    eb: await tok({ sub: 'chaos-eb', name: 'eb', role: 'expert', province: '22' }),
    ec: await tok({ sub: 'chaos-ec', name: 'ec', role: 'expert', province: '22' }),
    center: await tok({ sub: 'chaos-center', name: 'center', role: 'center', province: '22', prefecture: '220100' }),
    admin: await tok({ sub: 'chaos-admin', name: 'admin', role: 'admin' }),
  };

  /** GET until a 200 (the API may be restarting, a read model not yet written). */
  async function get(path: string, token?: string): Promise<any> {
    const deadline = Date.now() + job.requestTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await fetch(`${job.base}/api/v1${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(30_000) });
        if (r.status === 200) return await r.json();
        if (r.status < 500 && r.status !== 429 && r.status !== 404) throw new Error(`GET ${path}: ${r.status} ${(await r.text()).slice(0, 300)}`);
      } catch (err) {
        if ((err as Error).message?.startsWith('GET ')) throw err;
      }
      if (Date.now() > deadline) throw new Error(`gave up on GET ${path}`);
      await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)));
    }
  }

  /**
   * POST until a definite answer: 2xx, or a 4xx other than a transient one. Same key every time,
   * but after a 404: the API keeps a 404 as the key's answer for a day like any other, so a retry
   * under that key could only replay it, while a 404 did nothing, so a new key acts at most once.
   */
  async function post(path: string, body: unknown, token: string, key: string): Promise<{ status: number; body: any; attempts: number }> {
    const deadline = Date.now() + job.requestTimeoutMs;
    let sent = key;
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await fetch(`${job.base}/api/v1${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': sent },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await r.text();
        const json = text ? JSON.parse(text) : undefined;
        if (r.status < 300) {
          appendFileSync(
            job.journal,
            `${JSON.stringify({ path, key, status: r.status, at: Date.now(), id: json?.id, stage: json?.stage, state: json?.status })}\n`,
          );
          return { status: r.status, body: json, attempts: attempt + 1 };
        }
        // a 404 can be a read model not yet written (POST /filings answers from the workflow's state
        // when its first read-model write is held up by a fault), retried until the deadline;
        // 5xx and 429 are transient
        if (r.status < 500 && r.status !== 429 && r.status !== 404) return { status: r.status, body: json, attempts: attempt + 1 };
        if (r.status === 404) sent = `${key}~${attempt + 1}`;
      } catch {
        /* connection refused or reset: the API is restarting */
      }
      if (Date.now() > deadline) throw new Error(`gave up on POST ${path} (${key})`);
      await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)));
    }
  }

  if (job.phase.startsWith('batch-')) {
    for (const b of job.batches ?? []) await driveBatch(b);
    return;
  }

  for (const f of job.filings) {
    const inst = await tok({
      sub: `chaos-inst-${f.index}`,
      name: 'inst',
      role: 'institution',
      province: '22',
      institutionId: f.application.institution.creditCode,
    });
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

  /** Waits until the batch's read model is at `status` or later: the workflow moves on its timers. */
  async function reach(batchId: string, status: string): Promise<any> {
    const deadline = Date.now() + job.requestTimeoutMs;
    for (;;) {
      const s = await get(`/batches/${batchId}`, t.center);
      if (ORDER.indexOf(s.status) >= ORDER.indexOf(status)) return s;
      if (!ORDER.includes(s.status)) throw new Error(`batch ${batchId} is ${s.status}, waiting for ${status}`);
      if (Date.now() > deadline) throw new Error(`batch ${batchId} still ${s.status}, waiting for ${status}`);
      await sleep(1000);
    }
  }

  async function driveBatch(b: ChaosBatch) {
    const inst = await tok({ sub: `chaos-binst-${b.index}`, name: 'inst', role: 'institution', province: '22', institutionId: b.creditCode });
    const k = (op: string) => `chaos-b${b.index}-${op}`;
    const must = async (p: Promise<{ status: number; body: any }>, what: string) => {
      const r = await p;
      if (r.status >= 300) throw new Error(`${what} for batch #${b.index} (${b.batchId ?? b.filingId}): ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      return r.body;
    };
    if (job.phase === 'batch-plan') {
      // as scenario.ts runBatch(): the first exam day is the 10th working day after today (China time)
      const now = new Date((await get('/admin/clock', t.admin)).now);
      const today = new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
      const earliest: string = (await get(`/calendar/working-days?from=${today}&add=10`)).date;
      const plan = samplePlan(b.filingId, earliest, b.candidates);
      const { id } = await must(post('/batches', plan, inst, k('plan')), 'plan');
      b.batchId = id;
      await must(post(`/batches/${id}/decisions`, { stage: 'plan-review', outcome: 'pass', opinion: '计划已收悉' }, t.center, k('plan-review')), 'plan-review');
      await must(post(`/batches/${id}/supervision`, { action: 'assign', count: 1 }, t.center, k('draw')), 'supervisor draw');
    } else if (job.phase === 'batch-exams') {
      const id = b.batchId!;
      const s = await reach(id, 'scoring');
      const drawn: string | undefined = s.supervision?.assigned?.[0]?.userId;
      if (!drawn) throw new Error(`batch ${id}: no supervisor drawn`);
      const sup = await tok({ sub: drawn, name: drawn, role: 'supervisor', province: '22', prefecture: '220100' });
      await must(post(`/batches/${id}/supervision`, { action: 'report', severity: 'none', findings: '考务规范' }, sup, k('report')), 'supervision report');
      await must(post(`/batches/${id}/scores`, { scores: b.scores }, inst, k('scores')), 'scores');
    } else {
      const id = b.batchId!;
      await reach(id, 'results-due');
      await must(post(`/batches/${id}/results`, {}, inst, k('results')), 'results');
      const certify = await post(`/batches/${id}/decisions`, { stage: 'results-review', outcome: 'pass', opinion: '审核通过' }, t.center, k('certify'));
      if (certify.status === 409 && certify.attempts > 1) {
        // a retry refused although an earlier attempt of the same request may have certified the
        // batch: the Idempotency-Key promised the first answer again. Journal it as a breach.
        const s = await get(`/batches/${id}`, t.center);
        appendFileSync(
          job.journal,
          `${JSON.stringify({ path: `/batches/${id}/decisions`, key: k('certify'), breach: `retry with the same Idempotency-Key answered ${certify.status} ${certify.body?.code ?? ''} (batch ${s.status}) instead of the first answer` })}\n`,
        );
        return;
      }
      const done = await must(Promise.resolve(certify), 'results-review');
      if (done.status !== 'certified') throw new Error(`batch ${id}: results-review pass answered ${done.status}`);
    }
  }
}

main().catch((err) => {
  console.error(`chaos client: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
