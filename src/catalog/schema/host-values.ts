/**
 * Which values of the catalog are resolved on the host that uses them, never where the catalog
 * is read: the ones that carry secrets. A command's argv, env and cwd (a job's, a step's, the
 * defaults', a fan-out's key source) are resolved by the worker that spawns the command, an
 * activity's `args` by the worker that calls it, a channel's URL by the worker that sends. So `${DB_PASSWORD}` reaches Temporal — encrypted, and
 * even decoded — as the reference, and the value exists only in the worker's environment.
 */

type Path = readonly (string | number)[];

const CHANNEL_URL_KEYS = new Set(['webhookUrl', 'url', 'smtpUrl']);

/**
 * `command[i]`, `env.<k>`, `cwd` and any string under `args` (an activity's arguments, e.g. an
 * SMTP URL with its password) below a job, step or `defaults`, and the same of a fan-out's
 * `itemsFrom`.
 */
function isCommandValue(rest: Path): boolean {
  if (rest.length === 2 && (rest[0] === 'command' || rest[0] === 'env')) return true;
  if (rest.length === 1 && rest[0] === 'cwd') return true;
  if (rest.length >= 2 && rest[0] === 'args') return true;
  return rest.length >= 3 && rest[0] === 'fanout' && rest[1] === 'itemsFrom' && isCommandValue(rest.slice(2));
}

export function isResolvedOnHost(path: Path): boolean {
  const [section] = path;
  if (section === 'jobs') return isCommandValue(path.slice(2));
  if (section === 'jobnets' && path[2] === 'jobs') return isCommandValue(path.slice(4));
  if (section === 'defaults') return isCommandValue(path.slice(1));
  if (section === 'notify') return path.length === 4 && path[1] === 'channels' && CHANNEL_URL_KEYS.has(String(path[3]));
  return false;
}
