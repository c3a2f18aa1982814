import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Keeps the worker's commands tied to the worker's life (see reaper-main.ts). One reaper per
 * worker process, started on first use.
 */
export class ProcessReaper {
  private child: ChildProcess | undefined;

  private start(): ChildProcess {
    const extension = path.extname(__filename);
    const script = path.join(__dirname, `reaper-main${extension}`);
    // Under tsx (development, tests) the reaper is TypeScript too; compiled, it is plain JS.
    const args = extension === '.ts' ? ['--import', pathToFileURL(require.resolve('tsx')).href, script] : [script];
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'ignore', 'inherit'], detached: true });
    // The reaper must never keep a worker (or a test process) alive on its own.
    child.unref();
    child.stdin?.on('error', () => undefined);
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    child.on('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    return child;
  }

  /** Starts the reaper now rather than at the first command: a worker that dies in its first
   * second must not leave its first command without a reaper that is still loading. */
  ensureStarted(): void {
    this.child ??= this.start();
  }

  track(pgid: number): void {
    this.ensureStarted();
    this.child!.stdin?.write(`+${pgid}\n`);
  }

  untrack(pgid: number): void {
    this.child?.stdin?.write(`-${pgid}\n`);
  }

  /** Ends the reaper; it kills whatever is still registered. Called on worker shutdown. */
  close(): void {
    this.child?.stdin?.end();
    this.child = undefined;
  }
}

export const processReaper = new ProcessReaper();
