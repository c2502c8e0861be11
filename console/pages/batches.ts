/**
 * Assessment batches (认定批次): the list, the plan form with its candidate spreadsheet (花名册),
 * the batch page with the forms the caller may use at the batch's current status, and the
 * downloads (结果汇总表, 合格人员花名册, templates).
 *
 * Every action goes to the same /api/v1 route a script would use, with the user's own token and
 * the form's Idempotency-Key; the console only decides which forms to offer (by the domain's rules:
 * isBatchCenter, maySuperviseBatch, mayResolveObjection, SUPERVISION_STATUSES) and checks the
 * spreadsheet row by row before anything is sent, so that a plan with a bad row is never submitted
 * and the user sees every bad row at once.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Objection } from '../../domain/filing';
import {
  BATCH_TERMINAL,
  FILING_IN_FORCE,
  isBatchCenter,
  isOwnInstitution,
  MODULE_KINDS,
  mayResolveObjection,
  maySuperviseBatch,
  outcomeOf,
  SUPERVISION_STATUSES,
  type BatchView,
  type ModuleKind,
  type ScoreEntry,
} from '../../domain/batch';
import { chinaDateOf } from '../../domain/calendar';
import { roleAllows } from '../../domain/access';
import { api, chinaTime, signedInOnly, one, problemText, render, seeOther, type ApiResult } from '../core';
import * as labels from '../labels';
import { XLSX_CONTENT_TYPE } from '../../exports/workbooks';
import { parseRosterFile, parseScoreFile, parseScore, rosterTemplateCsv, scoreTemplateCsv, type RowError } from '../roster';

interface Upload {
  fields: Record<string, string>;
  file?: { name: string; data: Buffer };
  /** the file went over the 2 MB limit */
  tooLarge?: boolean;
}

/** Reads a multipart form: its text fields and its one file (a file input left empty is no file). */
async function readMultipart(req: FastifyRequest): Promise<Upload | undefined> {
  if (!req.isMultipart()) return undefined;
  const out: Upload = { fields: {} };
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        if (part.filename || data.length) out.file = { name: part.filename, data };
      } else if (typeof part.value === 'string' && out.fields[part.fieldname] === undefined) {
        out.fields[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 413) return { ...out, tooLarge: true };
    throw err;
  }
  return out;
}

/** "张三、李四" or one name a line → [{ name }] */
function names(v: string): { name: string }[] {
  return v
    .split(/[\n\r,，、;；]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, 500)
    .map((name) => ({ name: name.slice(0, 50) }));
}

