/**
 * jobnet's own metric names, shared by the activities that record them, the workflow helpers
 * and the exporter's bucket settings. Kept free of Node APIs: workflow code imports it.
 *
 * Counters carry no `_total` here: the Prometheus exporter adds it (countersTotalSuffix), an
 * OpenTelemetry collector does not want it.
 */
export const JobnetMetric = {
  /** Finished runs, by job and status. */
  runs: 'jobnet_runs',
  /** Run duration from the workflow's start to its end (retries and delayed waits included). */
  runDuration: 'jobnet_run_duration_seconds',
  /** Records the runs reported (JOBNET_RECORD_COUNT), by job. */
  records: 'jobnet_records_processed',
  /** Runs that needed their single delayed retry, by job and final status. */
  delayedRetries: 'jobnet_delayed_retries',
  /** Time a job waited for a lock before it held it, by lock. */
  lockWait: 'jobnet_lock_wait_seconds',
} as const;

/**
 * Histogram buckets in seconds. The SDK's defaults are for request latencies (up to 10 s);
 * batch runs take minutes to hours, so the buckets reach the default time-out (30m) and beyond.
 */
export const JOBNET_HISTOGRAM_BUCKETS: Record<string, number[]> = {
  [JobnetMetric.runDuration]: [0.5, 1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400],
  [JobnetMetric.lockWait]: [0.1, 1, 5, 15, 30, 60, 300, 600, 1200, 3600],
};
