/**
 * The figures of `jobnet report` (seed 001 §6: run count, mean duration over 30 days, monthly
 * failure rate, weekly trend), computed from runs as Temporal's visibility lists them. Pure:
 * no clock, no I/O, so every figure is unit-tested on hand-made runs.
 */
import { addDays, datesBetween, isIsoDate, weekdayOf } from '../time/plain-date';

/** One job run as the report needs it. */
export interface ReportRun {
  job: string;
  workflowId: string;
  /** The run's business date; its day in the report. */
  businessDate: string | undefined;
  /** jobnet's status (success, error, timeout, worker-lost, cancelled, running, …). */
  status: string;
  startTime: Date;
  /** Undefined while the run goes on. */
  closeTime: Date | undefined;
  recordCount: number | undefined;
}

export type Outcome = 'succeeded' | 'failed' | 'running';

/** A finished run that did not succeed failed, whatever ended it (error, time-out, lost worker, operator). */
export function outcomeOf(run: ReportRun): Outcome {
  if (run.closeTime === undefined) return 'running';
  return run.status === 'success' ? 'succeeded' : 'failed';
}

/** The run's day: its business date, or for a run without one the UTC date it started. */
export function dayOf(run: ReportRun): string {
  return run.businessDate && isIsoDate(run.businessDate) ? run.businessDate : run.startTime.toISOString().slice(0, 10);
}

export function durationSeconds(run: ReportRun): number | undefined {
  return run.closeTime === undefined ? undefined : Math.max(0, (run.closeTime.getTime() - run.startTime.getTime()) / 1000);
}

/** Monday of the date's ISO week: weeks are labelled by the day they begin. */
export function weekOf(date: string): string {
  return addDays(date, -((weekdayOf(date) + 6) % 7));
}

export function monthOf(date: string): string {
  return date.slice(0, 7);
}

/** Days a mean duration looks back over (seed 001: "mean duration over 30 days"). */
export const MEAN_DURATION_DAYS = 30;
/** More jobs than this in one chart are summed up as "other jobs", so the legend stays readable. */
export const MAX_JOB_SERIES = 10;
export const OTHER_JOBS = 'other jobs';

export interface JobSeries {
  job: string;
  values: (number | null)[];
}

export interface JobSummary {
  job: string;
  runs: number;
  succeeded: number;
  failed: number;
  running: number;
  /** Failed of finished runs, in percent; null when none finished. */
  failureRate: number | null;
  /** Mean duration of the runs finished in the last 30 days of the report, in seconds. */
  meanDurationSeconds: number | null;
  records: number;
  lastRun: { workflowId: string; status: string; startTime: string } | undefined;
}

export interface ReportData {
  /** First and last day of the report, both included. */
  from: string;
  to: string;
  job: string | undefined;
  generatedAt: string;
  totals: { runs: number; succeeded: number; failed: number; running: number; records: number };
  jobs: JobSummary[];
  runsPerDay: { days: string[]; succeeded: number[]; failed: number[]; running: number[] };
  /** For each day, per job, the mean duration (seconds) of the runs finished in the 30 days up to it. */
  meanDuration: { days: string[]; series: JobSeries[] };
  failureRateByMonth: { months: string[]; ratePercent: (number | null)[]; failed: number[]; finished: number[] };
  /** Records reported per ISO week (labelled by its Monday), per job. */
  recordsByWeek: { weeks: string[]; series: JobSeries[] };
}

export interface ReportWindow {
  from: string;
  to: string;
  job?: string;
  generatedAt: Date;
}

