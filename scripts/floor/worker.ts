/**
 * The floor's worker: a plain Temporal SDK worker for scripts/floor/workflows.ts, as its own
 * process (like jobnet's bench worker). Arguments: <address> <task queue> [--codec]. Prints
 * "floor worker ready" when it polls. With `--codec` it encrypts as jobnet's workers do (the
 * guarded floor: what the floor costs with jobnet's encryption, to tell it from jobnet's own cost).
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection, Worker } from '@temporalio/worker';
import * as activities from './activities';
// Used only with --codec (the guarded floor); the plain floor's worker never calls it.
import { jobnetDataConverter } from '../../src/codec/data-converter';

async function main(): Promise<void> {
  const [address, taskQueue, flag] = process.argv.slice(2);
  if (!address || !taskQueue || (flag !== undefined && flag !== '--codec')) throw new Error('usage: floor/worker.ts <address> <task queue> [--codec]');
  // TLS and the rest from Temporal's environment configuration, as any SDK worker (a cluster's TLS frontends).
  const { connectionOptions } = loadClientConnectConfig();
  const connection = await NativeConnection.connect({ ...connectionOptions, address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: require.resolve('./workflows'),
    activities,
    maxConcurrentActivityTaskExecutions: 200,
    ...(flag === '--codec' ? { dataConverter: jobnetDataConverter('worker') } : {}),
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
