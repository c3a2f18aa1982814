import type { JobSpec, JobSpecInput } from './job-schema';

const ms = (value: number) => `${value}ms`;

/**
 * A parsed job written back in input form, for a workflow's input. Parsed durations are
 * milliseconds, but a bare number in the input form means seconds (batch_runner's
 * convention), so every duration goes back as an explicit "<n>ms" string. A round-trip test
 * keeps this list complete.
 */
export function toJobInput(job: JobSpec): JobSpecInput {
  return {
    ...job,
    timeout: ms(job.timeout),
    killGrace: ms(job.killGrace),
    heartbeatTimeout: ms(job.heartbeatTimeout),
    retry: {
      ...job.retry,
      interval: ms(job.retry.interval),
      ...(job.retry.maxInterval !== undefined ? { maxInterval: ms(job.retry.maxInterval) } : {}),
    },
    ...(job.delayedRetry ? { delayedRetry: { ...job.delayedRetry, after: ms(job.delayedRetry.after) } } : {}),
    ...(job.warnAfter !== undefined ? { warnAfter: ms(job.warnAfter) } : {}),
    ...(job.startWithin !== undefined ? { startWithin: ms(job.startWithin) } : {}),
    locks: job.locks.map((lock) => ({ ...lock, maxWait: ms(lock.maxWait) })),
    after: job.after.map((after) => ({ ...after, maxWait: ms(after.maxWait) })),
  };
}
