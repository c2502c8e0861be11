/**
 * 公示 (004 Art.7(5)): at least five working days in which anyone may object. An objection upheld
 * rejects the filing or sends it back to a stage; the publicity closes at its end once no
 * objection is open, and the next stage counts from the day it closed.
 */
import { jurisdictionAudience, jurisdictionOf } from '../../domain/filing';
import { isoChina } from '../../domain/dates';
import { openObjections, upheldObjection } from '../../domain/objections';
import { SYSTEM } from '../shared/case-record';
import { closingMs, recordDismissal, recordResolution } from '../shared/publicity';
import { workflowNow } from '../time';
import { interrupted, is, type FilingCase } from './context';
import { recomputeIfCalendarChanged } from './deadlines';
import { takeWork } from './handlers';
import type { StageResult } from './stages';

export async function runPublicity(c: FilingCase): Promise<StageResult> {
  const { state, record } = c;
  const p = state.publicity!;
  // the reviewers hear of objections once each time some are open, not once per objection
  let toldOfOpen = false;
  for (;;) {
    takeResolutions(c);
    const seenReceived = p.objections.received;
    c.deadlineMoved = false;
    if (interrupted(c)) return 'interrupted';
    const upheld = upheldObjection(p.objections);
    if (upheld) {
      const before = record.snapshot();
      p.outcome = 'upheld';
      p.closedAt = upheld.at;
      if (!upheld.returnTo && state.track === 'application') state.status = 'rejected';
      record.log('publicity-ended', undefined, 'objection upheld');
      record.audit('filing.publicity-upheld', { actor: upheld.by }, before);
      await record.flush();
      return upheld.returnTo ? { returnTo: upheld.returnTo } : 'reject';
    }
    const open = openObjections(p.objections);
    if (workflowNow() >= p.endsAtMs && open === 0) {
      const before = record.snapshot();
      p.outcome = 'closed';
      p.closedAt = isoChina(closingMs(p));
      record.log('publicity-closed', undefined, p.objections.received ? `${p.objections.received} objection(s), all dismissed` : undefined);
      record.audit('filing.publicity-closed', { actor: SYSTEM }, before);
      return 'pass';
    }
    // a recomputed end may already have passed: check again before waiting
    if (await recomputeIfCalendarChanged(c)) continue;
    if (open > 0 && !toldOfOpen) {
      record.log('objection-received', undefined, `${open} open`);
      record.notify(
        jurisdictionAudience(jurisdictionOf(state.application)),
        'objection',
        `「${state.application.institution.name}」公示期间收到异议，请核查处理`,
      );
    }
    toldOfOpen = open > 0;
    // a resolution is recorded now (read model, audit), not only when the publicity ends
    if (record.unwritten) await record.flush();
    const now = workflowNow();
    await c.mailbox.wait(
      () => c.deadlineMoved || interrupted(c) || c.mailbox.has(is('resolve', 'dismiss')) || p.objections.received !== seenReceived,
      now < p.endsAtMs ? p.endsAtMs - now : Infinity,
    );
  }
}

/** Resolutions by the jurisdiction's reviewers, one by one or every open objection at once. */
function takeResolutions(c: FilingCase): void {
  const ledger = c.state.publicity!.objections;
  for (let work = takeWork(c, 'resolve', 'dismiss'); work; work = takeWork(c, 'resolve', 'dismiss')) {
    if (work.kind === 'resolve') recordResolution(c.record, ledger, work.input, 'filing.resolve-objection');
    else recordDismissal(c.record, ledger, work.input, 'filing.dismiss-objections');
  }
}
