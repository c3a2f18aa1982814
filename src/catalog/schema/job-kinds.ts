import { z } from 'zod';
import { activityNameSchema, jobNameSchema } from './job-schema';
import { positiveDuration } from '../../time/duration';
import { nameSchema, whenObject } from './catalog-values';

/**
 * What a job does — its kind. A job has exactly one (DESIGN.md §4). `command` is the runtime
 * that exists today; the schemas of `fileWait`, `fileImport` and `fanout` fix their shape so
 * catalogs can be written and checked now, and their runtimes arrive with later issues.
 */

/** Kinds a job of `jobs:` may have. */
export const JOB_KINDS = ['command', 'activity', 'fileWait', 'fileImport', 'fanout', 'jobnet'] as const;
/** Kinds a step of a jobnet may have: those of a job, or `use` of a catalog job. */
export const STEP_KINDS = [...JOB_KINDS, 'use'] as const;
export type JobKind = (typeof STEP_KINDS)[number];

export { activityNameSchema };

/** Arguments of an activity, passed as its one parameter; any JSON. */
export const activityArgsSchema = z.record(z.string(), z.unknown());

/**
 * Waits for an upstream file (seed 000: a job that failed because its input was late). The
 * `path` may be a glob; `stableFor` waits until the size stops changing, so a file still being
 * copied is not picked up half-written. Bounded by `maxWait`, else by the job's `timeout`.
 */
export const fileWaitSchema = z.strictObject({
  path: z.string().min(1, 'name the file (or a glob) to wait for'),
  pollInterval: positiveDuration.prefault('30s'),
  stableFor: positiveDuration.optional(),
  maxWait: positiveDuration.optional(),
});

/**
 * Copies files in idempotently (seed 000): each file lands through a temp file and an atomic
 * rename, and files already imported are skipped, so a re-run does no work twice.
 */
export const fileImportSchema = z.strictObject({
  /** A file, a directory or a glob. */
  from: z.string().min(1, 'name the files to import (a path or a glob)'),
  /** The directory the files land in. */
  to: z.string().min(1, 'name the directory to import into'),
  skipExisting: z.boolean().default(true),
});

/**
 * Where a fan-out's items (partition keys) come from, besides a fixed list: a SQL query on the
 * worker's database returning a column `key`, a command printing one key per line, or an
 * activity returning pages of keys (see src/activities/partitions.ts). Exactly one.
 */
export const ITEM_SOURCES = ['activity', 'sql', 'command'] as const;
export const itemsFromSchema = z
  .strictObject({
    activity: activityNameSchema.optional(),
    args: activityArgsSchema.optional(),
    sql: z.string().min(1, 'write the query, e.g. SELECT id AS key FROM companies').optional(),
    command: z.array(z.string().min(1)).min(1, 'command needs at least the program to run').optional(),
  })
  .refine((from) => ITEM_SOURCES.filter((source) => from[source] !== undefined).length === 1, {
    when: whenObject,
    error: 'itemsFrom takes one source: activity (+ args), sql or command',
  })
  .refine((from) => from.args === undefined || from.activity !== undefined, { when: whenObject, path: ['args'], error: 'args go with itemsFrom.activity' });

/**
 * One catalog job run once per item, at most `maxParallel` at a time, each item's failure
 * isolated and retried on its own (seed 004: one run per company on a separate queue). The
 * items are a fixed list or come from a source (itemsFrom).
 */
export const fanoutSchema = z
  .strictObject({
    items: z.array(z.string().min(1)).min(1, 'a fan-out needs at least one item').optional(),
    itemsFrom: itemsFromSchema.optional(),
    /** The catalog job each item runs; the item reaches it as JOBNET_ITEM (commands) or args.item (activities). */
    job: jobNameSchema,
    maxParallel: z.int().min(1).max(1000).default(4),
    /** Items handed to a worker at a time, one activity for the lot (default: four rounds of half of maxParallel, at most 500). */
    batchSize: z.int().min(1).max(1000).optional(),
    /** The task queue of the items' runs, so a fan-out does not crowd out other work. */
    queue: z.string().min(1).optional(),
    /** The whole fan-out should be over this long after it started; a warning when the projected finish passes it. */
    deadline: positiveDuration.optional(),
  })
  .refine((fanout) => (fanout.items === undefined) !== (fanout.itemsFrom === undefined), {
    when: whenObject,
    error: 'give the items as a list (items) or as an activity that returns them (itemsFrom), one of the two',
  });

/** A nested jobnet, or the catalog job a step uses: names checked across the file. */
export const jobnetReferenceSchema = nameSchema('jobnet');
export const useReferenceSchema = jobNameSchema;
