import { ActivityFailure, ApplicationFailure, TimeoutFailure, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import { TimeoutType } from '@temporalio/common';
import type { CommandOutcome } from '../activities/command';
import type { JobSpec } from '../catalog/schema/job-schema';
import { jobTaskQueue } from '../catalog/schema/job-rules';

/**
 * How a job's work is attempted by jobWorkflow: the
 * activity options of one series of attempts, and how its failures read. Zod-free, as both
 * workflows must stay cheap to start (see README "Maintenance notes").
 */

/** How often a lost worker (heartbeat time-out) is answered by running the lost attempt again. */
export const MAX_WORKER_LOSSES = 3;
/** The activity enforces the job's time-out itself; Temporal's bound is only a backstop. */
export const START_TO_CLOSE_MARGIN_MS = 60_000;

/**
 * One series of up to `maxAttempts` attempts under Temporal's retry policy, on the job's queue.
 * `startWithin` bounds the wait for a worker (Temporal does not retry that time-out: a queue
 * nobody serves fails the series as NoWorker); a partition leaves it out, as its fan-out's
 * window may rightly keep work queued.
 */
export function jobActivityOptions(job: JobSpec, maxAttempts: number, options: { startWithin?: number; delayed?: boolean } = {}): ActivityOptions {
  return {
    summary: workSummary(job, maxAttempts, options.delayed ?? false),
    taskQueue: jobTaskQueue(job, workflowInfo().taskQueue),
    startToCloseTimeout: job.timeout + job.killGrace + START_TO_CLOSE_MARGIN_MS,
    heartbeatTimeout: job.heartbeatTimeout,
    ...(options.startWithin === undefined ? {} : { scheduleToStartTimeout: options.startWithin }),
    retry: {
      maximumAttempts: maxAttempts,
      initialInterval: job.retry.interval,
      backoffCoefficient: job.retry.backoff,
      maximumInterval: job.retry.maxInterval,
      // `exit:N` entries are decided by the activity, which knows the exit code.
      nonRetryableErrorTypes: job.retry.nonRetryable.filter((entry) => !entry.startsWith('exit:')),
    },
  };
}

/** At most this much of a command line goes into an activity's summary. */
const SUMMARY_COMMAND_CHARS = 120;

/**
 * What the Web UI shows on an attempt series' activity: `command: node scripts/aggregate.js ·
 * up to 3 attempts`. Written as the catalog wrote it: `${VAR}` values are resolved on the
 * worker, so no secret is in it (and it is encrypted like every payload).
 */
export function workSummary(job: JobSpec, maxAttempts: number, delayed: boolean): string {
  const line = job.activity !== undefined ? `activity: ${job.activity.name}` : `command: ${(job.command ?? []).join(' ')}`;
  const clipped = line.length > SUMMARY_COMMAND_CHARS ? `${line.slice(0, SUMMARY_COMMAND_CHARS - 1)}…` : line;
  const attempts = delayed ? 'the delayed retry' : maxAttempts === 1 ? '1 attempt' : `up to ${maxAttempts} attempts`;
  return `${clipped} · ${attempts}`;
}

/** The exit codes of `retry.nonRetryable` (`exit:2` → 2). */
export function exitCodesIn(entries: string[]): number[] {
  return entries.filter((entry) => entry.startsWith('exit:')).map((entry) => Number(entry.slice('exit:'.length)));
}

/**
 * The application failure behind a failed attempt: the activity's, or the workflow's own about
 * the attempt (a result refused as untrusted, job-runner.ts) — so its type and non-retryable
 * flag count alike.
 */
export function applicationCause(failure: unknown): ApplicationFailure | undefined {
  if (failure instanceof ApplicationFailure) return failure;
  return failure instanceof ActivityFailure && failure.cause instanceof ApplicationFailure ? failure.cause : undefined;
}

/** The command's outcome a failed attempt carries in its details (exit code, attempt, output). */
export function outcomeOf(failure: unknown): CommandOutcome | undefined {
  return applicationCause(failure)?.details?.[0] as CommandOutcome | undefined;
}

/** Nobody took the attempt from the queue within the job's startWithin. */
export function isNoWorker(failure: unknown): failure is ActivityFailure & { cause: TimeoutFailure } {
  return failure instanceof ActivityFailure && failure.cause instanceof TimeoutFailure && failure.cause.timeoutType === TimeoutType.SCHEDULE_TO_START;
}

/** The worker running the attempt stopped heartbeating. */
export function isWorkerLost(failure: unknown): boolean {
  return failure instanceof ActivityFailure && failure.cause instanceof TimeoutFailure && failure.cause.timeoutType === TimeoutType.HEARTBEAT;
}
