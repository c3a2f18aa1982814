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

/** One worker slot: a worker process, started again after every kill. */
export class WorkerSlot {
  private child: ChildProcess | undefined;
  private ready = false;
  private exited: Promise<void> = Promise.resolve();
  starts = 0;

  constructor(
    readonly name: string,
    private readonly options: { address: string; env: NodeJS.ProcessEnv; logDir: string },
  ) {}

  get pid(): number | undefined {
    return this.ready ? this.child?.pid : undefined;
  }

  /** Starts the worker and resolves once it polls (it logs "worker ready"); rejects if it exits first. */
  async start(): Promise<void> {
    this.starts++;
    const log = createWriteStream(path.join(this.options.logDir, `${this.name}.log`), { flags: 'a' });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src', 'worker.ts'), '--address', this.options.address, '--queue', `${DEFAULT_QUEUE},${FANOUT_QUEUE}`],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, JOBNET_LOG_FORMAT: 'json', ...this.options.env } },
    );
    this.child = child;
    this.exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} not ready after 180 s (log: ${this.options.logDir}/${this.name}.log)`)), 180_000);
      child.stderr!.on('data', (chunk: Buffer) => {
        log.write(chunk);
        if (this.ready) return;
        seen = (seen + chunk.toString()).slice(-10_000);
        if (seen.includes('"worker ready"')) {
          clearTimeout(timer);
          this.ready = true;
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        this.ready = false;
        log.end();
        reject(new Error(`${this.name} exited with ${code ?? signal} before it was ready (log: ${this.options.logDir}/${this.name}.log)`));
      });
    }).catch(async (error: unknown) => {
      child.kill('SIGKILL');
      await this.exited;
      throw error;
    });
  }

  /** Starts it, again until it comes up (the server may be down for a moment); gives up after 20 tries. */
  async startUntilReady(): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        return await this.start();
      } catch (error) {
        if (tries >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  /** SIGKILL the worker process (its reaper then kills the commands it ran). */
  async kill(): Promise<void> {
    this.ready = false;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: the worker drains and stops. */
  async stop(): Promise<void> {
    this.ready = false;
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child?.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(killer);
  }
}
