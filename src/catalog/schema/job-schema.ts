import { z } from 'zod';
import { eventRoutingSchema } from './event-routing-schema';
import type { JobRun, JobSpec } from '../../contracts/job';
import { catalogDurations, runDurations, type DurationReader } from '../../time/duration';
import { businessDateSchema, jobNameSchema } from './job-name';
import { DEFAULT_CONSECUTIVE_FAILURES } from './job-rules';
import { sameType } from '../../validation/same-type';

export { businessDateSchema, jobNameSchema, DEFAULT_CONSECUTIVE_FAILURES };

/**
 * The shape of one job and of a job run (src/contracts/job.ts), in two readings:
 *
 * - the catalog's — durations as people write them (`30m`, a bare number of seconds), used by
 *   the catalog and by `npm run start -- jobWorkflow '<json>'`;
 * - a run input's — durations already parsed to milliseconds, defaults filled: what clients
 *   send and workflows take, checked again at a workflow's entry when no parent made it.
 *
 * Both parse to the same values, the contract's types.
 */

/** `exit:2` marks an exit code as not worth retrying; any other entry is an error type name. */
const nonRetryableEntry = z
  .string()
  .regex(/^(exit:\d{1,3}|[A-Za-z][A-Za-z0-9_]*)$/, 'write exit:<code> (e.g. exit:2) or an error type name (e.g. InvalidInput)');

/** Warn when a successful run processed fewer records than this share of the previous business date's. */
export const expectSchema = z.strictObject({
  minRecordRatio: z.number().gt(0, 'a ratio is greater than 0').max(1, 'a ratio is at most 1 (0.5 = half of the previous day)'),
});

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
  /** The activity's arguments: any JSON. */
  args: z.record(z.string(), z.unknown()).default({}),
});

export const LOCK_POLICIES = ['wait', 'fail-fast'] as const;

function jobSchemas<R extends z.ZodType<number>, D extends z.ZodType<number>, O extends z.ZodType<number | undefined>>(duration: DurationReader<R, D, O>) {
  const retrySchema = z.strictObject({
    /** Total immediate attempts, the first one included (1 = no immediate retry). */
    attempts: z.int().min(1).max(100).default(1),
    interval: duration.orDefault(60_000),
    /** Multiplier applied to the interval after each failed attempt (1 = fixed interval). */
    backoff: z.number().min(1).max(10).default(1),
    maxInterval: duration.optional(),
    nonRetryable: z.array(nonRetryableEntry).default([]),
  });

  const delayedRetrySchema = z.strictObject({
    /** How long after the immediate retries are exhausted the one delayed run starts. */
    after: duration.required(),
    /**
     * A warning (delayed_retry_threshold) when this many runs of the job in one month (of
     * business dates) needed their delayed retry: the upstream is late too often, and the delay
     * wants a review (seed 000).
     */
    monthlyThreshold: z.int().min(1).max(1000).optional(),
  });

  /** A lock the job holds while it runs, with the policy of `locks.<name>` in the catalog. */
  const lockUseSchema = z.strictObject({
    name: z.string().min(1),
    /** `wait`: queue for the lock (FIFO); `fail-fast`: fail at once when it is held. */
    policy: z.enum(LOCK_POLICIES).default('wait'),
    /** How long the job waits for the lock before failing with lock_wait_timeout. */
    maxWait: duration.orDefault(3_600_000),
  });

  /** A run of another schedule (same business date) that must have succeeded before this job starts. */
  const afterUseSchema = z.strictObject({
    job: jobNameSchema,
    /** Past this the job fails with after_timeout instead of waiting on. */
    maxWait: duration.orDefault(86_400_000),
  });

  /**
   * A job as a run does it: its work (a command, or an activity), how attempts are retried
   * and bounded, and what it coordinates with (locks, runs of other schedules).
   */
  const jobSpecSchema = z.strictObject({
    description: z.string().optional(),
    /** argv, run without a shell. Exactly one of command and activity. */
    command: z.array(z.string().min(1, 'an argument of command must not be empty')).min(1, 'command needs at least the program to run').optional(),
    activity: activityWorkSchema.optional(),
    cwd: z.string().min(1).optional(),
    env: z.record(z.string(), z.string()).default({}),
    /** Task queue of the workers that may run it; `host` is shorthand for the queue `host:<name>`. */
    queue: z.string().min(1).optional(),
    host: z.string().min(1).optional(),
    /** Per attempt; when it expires the whole process tree is killed and the attempt is a `timeout`. */
    timeout: duration.orDefault(1_800_000),
    /** Time between TERM and KILL when a command is stopped. */
    killGrace: duration.orDefault(10_000),
    /** A worker that stops heartbeating for this long is taken as lost, and the attempt runs elsewhere. */
    heartbeatTimeout: duration.orDefault(30_000),
    /**
     * An attempt that no worker has taken from the job's queue after this long fails with the
     * error type NoWorker (the host is down, or no worker polls that queue) instead of waiting
     * for ever. Absent: it waits (a busy queue is not an error).
     */
    startWithin: duration.optional(),
    // Every field of a retry policy has its default; the generic shape cannot show it to the compiler.
    retry: retrySchema.prefault({} as z.input<typeof retrySchema>),
    delayedRetry: delayedRetrySchema.optional(),
    /** A warning event (sla_warning) once the run is still going after this long; the job goes on. */
    warnAfter: duration.optional(),
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
  const runnableJobSchema = jobSpecSchema.refine((job) => (job.command === undefined) !== (job.activity === undefined), {
    error: 'a job runs exactly one of command and activity',
  });

  const jobRunSchema = z.strictObject({
    name: jobNameSchema,
    businessDate: businessDateSchema,
    job: runnableJobSchema,
    /** Where the run's events go (channels, routes, the job's group and runbooks); absent: nowhere. */
    notify: eventRoutingSchema.optional(),
  });

  return { retrySchema, delayedRetrySchema, lockUseSchema, afterUseSchema, jobSpecSchema, runnableJobSchema, jobRunSchema };
}

/** The catalog's reading (durations as written): the catalog's job fields, and a job run typed by hand. */
const catalogForm = jobSchemas(catalogDurations);
export const { retrySchema, delayedRetrySchema, jobSpecSchema, runnableJobSchema } = catalogForm;
export const jobRunInputSchema = catalogForm.jobRunSchema;

/** A run input's reading (milliseconds): what workflows take. */
const runForm = jobSchemas(runDurations);
export const jobSpecRunSchema = runForm.jobSpecSchema;
export const runnableJobRunSchema = runForm.runnableJobSchema;
export const jobRunSchema = runForm.jobRunSchema;

export type { JobSpec, JobRun, LockUse, AfterUse } from '../../contracts/job';
export type JobSpecInput = z.input<typeof jobSpecSchema>;
/** A job run as typed by hand (durations as in the catalog), before it is parsed into a JobRun. */
export type JobRunInput = z.input<typeof jobRunInputSchema>;
export type ConsecutiveFailures = z.output<typeof consecutiveFailuresSchema>;

// Both readings parse to the contract's types.
sameType<z.output<typeof jobSpecSchema>, JobSpec>(true);
sameType<z.output<typeof jobSpecRunSchema>, JobSpec>(true);
sameType<z.output<typeof jobRunInputSchema>, JobRun>(true);
sameType<z.output<typeof jobRunSchema>, JobRun>(true);

export { jobTaskQueue } from './job-rules';
