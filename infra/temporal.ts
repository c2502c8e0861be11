/** Temporal client connection shared by the API process (and scripts). */
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection';

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
    // The SDK's own TestWorkflowEnvironment connects this way; the option is how a plain
    // Connection gets the TestService stub for demo mode's clock.
    ...(opts.testService ? { [InternalConnectionOptionsSymbol]: { supportsTestService: true } } : {}),
  } as Parameters<typeof Connection.connect>[0]);
  const client = new Client({ connection, namespace: opts.namespace, dataConverter: opts.dataConverter });
  return { connection, client, namespace: opts.namespace, taskQueue: opts.taskQueue };
}
