/**
 * Filing pages (机构评估备案): the list, the filing form with its materials checklist, the detail
 * page with the status timeline, and every form a role acts through (decisions, expert groups,
 * objections, 补正, renewal, change, termination).
 *
 * Which forms a page offers is decided with the domain's own pure rules (decisionRefusal,
 * isJurisdictionReviewer, missingMaterials, roleAllows), the same the workflow's update
 * validators and the API apply; the API still checks every submission, and its refusals are
 * shown in plain words.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  FILING_STATUSES,
  MATERIAL_KINDS,
  TERMINAL_STATUSES,
  decisionRefusal,
  isJurisdictionReviewer,
  jurisdictionOf,
  missingMaterials,
  requestRefusal,
  stageDef,
  stagesOf,
  terminationRefusal,
  type FilingState,
  type Track,
} from '../../domain/filing';
import { outcomesOf, type StageDef } from '../../domain/filing-policy';
import { roleAllows } from '../../domain/access';
import { documentRefusal } from '../../domain/documents';
import { PREFECTURE_NAMES, PROVINCES } from '../../domain/regions';
import type { Caller } from '../../domain/roles';
import { api, apiUpload, chinaDate, chinaTime, many, signedInOnly, one, problemText, render, seeOther, type ApiResult, type FormFile } from '../core';
import * as labels from '../labels';

/** The API's field errors (400) in words: "第1个职业（工种）：职业编码" and so on. */
function fieldErrors(r: ApiResult): string[] {
  const errors = Array.isArray(r.body?.errors) ? (r.body.errors as { path?: string; message?: string }[]) : [];
  return errors.slice(0, 12).map((e) => {
    const path = String(e.path ?? '').replace(/^body\/?/, '');
    const occ = /^occupations\/(\d+)(?:\/([a-zA-Z]+))?/.exec(path);
    if (occ) return `第${Number(occ[1]) + 1}个职业（工种）${occ[2] ? `：${labels.FILING_FIELD_LABELS[occ[2]] ?? occ[2]}` : ''}填写有误`;
    const mat = /^materials\/(\d+)/.exec(path);
    if (mat) return `第${Number(mat[1]) + 1}项材料填写有误`;
    const venue = /^venues\/(\d+)/.exec(path);
    if (venue) return '考核场地填写有误';
    return `${labels.FILING_FIELD_LABELS[path] ?? (path || '提交的内容')}填写有误`;
  });
}

/** A history or audit note with stage names and outcomes in words ("preliminary-review: pass" → "初评：通过"). */
function noteText(note: unknown): string {
  if (typeof note !== 'string') return '';
  return note
    .replace(/^([a-z]+(?:-[a-z]+)*)(?=:|$| →| level)/, (m) => labels.FILING_STAGE_LABELS[m] ?? m)
    .replace(/: (pass|supplement|reject|upheld|dismissed)$/, (_m, o: string) => `：${labels.OUTCOME_LABELS[o] ?? labels.OBJECTION_RESOLUTION_LABELS[o]}`)
    .replace(/^([^:]+): /, '$1：')
    .replace(/ → superior$/, ' → 上级')
    .replace(/ → province$/, ' → 省级')
    .replace(/ level (\d)$/, ' 第$1级升级');
}

const view = (extra: { title: string; [k: string]: unknown }) => ({
  MATERIAL_KINDS,
  fmtTime: chinaTime,
  fmtDate: chinaDate,
  noteText,
  ...extra,
});

function notFoundPage(req: FastifyRequest, reply: FastifyReply, r: ApiResult) {
  return render(
    req,
    reply,
    'message',
    {
      title: r.status === 404 ? '未找到备案' : '无法打开备案',
      heading: r.status === 404 ? '未找到该备案' : '无法打开备案',
      text: problemText(r),
    },
    r.status,
  );
}

function isOwnInstitution(caller: Caller, s: FilingState): boolean {
  return caller.role === 'institution' && caller.institutionId === s.application.institution.creditCode;
}

// ——— the filing form ———

interface OccupationRow {
  code: string;
  name: string;
  trade: string;
  levels: string[];
  basis: string;
  /** 003 §三: "首席技师=1；学徒工=5" */
  grades?: string;
}
interface MaterialRow {
  title: string;
  online: boolean;
}
interface MaterialsValues {
  [kind: string]: MaterialRow;
}

const MAX_OCCUPATION_ROWS = 50;

function readOccupations(b: Record<string, unknown>, minRows = 1): { rows: OccupationRow[]; count: number } {
  const count = Math.min(MAX_OCCUPATION_ROWS, Math.max(minRows, Number.parseInt(one(b.occRows), 10) || minRows));
  const rows: OccupationRow[] = [];
  for (let i = 0; i < count; i++) {
    rows.push({
      code: one(b[`occ-${i}-code`]).trim(),
      name: one(b[`occ-${i}-name`]).trim(),
      trade: one(b[`occ-${i}-trade`]).trim(),
      levels: many(b[`occ-${i}-levels`]).filter((l) => /^[1-5]$/.test(l)),
      basis: one(b[`occ-${i}-basis`]) === 'evaluation-spec' ? 'evaluation-spec' : 'national-standard',
      grades: one(b[`occ-${i}-grades`]).trim(),
    });
  }
  return { rows, count };
}

