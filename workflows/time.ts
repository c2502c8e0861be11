/**
 * Workflow time (deterministic: inside the sandbox the clock is the workflow task's time, replayed
 * from history). Local China dates and day boundaries come from domain/dates.
 */
export const workflowNow = (): number => new Date().getTime();
