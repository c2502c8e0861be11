/**
 * Runs before each test file (jest `setupFiles`): lets infra/embedded.ts's freePort hand this jest
 * worker ports from its own block. Keyed to this process: a child the test starts (the main command,
 * a server) inherits the environment but not the pid, and takes its ports from the kernel.
 */
process.env.SKILLCERT_TEST_PORTS_PID = String(process.pid);
