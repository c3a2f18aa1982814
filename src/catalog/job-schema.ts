import { z } from 'zod';
import { positiveDuration } from './duration';

/**
 * The shape of one job and of a job run, shared by the catalog, the starter and the workflow
 * entry (workflow code imports this module, so it must stay free of Node APIs).
 */

export const jobNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a job name is letters, digits, "_", "." or "-", starting with a letter or digit');

export const businessDateSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a business date is written YYYY-MM-DD');

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
});

export const commandJobSchema = z.strictObject({
  description: z.string().optional(),
  /** argv, run without a shell. */
  command: z.array(z.string().min(1, 'an argument of command must not be empty')).min(1, 'command needs at least the program to run'),
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
  retry: retrySchema.prefault({}),
  delayedRetry: delayedRetrySchema.optional(),
  /** false: a lost worker fails the job as `worker-lost` instead of running the command again. */
  safeToRepeat: z.boolean().default(true),
});

export const jobRunInputSchema = z.strictObject({
  name: jobNameSchema,
  businessDate: businessDateSchema,
  job: commandJobSchema,
});

export type CommandJob = z.output<typeof commandJobSchema>;
export type CommandJobInput = z.input<typeof commandJobSchema>;
export type JobRunInput = z.input<typeof jobRunInputSchema>;
export type JobRun = z.output<typeof jobRunInputSchema>;

/** The task queue a job runs on: its host's queue, its own queue, or the default. */
export function jobTaskQueue(job: Pick<CommandJob, 'queue' | 'host'>, defaultQueue: string): string {
  if (job.host) return `host:${job.host}`;
  return job.queue ?? defaultQueue;
}