function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : round(values.reduce((sum, v) => sum + v, 0) / values.length);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** The jobs with a series of their own (most runs first), and what the rest are merged into. */
function seriesJobs(runs: ReportRun[]): { named: string[]; seriesOf: (job: string) => string } {
  const counts = new Map<string, number>();
  for (const run of runs) counts.set(run.job, (counts.get(run.job) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([job]) => job);
  if (ranked.length <= MAX_JOB_SERIES) return { named: ranked.sort(), seriesOf: (job) => job };
  const named = new Set(ranked.slice(0, MAX_JOB_SERIES - 1));
  return { named: [...[...named].sort(), OTHER_JOBS], seriesOf: (job) => (named.has(job) ? job : OTHER_JOBS) };
}

/** A job's line in the table: counts over the window, mean duration over its last 30 days. */
function summarize(job: string, runs: ReportRun[], recentFinished: ReportRun[]): JobSummary {
  const outcomes = runs.map(outcomeOf);
  const succeeded = outcomes.filter((o) => o === 'succeeded').length;
  const failed = outcomes.filter((o) => o === 'failed').length;
  // The latest business date is the last run, whatever order a backfill started them in.
  const last = [...runs].sort((a, b) => dayOf(b).localeCompare(dayOf(a)) || b.startTime.getTime() - a.startTime.getTime())[0];
  return {
    job,
    runs: runs.length,
    succeeded,
    failed,
    running: runs.length - succeeded - failed,
    failureRate: succeeded + failed === 0 ? null : round((100 * failed) / (succeeded + failed), 1),
    meanDurationSeconds: mean(recentFinished.map((run) => durationSeconds(run)!)),
    records: runs.reduce((sum, run) => sum + (run.recordCount ?? 0), 0),
    lastRun: last && { workflowId: last.workflowId, status: last.status, startTime: last.startTime.toISOString() },
  };
}

/**
 * The report over the days `from`..`to`. `runs` may reach back 30 days before `from`: those
 * only feed the 30-day mean durations of the first days; every other figure counts the runs
 * whose day is inside the window.
 */
export function aggregateRuns(allRuns: readonly ReportRun[], window: ReportWindow): ReportData {
  const { from, to } = window;
  const selected = allRuns.filter((run) => window.job === undefined || run.job === window.job);
  const runs = selected.filter((run) => dayOf(run) >= from && dayOf(run) <= to);
  const days = datesBetween(from, to);
  const dayIndex = new Map(days.map((day, i) => [day, i]));

  const runsPerDay = { days, succeeded: days.map(() => 0), failed: days.map(() => 0), running: days.map(() => 0) };
  for (const run of runs) runsPerDay[outcomeOf(run)][dayIndex.get(dayOf(run))!]!++;

  const { named, seriesOf } = seriesJobs(runs);

  // Rolling 30-day mean per job: each finished run counts on its day and the 29 days after.
  // Sums per (series, day) first, so a long history costs days × 30 look-ups, not days × runs.
  const finished = selected.filter((run) => run.closeTime !== undefined && dayOf(run) <= to && dayOf(run) > addDays(from, -MEAN_DURATION_DAYS));
  const lookback = datesBetween(addDays(from, -(MEAN_DURATION_DAYS - 1)), to);
  const meanDuration = {
    days,
    series: named.map((series) => {
      const perDay = new Map<string, { sum: number; count: number }>();
      for (const run of finished) {
        if (seriesOf(run.job) !== series) continue;
        const cell = perDay.get(dayOf(run)) ?? { sum: 0, count: 0 };
        cell.sum += durationSeconds(run)!;
        cell.count += 1;
        perDay.set(dayOf(run), cell);
      }
      return {
        job: series,
        values: days.map((_, i) => {
          let sum = 0;
          let count = 0;
          // lookback[i + MEAN_DURATION_DAYS - 1] is days[i]; the window is the 30 entries ending there.
          for (const day of lookback.slice(i, i + MEAN_DURATION_DAYS)) {
            const cell = perDay.get(day);
            if (cell) {
              sum += cell.sum;
              count += cell.count;
            }
          }
          return count === 0 ? null : round(sum / count);
        }),
      };
    }),
  };

  const months = unique(days.map(monthOf));
  const failureRateByMonth = { months, ratePercent: [] as (number | null)[], failed: [] as number[], finished: [] as number[] };
  for (const month of months) {
    const outcomes = runs
      .filter((run) => monthOf(dayOf(run)) === month)
      .map(outcomeOf)
      .filter((o) => o !== 'running');
    const failed = outcomes.filter((o) => o === 'failed').length;
    failureRateByMonth.failed.push(failed);
    failureRateByMonth.finished.push(outcomes.length);
    failureRateByMonth.ratePercent.push(outcomes.length === 0 ? null : round((100 * failed) / outcomes.length, 1));
  }

  const weeks = unique(days.map(weekOf));
  const weekIndex = new Map(weeks.map((week, i) => [week, i]));
  const recordsByWeek = { weeks, series: named.map((series) => ({ job: series, values: weeks.map(() => 0) as (number | null)[] })) };
  const seriesIndex = new Map(named.map((series, i) => [series, i]));
  for (const run of runs) {
    const values = recordsByWeek.series[seriesIndex.get(seriesOf(run.job))!]!.values;
    const week = weekIndex.get(weekOf(dayOf(run)))!;
    values[week] = values[week]! + (run.recordCount ?? 0);
  }

  const durationFrom = addDays(to, -(MEAN_DURATION_DAYS - 1));
  const jobs = unique(runs.map((run) => run.job))
    .sort()
    .map((job) =>
      summarize(
        job,
        runs.filter((run) => run.job === job),
        finished.filter((run) => run.job === job && dayOf(run) >= durationFrom),
      ),
    );

  return {
    from,
    to,
    job: window.job,
    generatedAt: window.generatedAt.toISOString(),
    totals: {
      runs: runs.length,
      succeeded: runsPerDay.succeeded.reduce((a, b) => a + b, 0),
      failed: runsPerDay.failed.reduce((a, b) => a + b, 0),
      running: runsPerDay.running.reduce((a, b) => a + b, 0),
      records: runs.reduce((sum, run) => sum + (run.recordCount ?? 0), 0),
    },
    jobs,
    runsPerDay,
    meanDuration,
    failureRateByMonth,
    recordsByWeek,
  };
}