/** "实训楼，长春市…" a line → { name, address } */
function venueLines(v: string): { name: string; address: string }[] {
  return v
    .split(/[\n\r]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((line) => {
      const [name, ...rest] = line.split(/[,，|｜\t]/);
      return { name: name.trim(), address: rest.join('，').trim() };
    });
}

interface FilingChoice {
  id: string;
  label: string;
  status: string;
  kind: 'Y' | 'S';
  institutionName: string;
  creditCode: string;
  validUntil?: string;
  ownCreditCodes: string[];
  occupations: { code: string; name: string; trade?: string; levels: number[] }[];
  /** the filed venues: exams are held only there (004 Art.8) */
  venues: { name: string; address: string; premises?: string }[];
}

/** The institution's filings in force, with the scope a plan may use. */
async function filingsInForce(req: FastifyRequest): Promise<{ filings: FilingChoice[]; problem?: string; status: number }> {
  const list = await api(req, 'GET', '/filings', { query: { limit: 100 } });
  if (!list.ok) return { filings: [], problem: problemText(list), status: list.status };
  const ids = (list.body.items as { id: string; status: string }[]).filter((f) => FILING_IN_FORCE.includes(f.status)).map((f) => f.id);
  const filings: FilingChoice[] = [];
  for (const id of ids) {
    const f = await filingChoice(req, id);
    if (f.choice) filings.push(f.choice);
  }
  return { filings, status: 200 };
}

async function filingChoice(req: FastifyRequest, id: string): Promise<{ choice?: FilingChoice; r: ApiResult }> {
  const r = await api(req, 'GET', `/filings/${encodeURIComponent(id)}`);
  if (!r.ok) return { r };
  const s = r.body;
  const inst = s.application?.institution ?? {};
  const occupations = ((s.application?.occupations ?? []) as FilingChoice['occupations']).map((o) => ({
    code: o.code,
    name: o.name,
    trade: o.trade,
    levels: o.levels,
  }));
  const scope = occupations
    .map(
      (o) =>
        `${o.name}${o.trade ? `（${o.trade}）` : ''} ${o.code}：${[...o.levels]
          .sort((a, b) => b - a)
          .map((l) => `${l}级`)
          .join('、')}`,
    )
    .join('；');
  return {
    r,
    choice: {
      id: s.id,
      status: s.status,
      kind: inst.kind,
      institutionName: inst.name,
      creditCode: inst.creditCode,
      validUntil: s.notice?.validUntil,
      ownCreditCodes: [inst.creditCode, ...((s.application?.subsidiaries ?? []) as { creditCode: string }[]).map((x) => x.creditCode)].filter(Boolean),
      occupations,
      venues: ((s.application?.venues ?? []) as FilingChoice['venues']).map((v) => ({ name: v.name, address: v.address, premises: v.premises })),
      label: `${s.notice?.number ? `备案 ${s.notice.number}` : s.id}（${scope}${s.notice?.validUntil ? `；有效期至 ${s.notice.validUntil}` : ''}）`,
    },
  };
}

/** The China-local date today, as the system's clock (demo time in demo mode) says. */
async function today(req: FastifyRequest): Promise<string> {
  return chinaDateOf((await req.server.services.clock.now()).getTime());
}

/** The earliest first exam day for a plan filed today (10 working days ahead), or undefined. */
async function earliestExamDate(req: FastifyRequest): Promise<string | undefined> {
  const r = await api(req, 'GET', '/calendar/working-days', { query: { from: await today(req), add: 10 } });
  return r.ok ? r.body.date : undefined;
}

const PLAN_DEFAULTS = {
  filingId: '',
  firstExamDate: '',
  lastExamDate: '',
  overview: '',
  venueName: '',
  venueAddress: '',
  moreVenues: '',
  module_theory: '1',
  passMark_theory: '60',
  module_skill: '1',
  passMark_skill: '60',
  module_performance: '',
  passMark_performance: '60',
  module_defense: '',
  passMark_defense: '60',
  proctors: '',
  examiners: '',
  supervisors: '',
};

/**
 * Candidates per page of the batch page's tables: a batch may have 20,000, and a grid of 20,000
 * rows (80,000 inputs) is neither sent nor filled in one go. The API reads only that page's rows.
 */
export const CANDIDATES_PER_PAGE = 100;

/** The page asked for (`?page=`, from 1); anything else is the first. */
function pageOf(req: FastifyRequest): number {
  const n = Number(one((req.query as Record<string, unknown> | undefined)?.page));
  return Number.isInteger(n) && n >= 1 && n <= 1_000 ? n : 1;
}

/** The batch page at the page of candidates the request was on. */
const batchPath = (id: string, page: number) => `/batches/${encodeURIComponent(id)}${page > 1 ? `?page=${page}` : ''}`;

function csvReply(reply: FastifyReply, filename: string, body: string) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
    .header('cache-control', 'no-store')
    .send(body);
}

