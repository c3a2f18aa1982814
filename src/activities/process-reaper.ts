import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LauncherReply, LauncherRequest } from './launcher-protocol';

/**
 * Keeps the worker's commands tied to the worker's life, and starts them from a small process
 * (see reaper-main.ts). One reaper per worker process, started on first use.
 */

/** A command started by the reaper: the part of a ChildProcess that a command attempt uses. */
export interface LaunchedCommand {
  readonly pid: number | undefined;
  readonly stdout: EventEmitter & { destroy(): void };
  readonly stderr: EventEmitter & { destroy(): void };
  once(event: 'error', listener: (error: NodeJS.ErrnoException) => void): this;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  once(event: 'close', listener: () => void): this;
}

/**
 * The reaper's replies arrive in batches: a quick command's spawn, output, exit and close may be
 * read in one go, before the attempt has attached its listeners. So what arrives early is kept
 * and handed over when a listener is added.
 */
class RemoteStream extends EventEmitter {
  private held: Buffer[] | undefined = [];

  constructor(private readonly abandon: () => void) {
    super();
    this.once('newListener', (event) => {
      if (event !== 'data') return;
      queueMicrotask(() => {
        const held = this.held ?? [];
        this.held = undefined;
        for (const chunk of held) this.emit('data', chunk);
      });
    });
  }

  push(chunk: Buffer): void {
    if (this.held) this.held.push(chunk);
    else this.emit('data', chunk);
  }

  destroy(): void {
    this.removeAllListeners('data');
    this.held = undefined;
    this.abandon();
  }
}

class RemoteCommand extends EventEmitter implements LaunchedCommand {
  pid: number | undefined;
  readonly stdout: RemoteStream;
  readonly stderr: RemoteStream;
  private readonly happened = new Map<string, unknown[]>();

  constructor(abandon: () => void) {
    super();
    this.stdout = new RemoteStream(abandon);
    this.stderr = new RemoteStream(abandon);
  }

  /** An event of the command's life (error, exit, close): kept for a listener that comes later. */
  happen(event: 'error' | 'exit' | 'close', ...args: unknown[]): void {
    this.happened.set(event, args);
    if (this.listenerCount(event) > 0) this.emit(event, ...args);
  }

  override once(event: string | symbol, listener: (...args: never[]) => void): this {
    const args = typeof event === 'string' ? this.happened.get(event) : undefined;
    if (args !== undefined) {
      queueMicrotask(() => (listener as (...a: unknown[]) => void)(...args));
      return this;
    }
    return super.once(event, listener as (...a: unknown[]) => void);
  }
}

export class ProcessReaper {
  private child: ChildProcess | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { command: RemoteCommand; spawned: (pid: number | undefined) => void; failed: (error: Error) => void }>();

  private start(): ChildProcess {
    const extension = path.extname(__filename);
    const script = path.join(__dirname, `reaper-main${extension}`);
    // Under tsx (development, tests) the reaper is TypeScript too; compiled, it is plain JS.
    const args = extension === '.ts' ? ['--import', pathToFileURL(require.resolve('tsx')).href, script] : [script];
    // Advanced serialization: output travels as bytes, not as JSON arrays of numbers.
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], detached: true, serialization: 'advanced' });
    // The reaper must never keep a worker (or a test process) alive on its own.
    child.unref();
    child.channel?.unref();
    child.on('message', (message: LauncherReply) => this.received(message));
    child.on('exit', () => {
      if (this.child !== child) return;
      this.child = undefined;
      for (const { failed } of this.pending.values()) failed(new Error('the reaper process ended'));
      this.pending.clear();
    });
    return child;
  }

  /** Starts the reaper now rather than at the first command: a worker that dies in its first
   * second must not leave its first command without a reaper that is still loading. */
  ensureStarted(): void {
    this.child ??= this.start();
  }

  private send(message: LauncherRequest): void {
    this.ensureStarted();
    if (this.child?.connected) this.child.send(message);
  }

  /**
   * Starts a command through the reaper (its own process group, output piped back); resolves
   * once it has a pid, which the reaper tracks from its first moment.
   */
  launch(argv: string[], options: { cwd?: string | undefined; env: NodeJS.ProcessEnv }): Promise<LaunchedCommand> {
    const id = ++this.nextId;
    const command = new RemoteCommand(() => this.send({ t: 'abandon', id }));
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        command,
        spawned: (pid) => {
          command.pid = pid;
          resolve(command);
        },
        failed: (error) => {
          // Without a pid the command never started: the launch itself failed.
          if (command.pid === undefined) reject(error);
          command.happen('error', error);
        },
      });
      this.send({ t: 'launch', id, argv, cwd: options.cwd, env: options.env });
      // While a command runs, its replies are work this process waits for.
      if (this.pending.size === 1) this.child?.channel?.ref();
    });
  }

  private received(message: LauncherReply): void {
    const entry = this.pending.get(message.id);
    if (!entry) return;
    const { command } = entry;
    switch (message.t) {
      case 'spawned':
        return entry.spawned(message.pid);
      case 'out':
        return command.stdout.push(Buffer.from(message.data));
      case 'err':
        return command.stderr.push(Buffer.from(message.data));
      case 'error':
        return entry.failed(Object.assign(new Error(message.message), { code: message.code }));
      case 'exit':
        return command.happen('exit', message.code, message.signal);
      case 'close':
        this.pending.delete(message.id);
        if (this.pending.size === 0) this.child?.channel?.unref();
        return command.happen('close');
    }
  }

  untrack(pgid: number): void {
    this.send({ t: 'untrack', pgid });
  }

  /** Ends the reaper; it kills whatever is still registered. Called on worker shutdown. */
  close(): void {
    this.child?.disconnect();
    this.child = undefined;
  }
}

export const processReaper = new ProcessReaper();
