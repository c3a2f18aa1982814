import { z } from 'zod';
import { eventRoutingSchema } from '../schema/event-routing-schema';
import { jobNameSchema, runnableJobRunSchema } from '../schema/job-schema';
import { jobnetRunSchema } from './jobnet-input';
import type { NestedFanoutRun } from './fanout-input';
import type { ScheduledRun } from '../../contracts/scheduled';
import { sameType } from '../../validation/same-type';

/**
 * What a Schedule passes at every fire (src/contracts/scheduled.ts), as a run input: parsed
 * values, checked at the fire's workflow entry.
 */
export const scheduledRunInputSchema = z
  .strictObject({
    name: jobNameSchema,
    job: runnableJobRunSchema.optional(),
    jobnet: jobnetRunSchema.pick({ steps: true, operatorMaxWait: true, announceAs: true, stepRuns: true }).optional(),
    /** A fan-out job: its run input without the business date (validated in full at the fan-out's entry). */
    fanout: z
      .custom<NestedFanoutRun>((value) => typeof value === 'object' && value !== null && 'source' in value && 'item' in value, 'a fan-out run input')
      .optional(),
    timezone: z.string(),
    dayBoundary: z.string().default('00:00'),
    /**
     * true for schedules that fire more than once a business date (intervals, crons such as "every 15 minutes"):
     * each fire is its own run, `<job>@<date>T<HHMM>`, instead of one run per date.
     */
    perFire: z.boolean().default(false),
    /** Where the run's events go: the job's, or the jobnet's own (its steps carry theirs). */
    notify: eventRoutingSchema.optional(),
  })
  .refine(
    (input) => Number(input.job !== undefined) + Number(input.jobnet !== undefined) + Number(input.fanout !== undefined) === 1,
    'a scheduled run is one of a job, a jobnet and a fan-out',
  );
export type ScheduledRunInput = z.input<typeof scheduledRunInputSchema>;
export type { ScheduledRun } from '../../contracts/scheduled';
sameType<z.output<typeof scheduledRunInputSchema>, ScheduledRun>(true);
