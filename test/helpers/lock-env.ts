/**
 * A dev server with a worker running the test-only lock contenders (test/workflows/lock-contender.ts)
 * and the real lock workflow, for the lock tests.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import * as activities from '../../src/activities';
import { freePort, startDevServer } from '../../scripts/servers';
import { quietRuntime } from './time-skipping';
import { tempDir } from './fs';
import { holdFor } from '../workflows/hold-activity';
import { bundleWorkflows, jobnetWorkerOptions } from '../../src/worker-setup';
import { jobnetClient } from '../../src/client';

export interface LockEnv {
  client: Client;
  stop(): Promise<void>;
}

export async function startLockEnv(name: string, taskQueue: string): Promise<LockEnv> {
  quietRuntime();
  const work = tempDir(name);
  const server = await startDevServer({ dbFile: path.join(work.dir, 'temporal.db'), port: await freePort(), stdio: 'ignore' });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const workflowBundle = await bundleWorkflows(undefined, require.resolve('../workflows/lock-contender'));
  const worker = await Worker.create({ ...jobnetWorkerOptions({ activities: { ...activities, holdFor } }), connection: nativeConnection, taskQueue, workflowBundle });
  const running = worker.run();
  const connection = await Connection.connect({ address: server.address });
  return {
    client: jobnetClient(connection),
    stop: async () => {
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
      await server.kill();
      work.cleanup();
    },
  };
}
