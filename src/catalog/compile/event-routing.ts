import type { Env } from '../schema/interpolate';
import type { Notify } from '../schema/notify-schema';
import { DEFAULT_UI_BASE_URL } from '../schema/event-routing-schema';
import type { EventRouting } from '../../contracts/events';

/**
 * The `notify` input of a run (src/catalog/schema/event-routing-schema.ts), built where runs are started
 * (starter, CLI, sync) from the loaded catalog.
 */

export interface RoutingTarget {
  /**
   * The names this run's events can carry as `job` or `jobnet`: for a job run its name (and its
   * jobnet, when it runs as a step); for a jobnet run the jobnet and its steps' jobs. Routes
   * naming none of them are left out of the input. Undefined keeps every route.
   */
  names?: readonly string[];
  /** The job's `group`. */
  group?: string;
  /** The jobnet the job runs in. */
  jobnet?: string;
  /** The job's `runbooks:` (error type → URL). */
  runbooks?: Readonly<Record<string, string>>;
}

export interface RoutingOptions {
  /** Where $JOBNET_UI_URL is read; default this process's environment. */
  env?: Env;
}

/**
 * Channel URLs go in as the catalog writes them (`${SLACK_WEBHOOK_URL}`, see
 * catalog/host-values.ts): the worker that sends resolves them, so no secret enters a run's input.
 */
export function eventRoutingFor(notify: Notify, target: RoutingTarget, options: RoutingOptions = {}): EventRouting {
  const env = options.env ?? process.env;
  const source = notify;
  const routes = source.routes.filter((route) => {
    // Groups are left to the routing at run time: a jobnet's events carry each step's group.
    return !(route.jobs && target.names && !route.jobs.some((name) => target.names?.includes(name)));
  });
  const used = new Set(routes.flatMap((route) => route.channels));
  const channels = Object.fromEntries(Object.entries(source.channels).filter(([name]) => used.has(name)));
  return {
    channels,
    routes,
    ...(target.group !== undefined ? { group: target.group } : {}),
    ...(target.jobnet !== undefined ? { jobnet: target.jobnet } : {}),
    runbooks: { ...target.runbooks },
    uiBaseUrl: env.JOBNET_UI_URL || DEFAULT_UI_BASE_URL,
  };
}
