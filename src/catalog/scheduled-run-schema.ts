import { z } from 'zod';
import { commandJobSchema, jobNameSchema } from './job-schema';

/** What a Schedule passes at every fire: the job, and how to turn the fire time into a business date. */
export const scheduledRunInputSchema = z.strictObject({
  name: jobNameSchema,
  job: commandJobSchema,
  timezone: z.string(),
  dayBoundary: z.string().default('00:00'),
});
export type ScheduledRunInput = z.input<typeof scheduledRunInputSchema>;
