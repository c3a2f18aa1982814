import type { EventRouting } from '../../contracts/events';
import { eventRoutingFor } from './event-routing';
import type { Catalog } from '../schema/catalog-schema';
import type { Env } from '../schema/interpolate';

/**
 * The `notify` input of the runs the catalog starts: a job on its own, a jobnet, a jobnet's
 * step. Channel URLs stay as the catalog writes them (`${VAR}`: resolved by the worker that
 * sends), so no secret enters a run's input. Without `routeEvents`, and when no route concerns
 * the run, there is none and the run raises its events to nobody.
 */
export interface RunRoutingOptions {
  /** Give the run where its events go (what the CLI, the starter and sync do). */
  routeEvents?: boolean;
  /** Where $JOBNET_UI_URL is read. */
  env?: Env;
}

/** What a job or step says about its alerts. */
interface AlertFields {
  group?: string;
  runbooks: Readonly<Record<string, string>>;
}

/** A job started on its own (`jobnet run`, a Schedule): its events carry its name. */
export function jobRouting(catalog: Catalog, name: string, job: AlertFields, options: RunRoutingOptions): EventRouting | undefined {
  return routing(catalog, name, [], { group: job.group, runbooks: job.runbooks }, options);
}

/**
 * A step of a jobnet (`chain`: the jobnet, after the jobnets it is nested in). Its events carry
 * the step's name, so a route naming the job it uses, or a jobnet around it, is made to name the
 * step too: "alerts of BATCH-001 go to the pager" covers BATCH-001 run as a step.
 */
export function stepRouting(
  catalog: Catalog,
  chain: readonly string[],
  stepName: string,
  step: AlertFields & { use?: string },
  options: RunRoutingOptions,
): EventRouting | undefined {
  const aliases = [...(step.use === undefined ? [] : [step.use]), ...chain];
  return routing(catalog, stepName, aliases, { group: step.group, runbooks: step.runbooks, jobnet: chain[chain.length - 1] }, options);
}

/** A jobnet's own events (its failure): `chain` ends with the jobnet itself. */
export function jobnetRouting(catalog: Catalog, chain: readonly string[], options: RunRoutingOptions): EventRouting | undefined {
  const name = chain[chain.length - 1]!;
  const enclosing = chain.slice(0, -1);
  return routing(catalog, name, enclosing, { jobnet: enclosing[enclosing.length - 1], runbooks: {} }, options);
}

function routing(
  catalog: Catalog,
  name: string,
  aliases: readonly string[],
  target: { group?: string; jobnet?: string; runbooks: Readonly<Record<string, string>> },
  options: RunRoutingOptions,
): EventRouting | undefined {
  if (options.routeEvents !== true) return undefined;
  const built = eventRoutingFor(
    catalog.notify,
    {
      names: [name, ...aliases],
      ...(target.group === undefined ? {} : { group: target.group }),
      ...(target.jobnet === undefined ? {} : { jobnet: target.jobnet }),
      runbooks: target.runbooks,
    },
    options.env === undefined ? {} : { env: options.env },
  );
  const routes = (built.routes ?? []).map((route) =>
    route.jobs && !route.jobs.includes(name) && route.jobs.some((job) => aliases.includes(job)) ? { ...route, jobs: [...route.jobs, name] } : route,
  );
  if (routes.length === 0) return undefined;
  return { ...built, routes };
}
