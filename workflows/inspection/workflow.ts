/**
 * `inspection-draw/<drawId>`: one 双随机 draw and its inspections (domain/inspections.ts). An
 * activity lists the eligible institutions and inspectors; the workflow takes a seed from the
 * sandbox's seeded generator (uuid4; so a replay draws the same) and draws with it, in domain code an
 * auditor can re-run from the recorded seed and lists; an activity records the draw. Then each
 * drawn inspector files findings (`fileFindingUpdate`), one at a time, each carried out (a
 * suspension order goes to the batches through their own supervision Update) and recorded before
 * it is answered. The workflow is the one writer of its draw and inspection documents, and ends
 * once every inspection is concluded.
 */
import { allHandlersFinished, condition, proxyActivities, setHandler, uuid4 } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { isoChina } from '../../domain/dates';
import type { Refusal } from '../../domain/errors';
import {
  drawInspections,
  drawPoolRefusal,
  drawRequestRefusal,
  findingRefusal,
  inspectionConcluded,
  type InspectionFinding,
  type InspectionRecord,
} from '../../domain/inspections';
import { SEVERITY_LABELS } from '../../domain/labels';
import type { AuditDraft, NotificationDraft } from '../../activities/records';
import { refuse, refusalFailure } from '../shared/failure';
import { workflowNow } from '../time';
import {
  drawnUpdate,
  drawStateQuery,
  fileFindingUpdate,
  inspectionIdOf,
  type DrawInput,
  type DrawResult,
  type DrawState,
  type FileFindingInput,
} from './messages';

const acts = proxyActivities<activities.Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export async function inspectionDraw(input: DrawInput): Promise<DrawResult> {
  let state: DrawState | null = null;
  let refusal: Refusal | null = null;
  // findings are carried out one at a time: each is recorded as a new version of the draw
  let busy = false;
  setHandler(drawStateQuery, () => state);
  setHandler(drawnUpdate, async () => {
    await condition(() => !!state || !!refusal);
    if (refusal) throw refusalFailure(refusal);
    return state!;
  });
  setHandler(fileFindingUpdate, (f) => fileFinding(f), {
    validator: (f: FileFindingInput) => refuse(state ? findingRefusal(state.inspections, f) : { code: 'INVALID_STATE', message: 'Not drawn yet' }),
  });

  refusal = drawRequestRefusal(input);
  const pools = refusal ? null : await acts.listInspectionPools({ scope: input.scope });
  refusal = refusal ?? drawPoolRefusal(pools!, input.count, input.inspectorsPerInspection);
  if (refusal) {
    await condition(allHandlersFinished);
    return { status: 'refused', refusal };
  }
  // the sandbox's uuid4 comes from the workflow's seeded generator: a replay takes the same seed
  const seed = parseInt(uuid4().replace(/-/g, '').slice(0, 8), 16);
  const drawn = drawInspections(pools!, input.count, input.inspectorsPerInspection, seed);
  const at = isoChina(workflowNow());
  const next: DrawState = {
    drawId: input.drawId,
    year: input.year,
    scope: input.scope,
    drawnAt: at,
    drawnBy: input.actor,
    seed,
    eligible: { institutions: pools!.institutions.length, inspectors: pools!.inspectors.length, hash: pools!.hash },
    inspections: drawn.map((d) => ({ id: inspectionIdOf(input.drawId, d.seq), ...d, findings: [], proposal: null, concludedAt: null })),
    version: 1,
  };
  const notifications: NotificationDraft[] = next.inspections.map((x) => ({
    audience: { role: 'supervisor', userIds: x.inspectors.map((s) => s.userId) },
    kind: 'inspection-assignment',
    message: `您被随机选派对「${x.institution.name}」开展${input.year}年度职业技能等级认定工作抽查（${x.id}），请检查后填报检查结果`,
    at,
  }));
  const audit: AuditDraft[] = [
    {
      actor: input.actor.sub,
      actorName: input.actor.name,
      role: input.actor.role,
      action: 'inspection.draw',
      requestId: input.requestId,
      before: null,
      after: { seed, count: input.count, inspectorsPerInspection: input.inspectorsPerInspection, inspections: next.inspections.map((x) => x.id) },
      at,
      note: `${drawn.length} of ${pools!.institutions.length} institutions, ${pools!.inspectors.length} inspectors eligible, pools ${pools!.hash}`,
    },
  ];
  await acts.recordInspectionDraw({ state: next, pools: pools!, audit, notifications });
  state = next;

  await condition(() => state!.inspections.every(inspectionConcluded) && !busy);
  await condition(allHandlersFinished);
  return { status: 'concluded' };

  async function fileFinding(f: FileFindingInput): Promise<InspectionRecord> {
    await condition(() => !busy);
    busy = true;
    try {
      const s = state!;
      // the validator ran before this finding waited its turn: the one before may have been the same inspector's
      refuse(findingRefusal(s.inspections, f));
      const x = s.inspections.find((r) => r.id === f.inspectionId)!;
      const at = isoChina(workflowNow());
      const by = { userId: f.actor.sub, name: f.actor.name };
      const finding: InspectionFinding = { by, severity: f.severity, text: f.text, order: f.order ?? null, at };
      const notifications: NotificationDraft[] = [];
      if (finding.order === 'suspend-batches') {
        const r = await acts.suspendInstitutionBatches({
          inspectionId: x.id,
          creditCode: x.institution.creditCode,
          text: f.text,
          actor: f.actor,
          requestId: f.requestId,
        });
        finding.suspendedBatches = r.suspended;
      }
      if (finding.order === 'propose-termination' && !x.proposal) {
        x.proposal = { by, at, text: f.text };
        notifications.push({
          audience: { role: 'province-reviewer', province: x.institution.province },
          kind: 'termination-proposal',
          message: `双随机抽查（${x.id}）发现「${x.institution.name}」存在严重问题，检查人员建议终止其备案，请核实后决定`,
          at,
        });
      }
      x.findings.push(finding);
      if (inspectionConcluded(x)) x.concludedAt = at;
      s.version++;
      const audit: AuditDraft = {
        actor: f.actor.sub,
        actorName: f.actor.name,
        role: f.actor.role,
        action: 'inspection.finding',
        requestId: f.requestId,
        before: null,
        after: { inspectionId: x.id, severity: f.severity, order: finding.order, suspendedBatches: finding.suspendedBatches ?? [] },
        at,
        note: SEVERITY_LABELS[f.severity],
      };
      await acts.recordInspectionDraw({ state: s, audit: [audit], notifications });
      return x;
    } finally {
      busy = false;
    }
  }
}
