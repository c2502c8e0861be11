/** Temporal client connection shared by the API process (and scripts). */
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection';

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/**
 * The client's usual retries of UNAVAILABLE and RESOURCE_EXHAUSTED (the SDK's defaults: up to 10
 * attempts, backing off to 5 s), but none that would start after the call's deadline
 * (api/cases.ts gives every call one). The SDK's own interceptor would still sleep and retry after
 * the deadline had passed: the answer came late, and a retry that woke after the connection was
 * closed threw where nothing could catch it.
 */
export const retryWithinDeadline: Interceptor = (options, nextCall) => {
  const base = defaultGrpcRetryOptions();
  const d = options.deadline;
  const deadline = d === undefined || d === Infinity ? Infinity : d instanceof Date ? d.getTime() : Number(d);
  let delay = 0;
  return makeGrpcRetryInterceptor({
    delayFunction: () => delay,
    retryableDecider: (attempt, status) => {
      if (!base.retryableDecider(attempt, status)) return false;
      delay = base.delayFunction(attempt, status);
      return Date.now() + delay < deadline;
    },
  })(options, nextCall);
};

export interface TemporalHandle {
  connection: Connection;
  client: Client;
  namespace: string;
  taskQueue: string;
}

export async function connectTemporal(opts: {
  address: string;
  namespace: string;
  taskQueue: string;
  /** the time-skipping test server also speaks TestService (clock reads and skips) */
  testService?: boolean;
  /** the payload codec and failure converter (infra/payload-codec.ts encryptedDataConverter) */
  dataConverter?: DataConverter;
}): Promise<TemporalHandle> {
  const connection = await Connection.connect({
    address: opts.address,
    interceptors: [retryWithinDeadline],
    // The SDK's own TestWorkflowEnvironment connects this way; the option is how a plain
    // Connection gets the TestService stub for demo mode's clock.
    ...(opts.testService ? { [InternalConnectionOptionsSymbol]: { supportsTestService: true } } : {}),
  } as Parameters<typeof Connection.connect>[0]);
  const client = new Client({ connection, namespace: opts.namespace, dataConverter: opts.dataConverter });
  return { connection, client, namespace: opts.namespace, taskQueue: opts.taskQueue };
}
