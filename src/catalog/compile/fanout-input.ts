import { z } from 'zod';
import type { Catalog } from '../schema/catalog-schema';
import type { CatalogJob } from '../schema/catalog-job-schema';
import { milliseconds } from '../../time/duration';
import type { Env } from '../schema/interpolate';
import { activityWorkSchema, businessDateSchema, jobNameSchema, runnableJobRunSchema } from '../schema/job-schema';
import type { FanoutRun, PartitionFailure, PartitionSource } from '../../contracts/fanout';
import { sameType } from '../../validation/same-type';
import { jobSpecOf } from './job-spec';
import type { EffectiveStep } from './steps';
import { InvalidInputError } from '../../validation/validation-error';
import { eventRoutingSchema } from '../schema/event-routing-schema';
import type { EventRouting } from '../../contracts/events';

/**
 * The input of one fan-out run (fanoutWorkflow, src/contracts/fanout.ts): where the partition
 * keys come from, the job each key runs (resolved from the catalog before the run starts, like
 * a jobnet's steps, durations in milliseconds), and the run's policy — window, batches, queue,
 * deadline, runbooks. The schema checks a run input (parsed values); the builder makes one
 * from the catalog.
 */

/**
 * A partition key: it becomes part of its run id (`<run>/<key>`, `#2` for a retry) and run
 * key, so no whitespace and no `#`, and short enough for ids and logs.
 */
export const PARTITION_KEY_PATTERN = /^[^\s#]{1,200}$/;
export const partitionKeySchema = z
  .string()
  .regex(PARTITION_KEY_PATTERN, 'a partition key is 1–200 characters without whitespace or "#" (it becomes part of a workflow id)');

/** Where the keys come from. `items` are in the input; the others are read in pages by the partitionPage activity. */
export const partitionSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('items'), items: z.array(partitionKeySchema) }),
  /** A query on the worker's database with a column `key`; read in key order, page by page. */
  z.strictObject({ kind: z.literal('sql'), query: z.string().min(1) }),
  /** A command printing one key per line (argv, no shell); its output is sorted and de-duplicated. */
  z.strictObject({
    kind: z.literal('command'),
    command: z.array(z.string().min(1)).min(1),
    cwd: z.string().optional(),
    env: z.record(z.string(), z.string()).default({}),
  }),
  /** An activity answering PartitionPageRequest with pages of keys (src/activities/partitions.ts). */
  z.strictObject({ kind: z.literal('activity'), activity: activityWorkSchema }),
]);
export type { PartitionSource } from '../../contracts/fanout';
sameType<z.output<typeof partitionSourceSchema>, PartitionSource>(true);

/** A partition to run again, with the attempt it will be (its child run is `<run>/<key>#<attempt>`). */
export const retryKeySchema = z.strictObject({ key: partitionKeySchema, attempt: z.int().min(2) });

/**
 * One failed partition, as a fan-out keeps it: enough to retry it and to act on it. Its child
 * run is `<fan-out run>/<key>` (`#<attempt>` from the second attempt on). Kept small, since a
 * run may carry thousands through continue-as-new: the error text only for the first failures
 * of each type.
 */
export const partitionFailureSchema = z.object({
  key: z.string(),
  attempt: z.number(),
  errorType: z.string(),
  error: z.string(),
});
export type { PartitionFailure } from '../../contracts/fanout';
sameType<z.output<typeof partitionFailureSchema>, PartitionFailure>(true);

/** What the earlier rounds of a retried fan-out left: succeeded partitions are never run again. */
export const previousTotalsSchema = z.strictObject({
  total: z.int().min(0),
  succeeded: z.int().min(0),
  /** Failed partitions this round does not rerun: they stay failed in its result. */
  failures: z.array(partitionFailureSchema).default([]),
  failuresNotKept: z.int().min(0).default(0),
  /** When the first round started: the summary counts from it. */
  startTime: z.string(),
});

