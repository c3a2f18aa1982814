/**
 * The rules of the run checks (seed 001 §6, seed 003, seed 000), as pure functions of the runs
 * Temporal's visibility returned: the check activities (checks.ts) read the runs, these decide.
 * Kept apart so the rules can be stated and tested without a server.
 */
import type { JobRunRecord } from '../visibility/list-job-runs';

/** One earlier run of a job, as the checks need it: as visibility lists it (list-job-runs.ts). */
export type PastRun = JobRunRecord;

/** The run doing the check. */
export interface CurrentRun {
  jobName: string;
  workflowId: string;
  runId: string;
  businessDate: string;
  /** When this run started (ISO); orders it among runs of the same business date. */
  startTime: string;
}

/**
 * The runs that count as the same job's history. A job's own runs are `<job>@<date>` (plus
 * `T<HHMM>` per fire, `+<ms>` when forced); a jobnet step's are `<jobnet>@<date>/<step>` (plus
 * `#<n>` per operator retry). The same step name in two jobnets is two histories, so the date
 * and the suffixes are taken out and the rest must match.
 */
export function seriesOf(workflowId: string): string {
  return workflowId.replace(/@\d{4}-\d{2}-\d{2}(T\d{4}(\d{2})?)?(\+\d+)?/g, '@').replace(/#\d+(?=\/|$)/g, '');
}

/** Earlier runs of the same series as `current`, newest first by business date, then start time. */
export function earlierRuns(current: CurrentRun, runs: readonly PastRun[]): PastRun[] {
  const series = seriesOf(current.workflowId);
  const currentStart = Date.parse(current.startTime);
  return runs
    .filter((run) => run.runId !== current.runId && seriesOf(run.workflowId) === series && run.businessDate !== undefined)
    .filter((run) => run.businessDate! < current.businessDate || (run.businessDate === current.businessDate && run.startTime.getTime() < currentStart))
    .sort((a, b) => b.businessDate!.localeCompare(a.businessDate!) || b.startTime.getTime() - a.startTime.getTime());
}

export interface RecordCountVerdict {
  anomaly: boolean;
  /** The run compared with: the latest earlier business date that succeeded with a count. */
  previous?: { businessDate: string; workflowId: string; recordCount: number };
  /** This run's count divided by the previous one's (absent when there is nothing to compare). */
  ratio?: number;
}

/**
 * Seed 001: a warning when a run processed fewer than `minRecordRatio` of the previous business
 * date's records. The previous business date is the latest earlier one whose run succeeded and
 * reported a count (a failed day has no count to compare with); without one, no verdict. A
 * previous count of 0 makes any count normal.
 */
export function judgeRecordCount(current: CurrentRun, recordCount: number, minRecordRatio: number, runs: readonly PastRun[]): RecordCountVerdict {
  const previous = earlierRuns(current, runs).find(
    (run) => run.businessDate! < current.businessDate && run.status === 'success' && run.recordCount !== undefined,
  );
  if (previous === undefined) return { anomaly: false };
  const base = previous.recordCount!;
  const facts = { previous: { businessDate: previous.businessDate!, workflowId: previous.workflowId, recordCount: base } };
  if (base === 0) return { anomaly: false, ...facts };
  const ratio = recordCount / base;
  return { anomaly: ratio < minRecordRatio, ratio, ...facts };
}

export interface StreakVerdict {
  /** Failed runs in a row, this one included. */
  streak: number;
  alert: boolean;
  /** The failed runs of the streak, newest first (at most ten), for the alert's details. */
  workflowIds: string[];
}

/**
 * Seed 003: the run whose failure makes the streak `alertAt` long raises consecutive_failures —
 * once, not again at alertAt + 1, unless `repeatEvery` asks for a reminder every that many more
 * failures. The streak is this failed run plus the finished runs before it back to the last
 * success; runs still open are passed over (they have not failed).
 */
export function judgeStreak(current: CurrentRun, rule: { alertAt: number; repeatEvery?: number }, runs: readonly PastRun[]): StreakVerdict {
  const failed = [current.workflowId];
  for (const run of earlierRuns(current, runs)) {
    if (run.running) continue;
    if (run.status === 'success') break;
    failed.push(run.workflowId);
  }
  const streak = failed.length;
  const beyond = streak - rule.alertAt;
  const alert = beyond === 0 || (rule.repeatEvery !== undefined && beyond > 0 && beyond % rule.repeatEvery === 0);
  return { streak, alert, workflowIds: failed.slice(0, 10) };
}

export interface DelayedRetryVerdict {
  /** YYYY-MM of the business date. */
  month: string;
  /** Runs of the job with a delayed retry in that month, this one included. */
  count: number;
  alert: boolean;
}

/**
 * Seed 000: a warning when the runs of one month (of business dates) that needed their delayed
 * retry reach the threshold — raised by the run that reaches it, so once a month; the runs
 * after it that month raise nothing more.
 */
export function judgeDelayedRetries(current: CurrentRun, threshold: number, runsWithDelayedRetry: readonly PastRun[]): DelayedRetryVerdict {
  const month = current.businessDate.slice(0, 7);
  const series = seriesOf(current.workflowId);
  const others = runsWithDelayedRetry.filter(
    (run) => run.runId !== current.runId && seriesOf(run.workflowId) === series && run.businessDate?.slice(0, 7) === month,
  );
  const count = others.length + 1;
  return { month, count, alert: count === threshold };
}

/** Every date of the month of `businessDate` (YYYY-MM-DD), for a visibility query on BusinessDate. */
export function datesOfMonth(businessDate: string): string[] {
  const [year, month] = businessDate.split('-').map(Number) as [number, number];
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return Array.from({ length: days }, (_, index) => `${businessDate.slice(0, 7)}-${String(index + 1).padStart(2, '0')}`);
}

/** The `days` dates before `businessDate`, newest first. */
export function datesBefore(businessDate: string, days: number): string[] {
  const start = Date.parse(`${businessDate}T00:00:00Z`);
  return Array.from({ length: days }, (_, index) => new Date(start - (index + 1) * 86_400_000).toISOString().slice(0, 10));
}
