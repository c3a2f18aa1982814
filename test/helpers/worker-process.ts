import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything the worker wrote to stderr, for diagnosing a failed test. */
  log: () => string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** `npm run worker` as its own process, so a test can SIGKILL it like a crashing host. */
export async function startWorkerProcess(options: { address: string; queues: string[]; env?: NodeJS.ProcessEnv; args?: string[] }): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src', 'worker.ts'), '--address', options.address, '--queue', options.queues.join(','), ...(options.args ?? [])],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, JOBNET_LOG_FORMAT: 'json', ...options.env } },
  );
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready after 60 s:\n${stderr}`)), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('"worker ready"')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before it was ready:\n${stderr}`));
    });
  });
  return {
    child,
    log: () => stderr,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
