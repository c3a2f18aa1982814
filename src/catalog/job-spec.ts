import { jobKindOf, type CatalogJob } from './catalog-job-schema';
import { asWritten, isDeferred, resolveSecret, unsetVariables, type Env } from './interpolate';
import type { CommandJob } from './job-schema';
import { InvalidInputError, type InputProblem } from './validation-error';

/**
 * The command job a catalog job runs as: jobWorkflow's `job`, without the catalog-only fields
 * (schedule, locks, after, when, …) that jobRunInputSchema, being strict, refuses.
 *
 * This is where a command job's values are needed, so deferred `${VAR}` values (unset when the
 * catalog was loaded) are resolved here from `env`, and any still unset is bad input — reported
 * with its path before anything is started. The result is in parsed form (milliseconds); a
 * workflow input needs it in input form (see toJobInput).
 */
export function commandJobOf(job: CatalogJob, name: string, env: Env = process.env): CommandJob {
  const where = `jobs.${name}`;
  if (job.command === undefined) {
    const kind = jobKindOf(job);
    const article = /^[aeiou]/i.test(kind) ? 'an' : 'a';
    throw new InvalidInputError([{ path: where, message: `is ${article} ${kind} job; only command jobs run as a jobWorkflow (yet)` }], 'catalog');
  }
  const problems: InputProblem[] = [];
  const resolve = (value: string, path: string): string => {
    if (!isDeferred(value)) return value;
    const unset = unsetVariables(value, env);
    if (unset.length === 0) return resolveSecret(value, env);
    problems.push({ path: `${where}.${path}`, message: `environment variable ${unset.join(', ')} is not set ("${asWritten(value)}")` });
    return value;
  };
  const resolved: CommandJob = {
    command: job.command.map((arg, index) => resolve(arg, `command[${index}]`)),
    env: Object.fromEntries(Object.entries(job.env).map(([key, value]) => [key, resolve(value, `env.${key}`)])),
    timeout: job.timeout,
    killGrace: job.killGrace,
    heartbeatTimeout: job.heartbeatTimeout,
    retry: job.retry,
    safeToRepeat: job.safeToRepeat,
    ...(job.description === undefined ? {} : { description: resolve(job.description, 'description') }),
    ...(job.cwd === undefined ? {} : { cwd: resolve(job.cwd, 'cwd') }),
    ...(job.queue === undefined ? {} : { queue: resolve(job.queue, 'queue') }),
    ...(job.host === undefined ? {} : { host: resolve(job.host, 'host') }),
    ...(job.delayedRetry === undefined ? {} : { delayedRetry: job.delayedRetry }),
  };
  if (problems.length > 0) throw new InvalidInputError(problems, 'catalog');
  return resolved;
}
