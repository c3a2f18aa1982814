import { z } from 'zod';
import { eventRoutingSchema } from '../events/routing-schema';
import { positiveDuration } from './duration';
import { businessDateSchema, jobNameSchema } from './job-name';

export { businessDateSchema, jobNameSchema };

/**
 * The shape of one job and of a job run, shared by the catalog, the starter and the workflow
 * entry (workflow code imports this module, so it must stay free of Node APIs).
 */

/** `exit:2` marks an exit code as not worth retrying; any other entry is an error type name. */
const nonRetryableEntry = z
  .string()
  .regex(/^(exit:\d{1,3}|[A-Za-z][A-Za-z0-9_]*)$/, 'write exit:<code> (e.g. exit:2) or an error type name (e.g. InvalidInput)');

export const retrySchema = z.strictObject({
  /** Total immediate attempts, the first one included (1 = no immediate retry). */
  attempts: z.int().min(1).max(100).default(1),
  interval: positiveDuration.prefault('1m'),
  /** Multiplier applied to the interval after each failed attempt (1 = fixed interval). */
  backoff: z.number().min(1).max(10).default(1),
  maxInterval: positiveDuration.optional(),
  nonRetryable: z.array(nonRetryableEntry).default([]),
});

export const delayedRetrySchema = z.strictObject({
  /** How long after the immediate retries are exhausted the one delayed run starts. */
  after: positiveDuration,
  /**
   * A warning (delayed_retry_threshold) when this many runs of the job in one month (of
   * business dates) needed their delayed retry: the upstream is late too often, and the delay
   * wants a review (seed 000).
   */
  monthlyThreshold: z.int().min(1).max(1000).optional(),
});

/** Warn when a successful run processed fewer records than this share of the previous business date's. */
export const expectSchema = z.strictObject({
  minRecordRatio: z.number().gt(0, 'a ratio is greater than 0').max(1, 'a ratio is at most 1 (0.5 = half of the previous day)'),
});

import { DEFAULT_CONSECUTIVE_FAILURES } from './job-rules';

export { DEFAULT_CONSECUTIVE_FAILURES };

/** When a streak of failed runs raises consecutive_failures. */
export const consecutiveFailuresSchema = z.strictObject({
  /** The failed run that makes the streak this long raises the alert (once). */
  alertAt: z.int().min(1).max(1000).default(DEFAULT_CONSECUTIVE_FAILURES),
  /** Raise it again every this many further failures (absent: only once per streak). */
  repeatEvery: z.int().min(1).max(1000).optional(),
});

/** The name of an activity registered in the worker: a TypeScript function name. */
export const activityNameSchema = z
  .string()
  .regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/, 'an activity is the name of a function registered in the worker, e.g. rankingUpdate');

/** A TypeScript activity doing the job's work, called with JobActivityInput (src/activities/job-activity.ts). */
export const activityWorkSchema = z.strictObject({
  name: activityNameSchema,
  /** The activity's arguments: any JSON, durations written as "<n>ms". */
  args: z.record(z.string(), z.unknown()).default({}),
});

export const LOCK_POLICIES = ['wait', 'fail-fast'] as const;

/** A lock the job holds while it runs, with the policy of `locks.<name>` in the catalog. */
export const lockUseSchema = z.strictObject({
  name: z.string().min(1),
  /** `wait`: queue for the lock (FIFO); `fail-fast`: fail at once when it is held. */
  policy: z.enum(LOCK_POLICIES).default('wait'),
  /** How long the job waits for the lock before failing with lock_wait_timeout. */
  maxWait: positiveDuration.prefault('1h'),
});

/** A run of another schedule (same business date) that must have succeeded before this job starts. */
export const afterUseSchema = z.strictObject({
  job: jobNameSchema,
  /** Past this the job fails with after_timeout instead of waiting on. */
  maxWait: positiveDuration.prefault('24h'),
});

/**
 * A job as jobWorkflow runs it: its work (a command, or an activity), how attempts are retried
 * and bounded, and what it coordinates with (locks, runs of other schedules).
 */
export const jobSpecSchema = z.strictObject({
  description: z.string().optional(),
  /** argv, run without a shell. Exactly one of command and activity. */
  command: z
    .array(z.string().min(1, 'an argument of command must not be empty'))
    .min(1, 'command needs at least the program to run')
    .optional(),
  activity: activityWorkSchema.optional(),
  cwd: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()).default({}),
  /** Task queue of the workers that may run it; `host` is shorthand for the queue `host:<name>`. */
  queue: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  /** Per attempt; when it expires the whole process tree is killed and the attempt is a `timeout`. */
  timeout: positiveDuration.prefault('30m'),
  /** Time between TERM and KILL when a command is stopped. */
  killGrace: positiveDuration.prefault('10s'),
  /** A worker that stops heartbeating for this long is taken as lost, and the attempt runs elsewhere. */
  heartbeatTimeout: positiveDuration.prefault('30s'),
  /**
   * An attempt that no worker has taken from the job's queue after this long fails with the
   * error type NoWorker (the host is down, or no worker polls that queue) instead of waiting
   * for ever. Absent: it waits (a busy queue is not an error).
   */
  startWithin: positiveDuration.optional(),
  retry: retrySchema.prefault({}),
  delayedRetry: delayedRetrySchema.optional(),
  /** A warning event (sla_warning) once the run is still going after this long; the job goes on. */
  warnAfter: positiveDuration.optional(),
  expect: expectSchema.optional(),
  /** Absent: alert at the 3rd failed run in a row. */
  consecutiveFailures: consecutiveFailuresSchema.optional(),
  /** false: a lost worker fails the job as `worker-lost` instead of running the command again. */
  safeToRepeat: z.boolean().default(true),
  locks: z.array(lockUseSchema).default([]),
  after: z.array(afterUseSchema).default([]),
  /**
   * The name under which this run's success is announced to jobs waiting on it with `after`
   * (the catalog job's name, also when it runs as a jobnet step); absent when nothing waits on it.
   */
  announceAs: jobNameSchema.optional(),
});

/** A job that can run: exactly one of command and activity. */
export const runnableJobSchema = jobSpecSchema.refine((job) => (job.command === undefined) !== (job.activity === undefined), {
  error: 'a job runs exactly one of command and activity',
});

export const jobRunInputSchema = z.strictObject({
  name: jobNameSchema,
  businessDate: businessDateSchema,
  job: runnableJobSchema,
  /** Where the run's events go (channels, routes, the job's group and runbooks); absent: nowhere. */
  notify: eventRoutingSchema.optional(),
});

export type JobSpec = z.output<typeof jobSpecSchema>;
export type LockUse = z.output<typeof lockUseSchema>;
export type AfterUse = z.output<typeof afterUseSchema>;
export type ConsecutiveFailures = z.output<typeof consecutiveFailuresSchema>;
export type JobSpecInput = z.input<typeof jobSpecSchema>;
export type JobRunInput = z.input<typeof jobRunInputSchema>;
export type JobRun = z.output<typeof jobRunInputSchema>;

export { jobTaskQueue } from './job-rules';
