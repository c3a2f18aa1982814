import { z } from 'zod';
import { isValidTimeZone } from './business-date';
import { commandJobSchema, jobNameSchema } from './job-schema';

/**
 * The catalog file (DESIGN.md §4). This first version knows command jobs and their defaults;
 * schedules, jobnets, locks, calendars and notifications extend it.
 */

/** What `defaults:` may set for every job; a job's own value wins. */
export const catalogDefaultsSchema = commandJobSchema
  .pick({ timeout: true, killGrace: true, heartbeatTimeout: true, retry: true, queue: true })
  .partial();

export const catalogSchema = z.strictObject({
  version: z.literal(1, 'the only catalog version is 1').default(1),
  timezone: z
    .string()
    .refine(isValidTimeZone, 'unknown time zone; use an IANA name such as Asia/Tokyo')
    .default('Asia/Tokyo'),
  dayBoundary: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'write the day boundary as HH:MM, e.g. "05:00"')
    .default('00:00'),
  defaults: z.strictObject({ ...catalogDefaultsSchema.shape }).prefault({}),
  jobs: z.record(jobNameSchema, commandJobSchema).default({}),
});

export type Catalog = z.output<typeof catalogSchema>;
export type CatalogInput = z.input<typeof catalogSchema>;

export const DEFAULT_QUEUE = 'default';
