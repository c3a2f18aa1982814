/**
 * A jobnet worker process for the benchmarks: `src/worker.ts` on one queue of a bench's dev
 * server, JSON logs, ready when it logs "worker ready". Stopped with SIGTERM (a clean
 * shutdown), killed if it does not come up within 90 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { useThrowawayKeyUnlessConfigured } from '../../src/codec/keys';

const ROOT = path.resolve(__dirname, '..', '..');

// Benches measure jobnet as it runs in production: encrypted (JOBNET_CODEC=off measures without).
useThrowawayKeyUnlessConfigured(process.env, 'bench');

export interface BenchWorker {
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startBenchWorker(options: { address: string; queue: string; args?: string[]; env?: NodeJS.ProcessEnv }): Promise<BenchWorker> {
  const env: NodeJS.ProcessEnv = { ...process.env, JOBNET_LOG_FORMAT: 'json', JOBNET_LOG_LEVEL: 'info', ...options.env };
  // A metrics port left in the environment would clash with a dev worker on the same host.
  delete env.JOBNET_METRICS_ADDRESS;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'worker.ts'), '--address', options.address, '--queue', options.queue, ...(options.args ?? [])], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
  });
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready after 90 s:\n${stderr}`)), 90_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // Keep the tail only: a worker logs for the whole bench.
      if (stderr.length > 1_000_000) stderr = stderr.slice(-100_000);
      if (stderr.includes('"worker ready"')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}:\n${stderr}`)));
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