export default async function batchesPages(app: FastifyInstance) {
  app.addHook('onRequest', signedInOnly);
  // ——— the list ———

  app.get('/batches', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const filters = { status: one(q.status), cursor: one(q.cursor) };
    const r = await api(req, 'GET', '/batches', { query: { ...filters, limit: 50 } });
    return render(
      req,
      reply,
      'batch-list',
      {
        title: req.consoleCaller!.role === 'institution' ? '我的认定批次' : '认定批次',
        filters,
        items: r.ok ? r.body.items : [],
        nextCursor: r.ok ? r.body.nextCursor : null,
        mayPlan: req.consoleCaller!.role === 'institution',
        problem: r.ok ? undefined : problemText(r),
      },
      r.ok ? 200 : r.status,
    );
  });

  // ——— templates ———

  app.get('/batches/roster-template.csv', { config: { publicPage: true } }, async (req, reply) => {
    const c = req.consoleCaller;
    return csvReply(reply, 'roster-template.csv', rosterTemplateCsv({ creditCode: c?.role === 'institution' ? c.institutionId : undefined }));
  });

  // ——— the plan form ———

  const planPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    extra: { values?: Record<string, string>; problem?: string; rowErrors?: RowError[]; fileError?: string; ignoredColumns?: string[] } = {},
    status = 200,
  ) => {
    const caller = req.consoleCaller!;
    if (caller.role !== 'institution') {
      return render(req, reply, 'message', { title: '报送认定计划', heading: '报送认定计划', text: '只有评价机构可以报送认定计划。' }, 403);
    }
    const { filings, problem } = await filingsInForce(req);
    const earliest = await earliestExamDate(req);
    const values = { ...PLAN_DEFAULTS, filingId: filings[0]?.id ?? '', firstExamDate: earliest ?? '', lastExamDate: earliest ?? '', ...(extra.values ?? {}) };
    return render(
      req,
      reply,
      'batch-new',
      {
        title: '报送认定计划',
        filings,
        earliest,
        values,
        modules: MODULE_KINDS.map((k) => ({ kind: k, name: labels.MODULE_LABELS[k] })),
        ...extra,
        problem: extra.problem ?? problem,
      },
      status,
    );
  };

  app.get('/batches/new', async (req, reply) => planPage(req, reply));

  app.post('/batches/new', async (req, reply) => {
    const form = await readMultipart(req);
    if (!form) return planPage(req, reply, { problem: '表单须以文件上传方式提交（multipart/form-data）。' }, 400);
    const v: Record<string, string> = { ...PLAN_DEFAULTS, ...Object.fromEntries(Object.keys(PLAN_DEFAULTS).map((k) => [k, (form.fields[k] ?? '').trim()])) };
    // unchecked checkboxes are absent: a submitted form says which modules it has
    for (const k of MODULE_KINDS) v[`module_${k}`] = form.fields[`module_${k}`] ? '1' : '';
    if (req.consoleCaller!.role !== 'institution') return planPage(req, reply);
    if (form.tooLarge) return planPage(req, reply, { values: v, fileError: '上传的文件过大（不超过 2 MB）。' }, 413);

    // the form itself
    const problems: string[] = [];
    if (!v.filingId) problems.push('请选择备案');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v.firstExamDate)) problems.push('请填写首个考核日期');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v.lastExamDate)) problems.push('请填写最后考核日期');
    else if (v.lastExamDate < v.firstExamDate) problems.push('最后考核日期不能早于首个考核日期');
    if (!v.venueName || !v.venueAddress) problems.push('请填写考核场地名称和地址');
    const venues = [{ name: v.venueName, address: v.venueAddress }, ...venueLines(v.moreVenues)];
    if (venues.slice(1).some((x) => !x.name || !x.address)) problems.push('其他考核场地每行须写“名称，地址”');
    const modules: { kind: ModuleKind; passMark: number }[] = [];
    for (const k of MODULE_KINDS) {
      if (!v[`module_${k}`]) continue;
      const mark = parseScore(v[`passMark_${k}`] ?? '');
      if (mark === undefined || Number.isNaN(mark)) problems.push(`${labels.MODULE_LABELS[k]}的合格分数线应为 0–100`);
      else modules.push({ kind: k, passMark: mark });
    }
    if (!modules.length) problems.push('请至少选择一个考核模块');
    if (problems.length) return planPage(req, reply, { values: v, problem: `${problems.join('；')}。` }, 400);

    // the filing chosen, as this user may see it
    const { choice, r } = await filingChoice(req, v.filingId);
    if (!choice) return planPage(req, reply, { values: v, problem: problemText(r) }, r.status);
    if (!FILING_IN_FORCE.includes(choice.status)) return planPage(req, reply, { values: v, problem: '所选备案当前不在有效期内，不能开展认定。' }, 422);

    // the spreadsheet, row by row, before anything is sent
    if (!form.file) return planPage(req, reply, { values: v, fileError: '请选择考生花名册文件（.xlsx 或 .csv）。' }, 400);
    const roster = await parseRosterFile(form.file.data, {
      occupations: choice.occupations,
      ownCreditCodes: choice.kind === 'Y' ? choice.ownCreditCodes : undefined,
      today: await today(req),
    });
    if (roster.fileError) return planPage(req, reply, { values: v, fileError: roster.fileError, ignoredColumns: roster.ignoredColumns }, 422);
    if (roster.errors.length) return planPage(req, reply, { values: v, rowErrors: roster.errors, ignoredColumns: roster.ignoredColumns }, 422);

    const body = {
      filingId: v.filingId,
      firstExamDate: v.firstExamDate,
      lastExamDate: v.lastExamDate,
      ...(v.overview ? { overview: v.overview.slice(0, 2000) } : {}),
      venues,
      modules,
      candidates: roster.candidates,
      proctors: names(v.proctors),
      examiners: names(v.examiners),
      supervisors: names(v.supervisors),
    };
    const created = await api(req, 'POST', '/batches', { body, key: form.fields._key || undefined });
    if (!created.ok) {
      // the API's refusals that name candidates by index become row errors again
      const b = created.body ?? {};
      const listed = (Array.isArray(b.offending) ? b.offending : []) as {
        index: number;
        name?: string;
        idNumber?: string;
        occupationCode?: string;
        level?: number;
      }[];
      const rowErrors: RowError[] = listed
        .filter((o) => Number.isInteger(o.index) && roster.rowNumbers[o.index])
        .map((o) => ({
          row: roster.rowNumbers[o.index],
          name: o.name,
          idNumber: roster.candidates[o.index]?.idNumber,
          reasons: [
            created.code === 'OUT_OF_SCOPE'
              ? `职业 ${o.occupationCode} 等级 ${o.level} 超出备案范围`
              : created.code === 'NOT_OWN_STAFF'
                ? '不是本单位或所属单位的职工'
                : problemText(created),
          ],
        }));
      return planPage(req, reply, { values: v, problem: problemText(created), rowErrors: rowErrors.length ? rowErrors : undefined }, created.status);
    }
    return seeOther(reply, `/batches/${encodeURIComponent(created.body.id)}`, 'planned');
  });

  // ——— the batch page ———

  interface DetailExtra {
    problem?: string;
    values?: Record<string, string>;
    scoreErrors?: RowError[];
  }

  const detailPage = async (req: FastifyRequest, reply: FastifyReply, extra: DetailExtra = {}, status = 200) => {
    const { id } = req.params as { id: string };
    const page = pageOf(req);
    const r = await api<BatchView>(req, 'GET', `/batches/${encodeURIComponent(id)}`, {
      query: { candidatesOffset: (page - 1) * CANDIDATES_PER_PAGE, candidatesLimit: CANDIDATES_PER_PAGE },
    });
    if (!r.ok) {
      return render(req, reply, 'message', { title: '认定批次', heading: '认定批次', text: problemText(r) }, r.status);
    }
    const b = r.body;
    const total = b.candidatesPage?.total ?? b.plan.candidates.length;
    const pages = Math.max(1, Math.ceil(total / CANDIDATES_PER_PAGE));
    // a page past the end (the link was kept from a longer roster): the last one
    if (page > pages && req.method === 'GET') return reply.redirect(batchPath(id, pages), 303);
    const offset = (page - 1) * CANDIDATES_PER_PAGE;
    const caller = req.consoleCaller!;
    const role = caller.role;
    const audit = roleAllows(caller, 'batch.audit') ? await api(req, 'GET', `/batches/${encodeURIComponent(id)}/audit`) : undefined;
    const nowMs = (await req.server.services.clock.now()).getTime();
    const kinds = b.plan.modules.map((m) => m.kind);
    const candidates = b.plan.candidates.map((c, i) => {
      const o = outcomeOf(b.plan, c, b.scores, b.policy);
      const sc = b.scores[c.idNumber.toUpperCase()] ?? {};
      const result = o.absent ? '缺考' : !o.complete ? (Object.keys(sc).length ? '未录完' : '未录入') : o.passed ? '合格' : '不合格';
      return { ...c, seq: offset + i + 1, scores: sc, result, passed: o.passed, complete: o.complete };
    });
    // the forms the domain's rules let this caller use now; the API still checks every submission
    const isCenter = isBatchCenter(b.jurisdiction, caller);
    // the API joins each objection's text to its ledger entry (api/objections.ts publicityView)
    const listed = (b.publicity?.objections ?? []) as unknown as Objection[];
    const openObjections = b.status === 'publicity' ? listed.filter((o) => !o.resolution) : [];
    const forms = {
      scores: isOwnInstitution(b, caller) && b.status === 'scoring',
      results: isOwnInstitution(b, caller) && b.status === 'results-due',
      planDecision: isCenter && b.status === 'planned',
      resultsDecision: isCenter && b.status === 'results-review',
      draw: maySuperviseBatch(b.jurisdiction, caller) && SUPERVISION_STATUSES.includes(b.status),
      suspension: isCenter && b.status === 'suspended',
      report: role === 'supervisor' && !BATCH_TERMINAL.includes(b.status) && b.supervision.assigned.some((a) => a.userId === caller.sub),
      resolve: mayResolveObjection(b.jurisdiction, caller) && openObjections.length > 0,
    };
    return render(
      req,
      reply,
      'batch-detail',
      {
        title: `认定批次 ${b.id}`,
        b,
        candidates,
        paging: { page, pages, total, from: Math.min(total, offset + 1), to: Math.min(total, offset + CANDIDATES_PER_PAGE), perPage: CANDIDATES_PER_PAGE },
        kinds,
        overdue: !!b.due && b.due.dueAtMs < nowMs,
        forms,
        openObjections,
        downloads: !!b.results,
        audit: audit?.ok ? audit.body.items : undefined,
        values: extra.values ?? {},
        problem: extra.problem,
        scoreErrors: extra.scoreErrors,
        enc: encodeURIComponent,
        fmt: chinaTime,
      },
      status,
    );
  };

  app.get('/batches/:id', async (req, reply) => detailPage(req, reply));

  /** Sends a form's body to the batch's API route: 303 back to the page, or the page again with the refusal. */
  const act = async (req: FastifyRequest, reply: FastifyReply, path: string, body: unknown, ok: string, values: Record<string, string> = {}) => {
    const { id } = req.params as { id: string };
    const f = (req.body ?? {}) as Record<string, unknown>;
    const r = await api(req, 'POST', `/batches/${encodeURIComponent(id)}${path}`, { body, key: one(f._key) || undefined });
    if (!r.ok) return detailPage(req, reply, { problem: problemText(r), values }, r.status);
    return seeOther(reply, batchPath(id, pageOf(req)), ok);
  };
  const formOf = (req: FastifyRequest) => (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {});

  app.post('/batches/:id/decisions', async (req, reply) => {
    const f = formOf(req);
    const values = { stage: one(f.stage), outcome: one(f.outcome), opinion: one(f.opinion).trim() };
    if (!values.outcome || !values.opinion) return detailPage(req, reply, { problem: '请选择审核结论并填写审核意见。', values }, 400);
    return act(req, reply, '/decisions', values, 'decided', values);
  });

  app.post('/batches/:id/supervision', async (req, reply) => {
    const f = formOf(req);
    const action = one(f.action);
    const values = {
      action,
      count: one(f.count),
      severity: one(f.severity),
      findings: one(f.findings).trim(),
      note: one(f.note).trim(),
      reason: one(f.reason).trim(),
    };
    let body: Record<string, unknown>;
    switch (action) {
      case 'assign': {
        const count = Number(values.count);
        if (!Number.isInteger(count) || count < 1 || count > 10) return detailPage(req, reply, { problem: '抽取人数应为 1–10 的整数。', values }, 400);
        body = { action, count };
        break;
      }
      case 'report':
        if (!values.severity || !values.findings) return detailPage(req, reply, { problem: '请选择问题程度并填写督导发现。', values }, 400);
        body = { action, severity: values.severity, findings: values.findings };
        break;
      case 'resume':
        body = values.note ? { action, note: values.note } : { action };
        break;
      case 'cancel':
        if (!values.reason) return detailPage(req, reply, { problem: '请填写终止批次的理由。', values }, 400);
        body = { action, reason: values.reason };
        break;
      default:
        return detailPage(req, reply, { problem: '请求有误，请刷新页面后重试。', values }, 400);
    }
    return act(req, reply, '/supervision', body, 'supervision', values);
  });

  app.post('/batches/:id/results', async (req, reply) => {
    const note = one(formOf(req).note).trim();
    return act(req, reply, '/results', note ? { note: note.slice(0, 2000) } : {}, 'results', { note });
  });

  app.post('/batches/:id/objections/:objectionId/resolution', async (req, reply) => {
    const { objectionId } = req.params as { objectionId: string };
    const f = formOf(req);
    const values = { objectionId, upheld: one(f.upheld), resolutionNote: one(f.note).trim() };
    if (!['true', 'false'].includes(values.upheld) || !values.resolutionNote)
      return detailPage(req, reply, { problem: '请选择异议是否成立并填写处理意见。', values }, 400);
    return act(
      req,
      reply,
      `/objections/${encodeURIComponent(objectionId)}/resolution`,
      { upheld: values.upheld === 'true', note: values.resolutionNote },
      'resolved',
      values,
    );
  });

  app.post('/batches/:id/objections/dismissal', async (req, reply) => {
    const values = { dismissNote: one(formOf(req).note).trim() };
    if (!values.dismissNote) return detailPage(req, reply, { problem: '请填写核查意见。', values }, 400);
    return act(req, reply, '/objections/dismissal', { note: values.dismissNote }, 'resolved', values);
  });

  // scores in the grid: fields s_<idNumber>_<module> and absent_<idNumber>
  app.post('/batches/:id/scores', async (req, reply) => {
    const f = formOf(req);
    const values: Record<string, string> = {};
    const lines = new Map<string, ScoreEntry>();
    const bad: string[] = [];
    for (const [k, raw] of Object.entries(f)) {
      const m = /^s_([0-9X]{18})_(theory|skill|performance|defense)$/i.exec(k);
      const a = /^absent_([0-9X]{18})$/i.exec(k);
      if (m) {
        const text = one(raw).trim();
        values[k] = text;
        const v = parseScore(text);
        if (v === undefined) continue;
        if (Number.isNaN(v)) {
          bad.push(text);
          continue;
        }
        const e = lines.get(m[1]) ?? { idNumber: m[1] };
        e[m[2] as ModuleKind] = v;
        lines.set(m[1], e);
      } else if (a && one(raw)) {
        values[k] = '1';
        lines.set(a[1], { idNumber: a[1], absent: true });
      }
    }
    if (bad.length)
      return detailPage(
        req,
        reply,
        {
          problem: `成绩应为 0–100 的数字：${bad
            .slice(0, 5)
            .map((x) => `“${x}”`)
            .join('、')}。`,
          values,
        },
        400,
      );
    if (!lines.size) return detailPage(req, reply, { problem: '请至少填写一个成绩。', values }, 400);
    return act(req, reply, '/scores', { scores: [...lines.values()] }, 'scored', values);
  });

  // scores from a spreadsheet: 身份证号 + one column per module
  app.post('/batches/:id/scores/upload', async (req, reply) => {
    const { id } = req.params as { id: string };
    const form = await readMultipart(req);
    if (!form) return detailPage(req, reply, { problem: '表单须以文件上传方式提交。' }, 400);
    if (form.tooLarge) return detailPage(req, reply, { problem: '上传的文件过大（不超过 2 MB）。' }, 413);
    if (!form.file) return detailPage(req, reply, { problem: '请选择成绩表文件（.xlsx 或 .csv）。' }, 400);
    const r = await api<BatchView>(req, 'GET', `/batches/${encodeURIComponent(id)}`);
    if (!r.ok) return detailPage(req, reply, { problem: problemText(r) }, r.status);
    const sheet = await parseScoreFile(
      form.file.data,
      r.body.plan.modules.map((m) => m.kind),
      r.body.plan.candidates.map((c) => c.idNumber),
    );
    if (sheet.fileError) return detailPage(req, reply, { problem: sheet.fileError }, 422);
    if (sheet.errors.length)
      return detailPage(req, reply, { problem: '成绩表中有错误，未保存任何成绩。请按下表修改后重新上传。', scoreErrors: sheet.errors }, 422);
    const saved = await api(req, 'POST', `/batches/${encodeURIComponent(id)}/scores`, { body: { scores: sheet.scores }, key: form.fields._key || undefined });
    if (!saved.ok) return detailPage(req, reply, { problem: problemText(saved) }, saved.status);
    return seeOther(reply, `/batches/${encodeURIComponent(id)}`, 'scored');
  });

  // ——— downloads, with the user's own token ———

  const download = (kind: 'summary' | 'roster', format: 'csv' | 'xlsx') => async (req: FastifyRequest, reply: FastifyReply) => {
    const { id } = req.params as { id: string };
    const r = await api(req, 'GET', `/batches/${encodeURIComponent(id)}/${kind}`, { query: { format } });
    if (!r.ok) return detailPage(req, reply, { problem: r.code === 'INVALID_STATE' ? '结果尚未报送，暂无可下载的表格。' : problemText(r) }, r.status);
    if (format === 'csv') return csvReply(reply, `${kind}-${id}.csv`, String(r.body));
    return reply
      .type(XLSX_CONTENT_TYPE)
      .header('content-disposition', `attachment; filename="${`${kind}-${id}.xlsx`.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
      .header('cache-control', 'no-store')
      .send(r.raw);
  };
  // the archive index and its retention dates (GET /batches/:id/archive)
  app.get('/batches/:id/archive', async (req, reply) => {
    const { id } = req.params as { id: string };
    const r = await api(req, 'GET', `/batches/${encodeURIComponent(id)}/archive`);
    if (!r.ok) return render(req, reply, 'message', { title: '档案', message: problemText(r) }, r.status);
    return render(req, reply, 'batch-archive', { title: `认定批次 ${id} 的档案`, a: r.body, enc: encodeURIComponent, chinaTime });
  });

  app.get('/batches/:id/summary.csv', download('summary', 'csv'));
  app.get('/batches/:id/roster.csv', download('roster', 'csv'));
  app.get('/batches/:id/summary.xlsx', download('summary', 'xlsx'));
  app.get('/batches/:id/roster.xlsx', download('roster', 'xlsx'));

  app.get('/batches/:id/scores-template.csv', async (req, reply) => {
    const { id } = req.params as { id: string };
    const r = await api<BatchView>(req, 'GET', `/batches/${encodeURIComponent(id)}`);
    if (!r.ok) return render(req, reply, 'message', { title: '认定批次', heading: '认定批次', text: problemText(r) }, r.status);
    return csvReply(
      reply,
      `scores-${id}.csv`,
      scoreTemplateCsv(
        r.body.plan.modules.map((m) => m.kind),
        r.body.plan.candidates,
      ),
    );
  });
}
