/**
 * The complaint's message handlers: the state query, `receivedUpdate` (answers once the complaint
 * is recorded) and the decision, validated by the domain's rule and handed to the main loop.
 */
import { condition, setHandler } from '@temporalio/workflow';
import type { ComplaintState } from '../../domain/complaints';
import type { ComplaintCase } from './context';
import { complaintStateQuery, decideComplaintUpdate, receivedUpdate } from './messages';
import { validateWork } from './validators';

export function setComplaintHandlers(c: ComplaintCase): void {
  setHandler(complaintStateQuery, () => c.s);
  setHandler(receivedUpdate, async () => {
    await condition(() => c.recorded);
    return c.s;
  });
  setHandler(decideComplaintUpdate, (input) => c.mailbox.hand<ComplaintState>({ kind: 'decide', input }), {
    validator: (input) => validateWork(c, { kind: 'decide', input }),
  });
}
