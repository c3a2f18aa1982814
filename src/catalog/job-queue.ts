import type { JobSpec } from './job-schema';

/**
 * The task queue a job runs on: its host's queue, its own queue, or the default.
 * Kept apart from the schemas (type-only import) so that workflows can use it without
 * building them: every workflow run evaluates the modules it imports afresh.
 */
export function jobTaskQueue(job: Pick<JobSpec, 'queue' | 'host'>, defaultQueue: string): string {
  if (job.host) return `host:${job.host}`;
  return job.queue ?? defaultQueue;
}
