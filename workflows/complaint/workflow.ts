/**
 * 投诉举报: one workflow per complaint, `complaint/<id>` (000 §六(一), 001 §四(二), 002 Art.25;
 * the rules in domain/complaints.ts).
 *
 *   received (the due date counted from the day of receipt; the reviewers in scope are told)
 *   → open: a reminder before the due date; overdue, escalated to the superior, then the province
 *   → upheld (an entry in the institution's credit file, domain/credit.ts) | dismissed
 *
 * The complainant's name, contact and text never pass through here (the API keeps them). The one
 * Update that changes the complaint, the decision, is validated by the domain's rule and handed to
 * the main loop (workflows/shared/mailbox.ts); each transition is one `recordComplaint` activity,
 * which also writes the credit entry of an upheld complaint (once: its id is the complaint's).
 */
import { allHandlersFinished, condition } from '@temporalio/workflow';
import { complaintAudience, type ComplaintState } from '../../domain/complaints';
import { isoChina } from '../../domain/dates';
import { businessFailure, failure } from '../shared/failure';
import { workflowNow } from '../time';
import { ComplaintCase, type ComplaintWork } from './context';
import { nextWakeAt, onTime, setDue } from './deadlines';
import { setComplaintHandlers } from './handlers';
import type { ComplaintInput } from './messages';
import { validateWork } from './validators';

export async function complaint(input: ComplaintInput): Promise<ComplaintState> {
  const c = new ComplaintCase(input, validateWork);
  setComplaintHandlers(c);
  const { s, record } = c;

  await setDue(c);
  record.log('received', undefined, `due ${s.due!.dueDate}`);
  record.notify(
    complaintAudience(s.jurisdiction),
    'complaint-received',
    `收到关于「${s.institution.name}」的投诉举报，请于 ${s.due!.dueDate} 前调查核实处理（人社部《职业技能等级认定工作规程》第二十五条）`,
  );
  await record.flush();
  c.recorded = true;

  // until decided: the decision, or the next reminder or escalation, one at a time
  while (s.status === 'open') {
    const work = c.mailbox.take();
    if (work) {
      await runWork(c, work);
      continue;
    }
    const wakeAt = nextWakeAt(c);
    if (wakeAt <= workflowNow()) {
      await onTime(c);
      continue;
    }
    const woke = await c.mailbox.wait(() => c.mailbox.has(), wakeAt - workflowNow());
    if (!woke) await onTime(c);
  }
  c.mailbox.close(() => failure('ALREADY_DECIDED', `Complaint ${s.id} was ${s.status}`));
  await condition(allHandlersFinished);
  return s;
}

async function runWork(c: ComplaintCase, work: ComplaintWork): Promise<void> {
  try {
    await decide(c, work.input);
  } catch (err) {
    const refusal = businessFailure(err);
    if (!refusal) throw err;
    c.mailbox.refuse(work, refusal);
  }
}

/** 002 Art.25: the investigation's outcome; upheld, the credit file gets its entry with this record. */
async function decide(c: ComplaintCase, d: ComplaintWork['input']): Promise<void> {
  const { s, record } = c;
  const before = record.snapshot();
  s.status = d.upheld ? 'upheld' : 'dismissed';
  s.decision = { upheld: d.upheld, note: d.note, by: d.actor, at: isoChina(workflowNow()) };
  record.log(s.status, d.actor, d.note.slice(0, 200));
  record.audit('complaint.decide', d, before, s.status);
  await record.flush();
}
