import type { Catalog } from '../schema/catalog-schema';
import { jobKindOf, type CatalogJob } from '../schema/catalog-job-schema';
import { asWritten, isDeferred, resolveSecret, unsetVariables, type Env } from '../schema/interpolate';
import type { JobSpec } from '../schema/job-schema';
import type { EffectiveStep } from './steps';
import { InvalidInputError, type InputProblem } from '../../validation/validation-error';

const ms = (value: number) => `${value}ms`;

/**
 * The job a catalog job (or a jobnet step, with its effective settings) runs as: jobWorkflow's
 * `job`, without the catalog-only fields (schedule, when, …) that jobRunInputSchema, being
 * strict, refuses — and with what the run coordinates with resolved from the whole catalog:
 * each lock's policy, and whether other schedules wait (`after`) for this job's success.
 *
 * This is where a job's values are needed, so deferred `${VAR}` values (unset when the
 * catalog was loaded) are resolved here from `env`, and any still unset is bad input — reported
 * with its path before anything is started. The command's argv, env and cwd stay as written:
 * the worker that spawns it resolves them (host-values.ts). The result is in parsed form (milliseconds); a
 * workflow takes it as it is.
 *
 * `announceName` is the catalog job whose success this run is (a step's `use`, or the job
 * itself); an inline step has none.
 */
export function jobSpecOf(
  catalog: Catalog,
  job: CatalogJob | EffectiveStep,
  name: string,
  env: Env = process.env,
  announceName: string | undefined = name,
): JobSpec {
  const where = `jobs.${name}`;
  const problems: InputProblem[] = [];
  const resolve = (value: string, path: string): string => {
    if (!isDeferred(value)) return value;
    const unset = unsetVariables(value, env);
    if (unset.length === 0) return resolveSecret(value, env);
    problems.push({ path: `${where}.${path}`, message: `environment variable ${unset.join(', ')} is not set ("${asWritten(value)}")` });
    return value;
  };
  const work = workOf(job, where, resolve);
  const resolved: JobSpec = {
    ...work,
    env: job.env,
    timeout: job.timeout,
    killGrace: job.killGrace,
    heartbeatTimeout: job.heartbeatTimeout,
    retry: job.retry,
    safeToRepeat: job.safeToRepeat,
    locks: job.locks.map((lock) => {
      const declared = catalog.locks[lock];
      return { name: lock, policy: declared?.policy ?? 'wait', ...(declared?.maxWait === undefined ? { maxWait: 3_600_000 } : { maxWait: declared.maxWait }) };
    }),
    after: job.after.map((after) => ({ job: after.job, maxWait: after.maxWait ?? 86_400_000 })),
    ...(announceName !== undefined && awaitedNames(catalog).has(announceName) ? { announceAs: announceName } : {}),
    ...(job.description === undefined ? {} : { description: resolve(job.description, 'description') }),
    ...(job.cwd === undefined ? {} : { cwd: job.cwd }),
    ...(job.queue === undefined ? {} : { queue: resolve(job.queue, 'queue') }),
    ...(job.host === undefined ? {} : { host: resolve(job.host, 'host') }),
    ...(job.delayedRetry === undefined ? {} : { delayedRetry: job.delayedRetry }),
    // What the run checks about itself and reports as events.
    ...(job.startWithin === undefined ? {} : { startWithin: job.startWithin }),
    ...(job.warnAfter === undefined ? {} : { warnAfter: job.warnAfter }),
    ...(job.expect === undefined ? {} : { expect: job.expect }),
    ...(job.consecutiveFailures === undefined ? {} : { consecutiveFailures: job.consecutiveFailures }),
  };
  if (problems.length > 0) throw new InvalidInputError(problems, 'catalog');
  return resolved;
}

/**
 * What the job does: its argv, or the activity it calls. File kinds are activities of the worker
 * (`fileWait`, `fileImport`) called with the kind's settings, durations written as "<n>ms".
 */
function workOf(job: CatalogJob | EffectiveStep, where: string, resolve: (value: string, path: string) => string): Pick<JobSpec, 'command' | 'activity'> {
  if (job.command !== undefined) return { command: job.command };
  if (job.activity !== undefined) return { activity: { name: job.activity, args: job.args ?? {} } };
  if (job.fileWait !== undefined) {
    const { path, pollInterval, stableFor, maxWait } = job.fileWait;
    return {
      activity: {
        name: 'fileWait',
        args: {
          path: resolve(path, 'fileWait.path'),
          pollInterval: ms(pollInterval),
          ...(stableFor === undefined ? {} : { stableFor: ms(stableFor) }),
          ...(maxWait === undefined ? {} : { maxWait: ms(maxWait) }),
        },
      },
    };
  }
  if (job.fileImport !== undefined) {
    const { from, to, ...rest } = job.fileImport;
    return { activity: { name: 'fileImport', args: { ...rest, from: resolve(from, 'fileImport.from'), to: resolve(to, 'fileImport.to') } } };
  }
  const kind = jobKindOf(job);
  const article = /^[aeiou]/i.test(kind) ? 'an' : 'a';
  throw new InvalidInputError([{ path: where, message: `is ${article} ${kind} job; ${kind} jobs do not run as a jobWorkflow (yet)` }], 'catalog');
}

/** Names some job or step waits for with `after`: their runs announce their success. */
export function awaitedNames(catalog: Catalog): Set<string> {
  const names = new Set<string>();
  for (const job of Object.values(catalog.jobs)) for (const after of job.after) names.add(after.job);
  for (const jobnet of Object.values(catalog.jobnets)) {
    for (const step of Object.values(jobnet.jobs)) for (const after of step.after) names.add(after.job);
  }
  return names;
}
