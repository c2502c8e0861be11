/**
 * The filing's message handlers. An Update is validated (validators.ts) and its work handed to the
 * main loop through the mailbox: the loop records it, and the Update answers with the state once
 * the loop waits again. Only an objection is counted here and answered at once (its text is in the
 * objections collection, so a flood of them never grows this state, a reply or a history event).
 */
import { setHandler } from '@temporalio/workflow';
import type { FilingState } from '../../domain/filing';
import { objectionIdOf } from '../../domain/objections';
import { is, type FilingCase, type FilingWork } from './context';
import {
  assignExpertsUpdate,
  calendarUpdatedSignal,
  changeUpdate,
  decideUpdate,
  dismissObjectionsUpdate,
  examsHeldSignal,
  objectionUpdate,
  renewalUpdate,
  resolveObjectionUpdate,
  stateQuery,
  supplementUpdate,
  terminationUpdate,
} from './messages';
import * as v from './validators';
import { setDocumentHandler } from './documents';
import { changeTrack, terminationKindOf } from '../../domain/filing';

export function setFilingHandlers(c: FilingCase): void {
  const hand = (work: FilingWork) => c.mailbox.hand<FilingState>(work);
  setHandler(stateQuery, () => c.state);
  setHandler(decideUpdate, (input) => hand({ kind: 'decide', input }), { validator: (d) => v.validateDecision(c, d) });
  setHandler(assignExpertsUpdate, (input) => hand({ kind: 'assign', input }), { validator: (a) => v.validateAssignment(c, a) });
  setHandler(supplementUpdate, (input) => hand({ kind: 'supplement', input }), { validator: (s) => v.validateSupplement(c, s) });
  setHandler(resolveObjectionUpdate, (input) => hand({ kind: 'resolve', input }), { validator: (r) => v.validateResolution(c, r) });
  setHandler(dismissObjectionsUpdate, (input) => hand({ kind: 'dismiss', input }), { validator: (d) => v.validateDismissal(c, d) });
  setHandler(renewalUpdate, (input) => hand({ kind: 'request', track: 'renewal', input }), { validator: (r) => v.validateRequest(c, 'renewal', r) });
  setHandler(changeUpdate, (input) => hand({ kind: 'request', track: changeTrack(c.state.application.occupations, input.change), input }), {
    validator: (ch) => v.validateRequest(c, 'change', ch),
  });
  setHandler(
    terminationUpdate,
    (input) =>
      hand(terminationKindOf(c.state, input.actor) === 'ordered' ? { kind: 'ordered-termination', input } : { kind: 'request', track: 'termination', input }),
    {
      validator: (t) => v.validateTermination(c, t),
    },
  );
  setHandler(
    objectionUpdate,
    (_o) => {
      v.validateObjection(c);
      const p = c.state.publicity!;
      p.objections.received += 1;
      return { objectionId: objectionIdOf(p.round, p.objections.received) };
    },
    { validator: (_o) => v.validateObjection(c) },
  );

  setHandler(examsHeldSignal, ({ batchId, lastExamDate }) => {
    if (!c.state.lastExamDate || lastExamDate > c.state.lastExamDate) c.state.lastExamDate = lastExamDate;
    c.record.log('exams-held', undefined, `${batchId}: ${lastExamDate}`);
    c.deadlineMoved = true; // the idle-exit deadline moved
  });
  setHandler(calendarUpdatedSignal, ({ years }) => {
    c.calendarYears.push(...years);
    c.deadlineMoved = true;
  });
  setDocumentHandler(c);
}

/** The main loop takes the next work of these kinds that is still valid. */
export function takeWork<K extends FilingWork['kind']>(c: FilingCase, ...kinds: K[]): Extract<FilingWork, { kind: K }> | undefined {
  return c.mailbox.take(is(...kinds));
}
