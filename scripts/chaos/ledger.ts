/**
 * Counting, once the workload has ended: what each command recorded (effects log), what the
 * database committed, what the run log holds, and what the killer did, against what every round
 * of the workload must leave behind (catalog.ts).
 *
 *   lost         a step of a run with no effect, a partition with no invoice or notice
 *   duplicated   a step with more than one effect (keyed marker), a partition billed twice
 *                (runOnce), a run with two lines in the run log (its written-marker)
 *   lock overlaps  two holders of chaos-lock running at once (their commands' start/end lines)
 *   repeated     a command that finished twice for one run id (a worker lost between finishing
 *                and reporting; at-least-once by nature: reported, not failed)
 *   recovery     per worker kill, from the SIGKILL to each interrupted command starting again
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expectedPartitionKeys, expectedSteps, stepOf } from './catalog';

export type KillKind = 'worker' | 'server' | 'command';

export interface KillRecord {
  at: number;
  kind: KillKind;
  target: string;
  /** The processes the kill took down (a worker's whole tree, or a command's). */
  pids: number[];
}

export interface CommandLine {
  at: number;
  /** `stopped`: the command got SIGTERM (its worker's reaper, a time-out) and ended without its work. */
  event: 'start' | 'fail' | 'effect' | 'end' | 'stopped';
  runId: string;
  mode: string;
  attempt: number;
  pid: number;
}

export function readEffectsLog(file: string): CommandLine[] {
  if (!existsSync(file)) return [];
  const lines: CommandLine[] = [];
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    const [at, event, runId, mode, attempt, pid] = text.split(' ');
    if (!at || !runId || !mode || !pid || !['start', 'fail', 'effect', 'end', 'stopped'].includes(event ?? '')) continue;
    lines.push({ at: Number(at), event: event as CommandLine['event'], runId, mode, attempt: Number(attempt), pid: Number(pid) });
  }
  return lines.sort((a, b) => a.at - b.at);
}

