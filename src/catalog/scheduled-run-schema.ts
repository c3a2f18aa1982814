import { z } from 'zod';
import { commandJobSchema, jobNameSchema } from './job-schema';

/** What a Schedule passes at every fire: the job, and how to turn the fire time into a business date. */
export const scheduledRunInputSchema = z.strictObject({
  name: jobNameSchema,
  job: commandJobSchema,
  timezone: z.string(),
  dayBoundary: z.string().default('00:00'),
  /**
   * true for schedules that fire more than once a business date (intervals, crons such as "every 15 minutes"):
   * each fire is its own run, `<job>@<date>T<HHMM>`, instead of one run per date.
   */
  perFire: z.boolean().default(false),
});
export type ScheduledRunInput = z.input<typeof scheduledRunInputSchema>;
