import { existsSync } from 'node:fs';
import path from 'node:path';
import { InvalidInputError } from '../validation/validation-error';

/**
 * The activities a catalog job can name (`activity:`, a fan-out's `partition.activity` or key
 * source): jobnet's own, and those of the modules the worker registers — the registration point
 * for users' own TypeScript activities (README "The catalog", job kinds).
 *
 * `JOBNET_ACTIVITIES` (or the worker's `--activities`) lists the modules, comma-separated,
 * relative to the working directory; each exported function becomes an activity of that name.
 * Unset, the worker registers the examples' module of this checkout (`examples/activities.ts`),
 * which the embedded default's catalog (`examples/jobnet.yaml`) uses; set it empty for none.
 */
export const ACTIVITIES_ENV = 'JOBNET_ACTIVITIES';

export const EXAMPLE_ACTIVITIES = path.resolve(__dirname, '..', '..', 'examples', 'activities.ts');

export type ActivityTable = Record<string, unknown>;

/** What this process registered, looked up by the runners when a job calls an activity by name. */
const registered: ActivityTable = {};

export function registeredActivities(): ActivityTable {
  return registered;
}

/** Adds activities to this process's table (workers of one process share it; a name keeps its latest function). */
export function registerActivities(table: ActivityTable): void {
  Object.assign(registered, table);
}

/** The modules named by `--activities` / JOBNET_ACTIVITIES, or the examples' when neither is given. */
export function activityModulePaths(setting: string | undefined = process.env[ACTIVITIES_ENV], cwd = process.cwd()): string[] {
  if (setting === undefined) return existsSync(EXAMPLE_ACTIVITIES) ? [EXAMPLE_ACTIVITIES] : [];
  return setting
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => path.resolve(cwd, entry));
}

/**
 * The exported functions of the given modules. A module that cannot be loaded, or two that
 * export the same name, is bad input (exit 2): the worker would otherwise start without them and
 * every job that names them would fail on its first run.
 */
export function loadActivityModules(files: readonly string[], reserved: readonly string[] = []): ActivityTable {
  const table: ActivityTable = {};
  const from = new Map<string, string>();
  for (const file of files) {
    let exported: Record<string, unknown>;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module named at run time
      exported = require(file) as Record<string, unknown>;
    } catch (error) {
      throw new InvalidInputError(
        [{ path: file, message: `cannot load this activities module (${ACTIVITIES_ENV}): ${(error as Error).message}` }],
        ACTIVITIES_ENV,
      );
    }
    for (const [name, value] of Object.entries(exported)) {
      if (typeof value !== 'function') continue;
      const clash = reserved.includes(name) ? 'jobnet' : from.get(name);
      if (clash !== undefined) {
        throw new InvalidInputError([{ path: file, message: `exports an activity "${name}", which ${clash} already registers; rename one` }], ACTIVITIES_ENV);
      }
      from.set(name, file);
      table[name] = value;
    }
  }
  return table;
}