/** Run-log lines per run (workflow id and Temporal run id), from every day's file. */
export function runLogCounts(dir: string): Map<string, number> {
  const counts = new Map<string, number>();
  if (!existsSync(dir)) return counts;
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.jsonl'))) {
    for (const text of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      if (!text.trim()) continue;
      const record = JSON.parse(text) as { workflow_id?: string; run_id?: string };
      const key = `${record.workflow_id} ${record.run_id}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

export interface Finding {
  what: string;
  detail: string;
}

export interface Counts {
  lost: Finding[];
  duplicated: Finding[];
  lockOverlaps: Finding[];
  /** `after` broken: the second ran before the first took effect. */
  orderViolations: Finding[];
  repeated: Finding[];
  /** ms from a worker's SIGKILL to each command it interrupted starting again. */
  recoveries: number[];
  /** Interrupted commands that never started again (their run ended otherwise). */
  notRecovered: Finding[];
  commandsRun: number;
}

export interface LedgerInput {
  lines: CommandLine[];
  kills: KillRecord[];
  /** The business dates of the rounds, and the runs of each still open ("stuck": not counted again as lost). */
  rounds: string[];
  stuckRuns: Set<string>;
  partitionEffects: Array<{ runKey: string; kind: string; count: number }>;
  companyCodes: string[];
  runLog: Map<string, number>;
}

/** The run a step's run id belongs to: `chaos-flow@D/left` → `chaos-flow@D`. */
const runOf = (step: string) => step.split('/')[0]!;

export function count(input: LedgerInput): Counts {
  const counts: Counts = { lost: [], duplicated: [], lockOverlaps: [], orderViolations: [], repeated: [], recoveries: [], notRecovered: [], commandsRun: 0 };
  const effectsByStep = new Map<string, CommandLine[]>();
  const endsByRunId = new Map<string, number>();
  for (const line of input.lines) {
    if (line.event === 'start') counts.commandsRun++;
    if (line.event === 'effect') effectsByStep.set(stepOf(line.runId), [...(effectsByStep.get(stepOf(line.runId)) ?? []), line]);
    if (line.event === 'end') endsByRunId.set(line.runId, (endsByRunId.get(line.runId) ?? 0) + 1);
  }

  // Commands: each step of each round exactly one effect (across operator retries too).
  for (const date of input.rounds) {
    for (const step of expectedSteps(date)) {
      const effects = effectsByStep.get(step) ?? [];
      if (effects.length === 0 && !input.stuckRuns.has(runOf(step))) counts.lost.push({ what: step, detail: 'no effect' });
      if (effects.length > 1)
        counts.duplicated.push({ what: step, detail: `${effects.length} effects: ${effects.map((e) => `${e.runId} attempt ${e.attempt}`).join(', ')}` });
    }
    const first = effectsByStep.get(`chaos-after-first@${date}`)?.[0];
    const second = input.lines.find((line) => line.event === 'start' && line.runId === `chaos-after-second@${date}`);
    if (second && (!first || second.at < first.at)) {
      counts.orderViolations.push({
        what: `chaos-after-second@${date}`,
        detail: `started at ${second.at}, before chaos-after-first@${date} took effect (${first?.at ?? 'never'})`,
      });
    }
  }
  // Effects of steps no round expects (a step run under another name) are duplicates too.
  const expected = new Set(input.rounds.flatMap((date) => expectedSteps(date)));
  for (const [step, effects] of effectsByStep) {
    if (!expected.has(step)) counts.duplicated.push({ what: step, detail: `effect of a step no round started (${effects.length})` });
  }

  // Partitions: one invoice and one notice per partition run key (runOnce).
  const partitionCounts = new Map(input.partitionEffects.map((row) => [`${row.runKey} ${row.kind}`, row.count]));
  for (const date of input.rounds) {
    if (input.stuckRuns.has(`chaos-flow@${date}`)) continue;
    for (const key of expectedPartitionKeys(date, input.companyCodes)) {
      for (const kind of ['invoice', 'notice']) {
        const n = partitionCounts.get(`${key} ${kind}`) ?? 0;
        if (n === 0) counts.lost.push({ what: key, detail: `no ${kind}` });
        if (n > 1) counts.duplicated.push({ what: key, detail: `${n} ${kind}s` });
      }
    }
  }

  // The run log: one line per run (its written-marker makes a retried append a no-op).
  for (const [run, n] of input.runLog) if (n > 1) counts.duplicated.push({ what: `run log ${run}`, detail: `${n} lines` });

  counts.lockOverlaps = lockOverlaps(input.lines, input.kills);

  for (const [runId, n] of endsByRunId) if (n > 1) counts.repeated.push({ what: runId, detail: `finished ${n} times` });

  // Recovery: a worker kill interrupted the commands of its tree that had started and not ended.
  for (const kill of input.kills.filter((k) => k.kind === 'worker')) {
    for (const pid of kill.pids) {
      const start = killedStart(input.lines, pid, kill.at);
      if (!start || input.lines.some((line) => line.pid === pid && (line.event === 'end' || line.event === 'fail') && line.at > start.at && line.at <= kill.at))
        continue;
      const again = input.lines.find((line) => line.event === 'start' && line.runId === start.runId && line.at > Math.max(kill.at, start.at));
      if (again) counts.recoveries.push(again.at - kill.at);
      else counts.notRecovered.push({ what: start.runId, detail: `interrupted at ${kill.at} by the kill of ${kill.target}` });
    }
  }
  return counts;
}

/**
 * A command forked just before a kill may write its start line a moment after it (on a loaded
 * machine, up to seconds), before its worker's reaper gets to it: such a line still belongs to
 * the process the kill found.
 */
const LATE_START_MS = 5_000;

/** The start line of the command a kill took down, if `pid` was one. */
function killedStart(lines: CommandLine[], pid: number, killAt: number): CommandLine | undefined {
  const starts = lines.filter((line) => line.pid === pid && line.event === 'start' && line.at <= killAt + LATE_START_MS);
  return starts[starts.length - 1];
}

/**
 * Hold intervals of the lock's commands: from a holder's start line to its end or stopped line
 * (SIGTERM from its dead worker's reaper), or to the kill that took it down (a killed holder
 * writes neither), else — a holder that vanished without any — to the end of time, so that it
 * overlaps whatever came after it.
 */
function lockOverlaps(lines: CommandLine[], kills: KillRecord[]): Finding[] {
  const holders = lines.filter((line) => line.mode === 'lock' && line.event === 'start');
  const intervals = holders.map((start) => {
    const end = lines.find((line) => line.pid === start.pid && line.at >= start.at && (line.event === 'end' || line.event === 'stopped'));
    const killed = kills.find((kill) => kill.at >= start.at - LATE_START_MS && kill.pids.includes(start.pid));
    const until = Math.min(end?.at ?? Infinity, killed ? Math.max(killed.at, start.at) : Infinity);
    return { runId: start.runId, attempt: start.attempt, from: start.at, until };
  });
  intervals.sort((a, b) => a.from - b.from);
  const overlaps: Finding[] = [];
  let latest: (typeof intervals)[number] | undefined;
  for (const interval of intervals) {
    if (latest && interval.from < latest.until) {
      overlaps.push({
        what: `${interval.runId} attempt ${interval.attempt}`,
        detail: `started at ${interval.from} while ${latest.runId} attempt ${latest.attempt} held the lock (until ${latest.until})`,
      });
    }
    if (!latest || interval.until > latest.until) latest = interval;
  }
  return overlaps;
}
