import { z } from 'zod';
import { calendarSchema } from './calendar-schema';
import { catalogJobSchema, jobnetSchema } from './catalog-job-schema';
import { nameSchema, whenObject } from './catalog-values';
import { positiveDuration } from '../../time/duration';
import { LOCK_POLICIES, jobSpecSchema, jobNameSchema } from './job-schema';
import { notifySchema } from './notify-schema';
import { timeZoneSchema } from './schedule-schema';

/**
 * The catalog file (DESIGN.md §4): one schema for the whole file. What a single section can
 * say about itself is here; what needs the whole file — references between sections, cycles,
 * one namespace for jobs and jobnets — is in references.ts, and load.ts reports both at once.
 */

/** What `defaults:` may set for every job; a job's own value wins. */
export const catalogDefaultsSchema = jobSpecSchema
  .pick({ timeout: true, killGrace: true, heartbeatTimeout: true, startWithin: true, retry: true, queue: true })
  .partial();

export { LOCK_POLICIES };

export const lockSchema = z
  .strictObject({
    /** `wait`: queue for the lock (FIFO); `fail-fast`: fail at once when it is held. */
    policy: z.enum(LOCK_POLICIES).default('wait'),
    /** How long a job waits for the lock before failing with lock_wait_timeout. */
    maxWait: positiveDuration.optional(),
  })
  .refine((lock) => !(lock.policy === 'fail-fast' && lock.maxWait !== undefined), {
    when: whenObject,
    path: ['maxWait'],
    error: 'maxWait is for policy wait; a fail-fast lock never waits',
  });

export const catalogSchema = z.strictObject({
  version: z.literal(1, 'the only catalog version is 1').default(1),
  /**
   * The catalog's identity in its Temporal namespace (default: `default`): `sync` creates,
   * updates and deletes only the Schedules of its own catalog, so several catalogs can share a
   * namespace when each has a name.
   */
  name: nameSchema('catalog').optional(),
  // Canonical spelling: the server's zone lookup is case-sensitive where Intl is not.
  timezone: timeZoneSchema.default('Asia/Tokyo'),
  dayBoundary: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'write the day boundary as HH:MM, e.g. "05:00"')
    .default('00:00'),
  calendars: z.record(nameSchema('calendar'), calendarSchema).default({}),
  notify: notifySchema.prefault({}),
  defaults: z.strictObject({ ...catalogDefaultsSchema.shape }).prefault({}),
  locks: z.record(nameSchema('lock'), lockSchema).default({}),
  jobs: z.record(jobNameSchema, catalogJobSchema).default({}),
  jobnets: z.record(nameSchema('jobnet'), jobnetSchema).default({}),
});

export type Catalog = z.output<typeof catalogSchema>;
export type CatalogInput = z.input<typeof catalogSchema>;
export type Lock = z.output<typeof lockSchema>;

export const DEFAULT_QUEUE = 'default';
