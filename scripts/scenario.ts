/**
 * The quick tour: walks one filing (and, where the batch routes exist, one batch) through every
 * stage over HTTP against a running demo (`npm run demo`), printing each step.
 *
 *   npm run scenario                 # against http://127.0.0.1:3000
 *   BASE_URL=http://host:port npm run scenario
 */
import { loadSettings } from '../config';
import { signToken } from '../api/tokens';
import { makeCreditCode, makeIdNumber } from '../domain/identifiers';
import { sampleApplication, samplePlan } from './samples';
import type { Caller } from '../domain/roles';

type Log = (line: string) => void;

export interface ScenarioResult {
  filingId: string;
  filingStatus: string;
  inDirectory: boolean;
  batchId?: string;
  batchStatus?: string;
  certificates?: string[];
  complaintId?: string;
  creditEntries?: number;
}

export async function runScenario(baseUrl: string, secret: string, log: Log = console.log): Promise<ScenarioResult> {
  const suffix = String(Date.now()).slice(-7);
  const creditCode = makeCreditCode(`91220101MA${suffix}`.slice(0, 17));
  const token = (c: Omit<Caller, 'name'> & { name?: string }) => signToken(secret, { name: c.sub, ...c } as Caller);
  const t = {
    inst: await token({ sub: `inst-${suffix}`, name: '长春精工机械有限公司', role: 'institution', province: '22', institutionId: creditCode }),
    pref: await token({ sub: 'pref-changchun', name: '长春市人社局 审核员', role: 'prefecture-reviewer', province: '22', prefecture: '220100' }),
    prov: await token({ sub: 'prov-jilin-1', name: '吉林省人社厅 审核员', role: 'province-reviewer', province: '22' }),
    admin: await token({ sub: 'admin', name: '系统管理员', role: 'admin' }),
    center: await token({ sub: 'center-changchun', name: '长春市职业技能鉴定中心', role: 'center', province: '22', prefecture: '220100' }),
    ea: await token({ sub: 'expert-zhang', name: '张专家', role: 'expert', province: '22' }),
    eb: await token({ sub: 'expert-liu', name: '刘专家', role: 'expert', province: '22' }),
    ec: await token({ sub: 'expert-zhao', name: '赵专家', role: 'expert', province: '22' }),
    sup: await token({ sub: 'supervisor-wang', name: '王督导', role: 'supervisor', province: '22', prefecture: '220100' }),
  };

  async function call(method: string, path: string, body: unknown, tok?: string, expected: number[] = [200, 201, 202]) {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(tok ? { authorization: `Bearer ${tok}` } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!expected.includes(res.status)) throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 500)}`);
    return { status: res.status, body: json };
  }
  const step = (n: string, detail = '') => log(`  ✓ ${n}${detail ? `  — ${detail}` : ''}`);

  log(`Filing (机构评估备案) at ${baseUrl}`);
  for (const [i, [sub, name]] of [
    ['expert-zhang', '张专家'],
    ['expert-liu', '刘专家'],
    ['expert-zhao', '赵专家'],
  ].entries()) {
    await call('POST', '/experts', { userId: sub, name, idNumber: makeIdNumber('220102', '19700101', 100 + i), province: '22' }, t.prov);
  }
  await call(
    'POST',
    '/supervisors',
    { userId: 'supervisor-wang', name: '王督导', idNumber: makeIdNumber('220102', '19750505', 200), province: '22', prefecture: '220100' },
    t.prov,
  );
  step('registered three experts and a quality supervisor');

  const application = sampleApplication({ name: '长春精工机械有限公司', creditCode, address: '吉林省长春市朝阳区人民大街1号' });
  const created = await call('POST', '/filings', application, t.inst);
  const id: string = created.body.id;
  step('申报 submitted', `${id}, stage ${created.body.stage}`);

  await call('POST', `/filings/${id}/assignments`, { stage: 'preliminary-review', expertIds: ['expert-zhang'] }, t.pref);
  await call('POST', `/filings/${id}/assignments`, { stage: 'technical-assessment', expertIds: ['expert-liu'] }, t.pref);
  await call('POST', `/filings/${id}/assignments`, { stage: 'comprehensive-review', expertIds: ['expert-zhao'] }, t.pref);
  step('expert groups formed by the prefecture bureau');
  await call(
    'POST',
    `/filings/${id}/decisions`,
    { stage: 'preliminary-review', outcome: 'supplement', opinion: '缺少应急预案签章页', items: ['突发事件应急预案（签章版）'] },
    t.ea,
  );
  step('初评: 补正 requested');
  await call(
    'POST',
    `/filings/${id}/supplements`,
    { note: '已补充签章页', materials: [{ kind: 'emergency-plan', title: '突发事件应急预案（签章版）.pdf' }] },
    t.inst,
  );
  step('补正 answered by the institution');
  await call('POST', `/filings/${id}/decisions`, { stage: 'preliminary-review', outcome: 'pass', opinion: '材料齐全' }, t.ea);
  step('初评 passed');
  await call('POST', `/filings/${id}/decisions`, { stage: 'technical-assessment', outcome: 'pass', opinion: '现场评估合格', score: 88 }, t.eb);
  step('技术评估 passed', 'score 88');
  await call('POST', `/filings/${id}/decisions`, { stage: 'comprehensive-review', outcome: 'pass', opinion: '综合评估合格' }, t.ec);
  step('综合汇总 passed');
  const pub = await call('POST', `/filings/${id}/decisions`, { stage: 'deliberation', outcome: 'pass', opinion: '专题审议通过' }, t.pref);
  step('审议 passed; 公示 opened', `until ${pub.body.publicity?.endDate}`);
  const clock = await call('POST', '/admin/clock/advance', { by: 'P9D' }, t.admin);
  step('clock advanced through the publicity', clock.body.now);
  const active = await call('POST', `/filings/${id}/decisions`, { stage: 'notice', outcome: 'pass', opinion: '准予备案' }, t.prov);
  step('备案通知 issued', `${active.body.notice?.number}, sequence ${active.body.notice?.sequence}, valid until ${active.body.notice?.validUntil}`);
  const dir = await call('GET', `/directory?province=22&q=${encodeURIComponent('长春精工')}`, undefined);
  const inDirectory = dir.body.items.some((e: { creditCode: string }) => e.creditCode === creditCode);
  step('listed in the public directory', String(inDirectory));
  const result: ScenarioResult = { filingId: id, filingStatus: active.body.status, inDirectory };

  // ——— the batch, where the batch routes exist ———
  const probe = await fetch(`${baseUrl}/api/v1/batches`, { headers: { authorization: `Bearer ${t.inst}` } });
  if (probe.status === 404) {
    log('Batch (认定批次): not available in this build yet');
    return { ...result, ...(await runComplaint()) };
  }
  return { ...result, ...(await runBatch()), ...(await runComplaint()) };

  /** 000 §六(一), 002 Art.25–26: a public complaint, upheld by the bureau, becomes a published credit entry. */
  async function runComplaint() {
    log('Complaint (投诉举报) and credit file (信用档案)');
    const subject = { type: 'institution', id: creditCode };
    const filed = await call('POST', '/complaints', { subject, name: '李群众', contact: '13800001234', content: '该机构认定收费高于公示标准。' }, undefined);
    const { id: cid, trackingCode, dueDate } = filed.body as { id: string; trackingCode: string; dueDate: string };
    step('complaint filed by the public', `${cid}, to be handled by ${dueDate}`);
    const tracked = await call('GET', `/complaints/${cid}?trackingCode=${encodeURIComponent(trackingCode)}`, undefined);
    step('followed with its tracking code', tracked.body.status);
    await call('POST', `/complaints/${cid}/decision`, { upheld: true, note: '经核查，收费高于公示标准，责令退还差额。' }, t.pref);
    step('decided upheld by the 长春 bureau');
    const credit = await call('GET', `/institutions/${creditCode}/credit`, undefined);
    const items = credit.body.items as { kind: string; date: string; decidedBy: string; summary: string }[];
    for (const e of items) step('credit file entry', `${e.date} ${e.decidedBy}: ${e.summary}`);
    return { complaintId: cid, creditEntries: items.length };
  }

  async function runBatch() {
    log('Batch (认定批次)');
    const now = new Date((await call('GET', '/admin/clock', undefined, t.admin)).body.now);
    const today = new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
    const earliest = (await call('GET', `/calendar/working-days?from=${today}&add=10`, undefined)).body.date as string;
    const candidates = [0, 1, 2].map((i) => ({
      name: ['赵一', '钱二', '孙三'][i],
      idNumber: makeIdNumber('220102', '19900101', 300 + i),
      sex: i === 1 ? 'F' : 'M',
      post: '车工',
      yearsInPost: 5 + i,
      occupationCode: '6-18-01-01',
      level: 4,
      employerCreditCode: creditCode,
    }));
    const plan = samplePlan(id, earliest, candidates);
    const batch = await call('POST', '/batches', plan, t.inst);
    const bid: string = batch.body.id;
    step('plan filed', `${bid}, first exam ${earliest} (10 working days ahead)`);
    await call('POST', `/batches/${bid}/decisions`, { stage: 'plan-review', outcome: 'pass', opinion: '计划已收悉' }, t.center);
    step('plan acknowledged by the appraisal center');
    const drawn = await call('POST', `/batches/${bid}/supervision`, { action: 'assign', count: 1 }, t.center);
    step('quality supervisor drawn at random', JSON.stringify(drawn.body.supervision?.assigned?.map?.((s: { name: string }) => s.name) ?? []));
    await call('POST', '/admin/clock/advance', { by: 'P20D' }, t.admin);
    step('clock advanced past the exam days');
    await call('POST', `/batches/${bid}/supervision`, { action: 'report', severity: 'none', findings: '考务规范' }, t.sup, [200, 201, 202, 403, 409]);
    await call(
      'POST',
      `/batches/${bid}/scores`,
      { scores: candidates.map((c, i) => ({ idNumber: c.idNumber, theory: 70 + i * 10, skill: i === 2 ? 55 : 80 })) },
      t.inst,
    );
    step('scores entered', '2 of 3 pass');
    await call('POST', '/admin/clock/advance', { by: 'P9D' }, t.admin);
    step('clock advanced through the result publicity');
    await call('POST', `/batches/${bid}/results`, {}, t.inst);
    step('结果汇总表 and 合格人员花名册 submitted');
    const done = await call('POST', `/batches/${bid}/decisions`, { stage: 'results-review', outcome: 'pass', opinion: '审核通过' }, t.center);
    const certificates: string[] = (done.body.certificates?.items ?? []).map((c: { number: string }) => c.number);
    step('results approved; certificates issued', certificates.join(', '));
    if (certificates[0]) {
      const number = certificates[0];
      const cert = await call('GET', `/certificates/${number}`, undefined);
      step('public certificate check', `${cert.body.number} ${cert.body.holder?.name ?? ''} ${cert.body.status}`);
      // the electronic certificate (002 Art.20): the PDF for the institution, its QR code's signed link
      const pdf = await fetch(`${baseUrl}/api/v1/certificates/${number}/document`, { headers: { authorization: `Bearer ${t.inst}` } });
      const bytes = Buffer.from(await pdf.arrayBuffer());
      if (pdf.status !== 200 || bytes.subarray(0, 5).toString() !== '%PDF-') throw new Error(`GET /certificates/${number}/document → ${pdf.status}`);
      step('electronic certificate (PDF with a signed QR link)', `${bytes.length} bytes; ${cert.body.verifyUrl}`);
      const keys = await call('GET', '/certificates/signing-keys', undefined);
      step('signing key published for offline checks', keys.body.keys.map((k: { kid: string; alg: string }) => `${k.kid} ${k.alg}`).join(', '));
      const page = await fetch(new URL(new URL(cert.body.verifyUrl).pathname + new URL(cert.body.verifyUrl).search, baseUrl));
      const html = await page.text();
      step('the QR link checked on /verify', /签名有效/.test(html) ? '签名有效' : `status ${page.status}`);
      // a correction (004 Art.12): asked by the institution, approved by the center; same number, version 2
      const asked = await call('POST', `/certificates/${number}/corrections`, { field: 'trade', value: '数控车工', reason: '漏填工种' }, t.inst);
      step('correction requested by the institution', asked.body.correctionId);
      await call('POST', `/certificates/${number}/corrections/${asked.body.correctionId}/decision`, { outcome: 'pass', opinion: '核实无误' }, t.center);
      const corrected = await call('GET', `/certificates/${number}`, undefined);
      step('correction approved by the center', `${corrected.body.number} version ${corrected.body.version}, trade ${corrected.body.trade ?? ''}`);
    }
    return { batchId: bid, batchStatus: done.body.status as string, certificates };
  }
}

if (require.main === module) {
  const settings = loadSettings({ ...process.env, APP_MODE: 'demo' });
  const base = process.env.BASE_URL ?? `http://127.0.0.1:${settings.PORT}`;
  runScenario(base, settings.AUTH_JWT_SECRET!)
    .then((r) => console.log(`\ndone: filing ${r.filingId} ${r.filingStatus}${r.batchId ? `, batch ${r.batchId} ${r.batchStatus}` : ''}`))
    .catch((err) => {
      console.error(`scenario failed: ${err instanceof Error ? err.message : err}`);
      console.error('Is the demo running? Start it with `npm run demo` in another terminal.');
      process.exit(1);
    });
}
