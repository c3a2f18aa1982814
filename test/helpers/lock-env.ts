/**
 * A dev server with a worker running the test-only lock contenders (test/workflows/lock-contender.ts)
 * and the real lock workflow, for the lock tests.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import * as activities from '../../src/activities';
import { freePort, startDevServer } from '../../scripts/servers';
import { quietRuntime } from './time-skipping';
import { tempDir } from './fs';
import { holdFor } from '../workflows/hold-activity';
import { bundleWorkflows, jobnetWorkerOptions, servedQueues } from '../../src/worker-setup';
import { jobnetClient } from '../../src/temporal/client';

/** A worker process of its own: its queue and the coordination queue, as `npm run worker` serves them. */
export interface LockHost {
  stop(): Promise<void>;
}

export interface LockEnv {
  client: Client;
  /** Starts another host serving `taskQueue` (and the coordination queue). */
  startHost(taskQueue: string): Promise<LockHost>;
  stop(): Promise<void>;
}

/** A host has a connection of its own: the SDK refuses two workers of one queue on one client. */
async function startHost(address: string, workflowBundle: WorkflowBundleWithSourceMap, taskQueue: string): Promise<LockHost> {
  const connection = await NativeConnection.connect({ address });
  const workers = await Promise.all(
    servedQueues([taskQueue]).map((queue) =>
      Worker.create({ ...jobnetWorkerOptions({ activities: { ...activities, holdFor } }), connection, taskQueue: queue, workflowBundle }),
    ),
  );
  const running = workers.map((worker) => worker.run());
  let stopped: Promise<unknown> | undefined;
  return {
    // Once: a host a test stopped is stopped again (no-op) with the env.
    stop: async () => {
      stopped ??= (() => {
        for (const worker of workers) worker.shutdown();
        return Promise.all(running).finally(() => connection.close());
      })();
      await stopped;
    },
  };
}

export async function startLockEnv(name: string, taskQueue: string): Promise<LockEnv> {
  quietRuntime();
  const work = tempDir(name);
  const server = await startDevServer({ dbFile: path.join(work.dir, 'temporal.db'), port: await freePort(), stdio: 'ignore' });
  const workflowBundle = await bundleWorkflows(undefined, require.resolve('../workflows/lock-contender'));
  const hosts = [await startHost(server.address, workflowBundle, taskQueue)];
  const connection = await Connection.connect({ address: server.address });
  return {
    client: jobnetClient(connection),
    startHost: async (queue) => {
      const host = await startHost(server.address, workflowBundle, queue);
      hosts.push(host);
      return host;
    },
    stop: async () => {
      await Promise.all(hosts.map((host) => host.stop()));
      await connection.close();
      await server.kill();
      work.cleanup();
    },
  };
}
