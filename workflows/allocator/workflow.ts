/**
 * A counter workflow: Updates run one at a time against its state, so each reservation sees the
 * last one's result. It lives forever, continuing as new as its history grows.
 */
import { ApplicationFailure, allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { allocateUpdate, countersQuery, type Allocation, type AllocatorState } from './messages';

/** reservations remembered for retries; a retry comes within minutes, not thousands of requests later */
const RECENT_LIMIT = 2000;
const EVENTS_PER_RUN = 4000;

export async function allocator(input: { scope: string; carried?: AllocatorState }): Promise<void> {
  const state: AllocatorState = input.carried ?? { counters: {}, recent: [] };
  const recent = new Map<string, Allocation>(state.recent);

  setHandler(countersQuery, () => ({ counters: state.counters, recent: [...recent.entries()] }));

  setHandler(
    allocateUpdate,
    (req) => {
      const done = recent.get(req.requestId);
      if (done) return done;
      const last = state.counters[req.key] ?? 0;
      const first = last + 1;
      const end = last + req.count;
      if (end > req.max) {
        throw ApplicationFailure.create({
          type: 'SERIAL_EXHAUSTED',
          nonRetryable: true,
          message: `${input.scope} ${req.key}: ${req.count} more would pass the maximum ${req.max} (last issued ${last})`,
          details: [{ key: req.key, lastIssued: last, max: req.max }],
        });
      }
      state.counters[req.key] = end;
      const a = { key: req.key, first, last: end };
      recent.set(req.requestId, a);
      if (recent.size > RECENT_LIMIT) recent.delete(recent.keys().next().value!);
      return a;
    },
    {
      validator: (req) => {
        if (!Number.isSafeInteger(req.count) || req.count < 1) throw new Error('count must be a positive integer');
        if (!req.requestId) throw new Error('requestId is required');
      },
    },
  );

  await condition(() => workflowInfo().historyLength > EVENTS_PER_RUN || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof allocator>({ scope: input.scope, carried: { counters: state.counters, recent: [...recent.entries()] } });
}
