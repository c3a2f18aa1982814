import { z } from 'zod';

/**
 * What a job run reports: its events and its outcome. One schema for the workflow result, the
 * CLI's output and (later) the alerts.
 */

export const jobStatusSchema = z.enum([
  'running',
  /** Waiting for a lock held by another job (`locks`). */
  'waiting-lock',
  /** Waiting for another schedule's run of the same business date (`after`). */
  'waiting-after',
  'waiting-retry',
  'success',
  'error',
  'timeout',
  'worker-lost',
  'cancelled',
]);
export type JobStatusValue = z.infer<typeof jobStatusSchema>;

export const jobEventTypeSchema = z.enum([
  'started',
  /** The immediate attempts are exhausted (or a non-retryable error ended them). */
  'failed',
  /** Like `failed`, but the last attempt ran past its time-out and was killed. */
  'timeout',
  /** The worker running the command vanished (heartbeat time-out). */
  'worker_lost',
  'retry_scheduled',
  'retry_succeeded',
  'retry_failed',
  'succeeded',
  /** A lock was granted (with how long the job waited for it). */
  'lock_acquired',
  /** A `wait` lock was not granted within its maxWait: the job ends failed without running. */
  'lock_wait_timeout',
  /** A `fail-fast` lock was held by another job: the job ends failed without running (seed 001). */
  'lock_unavailable',
  /** The run this job comes `after` succeeded (at once, or after a wait). */
  'after_satisfied',
  /** The run this job comes `after` did not succeed within maxWait: the job ends failed without running. */
  'after_timeout',
  /** Checks (warnAfter, expect.minRecordRatio, consecutiveFailures, delayedRetry.monthlyThreshold) that raised an alert. */
  'sla_warning',
  'record_count_anomaly',
  'consecutive_failures',
  'delayed_retry_threshold',
]);
export type JobEventType = z.infer<typeof jobEventTypeSchema>;

export const jobEventSchema = z.object({
  type: jobEventTypeSchema,
  at: z.string(),
  attempt: z.number().optional(),
  error: z.string().optional(),
  errorType: z.string().optional(),
  retryAt: z.string().optional(),
  lock: z.string().optional(),
  /** Time spent waiting for a lock or a predecessor, in milliseconds. */
  waitedMs: z.number().optional(),
  /** For after_satisfied: the job waited for, and the workflow id of its successful run. */
  predecessor: z.string().optional(),
  by: z.string().optional(),
  /** For the checks' alerts: what the alert said. */
  message: z.string().optional(),
});
export type JobEvent = z.infer<typeof jobEventSchema>;

export const jobResultSchema = z.object({
  name: z.string(),
  businessDate: z.string(),
  workflowId: z.string(),
  runId: z.string(),
  status: jobStatusSchema,
  startTime: z.string(),
  endTime: z.string(),
  /** Command attempts made in all, the delayed one included. */
  attempts: z.number(),
  delayedRetry: z.boolean(),
  exitCode: z.number().nullable(),
  recordCount: z.number().nullable(),
  host: z.string().nullable(),
  output: z.string(),
  error: z.string().nullable(),
  errorType: z.string().nullable(),
  events: z.array(jobEventSchema),
});
export type JobResult = z.infer<typeof jobResultSchema>;
