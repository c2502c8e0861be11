import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  const stack = globalThis.__SKILLCERT_STACK__;
  if (!stack) return;
  await Promise.allSettled(stack.processes.map((p) => p.stop()));
  if (!process.env.KEEP_TEST_LOGS) rmSync(stack.dir, { recursive: true, force: true });
  else console.log(`test logs kept in ${stack.dir}`);
}
