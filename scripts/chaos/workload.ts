/**
 * The work that runs the whole campaign: rounds of the catalog's jobs and jobnets (catalog.ts),
 * each round on a business date of its own, started as `jobnet run` starts them, a new round
 * whenever fewer than `openRounds` are still running — and the operator, who answers every step
 * waiting for one with a retry, by Update (`jobnet retry`) or by Signal (the Web UI's way).
 * Every call goes on trying while the Temporal server is down.
 */
import type { Client } from '@temporalio/client';
import { CliContext } from '../../src/cli/context';
import { runCatalogEntry } from '../../src/cli/run';
import { jobnetStateQuery, retrySignal, retryStepUpdate } from '../../src/contracts/jobnet';
import { ROUND_ENTRIES } from './catalog';
import type { Random } from './random';

const FIRST_DATE = Date.UTC(2026, 0, 1);
const DAY_MS = 86_400_000;

export interface Round {
  date: string;
  runs: string[];
}

export interface OperatorAnswer {
  at: number;
  run: string;
  step: string;
  via: 'update' | 'signal';
}

const silent = { out: () => undefined, err: () => undefined };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The ids of the campaign's runs (and their children) still running, from Temporal's visibility. */
export async function runningRuns(client: Client): Promise<Set<string>> {
  const running = new Set<string>();
  for await (const run of client.workflow.list({ query: 'WorkflowId STARTS_WITH "chaos-" AND ExecutionStatus = "Running"' })) running.add(run.workflowId);
  return running;
}

export class Workload {
  readonly rounds: Round[] = [];
  readonly answers: OperatorAnswer[] = [];
  readonly errors = new Map<string, number>();
  private readonly context: CliContext;
  private starting = true;
  private stopped = false;
  private running = new Set<string>();
  private loop: Promise<void> | undefined;
  /** `<run> <step> <attempts>` answered already: a Signal takes effect only when the run's worker reads it. */
  private readonly answered = new Set<string>();

  constructor(
    options: { catalogFile: string; address: string; openRounds: number },
    private readonly random: Random,
    private readonly log: (line: string) => void,
    private readonly openRounds = options.openRounds,
  ) {
    this.context = new CliContext({ catalog: options.catalogFile, address: options.address }, silent);
  }

  client(): Promise<Client> {
    return this.context.client();
  }

  start(): void {
    this.loop = this.run();
  }

  /** No new rounds from now on; the operator keeps answering. */
  stopStarting(): void {
    this.starting = false;
  }

  /** Waits until none of the campaign's runs is running, or `boundMs` has passed; returns what still runs, and why as far as its history tells. */
  async drain(boundMs: number): Promise<Map<string, string>> {
    this.stopStarting();
    const deadline = Date.now() + boundMs;
    while (Date.now() < deadline) {
      if ((await this.refresh()) && this.running.size === 0) break;
      await pause(1_000);
    }
    this.stopped = true;
    await this.loop;
    await this.refresh();
    // Visibility may lag a run's end by a moment: a run counts as stuck only if it says so itself.
    const client = await this.client();
    const stuck = new Map<string, string>();
    for (const run of this.running) {
      const status = await client.workflow
        .getHandle(run)
        .describe()
        .then(
          (d) => d.status.name,
          () => 'RUNNING',
        );
      if (status === 'RUNNING') stuck.set(run, await whyStuck(client, run));
    }
    return stuck;
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.context.close();
  }

  private noteError(what: string, error: unknown): void {
    const key = `${what}: ${(error as Error).name ?? 'Error'}`;
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  /** Re-reads what runs; false if the server did not answer. */
  private async refresh(): Promise<boolean> {
    try {
      this.running = await runningRuns(await this.client());
      return true;
    } catch (error) {
      this.noteError('listing runs', error);
      return false;
    }
  }

  private openRoundCount(): number {
    return this.rounds.filter((round) => round.runs.some((run) => this.running.has(run))).length;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (await this.refresh()) {
        await this.answerOperators();
        if (this.starting && this.openRoundCount() < this.openRounds) await this.startRound();
      }
      await pause(1_000);
    }
  }

  /** Starts every entry of a new round; a call the server missed is made again (a second start of a date is a no-op). */
  private async startRound(): Promise<void> {
    const date = new Date(FIRST_DATE + this.rounds.length * DAY_MS).toISOString().slice(0, 10);
    // The `after` pair in either order: the second waiting for the first, or finding it done.
    const entries =
      this.random.next() < 0.5
        ? [...ROUND_ENTRIES]
        : ROUND_ENTRIES.map((name) => (name === 'chaos-after-second' ? 'chaos-after-first' : name === 'chaos-after-first' ? 'chaos-after-second' : name));
    const round: Round = { date, runs: entries.map((name) => `${name}@${date}`) };
    this.rounds.push(round);
    for (const name of entries) {
      for (;;) {
        try {
          await runCatalogEntry(this.context, name, { date });
          this.running.add(`${name}@${date}`);
          break;
        } catch (error) {
          this.noteError(`starting ${name}`, error);
          if (this.stopped) return;
          await pause(1_000);
        }
      }
    }
    this.log(`round ${this.rounds.length} started: business date ${date} (${entries.length} runs)`);
  }

  /** Every step of a running chaos-flow run that waits for an operator gets a retry. */
  private async answerOperators(): Promise<void> {
    const client = await this.client().catch(() => undefined);
    if (client === undefined) return;
    for (const round of this.rounds) {
      const run = `chaos-flow@${round.date}`;
      if (!this.running.has(run)) continue;
      try {
        const handle = client.workflow.getHandle(run);
        const state = await handle.query(jobnetStateQuery);
        for (const [step, stepState] of Object.entries(state.steps)) {
          const answer = `${run} ${step} ${stepState.attempts}`;
          if (stepState.status !== 'waiting-operator' || this.answered.has(answer)) continue;
          const via = this.random.next() < 0.5 ? 'update' : 'signal';
          if (via === 'update') await handle.executeUpdate(retryStepUpdate, { args: [{ job: step }] });
          else await handle.signal(retrySignal, { job: step });
          this.answered.add(answer);
          this.answers.push({ at: Date.now(), run, step, via });
          this.log(`operator: retry ${run} ${step} (${via})`);
        }
      } catch (error) {
        // The run ended meanwhile, the server is down, or an Update raced another answer: looked at again next time.
        this.noteError(`operating ${run}`, error);
      }
    }
  }
}

/**
 * What a stuck run's history says: a workflow task that keeps failing (a nondeterminism error,
 * a bug in workflow code) is the usual cause and the first thing to read; else its last event.
 */
async function whyStuck(client: Client, run: string): Promise<string> {
  const events = await client.workflow
    .getHandle(run)
    .fetchHistory()
    .then((history) => history.events ?? [])
    .catch(() => []);
  const taskFailure = [...events].reverse().find((event) => event.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes?.failure?.message;
  if (taskFailure) return `still running after the drain bound; its workflow task failed: ${taskFailure.slice(0, 300)}`;
  const last = events.at(-1);
  return `still running after the drain bound (last event ${last?.eventId ?? '?'}: ${last?.eventType ?? 'none'})`;
}