/** "首席技师=1；学徒工=5" → the API's gradeMapping; null when a part is not "name=1…5". */
function gradeMappingOf(text: string): { grade: string; level: number }[] | null {
  const parts = text
    .split(/[;；,，\n]/)
    .map((p) => p.trim())
    .filter(Boolean);
  const out: { grade: string; level: number }[] = [];
  for (const p of parts) {
    const m = /^(.+?)\s*[=＝:：]\s*([1-5])$/.exec(p);
    if (!m) return null;
    out.push({ grade: m[1].trim(), level: Number(m[2]) });
  }
  return out;
}

const rowFilled = (r: OccupationRow) => !!(r.code || r.name || r.trade || r.levels.length);

/** The filled rows as the API takes them, and what is wrong with any of them. */
function occupationsOf(rows: OccupationRow[]): { occupations: object[]; problems: string[] } {
  const problems: string[] = [];
  const occupations: object[] = [];
  rows.forEach((r, i) => {
    if (!rowFilled(r)) return;
    if (!r.code || !r.name || !r.levels.length) {
      problems.push(`第${i + 1}个职业（工种）须填写职业编码、名称，并至少选择一个等级`);
      return;
    }
    const grades = gradeMappingOf(r.grades ?? '');
    if (grades === null) {
      problems.push(`第${i + 1}个职业（工种）的企业技能等级对应应写成“等级名称=1至5”，用分号分隔，如“首席技师=1；学徒工=5”`);
      return;
    }
    occupations.push({
      code: r.code,
      name: r.name,
      ...(r.trade ? { trade: r.trade } : {}),
      levels: [...new Set(r.levels.map(Number))].sort((a, b) => b - a),
      basis: r.basis,
      ...(grades.length ? { gradeMapping: grades } : {}),
    });
  });
  return { occupations, problems };
}

function readMaterials(b: Record<string, unknown>): MaterialsValues {
  const v: MaterialsValues = {};
  for (const k of MATERIAL_KINDS) v[k] = { title: one(b[`mat-${k}-title`]).trim(), online: one(b[`mat-${k}-online`]) === '1' };
  return v;
}

/** A multipart form as the url-encoded parser would give it (a repeated field is a list), with its non-empty files by field. */
interface MultipartForm {
  fields: Record<string, string | string[]>;
  files: Record<string, FormFile>;
  /** fields whose file went over the size limit (dropped) */
  tooLarge: string[];
}

async function readMultipartForm(req: FastifyRequest, maxFileBytes: number, maxFiles: number): Promise<MultipartForm> {
  const out: MultipartForm = { fields: {}, files: {}, tooLarge: [] };
  // over-large files are cut and reported, not thrown: the rest of the form still arrives
  // throwFileSizeLimit is honoured per call by @fastify/multipart 10, though its types omit it
  const options = { limits: { fileSize: maxFileBytes, files: maxFiles, fields: 200 }, throwFileSizeLimit: false } as Parameters<FastifyRequest['parts']>[0];
  for await (const part of req.parts(options)) {
    if (part.type === 'file') {
      const data = await part.toBuffer();
      if (part.file.truncated) out.tooLarge.push(part.fieldname);
      else if (data.length) out.files[part.fieldname] = { name: part.filename || part.fieldname, data };
    } else {
      const v = String(part.value);
      const had = out.fields[part.fieldname];
      out.fields[part.fieldname] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
    }
  }
  return out;
}

/** Listed items as the API takes them: a title, or 网上核验 (waived, 000 §三(二), 002 Art.13). */
function materialsOf(v: MaterialsValues): { kind: string; title: string; verifiedOnline?: boolean }[] {
  return MATERIAL_KINDS.filter((k) => v[k]?.title || v[k]?.online).map((k) => ({
    kind: k,
    title: v[k].title || `${labels.label(labels.MATERIAL_LABELS, k)}（网上核验）`,
    ...(v[k].online ? { verifiedOnline: true } : {}),
  }));
}

interface FilingFormValues {
  name: string;
  creditCode: string;
  kind: string;
  legalRepresentative: string;
  address: string;
  province: string;
  affiliation: string;
  prefecture: string;
  contactName: string;
  contactPhone: string;
  contactEmail: string;
  supervisingBody: string;
  feeStandard: string;
  feeBasis: string;
  venueName: string;
  venueAddress: string;
  venueVideo: boolean;
}

function readFilingForm(b: Record<string, unknown>): FilingFormValues {
  const s = (k: string) => one(b[k]).trim();
  return {
    name: s('name'),
    creditCode: s('creditCode').toUpperCase(),
    kind: s('kind') === 'S' ? 'S' : 'Y',
    legalRepresentative: s('legalRepresentative'),
    address: s('address'),
    province: s('province'),
    affiliation: s('affiliation') === 'province' ? 'province' : 'prefecture',
    prefecture: s('prefecture'),
    contactName: s('contactName'),
    contactPhone: s('contactPhone'),
    contactEmail: s('contactEmail'),
    supervisingBody: s('supervisingBody'),
    feeStandard: s('feeStandard'),
    feeBasis: s('feeBasis'),
    venueName: s('venueName'),
    venueAddress: s('venueAddress'),
    venueVideo: one(b.venueVideo) === '1',
  };
}

