/**
 * The kills: at seeded random moments, SIGKILL a worker process (it comes back after a moment,
 * as a host would), the Temporal dev server (restarted on the same file and port after a moment
 * down), or one command's process group (as if it crashed). Each kill is recorded with the
 * processes it took down, for the ledger.
 *
 * A worker is killed only while another one is up, so that its lost attempts have somewhere to
 * go (the recovery time measures jobnet, not an empty cluster). The delayed retry's single run
 * is never a command kill's target: that run is one attempt by design, and killing it fails the
 * run as the README says it does.
 */
import { readEffectsLog, type KillKind, type KillRecord } from './ledger';
import { descendants } from './processes';
import type { Random } from './random';
import type { TemporalServer, WorkerSlot } from './cluster';

export interface KillerOptions {
  kills: number;
  /** Seconds between two kills: uniform in [min, max). */
  gap: { min: number; max: number };
  effectsLog: string;
}

const KINDS: KillKind[] = ['worker', 'command', 'server'];
const WEIGHTS: Record<KillKind, number> = { worker: 45, command: 35, server: 20 };
/** How long a kill waits for a target of its kind before it takes another kind. */
const TARGET_WAIT_MS = 15_000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Killer {
  readonly kills: KillRecord[] = [];
  private readonly restarts: Promise<void>[] = [];
  private stopped = false;

  constructor(
    private readonly options: KillerOptions,
    private readonly server: TemporalServer,
    private readonly workers: WorkerSlot[],
    private readonly random: Random,
    private readonly log: (line: string) => void,
    private readonly startedAt: number,
  ) {}

  /** Commands running now under a live worker (started, not ended), with the run they belong to. */
  private runningCommands(): Array<{ pid: number; runId: string; worker: string }> {
    const lines = readEffectsLog(this.options.effectsLog);
    const lastByPid = new Map(lines.map((line) => [line.pid, line]));
    const found: Array<{ pid: number; runId: string; worker: string }> = [];
    for (const worker of this.workers) {
      if (worker.pid === undefined) continue;
      for (const pid of descendants(worker.pid)) {
        const last = lastByPid.get(pid);
        if (last && last.event !== 'end' && last.event !== 'fail' && last.mode !== 'delayed') found.push({ pid, runId: last.runId, worker: worker.name });
      }
    }
    return found;
  }

  /** What a kill of each kind could hit now. */
  private targets(): { workers: WorkerSlot[]; commands: Array<{ pid: number; runId: string; worker: string }>; server: boolean } {
    const workers = this.workers.filter((worker) => worker.pid !== undefined);
    return { workers: workers.length >= 2 ? workers : [], commands: this.runningCommands(), server: this.server.up };
  }

  async run(): Promise<void> {
    for (let n = 1; n <= this.options.kills && !this.stopped; n++) {
      await pause(this.random.between(this.options.gap.min, this.options.gap.max) * 1_000);
      // The kind by its weight; if it has no target now (workers restarting, no command running),
      // wait a little for one, then take a kind that has.
      let kind = this.random.weighted(KINDS.map((value) => ({ value, weight: WEIGHTS[value] })));
      let targets = this.targets();
      const hasTarget = (k: KillKind) => (k === 'worker' ? targets.workers.length > 0 : k === 'command' ? targets.commands.length > 0 : targets.server);
      for (const waitUntil = Date.now() + TARGET_WAIT_MS; !hasTarget(kind) && Date.now() < waitUntil;) {
        await pause(250);
        targets = this.targets();
      }
      if (!hasTarget(kind)) {
        const possible = KINDS.filter(hasTarget);
        if (possible.length === 0) {
          n--;
          continue;
        }
        kind = this.random.weighted(possible.map((value) => ({ value, weight: WEIGHTS[value] })));
      }
      if (kind === 'worker') {
        // A worker running commands when there is one: the kill then interrupts attempts, whose recovery is measured.
        const busy = targets.workers.filter((worker) => targets.commands.some((command) => command.worker === worker.name));
        await this.killWorker(n, this.random.pick(busy.length > 0 ? busy : targets.workers));
      } else if (kind === 'command') await this.killCommand(n, this.random.pick(targets.commands));
      else await this.killServer(n);
    }
  }

  /** Waits for every worker restart under way (the campaign's drain needs them up). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.restarts);
  }

  stop(): void {
    this.stopped = true;
  }

  private note(n: number, record: KillRecord, what: string): void {
    this.kills.push(record);
    this.log(`kill ${n}/${this.options.kills} at ${((record.at - this.startedAt) / 1000).toFixed(1)}s: ${record.kind} ${record.target} — ${what}`);
  }

  private async killWorker(n: number, worker: WorkerSlot): Promise<void> {
    const pid = worker.pid!;
    const tree = descendants(pid);
    const at = Date.now();
    await worker.kill();
    this.note(
      n,
      { at, kind: 'worker', target: worker.name, pids: [pid, ...tree] },
      `SIGKILL pid ${pid} (${tree.length} processes below it: its reaper and commands)`,
    );
    const downMs = this.random.between(0.5, 3) * 1_000;
    this.restarts.push(
      (async () => {
        await pause(downMs);
        await worker.startUntilReady();
        this.log(`${worker.name} back (start ${worker.starts})`);
      })(),
    );
  }

  private async killCommand(n: number, command: { pid: number; runId: string; worker: string }): Promise<void> {
    const at = Date.now();
    try {
      // The command runs in its own process group (the reaper's doing): all of it goes.
      process.kill(-command.pid, 'SIGKILL');
    } catch {
      // It ended a moment ago: a kill of nothing still counts as the moment it was aimed at.
    }
    this.note(n, { at, kind: 'command', target: command.runId, pids: [command.pid] }, `SIGKILL process group ${command.pid} on ${command.worker}`);
  }

  private async killServer(n: number): Promise<void> {
    const at = Date.now();
    await this.server.kill();
    const downMs = this.random.between(0.5, 3) * 1_000;
    this.note(
      n,
      { at, kind: 'server', target: `dev server :${this.server.port}`, pids: [] },
      `SIGKILL; restarting on the same file in ${(downMs / 1000).toFixed(1)}s`,
    );
    await pause(downMs);
    for (;;) {
      try {
        await this.server.restart();
        break;
      } catch (error) {
        this.log(`dev server restart failed, trying again: ${(error as Error).message}`);
        await pause(1_000);
      }
    }
    this.log(`dev server back after ${((Date.now() - at) / 1000).toFixed(1)}s`);
  }
}
