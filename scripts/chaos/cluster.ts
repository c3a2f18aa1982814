/**
 * What the campaign kills and brings back: the Temporal dev server, persisted to a file and
 * restarted on the same file and port, and jobnet worker processes (`src/worker.ts`, each with
 * its own process reaper), restarted after a kill like a host coming back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { freePort, startDevServer, type DevServer } from '../servers';
import { DEFAULT_QUEUE, FANOUT_QUEUE } from './catalog';

const ROOT = path.resolve(__dirname, '..', '..');

export class TemporalServer {
  private current: DevServer | undefined;
  private constructor(
    private readonly dbFile: string,
    readonly port: number,
  ) {}

  static async start(workDir: string): Promise<TemporalServer> {
    const server = new TemporalServer(path.join(workDir, 'temporal.db'), await freePort());
    await server.restart();
    return server;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get up(): boolean {
    return this.current !== undefined;
  }

  /** SIGKILL: a crash of the server. */
  async kill(): Promise<void> {
    const server = this.current;
    this.current = undefined;
    await server?.kill();
  }

  /** Starts it again on the same database file and port. */
  async restart(): Promise<void> {
    this.current = await startDevServer({ dbFile: this.dbFile, port: this.port, stdio: 'ignore' });
  }

  async stop(): Promise<void> {
    const server = this.current;
    this.current = undefined;
    await server?.stop();
  }
}

/** One process of a worker slot, with what is known of it. */
interface WorkerProcess {
  child: ChildProcess;
  ready: boolean;
  /** The harness is stopping it (a kill, a stop): its exit is expected. */
  ending: boolean;
  exited: Promise<void>;
}

/**
 * One worker slot: at most one worker process at a time, started again after every kill (and
 * after an exit of its own, which is counted). Starts never overlap: a second request joins the
 * one under way, and a start first ends the slot's previous process.
 */
export class WorkerSlot {
  private current: WorkerProcess | undefined;
  private starting: Promise<void> | undefined;
  starts = 0;
  /** A ready worker that exited without being killed or stopped (then started again). */
  exitsOfItsOwn = 0;

  constructor(
    readonly name: string,
    private readonly options: { address: string; env: NodeJS.ProcessEnv; logDir: string; log: (line: string) => void },
  ) {}

  get pid(): number | undefined {
    return this.current?.ready ? this.current.child.pid : undefined;
  }

  /** One start: resolves once the worker polls (it logs "worker ready"); rejects if it exits first. */
  private async startOnce(): Promise<void> {
    await this.end('SIGKILL');
    this.starts++;
    const log = createWriteStream(path.join(this.options.logDir, `${this.name}.log`), { flags: 'a' });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src', 'worker.ts'), '--address', this.options.address, '--queue', `${DEFAULT_QUEUE},${FANOUT_QUEUE}`],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, JOBNET_LOG_FORMAT: 'json', ...this.options.env } },
    );
    const proc: WorkerProcess = { child, ready: false, ending: false, exited: new Promise<void>((resolve) => child.once('exit', () => resolve())) };
    this.current = proc;
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} not ready after 180 s (log: ${this.options.logDir}/${this.name}.log)`)), 180_000);
      child.stderr!.on('data', (chunk: Buffer) => {
        log.write(chunk);
        if (proc.ready) return;
        seen = (seen + chunk.toString()).slice(-10_000);
        if (seen.includes('"worker ready"')) {
          clearTimeout(timer);
          proc.ready = true;
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const wasReady = proc.ready;
        proc.ready = false;
        log.end();
        reject(new Error(`${this.name} exited with ${code ?? signal} before it was ready (log: ${this.options.logDir}/${this.name}.log)`));
        if (wasReady && !proc.ending && this.current === proc) {
          this.exitsOfItsOwn++;
          this.options.log(`${this.name} exited by itself (${code ?? signal}); starting it again`);
          this.startUntilReady().catch((error: Error) => this.options.log(`${this.name}: ${error.message}`));
        }
      });
    }).catch(async (error: unknown) => {
      proc.ending = true;
      child.kill('SIGKILL');
      await proc.exited;
      throw error;
    });
  }

  /** Starts it, again until it comes up (the server may be down for a moment); gives up after 20 tries. */
  startUntilReady(): Promise<void> {
    this.starting ??= (async () => {
      for (let tries = 1; ; tries++) {
        try {
          return await this.startOnce();
        } catch (error) {
          if (tries >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      }
    })().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Ends the slot's process with `signal` (SIGTERM: a worker drains, killed after 15 s), and waits for it. */
  private async end(signal: NodeJS.Signals): Promise<void> {
    const proc = this.current;
    if (!proc) return;
    proc.ending = true;
    proc.ready = false;
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill(signal);
    const killer = signal === 'SIGKILL' ? undefined : setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
    await proc.exited;
    clearTimeout(killer);
  }

  /** SIGKILL the worker process (its reaper then kills the commands it ran). */
  kill(): Promise<void> {
    return this.end('SIGKILL');
  }

  /** SIGTERM: the worker drains and stops (a start under way is awaited first, so nothing is left behind). */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.end('SIGTERM');
  }
}
