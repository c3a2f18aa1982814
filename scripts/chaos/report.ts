/**
 * The campaign's figures: printed at the end (details, then the closing line and the line of
 * repeated commands) and written as JSON.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Counts, Finding, KillKind, KillRecord } from './ledger';

export interface CampaignFigures {
  date: string;
  seed: number;
  kills: number;
  killsByKind: Record<KillKind, number>;
  /** Every kill: when (ms since the campaign started), what, and which processes it took down. */
  killLog: Array<{ atS: number; kind: KillKind; target: string; pids: number[] }>;
  stuck: string[];
  /** Each stuck run: why, as far as its history tells (a failing workflow task, or its last event). */
  stuckWhy: Record<string, string>;
  lost: Finding[];
  duplicated: Finding[];
  lockOverlaps: Finding[];
  orderViolations: Finding[];
  repeatedCommands: Finding[];
  recovery: {
    targetMs: number;
    count: number;
    medianMs: number | null;
    p90Ms: number | null;
    maxMs: number | null;
    overTarget: number;
    notRecovered: Finding[];
  };
  rounds: number;
  runs: number;
  commandsRun: number;
  operatorAnswers: number;
  /** Worker processes started (first starts, restarts after kills, and tries that failed while the server was down). */
  workerStarts: number;
  /** Ready workers that exited without being killed (each started again). */
  workerExitsOfTheirOwn: number;
  wallTimeS: number;
  /** Calls the workload made again (mostly while the server was down), by kind. */
  workloadErrors: Record<string, number>;
  machine: { cpus: number; loadAverage: number[] };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function recoveryFigures(counts: Counts, targetMs: number): CampaignFigures['recovery'] {
  const sorted = [...counts.recoveries].sort((a, b) => a - b);
  return {
    targetMs,
    count: sorted.length,
    medianMs: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1]! : null,
    overTarget: sorted.filter((ms) => ms > targetMs).length,
    notRecovered: counts.notRecovered,
  };
}

export function killsByKind(kills: KillRecord[]): Record<KillKind, number> {
  const byKind: Record<KillKind, number> = { worker: 0, command: 0, server: 0 };
  for (const kill of kills) byKind[kill.kind]++;
  return byKind;
}

/** 0 only when nothing was stuck, lost, duplicated or overlapping (and no `after` ran early). */
export function failed(figures: CampaignFigures): boolean {
  return figures.stuck.length + figures.lost.length + figures.duplicated.length + figures.lockOverlaps.length + figures.orderViolations.length > 0;
}

const seconds = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);

export function printFigures(figures: CampaignFigures, write: (line: string) => void): void {
  const list = (title: string, findings: Finding[]) => {
    if (findings.length === 0) return;
    write(`${title}:`);
    for (const finding of findings.slice(0, 20)) write(`  ${finding.what}: ${finding.detail}`);
    if (findings.length > 20) write(`  … and ${findings.length - 20} more (see the JSON)`);
  };
  list(
    'stuck',
    figures.stuck.map((run) => ({ what: run, detail: figures.stuckWhy[run] ?? 'still running after the drain bound' })),
  );
  list('lost', figures.lost);
  list('duplicated', figures.duplicated);
  list('lock overlaps', figures.lockOverlaps);
  list('after broken (a successor ran before its predecessor took effect)', figures.orderViolations);
  const r = figures.recovery;
  write(
    `recovery after a worker kill (SIGKILL → the interrupted command running again; target ≤ ${seconds(r.targetMs)} = heartbeat time-out + 2 s): ` +
      `${r.count} attempts, median ${seconds(r.medianMs)}, p90 ${seconds(r.p90Ms)}, max ${seconds(r.maxMs)}, ${r.overTarget} over target` +
      (r.notRecovered.length > 0 ? `, ${r.notRecovered.length} not run again (their run ended otherwise)` : ''),
  );
  const k = figures.killsByKind;
  write(`kills by kind: worker ${k.worker}, command ${k.command}, server ${k.server}`);
  write(
    `workload: ${figures.rounds} rounds, ${figures.runs} runs, ${figures.commandsRun} command executions, ${figures.operatorAnswers} operator retries; ` +
      `${figures.workerStarts} worker starts${figures.workerExitsOfTheirOwn > 0 ? ` (${figures.workerExitsOfTheirOwn} workers exited by themselves)` : ''}; ` +
      `wall time ${figures.wallTimeS.toFixed(0)} s (${figures.machine.cpus} cores, load ${figures.machine.loadAverage.map((l) => l.toFixed(1)).join(' ')})`,
  );
  write(
    `chaos: kills ${figures.kills}, stuck ${figures.stuck.length}, lost ${figures.lost.length}, duplicated ${figures.duplicated.length}, lock overlaps ${figures.lockOverlaps.length}`,
  );
  write(
    `repeated commands: ${figures.repeatedCommands.length} (finished twice for one run: a worker lost between a command's end and its report; at-least-once, not a failure)`,
  );
}

export function writeFigures(figures: CampaignFigures, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
}
