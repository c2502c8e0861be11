/**
 * The batch's Update validators: they run before anything enters history, and again when the main
 * loop takes the work (the batch may have moved on meanwhile). Each asks the domain's rule
 * (domain/batch.ts) and throws its refusal; none decides anything itself.
 */
import {
  batchDecisionRefusal,
  batchDismissalRefusal,
  batchObjectionRefusal,
  batchResolutionRefusal,
  filingTerminatedRefusal,
  resultsRefusal,
  scorePostRefusal,
  supervisionRefusal,
} from '../../domain/batch';
import { refuse } from '../shared/failure';
import { workflowNow } from '../time';
import type { BatchCase, BatchWork } from './context';

export function validateObjection(c: BatchCase): void {
  refuse(batchObjectionRefusal(c.state, workflowNow()));
}

/** An Update's validator (refused while the plan is still being checked), run again when the main loop takes its work. */
export function validateWork(c: BatchCase, w: BatchWork): void {
  switch (w.kind) {
    case 'decide':
      return refuse(batchDecisionRefusal(c.s, w.input));
    case 'supervise':
      return refuse(supervisionRefusal(c.s, w.input, c.policy));
    case 'scores':
      return refuse(scorePostRefusal(c.s, w.input));
    case 'resolve':
      return refuse(batchResolutionRefusal(c.s, w.input));
    case 'dismiss':
      return refuse(batchDismissalRefusal(c.s, w.input));
    case 'results':
      return refuse(resultsRefusal(c.s, w.input));
    case 'filing-terminated':
      return refuse(filingTerminatedRefusal(c.s, w.input));
    case 'tell-objections':
    case 'calendar':
      return;
  }
}
