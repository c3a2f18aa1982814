import type { FanoutRun } from '../../contracts/fanout';
import type { JobRun } from '../../contracts/job';
import type { JobnetRun } from '../../contracts/jobnet';
import { businessDateAt } from '../../time/business-date';
import { didYouMean } from '../../validation/suggest';
import { InvalidInputError } from '../../validation/validation-error';
import { DEFAULT_QUEUE, type Catalog } from '../schema/catalog-schema';
import type { Env } from '../schema/interpolate';
import { fanoutRunInput } from './fanout-input';
import { jobSpecOf } from './job-spec';
import { jobnetRunInput } from './jobnet-input';
import { jobRouting } from './run-routing';

/** What starting a catalog entry takes: which workflow, its input, where it runs. */
export type CatalogRunInput = { taskQueue: string; description?: string } & (
  { workflow: 'job'; input: JobRun } | { workflow: 'jobnet'; input: JobnetRun } | { workflow: 'fanout'; input: FanoutRun }
);

/**
 * The one compile step from a catalog to a run: the input of the job, fan-out or jobnet `name`
 * for a business date (default: today in the catalog's zone). `jobnet run`, `npm run start` and
 * `jobnet sync` (its Schedules' actions) all start runs from it. Every run routes its events as
 * the catalog's `notify:` says. Throws InvalidInputError for a name the catalog does not have.
 */
export function runInputFor(catalog: Catalog, name: string, businessDate?: string, options: { env?: Env; catalogFile?: string } = {}): CatalogRunInput {
  const env = options.env ?? process.env;
  const date = businessDate ?? businessDateAt(new Date(), catalog.timezone, catalog.dayBoundary);
  const taskQueue = catalog.defaults.queue ?? DEFAULT_QUEUE;
  const job = catalog.jobs[name];
  const jobnet = catalog.jobnets[name];
  if (job?.fanout === undefined && jobnet !== undefined) {
    return { workflow: 'jobnet', input: jobnetRunInput(catalog, name, date, env, { routeEvents: true }), taskQueue, description: jobnet.description };
  }
  if (job === undefined) {
    const jobs = Object.keys(catalog.jobs);
    const jobnets = Object.keys(catalog.jobnets);
    const known = `jobs: ${jobs.join(', ') || '(none)'}; jobnets: ${jobnets.join(', ') || '(none)'}`;
    const where = options.catalogFile === undefined ? 'the catalog' : options.catalogFile;
    throw new InvalidInputError(
      [{ path: name, message: `no job or jobnet "${name}" in ${where}${didYouMean(name, [...jobs, ...jobnets])}; ${known}` }],
      'arguments',
    );
  }
  const notify = jobRouting(catalog, name, job, { routeEvents: true });
  if (job.fanout !== undefined) {
    return { workflow: 'fanout', input: fanoutRunInput(catalog, job, name, date, env, notify), taskQueue, description: job.description };
  }
  const input: JobRun = { name, businessDate: date, job: jobSpecOf(catalog, job, name), ...(notify === undefined ? {} : { notify }) };
  return { workflow: 'job', input, taskQueue, description: job.description };
}
