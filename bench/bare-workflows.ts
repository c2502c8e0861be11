/**
 * The baseline the benchmark measures the system against: a bare workflow driven through the same
 * number of Temporal Updates and activities as a filing, with none of the system's work (no HTTP,
 * no validation, no read models, no calendar).
 */
import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

const { touch } = proxyActivities<{ touch(n: number): Promise<number> }>({ startToCloseTimeout: '30 seconds' });

export const stepUpdate = defineUpdate<number, [number]>('step');

/** Each update runs one activity and answers; the workflow ends after `steps` updates. */
export async function bareFiling(steps: number): Promise<number> {
  let done = 0;
  setHandler(stepUpdate, async (n) => {
    const r = await touch(n);
    done += 1;
    return r;
  });
  await touch(0);
  await condition(() => done >= steps);
  return done;
}
