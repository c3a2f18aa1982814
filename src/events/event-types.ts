/**
 * Every kind of event jobnet raises, with the severity it has unless the raiser says otherwise.
 * Kept free of imports so the catalog's route schema and the event schema can both use it.
 */
export const DEFAULT_SEVERITY = {
  started: 'info',
  succeeded: 'info',
  /** The immediate attempts are exhausted (or a non-retryable error ended them). */
  failed: 'critical',
  /** Like `failed`, but the last attempt ran past its time-out and was killed. */
  timeout: 'critical',
  /** The worker running the job vanished (heartbeat time-out). */
  worker_lost: 'critical',
  /** A single delayed retry waits on a durable timer. */
  retry_scheduled: 'warning',
  retry_succeeded: 'info',
  retry_failed: 'critical',
  /** Still running past `warnAfter`, or a jobnet past its deadline; the run goes on. */
  sla_warning: 'warning',
  /** Fewer records than `expect.minRecordRatio` of the previous business date. */
  record_count_anomaly: 'warning',
  /** The job failed this many runs in a row (seed 003 alerts at 3). */
  consecutive_failures: 'critical',
  /** A failed step waits for an operator to retry, skip or abort it (`onFailure: wait`). */
  waiting_operator: 'warning',
  /** A `wait` lock was not acquired within its maxWait. */
  lock_wait_timeout: 'critical',
  /** A `fail-fast` lock was held by another run. */
  lock_unavailable: 'warning',
  /** The run of another schedule named in `after` did not succeed within its maxWait. */
  after_timeout: 'critical',
  /** Delayed retries this month passed the catalog's threshold (seed 000). */
  delayed_retry_threshold: 'warning',
} as const satisfies Record<string, 'critical' | 'warning' | 'info'>;

export type EventType = keyof typeof DEFAULT_SEVERITY;

export const EVENT_TYPES = Object.keys(DEFAULT_SEVERITY) as [EventType, ...EventType[]];
