import { z } from 'zod';
import { positiveDuration } from '../../time/duration';
import { consecutiveFailuresSchema, expectSchema, jobSpecSchema, delayedRetrySchema, jobNameSchema, retrySchema } from './job-schema';
import {
  JOB_KINDS,
  STEP_KINDS,
  activityArgsSchema,
  activityNameSchema,
  fanoutSchema,
  fileImportSchema,
  fileWaitSchema,
  jobnetReferenceSchema,
  useReferenceSchema,
  type JobKind,
} from './job-kinds';
import { nameSchema, uniqueNames, urlSchema, whenObject } from './catalog-values';
import { scheduleSchema } from './schedule-schema';

/**
 * A job of the catalog (`jobs.<name>`) and a step of a jobnet (`jobnets.<n>.jobs.<step>`).
 *
 * Both are one flat object holding every kind's key, not a union of kinds: a union can only
 * say "no option matched", while a flat object reports each wrong field at its own path, and
 * the rule "exactly one kind" is a refinement that runs alongside, so a job with two kinds and
 * a bad time-out gets both problems at once. `jobKindOf` names the kind of a parsed job.
 */

export const WHEN_VALUES = ['success', 'failed', 'always'] as const;
export const ON_FAILURE_VALUES = ['stop', 'continue', 'wait'] as const;

/** Identifies the "no kind" problem, which the loader drops when a misspelt kind key explains it. */
export const NO_KIND_RULE = 'job-without-kind';

const afterSchema = z.strictObject(
  {
    /** A job or jobnet of another schedule that must have succeeded for the same business date. */
    job: jobNameSchema,
    /** How long to wait for it; past this the job fails instead of waiting on. */
    maxWait: positiveDuration.optional(),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'write { job: <name>, maxWait: <duration> }' : undefined) },
);

/** What a failure is grouped and looked up by: an error type's name, or `exit:<code>` for a command's exit code. */
const errorTypeSchema = z
  .string()
  .regex(
    /^(?:[A-Za-z][A-Za-z0-9_]*|exit:(?:[0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5]))$/,
    'an error type is a name of letters, digits and "_" (e.g. DeadlockError), or exit:<code> with a code from 0 to 255',
  );

/** Fields every job and step may carry, whatever its kind. */
const commonFields = {
  description: z.string().optional(),
  /** A team or system the job belongs to; routes with `groups` send its events to that group's channels. */
  group: nameSchema('group').optional(),
  queue: jobSpecSchema.shape.queue,
  host: jobSpecSchema.shape.host,
  cwd: jobSpecSchema.shape.cwd,
  /** A warning event when the job is still running after this long; the job goes on. */
  warnAfter: positiveDuration.optional(),
  delayedRetry: delayedRetrySchema.optional(),
  /** Locks of `locks:` held while the job runs. */
  locks: uniqueNames(nameSchema('lock')).default([]),
  after: z.array(afterSchema).default([]),
  /** Warn when this run's record count falls below this share of the previous business date's. */
  expect: expectSchema.optional(),
  /** When a streak of failed runs raises consecutive_failures (default: at the 3rd). */
  consecutiveFailures: consecutiveFailuresSchema.optional(),
  /** Error type → runbook URL, attached to alerts about that error. */
  runbooks: z.record(errorTypeSchema, urlSchema(['https', 'http'])).default({}),
};

const whenSchema = z.enum(WHEN_VALUES);
const onFailureSchema = z.enum(ON_FAILURE_VALUES);

/** How a job behaves around failures, with its defaults. */
const policies = {
  /** Which outcome of the steps it needs lets a step run: `failed` makes an error branch. */
  when: whenSchema.default('success'),
  /** After the retries: stop the jobnet, continue with the other steps, or wait for an operator. */
  onFailure: onFailureSchema.default('stop'),
  enabled: z.boolean().default(true),
};

/** The kinds' own keys; `args` goes with `activity`. */
const kindFields = {
  command: jobSpecSchema.shape.command.optional(),
  activity: activityNameSchema.optional(),
  args: activityArgsSchema.optional(),
  fileWait: fileWaitSchema.optional(),
  fileImport: fileImportSchema.optional(),
  fanout: fanoutSchema.optional(),
  jobnet: jobnetReferenceSchema.optional(),
};

/** How a job runs, with the defaults of a command job (catalog `defaults:` are merged in first). */
const runSettings = {
  ...policies,
  timeout: jobSpecSchema.shape.timeout,
  killGrace: jobSpecSchema.shape.killGrace,
  heartbeatTimeout: jobSpecSchema.shape.heartbeatTimeout,
  startWithin: jobSpecSchema.shape.startWithin,
  retry: jobSpecSchema.shape.retry,
  safeToRepeat: jobSpecSchema.shape.safeToRepeat,
  env: jobSpecSchema.shape.env,
};

/**
 * The same settings on a step, without defaults: a step's settings override its base — the job
 * it uses, or the catalog defaults — so an unwritten field must stay unwritten, not become
 * "30m" (or onFailure "stop") and silently replace the used job's own value. `retry` and `env`
 * override field by field; see steps.ts.
 */