export const fanoutRunSchema = z.strictObject({
  /** The fan-out job's name (or the jobnet step's): `JobName` of the run. */
  name: jobNameSchema,
  businessDate: businessDateSchema,
  source: partitionSourceSchema,
  /** The job each partition runs, under its catalog name; the key reaches it as JOBNET_ITEM or args.item. */
  item: z.strictObject({
    name: jobNameSchema,
    job: runnableJobRunSchema,
  }),
  /** Partitions running at once: a sliding window, a new one starts as soon as one ends. */
  maxParallel: z.int().min(1).max(1000).default(4),
  /** Keys handed to a worker at a time (one activity); default: four rounds of half the window, at most 500. */
  batchSize: z.int().min(1).max(1000).optional(),
  /** Task queue of the partitions' runs and of the source's activity (default: the fan-out's own). */
  queue: z.string().min(1).optional(),
  /** From the (first) start; a warning when the projected finish passes it, another when it has passed. */
  deadline: milliseconds.optional(),
  /** Error type → runbook URL, attached to every partition failure and the summary. */
  runbooks: z.record(z.string(), z.string()).default({}),
  /** Where its events go (partition failures, deadline warnings, the summary); none without it. */
  notify: eventRoutingSchema.optional(),
  /** As a job's: the name its success is announced under to runs waiting with `after`. */
  announceAs: jobNameSchema.optional(),
  /**
   * History events after which the run continues as new (carrying the running partitions).
   * The default keeps each run well under Temporal's 10,240-event warning; tests lower it.
   */
  continueAsNewAfter: z.int().min(500).max(40_000).default(8_000),
  /** Set by `jobnet retry-partitions`: only these keys run, and the totals of the earlier runs are kept. */
  retry: z.strictObject({ keys: z.array(retryKeySchema).min(1), previous: previousTotalsSchema }).optional(),
});

/** A fan-out's run input before its defaults are filled (what the builder and tests write). */
export type FanoutRunInput = z.input<typeof fanoutRunSchema>;
export type { FanoutRun } from '../../contracts/fanout';
sameType<z.output<typeof fanoutRunSchema>, FanoutRun>(true);
/** A fan-out run less what a parent supplies (the business date), as a jobnet step carries it. */
export type NestedFanoutRun = Omit<FanoutRun, 'businessDate'>;

/**
 * The run input of a fan-out job (or a jobnet step of kind fanout) for `businessDate`: the
 * per-item job resolved like any job (defaults, deferred `${VAR}`s), the source in run form.
 * The item job's `runbooks` are merged under the fan-out's own. Problems are bad input at the
 * catalog path `jobs.<name>.fanout…` before anything starts.
 */
export function fanoutRunInput(
  catalog: Catalog,
  job: CatalogJob | EffectiveStep,
  name: string,
  businessDate: string,
  env: Env = process.env,
  notify?: EventRouting,
): FanoutRun {
  const fanout = job.fanout;
  if (fanout === undefined) throw new RangeError(`${name} is not a fanout job`);
  const itemJob = catalog.jobs[fanout.job];
  if (itemJob === undefined) {
    throw new InvalidInputError([{ path: `jobs.${name}.fanout.job`, message: `unknown job "${fanout.job}"` }], 'catalog');
  }
  if (itemJob.fanout !== undefined || itemJob.jobnet !== undefined) {
    throw new InvalidInputError(
      [
        {
          path: `jobs.${name}.fanout.job`,
          message: `"${fanout.job}" is a ${itemJob.fanout ? 'fanout' : 'jobnet'} job; each item runs a command or activity job`,
        },
      ],
      'catalog',
    );
  }
  const held = [...(job.locks.length > 0 ? ['locks'] : []), ...(job.after.length > 0 ? ['after'] : [])];
  if (held.length > 0) {
    throw new InvalidInputError(
      held.map((field) => ({
        path: `jobs.${name}.${field}`,
        message: `a fanout job does not hold ${field} (yet); put the fan-out in a jobnet after a step that does`,
      })),
      'catalog',
    );
  }
  const spec = jobSpecOf(catalog, itemJob, fanout.job, env, undefined);
  const input: FanoutRunInput = {
    name,
    businessDate,
    source: sourceOf(fanout),
    // Partitions coordinate through the fan-out: a lock or an `after` per partition would
    // serialize the very window the fan-out opens.
    item: { name: fanout.job, job: { ...spec, locks: [], after: [] } },
    maxParallel: fanout.maxParallel,
    ...(fanout.batchSize === undefined ? {} : { batchSize: fanout.batchSize }),
    ...(fanout.queue === undefined ? {} : { queue: fanout.queue }),
    ...(fanout.deadline === undefined ? {} : { deadline: fanout.deadline }),
    runbooks: { ...itemJob.runbooks, ...job.runbooks },
    ...(notify === undefined ? {} : { notify }),
  };
  const checked = fanoutRunSchema.safeParse(input);
  if (!checked.success) {
    throw new InvalidInputError(
      checked.error.issues.map((issue) => ({ path: `jobs.${name}.fanout.${issue.path.join('.')}`, message: issue.message })),
      'catalog',
    );
  }
  return checked.data;
}

function sourceOf(fanout: NonNullable<CatalogJob['fanout']>): FanoutRunInput['source'] {
  if (fanout.items !== undefined) return { kind: 'items', items: [...new Set(fanout.items)] };
  const from = fanout.itemsFrom!;
  if (from.sql !== undefined) return { kind: 'sql', query: from.sql };
  if (from.command !== undefined) return { kind: 'command', command: from.command };
  return { kind: 'activity', activity: { name: from.activity!, args: from.args ?? {} } };
}
