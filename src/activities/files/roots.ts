import { ApplicationFailure } from '@temporalio/common';
import { realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * The directories file activities may read and write: JOBNET_FILE_ROOTS (a list separated
 * like PATH), else the worker's working directory. A catalog is written by operators, but the
 * worker runs with its own rights; the roots keep a typo or a `../..` from reaching /etc.
 */
export function fileRoots(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string[] {
  const listed = (env.JOBNET_FILE_ROOTS ?? '')
    .split(path.delimiter)
    .map((root) => root.trim())
    .filter(Boolean);
  return (listed.length > 0 ? listed : [cwd]).map((root) => realOrResolved(path.resolve(cwd, root)));
}

/** The real path of the longest existing prefix, with the rest appended: symlinks cannot escape. */
export function realOrResolved(target: string): string {
  const missing: string[] = [];
  let current = path.resolve(target);
  for (;;) {
    try {
      return path.join(realpathSync(current), ...missing.reverse());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const parent = path.dirname(current);
      if (parent === current) return path.resolve(target);
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

function inside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

export const PATH_OUTSIDE_ROOTS = 'PathOutsideRoots';

/**
 * `target` (relative to the worker's working directory) as an absolute real path inside one of
 * `roots`; anything else is a non-retryable failure naming the setting to change.
 */
export function resolveInRoots(target: string, roots: string[], what: string, cwd = process.cwd()): string {
  const resolved = realOrResolved(path.resolve(cwd, target));
  if (roots.some((root) => inside(root, resolved))) return resolved;
  throw ApplicationFailure.create({
    type: PATH_OUTSIDE_ROOTS,
    message: `${what} ${target} (${resolved}) is outside the worker's file roots (${roots.join(', ')}); set JOBNET_FILE_ROOTS on the worker to allow it`,
    nonRetryable: true,
  });
}