const opt = (k: string, v: string) => (v ? { [k]: v } : {});

function filingBodyOf(v: FilingFormValues, occupations: object[], materials: object[]) {
  return {
    institution: {
      name: v.name,
      creditCode: v.creditCode,
      kind: v.kind,
      legalRepresentative: v.legalRepresentative,
      address: v.address,
      province: v.province,
      affiliation: v.affiliation,
      ...(v.affiliation === 'prefecture' ? opt('prefecture', v.prefecture) : {}),
      contact: { name: v.contactName, phone: v.contactPhone, ...opt('email', v.contactEmail) },
      ...opt('supervisingBody', v.supervisingBody),
    },
    occupations,
    materials,
    ...(v.venueName || v.venueAddress ? { venues: [{ name: v.venueName, address: v.venueAddress, hasVideoSurveillance: v.venueVideo }] } : {}),
    ...opt('feeStandard', v.feeStandard),
    ...opt('feeBasis', v.feeBasis),
  };
}

const prefectures = Object.entries(PREFECTURE_NAMES).map(([code, name]) => ({ code, name }));

// ——— the detail page's model ———

interface StageView {
  name: string;
  label: string;
  kind: string;
  deciderText: string;
  state: 'done' | 'current' | 'pending' | 'refused' | 'skipped';
  decisions: { outcome: string; opinion: string; score?: number; items?: string[]; by: string; at: string }[];
  enteredAt?: string;
  dueDate?: string;
  /** the due date was computed here from the entry date (past stages) */
  dueComputed?: boolean;
  dueEstimated?: boolean;
  termDays: number;
  overdue: boolean;
  escalation: number;
  supplementPending: boolean;
  experts: string[];
}

interface TimelineView {
  track: Track;
  label: string;
  current: boolean;
  stages: StageView[];
}

/** When a procedure of this track started (its history events are after this instant). */
function trackWindow(s: FilingState, track: Track): [number, number] {
  const t = (iso?: string) => (iso ? Date.parse(iso) : NaN);
  if (track === 'application') {
    const end = t(s.notice?.firstIssuedAt);
    return [t(s.submittedAt) || 0, Number.isFinite(end) ? end + 1 : Infinity];
  }
  const since = track === 'renewal' ? s.renewal?.appliedAt : track === 'change' || track === 'scope-change' ? s.change?.appliedAt : s.termination?.requestedAt;
  return [Number.isFinite(t(since)) ? t(since) : 0, Infinity];
}

async function timelinesOf(req: FastifyRequest, s: FilingState, nowMs: number): Promise<TimelineView[]> {
  const tracks: Track[] = ['application'];
  for (const t of ['renewal', 'change', 'scope-change', 'termination'] as Track[]) {
    if (s.track === t || s.decisions.some((d) => d.track === t)) tracks.push(t);
  }
  const dueCache = new Map<string, Promise<{ date: string; estimated: boolean } | undefined>>();
  const dueFrom = (from: string, add: number) => {
    const key = `${from}+${add}`;
    if (!dueCache.has(key)) {
      dueCache.set(
        key,
        api(req, 'GET', '/calendar/working-days', { query: { from, add } }).then((r) =>
          r.ok ? { date: String(r.body.date), estimated: r.body.coverage === 'estimated' } : undefined,
        ),
      );
    }
    return dueCache.get(key)!;
  };

  const out: TimelineView[] = [];
  for (const track of tracks) {
    const stages = stagesOf(s, track);
    const current = s.track === track && !TERMINAL_STATUSES.includes(s.status) && !!s.stage;
    const curIdx = current ? stages.findIndex((d) => d.name === s.stage) : -1;
    const decisionsOf = (name: string) => s.decisions.filter((d) => d.track === track && d.stage === name);
    // where a finished procedure stopped
    let refusedIdx = -1;
    const lastOfTrack = [...s.decisions].reverse().find((d) => d.track === track);
    if (!current && lastOfTrack?.outcome === 'reject') refusedIdx = stages.findIndex((d) => d.name === lastOfTrack.stage);
    if (!current && track === 'application' && s.status === 'rejected' && s.publicity?.track === 'application' && s.publicity.outcome === 'upheld') {
      refusedIdx = stages.findIndex((d) => d.kind === 'publicity');
    }
    const lastReached = Math.max(-1, ...stages.map((d, i) => (decisionsOf(d.name).length ? i : -1)));
    const [from, to] = trackWindow(s, track);
    const views: StageView[] = [];
    for (const [i, def] of stages.entries()) {
      let state: StageView['state'];
      if (current) state = i < curIdx ? 'done' : i === curIdx ? 'current' : 'pending';
      else if (refusedIdx >= 0) state = i < refusedIdx ? 'done' : i === refusedIdx ? 'refused' : 'skipped';
      else if (track === 'application' && s.notice) state = 'done';
      else if (track !== 'application') state = i <= lastReached ? 'done' : 'skipped';
      else state = 'pending';
      const entered = [...s.history].reverse().find((h) => {
        const at = Date.parse(h.at);
        if (!(at >= from && at < to)) return false;
        return def.kind === 'publicity' ? h.event === 'publicity-started' : h.event === 'stage-entered' && h.note === def.name;
      });
      const termDays = def.kind === 'publicity' ? s.policy.publicityWorkingDays : def.dueWorkingDays;
      const v: StageView = {
        name: def.name,
        label: def.label,
        kind: def.kind,
        deciderText: labels.label(labels.DECIDER_LABELS, def.decider),
        state,
        decisions: decisionsOf(def.name).map((d) => ({
          outcome: d.outcome,
          opinion: d.opinion,
          score: d.score,
          items: d.items,
          by: d.actor?.name ?? '',
          at: d.at,
        })),
        enteredAt: entered?.at,
        termDays,
        overdue: false,
        escalation: 0,
        supplementPending: state === 'current' && s.status === 'supplement-requested',
        experts: (track === s.track ? (s.assignments[def.name] ?? []) : []).map((e) => e.name),
      };
      if (def.kind === 'publicity' && s.publicity && s.publicity.track === track && state !== 'pending' && state !== 'skipped') {
        v.dueDate = s.publicity.endDate;
        v.dueEstimated = s.publicity.coverage === 'estimated';
      } else if (state === 'current' && s.due && s.due.stage === def.name && s.due.track === track) {
        v.dueDate = s.due.dueDate;
        v.dueEstimated = s.due.coverage === 'estimated';
        v.escalation = s.due.escalation;
        v.overdue = s.due.escalation > 0 || s.due.dueAtMs < nowMs;
      } else if ((state === 'done' || state === 'refused') && entered) {
        const due = await dueFrom(chinaDate(entered.at), termDays);
        if (due) Object.assign(v, { dueDate: due.date, dueEstimated: due.estimated, dueComputed: true });
      }
      if (state !== 'current') {
        v.escalation = Math.max(
          0,
          ...s.escalations.filter((e) => e.stage === def.name && Date.parse(e.at) >= from && Date.parse(e.at) < to).map((e) => e.level),
        );
      }
      views.push(v);
    }
    out.push({ track, label: labels.label(labels.TRACK_LABELS, track), current: s.track === track && !!s.stage, stages: views });
  }
  return out;
}

