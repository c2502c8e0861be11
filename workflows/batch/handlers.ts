/**
 * The batch's message handlers. Every Update that needs an answer is validated by the domain's rule
 * (domain/batch.ts) and its work handed to the main loop through the mailbox; the loop validates it
 * again when it takes it, records the transition, and the Update answers with the batch's state.
 * An objection is counted here and answered at once (its text is in the objections collection).
 */
import { condition, setHandler } from '@temporalio/workflow';
import type { BatchState } from '../../domain/batch';
import { objectionIdOf } from '../../domain/objections';
import { failure } from '../shared/failure';
import type { BatchCase, BatchWork } from './context';
import {
  calendarUpdatedSignal,
  decideUpdate,
  dismissObjectionsUpdate,
  filingTerminatedUpdate,
  objectionUpdate,
  resolveObjectionUpdate,
  scoresUpdate,
  stateQuery,
  submitPlanUpdate,
  submitResultsUpdate,
  superviseUpdate,
} from './messages';
import { validateObjection, validateWork } from './validators';

export function setBatchHandlers(c: BatchCase): void {
  setHandler(stateQuery, () => c.state);
  setHandler(
    submitPlanUpdate,
    async () => {
      await condition(() => c.plan.settled);
      c.plan.answered = true;
      if (c.plan.refusal) throw c.plan.refusal;
      return c.s;
    },
    {
      validator: (s) => {
        if (!s?.actor || s.actor.sub !== c.input.submittedBy.sub) throw failure('FORBIDDEN', 'Only the submitter of the plan asks for its outcome');
      },
    },
  );

  // each Update: validated, then its work handed to the main loop
  const hand = (work: BatchWork) => c.mailbox.hand<BatchState>(work);
  const check = (work: BatchWork) => validateWork(c, work);
  setHandler(decideUpdate, (input) => hand({ kind: 'decide', input }), { validator: (input) => check({ kind: 'decide', input }) });
  setHandler(superviseUpdate, (input) => hand({ kind: 'supervise', input }), { validator: (input) => check({ kind: 'supervise', input }) });
  setHandler(scoresUpdate, (input) => hand({ kind: 'scores', input }), { validator: (input) => check({ kind: 'scores', input }) });
  setHandler(resolveObjectionUpdate, (input) => hand({ kind: 'resolve', input }), { validator: (input) => check({ kind: 'resolve', input }) });
  setHandler(dismissObjectionsUpdate, (input) => hand({ kind: 'dismiss', input }), { validator: (input) => check({ kind: 'dismiss', input }) });
  setHandler(submitResultsUpdate, (input) => hand({ kind: 'results', input }), { validator: (input) => check({ kind: 'results', input }) });
  setHandler(filingTerminatedUpdate, (input) => c.mailbox.hand<{ status: BatchState['status'] }>({ kind: 'filing-terminated', input }), {
    validator: (input) => check({ kind: 'filing-terminated', input }),
  });

  setHandler(
    objectionUpdate,
    (_o) => {
      validateObjection(c);
      const p = c.s.publicity!;
      p.objections.received += 1;
      // the center hears of objections once each time some are open, not once per objection
      if (!c.toldOfOpen) {
        c.toldOfOpen = true;
        c.mailbox.post({ kind: 'tell-objections' });
      }
      return { objectionId: objectionIdOf(p.round, p.objections.received) };
    },
    { validator: (_o) => validateObjection(c) },
  );

  setHandler(calendarUpdatedSignal, (sig) => {
    if (!c.state || !Array.isArray(sig?.years)) return;
    c.mailbox.post({ kind: 'calendar', years: sig.years });
  });
}
