import type { JobSpec } from '../../contracts/job';

/*
 * Rules about jobs that workflows apply, kept apart from the schemas (type-only import) so
 * that a workflow can use them without building the schemas: every workflow run evaluates the
 * modules it imports afresh (`npm run bench:workflow-start`).
 */

/** The task queue a job runs on: its host's queue, its own queue, or the default. */
export function jobTaskQueue(job: Pick<JobSpec, 'queue' | 'host'>, defaultQueue: string): string {
  if (job.host) return `host:${job.host}`;
  return job.queue ?? defaultQueue;
}

/** Seed 003 alerts after 3 failed runs in a row. */
export const DEFAULT_CONSECUTIVE_FAILURES = 3;