/** The decisions the caller may make now: none unless the domain's decisionRefusal says they may decide this stage. */
function decisionOffer(s: FilingState, caller: Caller) {
  if (!s.stage || TERMINAL_STATUSES.includes(s.status)) return undefined;
  if (decisionRefusal(s, caller, s.stage)) return undefined;
  const def = stageDef(s, s.stage)!;
  // a scored stage passes with a score (the workflow's validator asks for one)
  return { stage: def.name, label: def.label, kind: def.kind, outcomes: outcomesOf(def), scored: !!def.scored };
}

/** Expert stages of the current procedure a jurisdiction reviewer may (still) form a group for. */
function assignableStages(s: FilingState, caller: Caller): StageDef[] {
  if (TERMINAL_STATUSES.includes(s.status)) return [];
  if (!s.stage && s.status !== 'in-review') return [];
  if (caller.role !== 'prefecture-reviewer' && caller.role !== 'province-reviewer') return [];
  if (!isJurisdictionReviewer(s, caller)) return [];
  const stages = stagesOf(s, s.track);
  const cur = s.stage ? stages.findIndex((d) => d.name === s.stage) : 0;
  return stages.filter((d, i) => d.decider === 'assigned-experts' && i >= cur);
}

/** The stage that waits for a group now: the intake's next stage, or the current expert stage without one. */
function stageNeedingGroup(s: FilingState, stages: StageDef[]): string | undefined {
  const def = s.stage ? stageDef(s, s.stage) : undefined;
  if (def?.kind === 'intake' && def.assigns && !s.assignments[def.assigns]?.length) return def.assigns;
  if (def?.decider === 'assigned-experts' && !s.assignments[def.name]?.length) return def.name;
  return stages.find((d) => !s.assignments[d.name]?.length)?.name;
}

interface DetailExtra {
  problem?: string;
  /** which form the problem belongs to, so its input is kept there */
  form?: string;
  values?: Record<string, unknown>;
}

