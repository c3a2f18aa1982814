/**
 * Worker processes for the benchmarks, each on one queue of a bench's dev server: jobnet's own
 * (`src/worker.ts`, JSON logs, ready when it logs "worker ready") and the floor's plain SDK
 * worker (scripts/floor/worker.ts). Stopped with SIGTERM (a clean shutdown), killed if one does
 * not come up within 90 s. Each reports its peak resident memory (Linux's VmHWM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { useThrowawayKeyUnlessConfigured } from '../../src/codec/keys';

const ROOT = path.resolve(__dirname, '..', '..');

// Benches measure jobnet as it runs in production: encrypted (JOBNET_CODEC=off measures without).
useThrowawayKeyUnlessConfigured(process.env, 'bench');

export interface BenchWorker {
  child: ChildProcess;
  /** Peak resident memory so far, in MiB (null where /proc does not tell). */
  peakRssMiB(): number | null;
  stop(): Promise<void>;
}

/** Peak resident set of a process, from /proc/<pid>/status, in MiB. */
export function peakRssMiB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Math.round(Number(kb) / 1024);
  } catch {
    return null;
  }
}

async function startProcess(argv: string[], env: NodeJS.ProcessEnv, ready: string): Promise<BenchWorker> {
  // BENCH_WORKER_NODE_ARGS: extra Node flags for a look inside, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', ...argv], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  let peak: number | null = null;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready after 90 s:\n${stderr}`)), 90_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // Keep the tail only: a worker logs for the whole bench.
      if (stderr.length > 1_000_000) stderr = stderr.slice(-100_000);
      if (stderr.includes(ready)) {
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
    peakRssMiB: () => (peak = peakRssMiB(child.pid) ?? peak),
    stop: async () => {
      peak = peakRssMiB(child.pid) ?? peak;
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export function startBenchWorker(options: { address: string; queue: string; args?: string[]; env?: NodeJS.ProcessEnv }): Promise<BenchWorker> {
  const env: NodeJS.ProcessEnv = { ...process.env, JOBNET_LOG_FORMAT: 'json', JOBNET_LOG_LEVEL: 'info', ...options.env };
  // A metrics port left in the environment would clash with a dev worker on the same host.
  delete env.JOBNET_METRICS_ADDRESS;
  return startProcess(
    [path.join(ROOT, 'src', 'worker.ts'), '--address', options.address, '--queue', options.queue, ...(options.args ?? [])],
    env,
    '"worker ready"',
  );
}

/** The floor's plain SDK worker (scripts/floor/); `codec`: with jobnet's encryption (the guarded floor). */
export function startFloorWorker(options: { address: string; queue: string; codec?: boolean }): Promise<BenchWorker> {
  const argv = [path.join(ROOT, 'scripts', 'floor', 'worker.ts'), options.address, options.queue, ...(options.codec ? ['--codec'] : [])];
  return startProcess(argv, { ...process.env }, 'floor worker ready');
}
