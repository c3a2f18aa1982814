import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { freePort, startDevServer, type DevServer, type DevServerOptions } from '../../scripts/servers';
import { sharedBundle, quietRuntime } from './time-skipping';
import { tempDir } from './fs';
import { jobnetWorkerOptions, servedQueues } from '../../src/worker-setup';

/** A dev server on a free port with its own database, and an in-process worker on the default queue. */
export interface DevEnv {
  server: DevServer;
  work: ReturnType<typeof tempDir>;
  stop(): Promise<void>;
}

export async function startDevEnv(name: string, queues = ['default'], options: Pick<DevServerOptions, 'dynamicConfig'> = {}): Promise<DevEnv> {
  quietRuntime();
  const work = tempDir(name);
  process.env.JOBNET_LOG_DIR = path.join(work.dir, 'logs');
  const server = await startDevServer({ ...options, dbFile: path.join(work.dir, 'temporal.db'), port: await freePort(), stdio: 'ignore' });
  const connection = await NativeConnection.connect({ address: server.address });
  const workflowBundle = await sharedBundle();
  // Every worker serves the coordination queue too (locks and gates), as `npm run worker` does.
  const workers = await Promise.all(
    servedQueues(queues).map((taskQueue) => Worker.create({ ...jobnetWorkerOptions(), connection, taskQueue, workflowBundle })),
  );
  const running = workers.map((worker) => worker.run());
  return {
    server,
    work,
    stop: async () => {
      for (const worker of workers) worker.shutdown();
      await Promise.allSettled(running);
      await connection.close();
      await server.kill();
      work.cleanup();
    },
  };
}
