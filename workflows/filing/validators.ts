/**
 * The filing's Update validators: they run before anything enters history, and again when the
 * main loop takes the work (the case may have moved on meanwhile). Each asks the domain's rule
 * (domain/filing.ts) and throws its refusal; none decides anything itself.
 */
import {
  assignmentRefusal,
  decisionOutcomeRefusal,
  decisionRefusal,
  dismissalRefusal,
  filingResolutionRefusal,
  objectionRefusal,
  requestRefusal,
  stageDef,
  supplementRefusal,
  terminationRefusal,
} from '../../domain/filing';
import { refuse } from '../shared/failure';
import { workflowNow } from '../time';
import { is, type FilingCase, type FilingWork } from './context';
import type { AssignInput, DecideInput, DismissInput, Envelope, ResolveInput, SupplementInput, TerminationInput } from './messages';

/** A renewal, change or voluntary termination already handed to the main loop, or running. */
const requestPending = (c: FilingCase) => c.requestUnderway || c.mailbox.has(is('request'));

export function validateDecision(c: FilingCase, d: DecideInput): void {
  refuse(decisionRefusal(c.state, d.actor, d.stage));
  refuse(decisionOutcomeRefusal(stageDef(c.state, d.stage)!, d.outcome, d.score));
}

export function validateAssignment(c: FilingCase, a: AssignInput): void {
  refuse(assignmentRefusal(c.state, a.actor, a.stage, a.experts));
}

export function validateSupplement(c: FilingCase, s: SupplementInput): void {
  refuse(supplementRefusal(c.state, s.actor, s.materials));
}

export function validateObjection(c: FilingCase): void {
  refuse(objectionRefusal(c.state, workflowNow()));
}

export function validateResolution(c: FilingCase, r: ResolveInput): void {
  refuse(filingResolutionRefusal(c.state, r.actor, r));
}

export function validateDismissal(c: FilingCase, d: DismissInput): void {
  refuse(dismissalRefusal(c.state, d.actor));
}

export function validateRequest(c: FilingCase, track: 'renewal' | 'change', e: Envelope): void {
  refuse(requestRefusal(c.state, e.actor, track, workflowNow(), requestPending(c)));
}

export function validateTermination(c: FilingCase, t: TerminationInput): void {
  refuse(terminationRefusal(c.state, t.actor, requestPending(c)));
}

/** An Update's validator, run again as the main loop takes its work (the case may have moved on since). */
export function validateWork(c: FilingCase, w: FilingWork): void {
  switch (w.kind) {
    case 'decide':
      return validateDecision(c, w.input);
    case 'assign':
      return validateAssignment(c, w.input);
    case 'supplement':
      return validateSupplement(c, w.input);
    case 'resolve':
      return validateResolution(c, w.input);
    case 'dismiss':
      return validateDismissal(c, w.input);
    case 'request':
      return w.track === 'termination'
        ? validateTermination(c, w.input as TerminationInput)
        : validateRequest(c, w.track === 'renewal' ? 'renewal' : 'change', w.input);
    case 'ordered-termination':
      return validateTermination(c, w.input);
  }
}