async function detailPage(req: FastifyRequest, reply: FastifyReply, id: string, extra: DetailExtra = {}, status = 200) {
  const caller = req.consoleCaller!;
  const r = await api<FilingState>(req, 'GET', `/filings/${encodeURIComponent(id)}`);
  if (!r.ok) return notFoundPage(req, reply, r);
  const s = r.body;
  const nowMs = (await req.server.services.clock.now()).getTime();
  const [timelines, audit] = await Promise.all([
    timelinesOf(req, s, nowMs),
    roleAllows(caller, 'filing.audit') ? api(req, 'GET', `/filings/${encodeURIComponent(id)}/audit`) : Promise.resolve(undefined),
  ]);
  const assignable = assignableStages(s, caller);
  const experts = assignable.length ? await api(req, 'GET', '/experts') : undefined;
  const province = s.application.institution.province;
  const j = jurisdictionOf(s.application);
  const own = isOwnInstitution(caller, s);
  const curDef = s.stage ? stageDef(s, s.stage) : undefined;
  const reviewerHere = (caller.role === 'prefecture-reviewer' || caller.role === 'province-reviewer') && isJurisdictionReviewer(s, caller);
  const publicityOpen = s.stage === 'publicity' && !!s.publicity && !s.publicity.closedAt;
  const openSupplement = s.status === 'supplement-requested' ? s.supplements[s.supplements.length - 1] : undefined;
  const present = new Set(s.application.materials.map((m) => m.kind));
  return render(
    req,
    reply,
    'filing-detail',
    view({
      title: `备案 ${s.application.institution.name}`,
      f: s,
      jurisdiction: j,
      timelines,
      curDef,
      waitingOn: curDef ? (curDef.kind === 'intake' ? '属地人社部门审核员组成专家组' : labels.DECIDER_LABELS[curDef.decider]) : undefined,
      decision: decisionOffer(s, caller),
      assign: assignable.length
        ? {
            stages: assignable,
            selected: one(extra.form === 'assign' ? extra.values?.stage : '') || stageNeedingGroup(s, assignable),
            experts: experts?.ok
              ? (experts.body.items as { userId: string; active: boolean; province: string }[]).filter((e) => e.active && e.province === province)
              : [],
            expertsProblem: experts && !experts.ok ? problemText(experts) : undefined,
          }
        : undefined,
      resolveObjections: reviewerHere && publicityOpen,
      returnStages: stagesOf(s, s.track).filter((d, i, all) => i < all.findIndex((x) => x.kind === 'publicity') && d.kind !== 'intake'),
      audit: audit?.ok ? audit.body.items : undefined,
      auditProblem: audit && !audit.ok ? problemText(audit) : undefined,
      own,
      openSupplement,
      missingKinds: MATERIAL_KINDS.filter((k) => !present.has(k)),
      documents: s.documents ?? [],
      mayAttach: own && !documentRefusal(s, caller),
      documentMaxMb: Math.floor(req.server.services.settings.DOCUMENT_MAX_BYTES / 1024 / 1024),
      mayRenewOrChange: own && !requestRefusal(s, caller, 'change', Date.now(), false),
      mayOrderTermination: !own && !terminationRefusal(s, caller, false),
      // 004 Art.13: the refund list, for the institution and the reviewers the API lets read it
      mayReadRefunds: roleAllows(caller, 'filing.refunds'),
      problem: extra.problem,
      form: extra.form,
      values: extra.values ?? {},
    }),
    status,
  );
}

// ——— routes ———

