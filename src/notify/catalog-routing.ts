import { isRecord } from '../catalog/catalog-values';
import { isDeferred, type Env } from '../catalog/interpolate';
import type { Channel, Notify } from '../catalog/notify-schema';
import { readYaml } from '../catalog/yaml-source';
import { DEFAULT_UI_BASE_URL, type EventRoutingInput } from '../events/routing-schema';

/**
 * The `notify` input of a run (src/events/routing-schema.ts), built where runs are started
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
  /**
   * The catalog file's text. A `${VAR}` whose variable was set where the catalog was loaded
   * arrives resolved; with the text, every channel URL written with a variable is put back as
   * written, so the secret is resolved by the worker that sends and never enters a run's input
   * (which Temporal keeps in its history). Give it whenever the catalog came from a file.
   */
  catalogText?: string;
  /** Where $JOBNET_UI_URL is read; default this process's environment. */
  env?: Env;
}

export function eventRoutingFor(notify: Notify, target: RoutingTarget, options: RoutingOptions = {}): EventRoutingInput {
  const env = options.env ?? process.env;
  const source = options.catalogText === undefined ? notify : withSecretsDeferred(notify, options.catalogText);
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

const URL_KEYS = { slack: 'webhookUrl', webhook: 'url', email: 'smtpUrl' } as const satisfies Record<Channel['type'], string>;

/** The value interpolate.ts defers: the text as written behind a NUL (see the comment there). */
function deferredAsWritten(template: string): string {
  const value = `\u0000${template}`;
  if (!isDeferred(value)) throw new Error('interpolate.ts changed how deferred values are marked');
  return value;
}

/** `notify` with every channel URL that the file writes with a `${…}` reference deferred again. */
export function withSecretsDeferred(notify: Notify, catalogText: string): Notify {
  const read = readYaml(catalogText);
  const root = 'source' in read && isRecord(read.source.value) ? read.source.value : {};
  const rawNotify = isRecord(root.notify) ? root.notify : {};
  const rawChannels = isRecord(rawNotify.channels) ? rawNotify.channels : {};
  const channels = Object.fromEntries(
    Object.entries(notify.channels).map(([name, channel]): [string, Channel] => {
      const raw = rawChannels[name];
      const key = URL_KEYS[channel.type];
      const written = isRecord(raw) ? raw[key] : undefined;
      if (typeof written !== 'string' || !written.includes('${')) return [name, channel];
      return [name, { ...channel, [key]: deferredAsWritten(written) } as Channel];
    }),
  );
  return { ...notify, channels };
}