const runOverrides = {
  when: whenSchema.optional(),
  onFailure: onFailureSchema.optional(),
  enabled: z.boolean().optional(),
  timeout: positiveDuration.optional(),
  killGrace: positiveDuration.optional(),
  heartbeatTimeout: positiveDuration.optional(),
  startWithin: positiveDuration.optional(),
  retry: z
    .strictObject({
      attempts: retrySchema.shape.attempts.unwrap().optional(),
      interval: retrySchema.shape.interval.unwrap().optional(),
      backoff: retrySchema.shape.backoff.unwrap().optional(),
      maxInterval: retrySchema.shape.maxInterval,
      nonRetryable: retrySchema.shape.nonRetryable.unwrap().optional(),
    })
    .optional(),
  safeToRepeat: z.boolean().optional(),
  env: z.record(z.string(), z.string()).optional(),
};

/** Every default of a job's settings, taken from the schema so it is stated once. */
export const jobSettingDefaults = z.strictObject({ ...commonFields, ...runSettings }).parse({});

function kindsIn(value: object, kinds: readonly JobKind[]): JobKind[] {
  return kinds.filter((kind) => Reflect.get(value, kind) !== undefined);
}

/** "a, b or c" (`joiner` "and" for "a, b and c"). */
function spoken(words: readonly string[], joiner = 'or'): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} ${joiner} ${words[words.length - 1]}`;
}

const kindList = (kinds: readonly JobKind[]): string => spoken(kinds);

/** A refinement of a job object, with its zod parameters. */
interface JobRule {
  check: (value: object) => boolean;
  params: z.core.$ZodCustomParams;
}

/**
 * "Exactly one kind", and `args` only with `activity`: refinements that run even when fields
 * failed, so everything wrong with a job is reported at once.
 */
function kindRules(kinds: readonly JobKind[], what: string): Record<'hasKind' | 'oneKind' | 'argsNeedActivity', JobRule> {
  return {
    hasKind: {
      check: (value) => kindsIn(value, kinds).length > 0,
      params: { when: whenObject, params: { rule: NO_KIND_RULE }, error: `a ${what} needs one kind: ${kindList(kinds)}` },
    },
    oneKind: {
      check: (value) => kindsIn(value, kinds).length <= 1,
      params: {
        when: whenObject,
        error: (issue) =>
          `a ${what} has exactly one kind; this one has ${typeof issue.input === 'object' && issue.input !== null ? spoken(kindsIn(issue.input, kinds), 'and') : 'several'}`,
      },
    },
    argsNeedActivity: {
      check: (value) => Reflect.get(value, 'args') === undefined || Reflect.get(value, 'activity') !== undefined,
      params: { when: whenObject, path: ['args'], error: `args are the arguments of an activity; this ${what} has no activity` },
    },
  };
}

const jobRules = kindRules(JOB_KINDS, 'job');

export const catalogJobSchema = z
  .strictObject({
    ...kindFields,
    ...commonFields,
    ...runSettings,
    /** When the job runs by itself; a step runs when its jobnet does, so only jobs have one. */
    schedule: scheduleSchema.optional(),
  })
  .refine(jobRules.hasKind.check, jobRules.hasKind.params)
  .refine(jobRules.oneKind.check, jobRules.oneKind.params)
  .refine(jobRules.argsNeedActivity.check, jobRules.argsNeedActivity.params);

const stepRules = kindRules(STEP_KINDS, 'step');

export const jobnetStepSchema = z
  .strictObject({
    ...kindFields,
    /** A job of `jobs:` run as this step, with the step's own fields overriding its settings. */
    use: useReferenceSchema.optional(),
    /** Steps of the same jobnet that must have finished (see `when`) before this one starts. */
    needs: uniqueNames(nameSchema('step')).default([]),
    ...commonFields,
    ...runOverrides,
  })
  .refine(stepRules.hasKind.check, stepRules.hasKind.params)
  .refine(stepRules.oneKind.check, stepRules.oneKind.params)
  .refine(stepRules.argsNeedActivity.check, stepRules.argsNeedActivity.params);

export const jobnetSchema = z.strictObject({
  description: z.string().optional(),
  schedule: scheduleSchema.optional(),
  /** The whole run should be over this long after its scheduled start; past it, an alert. */
  deadline: positiveDuration.optional(),
  jobs: z.record(nameSchema('step'), jobnetStepSchema).refine((steps) => Object.keys(steps).length > 0, 'a jobnet needs at least one job'),
});

export type CatalogJob = z.output<typeof catalogJobSchema>;
export type CatalogJobInput = z.input<typeof catalogJobSchema>;
export type JobnetStep = z.output<typeof jobnetStepSchema>;
export type Jobnet = z.output<typeof jobnetSchema>;

/** The kind of a parsed job or step (the schema guarantees there is exactly one). */
export function jobKindOf(job: CatalogJob | JobnetStep): JobKind {
  const [kind] = kindsIn(job, STEP_KINDS);
  if (kind === undefined) throw new TypeError('a parsed job always has a kind');
  return kind;
}