export default async function filingsPages(app: FastifyInstance) {
  app.addHook('onRequest', signedInOnly);
  const maxDocumentBytes = app.services.settings.DOCUMENT_MAX_BYTES;
  app.get('/filings', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const filters = { status: one(q.status), stage: one(q.stage), overdue: one(q.overdue), cursor: one(q.cursor) };
    const r = await api(req, 'GET', '/filings', { query: { ...filters, limit: 20 } });
    const statusOptions = FILING_STATUSES.map((s) => ({ value: s, text: labels.label(labels.FILING_STATUS_LABELS, s) }));
    const stageOptions = Object.entries(labels.FILING_STAGE_LABELS).map(([value, text]) => ({ value, text }));
    return render(
      req,
      reply,
      'filing-list',
      view({
        title: req.consoleCaller!.role === 'institution' ? '我的备案' : '备案',
        filters,
        statusOptions,
        stageOptions,
        items: r.ok ? r.body.items : [],
        nextCursor: r.ok ? r.body.nextCursor : null,
        mayFile: req.consoleCaller!.role === 'institution',
        problem: r.ok ? undefined : problemText(r),
      }),
      r.ok ? 200 : r.status,
    );
  });

  const newForm = (req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const c = req.consoleCaller!;
    const values: FilingFormValues = (extra.values as FilingFormValues | undefined) ?? {
      name: '',
      creditCode: c.institutionId ?? '',
      kind: 'Y',
      legalRepresentative: '',
      address: '',
      province: c.province ?? '22',
      affiliation: 'prefecture',
      prefecture: '',
      contactName: '',
      contactPhone: '',
      contactEmail: '',
      supervisingBody: '',
      feeStandard: '',
      feeBasis: '',
      venueName: '',
      venueAddress: '',
      venueVideo: false,
    };
    return render(
      req,
      reply,
      'filing-new',
      view({
        title: '备案申请',
        provinces: PROVINCES.filter((p) => p.mainland),
        prefectures,
        occupations: [{ code: '', name: '', trade: '', levels: [], basis: 'national-standard' }],
        materials: {},
        missing: [],
        problems: [],
        documentMaxMb: Math.floor(req.server.services.settings.DOCUMENT_MAX_BYTES / 1024 / 1024),
        ...extra,
        values,
      }),
      status,
    );
  };

  const institutionOnly = (req: FastifyRequest, reply: FastifyReply) =>
    render(req, reply, 'message', { title: '无权操作', heading: '无权操作', text: '只有评价机构可以提交备案申请。' }, 403);

  app.get('/filings/new', async (req, reply) => {
    if (req.consoleCaller!.role !== 'institution') return institutionOnly(req, reply);
    return newForm(req, reply);
  });

  app.post('/filings/new', async (req, reply) => {
    if (req.consoleCaller!.role !== 'institution') return institutionOnly(req, reply);
    // multipart when the browser sends the material files with the form (the form's enctype)
    const form = req.isMultipart() ? await readMultipartForm(req, maxDocumentBytes, MATERIAL_KINDS.length) : undefined;
    const b = (form?.fields ?? req.body ?? {}) as Record<string, unknown>;
    const values = readFilingForm(b);
    const { rows } = readOccupations(b);
    const materialValues = readMaterials(b);
    // a file given for a material names it when its title was left empty
    for (const k of MATERIAL_KINDS) {
      const file = form?.files[`mat-${k}-file`];
      if (file && !materialValues[k].title) materialValues[k].title = file.name.slice(0, 200);
    }
    const keep = { values, occupations: rows, materials: materialValues };
    if (one(b.action) === 'add-occupation') {
      return newForm(req, reply, {
        ...keep,
        occupations: [...rows, { code: '', name: '', trade: '', levels: [], basis: 'national-standard' }].slice(0, MAX_OCCUPATION_ROWS),
      });
    }
    const { occupations, problems } = occupationsOf(rows);
    if (!occupations.length && !problems.length) problems.push('请至少填写一个申请备案的职业（工种）');
    const materials = materialsOf(materialValues);
    const missing = missingMaterials(materials);
    if (missing.length || problems.length) {
      const words = missing.length
        ? `${labels.PROBLEM_LABELS.MATERIALS_INCOMPLETE}（缺少：${missing.map((k) => labels.label(labels.MATERIAL_LABELS, k)).join('、')}；可在线核验的材料请勾选“网上核验”）`
        : labels.PROBLEM_LABELS.VALIDATION_FAILED;
      return newForm(req, reply, { ...keep, missing, problems, problem: words }, missing.length ? 422 : 400);
    }
    const r = await api(req, 'POST', '/filings', { body: filingBodyOf(values, occupations, materials), key: one(b._key) || undefined });
    if (!r.ok) {
      const apiMissing = r.code === 'MATERIALS_INCOMPLETE' && Array.isArray(r.body?.missing) ? (r.body.missing as string[]) : [];
      return newForm(req, reply, { ...keep, missing: apiMissing, problems: fieldErrors(r), problem: problemText(r) }, r.status);
    }
    // the filing exists now: its files follow, each through POST /filings/:id/documents
    const filingId = String(r.body.id);
    let failed = form?.tooLarge.length ?? 0;
    for (const k of MATERIAL_KINDS) {
      const file = form?.files[`mat-${k}-file`];
      if (!file) continue;
      const up = await apiUpload(req, `/filings/${encodeURIComponent(filingId)}/documents`, { kind: k }, file);
      if (!up.ok) failed += 1;
    }
    return seeOther(reply, `/filings/${encodeURIComponent(filingId)}`, failed ? 'submitted-documents-failed' : 'submitted');
  });

  app.get('/filings/:id', async (req, reply) => {
    return detailPage(req, reply, (req.params as { id: string }).id);
  });

  /** After a form on the detail page: back to it with a notice, or the page again with the refusal and the input kept. */
  const afterForm = (req: FastifyRequest, reply: FastifyReply, id: string, form: string, values: Record<string, unknown>, r: ApiResult, ok: string) =>
    r.ok ? seeOther(reply, `/filings/${encodeURIComponent(id)}`, ok) : detailPage(req, reply, id, { problem: problemText(r), form, values }, r.status);

  const refuse = (req: FastifyRequest, reply: FastifyReply, id: string, form: string, values: Record<string, unknown>, problem: string) =>
    detailPage(req, reply, id, { problem, form, values }, 400);

  const path = (id: string, rest = '') => `/filings/${encodeURIComponent(id)}${rest}`;

  // ——— material documents ———

  app.post('/filings/:id/documents', async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!req.isMultipart()) return refuse(req, reply, id, 'document', {}, '请选择要上传的文件。');
    const form = await readMultipartForm(req, maxDocumentBytes, 1);
    const values = { kind: one(form.fields.kind) };
    if (form.tooLarge.length) return detailPage(req, reply, id, { problem: labels.PROBLEM_LABELS.DOCUMENT_TOO_LARGE, form: 'document', values }, 413);
    const file = form.files.file;
    if (!file) return refuse(req, reply, id, 'document', values, '请选择要上传的文件。');
    if (!(MATERIAL_KINDS as readonly string[]).includes(values.kind)) return refuse(req, reply, id, 'document', values, '请选择材料类别。');
    const r = await apiUpload(req, path(id, '/documents'), { kind: values.kind }, file, one(form.fields._key) || undefined);
    return afterForm(req, reply, id, 'document', values, r, 'document');
  });

  // the browser has a session cookie, the API wants the user's token: the console passes the file on
  app.get('/filings/:id/documents/:documentId', async (req, reply) => {
    const { id, documentId } = req.params as { id: string; documentId: string };
    const r = await api(req, 'GET', path(id, `/documents/${encodeURIComponent(documentId)}`));
    if (!r.ok) return notFoundPage(req, reply, r);
    for (const h of ['content-type', 'content-disposition', 'x-content-type-options']) if (r.headers[h]) reply.header(h, String(r.headers[h]));
    return reply.header('cache-control', 'no-store').send(r.raw);
  });

  app.post('/filings/:id/decision', async (req, reply) => {
    const { id } = req.params as { id: string };
    const b = (req.body ?? {}) as Record<string, unknown>;
    const values = { stage: one(b.stage), outcome: one(b.outcome), opinion: one(b.opinion).trim(), score: one(b.score).trim(), items: one(b.items) };
    if (!['pass', 'supplement', 'reject'].includes(values.outcome)) return refuse(req, reply, id, 'decision', values, '请选择决定（通过、要求补正或不通过）。');
    if (!values.opinion) return refuse(req, reply, id, 'decision', values, '请填写意见。');
    const score = values.score ? Number(values.score) : undefined;
    if (score !== undefined && !(Number.isFinite(score) && score >= 0 && score <= 100))
      return refuse(req, reply, id, 'decision', values, '评分须为 0 到 100 之间的数。');
    const items = values.items
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (values.outcome === 'supplement' && !items.length) return refuse(req, reply, id, 'decision', values, '要求补正时，请逐行列出需补正的材料或事项。');
    const r = await api(req, 'POST', path(id, '/decisions'), {
      body: {
        stage: values.stage,
        outcome: values.outcome,
        opinion: values.opinion,
        ...(score !== undefined ? { score } : {}),
        ...(values.outcome === 'supplement' ? { items } : {}),
      },
      key: one(b._key) || undefined,
    });
    return afterForm(req, reply, id, 'decision', values, r, 'decided');
  });

  app.post('/filings/:id/assign', async (req, reply) => {
    const { id } = req.params as { id: string };
    const b = (req.body ?? {}) as Record<string, unknown>;
    const values = { stage: one(b.stage), expertIds: many(b.expertIds) };
    if (!values.expertIds.length) return refuse(req, reply, id, 'assign', values, '请至少选择一位评估专家。');
    const r = await api(req, 'POST', path(id, '/assignments'), { body: values, key: one(b._key) || undefined });
    return afterForm(req, reply, id, 'assign', values, r, 'assigned');
  });

  app.post('/filings/:id/objections/:objectionId/resolution', async (req, reply) => {
    const { id, objectionId } = req.params as { id: string; objectionId: string };
    const b = (req.body ?? {}) as Record<string, unknown>;
    const values = { objectionId, upheld: one(b.upheld), note: one(b.note).trim(), returnTo: one(b.returnTo) };
    if (values.upheld !== 'true' && values.upheld !== 'false') return refuse(req, reply, id, 'resolve', values, '请选择异议是否成立。');
    if (!values.note) return refuse(req, reply, id, 'resolve', values, '请填写核查意见。');
    if (values.returnTo && values.upheld !== 'true') return refuse(req, reply, id, 'resolve', values, '只有异议成立时才能退回到之前的环节。');
    const r = await api(req, 'POST', path(id, `/objections/${encodeURIComponent(objectionId)}/resolution`), {
      body: { upheld: values.upheld === 'true', note: values.note, ...(values.returnTo ? { returnTo: values.returnTo } : {}) },
      key: one(b._key) || undefined,
    });
    return afterForm(req, reply, id, 'resolve', values, r, 'resolved');
  });

  app.post('/filings/:id/objections/dismissal', async (req, reply) => {
    const { id } = req.params as { id: string };
    const b = (req.body ?? {}) as Record<string, unknown>;
    const values = { note: one(b.note).trim() };
    if (!values.note) return refuse(req, reply, id, 'resolve', values, '请填写核查意见。');
    const r = await api(req, 'POST', path(id, '/objections/dismissal'), { body: values, key: one(b._key) || undefined });
    return afterForm(req, reply, id, 'resolve', values, r, 'resolved');
  });

  app.post('/filings/:id/renewal', async (req, reply) => {
    const { id } = req.params as { id: string };
    const b = (req.body ?? {}) as Record<string, unknown>;
    const values = { note: one(b.note).trim() };
    const r = await api(req, 'POST', path(id, '/renewal'), { body: values.note ? values : {}, key: one(b._key) || undefined });
    return afterForm(req, reply, id, 'renewal', values, r, 'renewal');
  });

  app.post('/filings/:id/termination', async (req, reply) => {
    const { id } = req.params as { id: string };
    const b = (req.body ?? {}) as Record<string, unknown>;
    const values = { reason: one(b.reason).trim(), confirm: one(b.confirm) };
    if (!values.reason) return refuse(req, reply, id, 'termination', values, '请填写终止原因。');
    if (values.confirm !== '1') return refuse(req, reply, id, 'termination', values, '请勾选确认后再提交终止。');
    const r = await api(req, 'POST', path(id, '/termination'), { body: { reason: values.reason }, key: one(b._key) || undefined });
    return afterForm(req, reply, id, 'termination', values, r, 'terminated');
  });

  // ——— 补正 ———

  /** A page about one filing (补正, 变更): the filing as the caller may see it, or why it cannot be opened. */
  const filingPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    page: string,
    data: (s: FilingState) => { title: string; [k: string]: unknown },
    status: number,
  ) => {
    const r = await api<FilingState>(req, 'GET', path(id));
    if (!r.ok) return notFoundPage(req, reply, r);
    return render(req, reply, page, view({ f: r.body, own: isOwnInstitution(req.consoleCaller!, r.body), ...data(r.body) }), status);
  };

  const supplementPage = (req: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}, status = 200) =>
    filingPage(
      req,
      reply,
      id,
      'filing-supplement',
      (s) => ({
        title: '提交补正材料',
        request: s.status === 'supplement-requested' ? s.supplements[s.supplements.length - 1] : undefined,
        materials: {},
        missing: [],
        note: '',
        ...extra,
      }),
      status,
    );

  app.get('/filings/:id/supplement', async (req, reply) => supplementPage(req, reply, (req.params as { id: string }).id));

  app.post('/filings/:id/supplement', async (req, reply) => {
    const { id } = req.params as { id: string };
    const b = (req.body ?? {}) as Record<string, unknown>;
    const materialValues = readMaterials(b);
    const note = one(b.note).trim();
    const materials = materialsOf(materialValues);
    if (!materials.length) return supplementPage(req, reply, id, { materials: materialValues, note, problem: '请至少填写一项补正材料。' }, 400);
    const r = await api(req, 'POST', path(id, '/supplements'), { body: { materials, ...(note ? { note } : {}) }, key: one(b._key) || undefined });
    if (!r.ok) return supplementPage(req, reply, id, { materials: materialValues, note, problem: problemText(r) }, r.status);
    return seeOther(reply, path(id), 'supplemented');
  });

  // ——— 变更 ———

  const changePage = (req: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}, status = 200) =>
    filingPage(
      req,
      reply,
      id,
      'filing-change',
      (s) => ({
        title: '申请变更',
        mayChange: !requestRefusal(s, req.consoleCaller!, 'change', Date.now(), false),
        values: { address: '', legalRepresentative: '', venueName: '', venueAddress: '', venueVideo: false, reason: '', changeOccupations: false },
        occupations: [
          ...s.application.occupations.map((o) => ({
            code: o.code,
            name: o.name,
            trade: o.trade ?? '',
            levels: o.levels.map(String),
            basis: o.basis,
            grades: (o.gradeMapping ?? []).map((m) => `${m.grade}=${m.level}`).join('；'),
          })),
          { code: '', name: '', trade: '', levels: [], basis: 'national-standard' },
        ],
        problems: [],
        ...extra,
      }),
      status,
    );

  app.get('/filings/:id/change', async (req, reply) => changePage(req, reply, (req.params as { id: string }).id));

  app.post('/filings/:id/change', async (req, reply) => {
    const { id } = req.params as { id: string };
    const b = (req.body ?? {}) as Record<string, unknown>;
    const s = (k: string) => one(b[k]).trim();
    const values = {
      address: s('address'),
      legalRepresentative: s('legalRepresentative'),
      venueName: s('venueName'),
      venueAddress: s('venueAddress'),
      venueVideo: s('venueVideo') === '1',
      reason: s('reason'),
      changeOccupations: s('changeOccupations') === '1',
    };
    const { rows } = readOccupations(b);
    const keep = { values, occupations: rows };
    if (s('action') === 'add-occupation') {
      return changePage(req, reply, id, {
        ...keep,
        occupations: [...rows, { code: '', name: '', trade: '', levels: [], basis: 'national-standard' }].slice(0, MAX_OCCUPATION_ROWS),
      });
    }
    const { occupations, problems } = values.changeOccupations ? occupationsOf(rows) : { occupations: [], problems: [] };
    if (values.changeOccupations && !occupations.length && !problems.length) problems.push('变更职业（工种）时，请至少保留一个职业（工种）');
    if ((values.venueName || values.venueAddress) && !(values.venueName && values.venueAddress)) problems.push('考核场地须同时填写名称和地址');
    const change = {
      ...opt('address', values.address),
      ...opt('legalRepresentative', values.legalRepresentative),
      ...(values.venueName && values.venueAddress
        ? { venues: [{ name: values.venueName, address: values.venueAddress, hasVideoSurveillance: values.venueVideo }] }
        : {}),
      ...(values.changeOccupations && occupations.length ? { occupations } : {}),
      ...opt('reason', values.reason),
    };
    if (!problems.length && !('address' in change || 'legalRepresentative' in change || 'venues' in change || 'occupations' in change)) {
      problems.push('请至少填写一项变更内容：注册地址、法定代表人、考核场地或职业（工种）与等级');
    }
    if (problems.length) return changePage(req, reply, id, { ...keep, problems, problem: labels.PROBLEM_LABELS.VALIDATION_FAILED }, 400);
    const r = await api(req, 'POST', path(id, '/changes'), { body: change, key: one(b._key) || undefined });
    if (!r.ok) return changePage(req, reply, id, { ...keep, problems: fieldErrors(r), problem: problemText(r) }, r.status);
    return seeOther(reply, path(id), 'change');
  });
}
