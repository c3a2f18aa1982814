import type { MetricMeter } from '@temporalio/common';
import type { RunLogRecord } from '../contracts/run-log';
import { JobnetMetric } from './names';

/** Seconds between two ISO times; 0 when either is missing or they are out of order. */
function secondsBetween(start: string, end: string): number {
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0;
}

/**
 * The metrics of one finished run. The caller guarantees once per run (the run log's append),
 * so counters count runs, not activity attempts.
 */
export function recordRunMetrics(meter: MetricMeter, run: RunLogRecord): void {
  const job = run.job_name;
  meter.createCounter(JobnetMetric.runs, undefined, 'finished jobnet runs by job and status').add(1, { job, status: run.status });
  meter
    .createHistogram(JobnetMetric.runDuration, 'float', undefined, 'jobnet run duration, start to end, retries included')
    .record(secondsBetween(run.start_time, run.end_time), { job, status: run.status });
  if (run.record_count !== null && run.record_count > 0) {
    meter.createCounter(JobnetMetric.records, undefined, 'records processed by jobnet runs').add(run.record_count, { job });
  }
  if (run.delayed_retry) {
    meter.createCounter(JobnetMetric.delayedRetries, undefined, 'jobnet runs that took their delayed retry').add(1, { job, status: run.status });
  }
}
