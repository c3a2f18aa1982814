import { z } from 'zod';
import { JOB_EVENT_TYPES, JOB_STATUSES, type JobEvent, type JobResult } from '../../contracts/job';
import { sameType } from '../../validation/same-type';

/**
 * What a job run reports: its events and its outcome. One schema for the workflow result, the
 * CLI's output and (later) the alerts.
 */

export const jobStatusSchema = z.enum(JOB_STATUSES);
export type { JobStatusValue, JobEventType, JobEvent, JobResult } from '../../contracts/job';

export const jobEventTypeSchema = z.enum(JOB_EVENT_TYPES);

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
sameType<z.output<typeof jobEventSchema>, JobEvent>(true);

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
sameType<z.output<typeof jobResultSchema>, JobResult>(true);
