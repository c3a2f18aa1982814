/**
 * The floor's worker: a plain Temporal SDK worker for scripts/floor/workflows.ts, as its own
 * process (like jobnet's bench worker). Arguments: <address> <task queue>. Prints "floor worker
 * ready" when it polls.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection, Worker } from '@temporalio/worker';
import * as activities from './activities';

async function main(): Promise<void> {
  const [address, taskQueue] = process.argv.slice(2);
  if (!address || !taskQueue) throw new Error('usage: floor/worker.ts <address> <task queue>');
  // TLS and the rest from Temporal's environment configuration, as any SDK worker (a cluster's TLS frontends).
  const { connectionOptions } = loadClientConnectConfig();
  const connection = await NativeConnection.connect({ ...connectionOptions, address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: require.resolve('./workflows'),
    activities,
    maxConcurrentActivityTaskExecutions: 200,
  });
  process.once('SIGTERM', () => worker.shutdown());
  console.error('floor worker ready');
  await worker.run();
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
