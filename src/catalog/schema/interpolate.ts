/**
 * `${NAME}` and `${NAME:-default}` in the catalog's string values, from the environment.
 *
 * Values that carry secrets — a command's argv, env and cwd, a notification channel's URL (see
 * host-values.ts) — are never resolved where the catalog is read: they travel as written, so
 * even a decoded history shows `${DB_PASSWORD}`, and the worker that spawns the command or
 * sends the notification resolves them from its own environment (`resolveOnHost`). Their
 * references are still checked at load.
 *
 * Every other string value is interpolated from the loading process's environment when the
 * catalog is loaded (keys are not: names must not depend on where the file is read):
 *
 * - `${NAME}` is the variable's value (an empty value counts as set);
 * - `${NAME:-default}` is the value, or `default` when NAME is unset or empty (as in sh);
 * - `$${` is a literal `${`, so `sh -c 'echo $${HOME}'` reaches the shell as `echo ${HOME}`;
 * - any other `$` is literal text (`$(date)`, `$1`, `$HOME` pass through untouched).
 *
 * A `${NAME}` whose variable is unset is not an error when the catalog is loaded: an operator
 * listing jobs on a laptop has no SMTP password, and should not need one. The value becomes
 * *deferred* instead: the text as written, flagged by a leading NUL character. The flag is
 * unambiguous (the loader rejects NUL in the file) and fails safe: no argv element,
 * environment value, path or URL can contain NUL, so a deferred value that reached the
 * outside world unresolved would be refused there rather than used wrongly. Where a value is
 * needed, it is resolved then, from the environment of the process that needs it:
 *
 * - `resolveSecret(value)` — a runbook URL on the worker that sends the alert;
 * - `jobSpecOf()` resolves a job's description, queue, host and file paths before a run is
 *   started, and reports every variable still unset as bad input.
 *
 * A value the schema must understand to check the catalog at all — a duration, a name, a
 * number, an e-mail address — needs its variables at load time; the loader reports it unset
 * there, at its path and line.
 */

export type Env = Readonly<Record<string, string | undefined>>;

/** Prefix of a deferred value: see the module comment for why NUL. */
const DEFERRED = '\u0000';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A malformed reference (`${`, `${1X}`, `${A:?x}`): reported at load, whatever the environment. */
export class TemplateSyntaxError extends Error {
  override readonly name = 'TemplateSyntax';
}

/** A variable a value needs is not set where the value is used. */
export class UnsetVariableError extends Error {
  override readonly name = 'UnsetVariable';
  constructor(readonly variables: readonly string[]) {
    super(`environment variable${variables.length > 1 ? 's' : ''} ${variables.join(', ')} ${variables.length > 1 ? 'are' : 'is'} not set`);
  }
}

export type Segment = { text: string } | { variable: string; fallback?: string };

/** A template's literal text and references, in order. Throws `TemplateSyntaxError` when malformed. */
export function parseTemplate(template: string): Segment[] {
  const segments: Segment[] = [];
  let literal = '';
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('$${', i)) {
      literal += '${';
      i += 3;
      continue;
    }
    if (!template.startsWith('${', i)) {
      literal += template[i];
      i += 1;
      continue;
    }
    const end = template.indexOf('}', i + 2);
    if (end < 0) throw new TemplateSyntaxError(`"\${" without a closing "}" (write $\${ for a literal \${)`);
    const body = template.slice(i + 2, end);
    const fallbackAt = body.indexOf(':-');
    const variable = fallbackAt < 0 ? body : body.slice(0, fallbackAt);
    const fallback = fallbackAt < 0 ? undefined : body.slice(fallbackAt + 2);
    if (/^[A-Za-z_][A-Za-z0-9_]*[:?+=-]/.test(variable)) {
      throw new TemplateSyntaxError(`"\${${body}}": only \${NAME} and \${NAME:-default} are supported`);
    }
    if (!NAME.test(variable)) {
      throw new TemplateSyntaxError(
        `"\${${body}}" is not a reference: write \${NAME} or \${NAME:-default}, NAME being letters, digits and "_" (write $\${ for a literal \${)`,
      );
    }
    if (fallback?.includes('${')) throw new TemplateSyntaxError(`"\${${body}}": a default cannot contain another reference`);
    if (literal) segments.push({ text: literal });
    literal = '';
    segments.push(fallback === undefined ? { variable } : { variable, fallback });
    i = end + 1;
  }
  if (literal) segments.push({ text: literal });
  return segments;
}

/**
 * The template's text with its references replaced, and the variables that were unset (and
 * had no default). Throws `TemplateSyntaxError` on a malformed reference.
 */
export function interpolate(template: string, env: Env): { value: string; unset: string[] } {
  let value = '';
  const unset: string[] = [];
  for (const segment of parseTemplate(template)) {
    if ('text' in segment) {
      value += segment.text;
      continue;
    }
    const found = env[segment.variable];
    if (segment.fallback !== undefined) value += found ? found : segment.fallback;
    else if (found !== undefined) value += found;
    else if (!unset.includes(segment.variable)) unset.push(segment.variable);
  }
  return { value, unset };
}

/**
 * A template resolved on the host that uses it — a command's argv, env and cwd on the worker
 * that spawns it, a channel URL on the worker that sends: the value, and each variable read
 * with the value it had (what the worker masks in what it reports). Throws
 * `UnsetVariableError` naming every variable still unset.
 */
export function resolveOnHost(template: string, env: Env = process.env): { value: string; used: Map<string, string> } {
  const used = new Map<string, string>();
  const unset: string[] = [];
  let value = '';
  for (const segment of parseTemplate(template)) {
    if ('text' in segment) {
      value += segment.text;
      continue;
    }
    const found = env[segment.variable];
    if (found !== undefined && (found !== '' || segment.fallback === undefined)) {
      value += found;
      used.set(segment.variable, found);
    } else if (segment.fallback !== undefined) value += segment.fallback;
    else if (!unset.includes(segment.variable)) unset.push(segment.variable);
  }
  if (unset.length > 0) throw new UnsetVariableError(unset);
  return { value, used };
}

/** Whether a template reads any variable (`$${` is literal text, not a reference). */
export function hasReference(template: string): boolean {
  try {
    return parseTemplate(template).some((segment) => 'variable' in segment);
  } catch {
    return false;
  }
}

/** The value a string of the file has in the loaded catalog: resolved, or deferred when a variable is unset. */
export function loadTimeValue(template: string, env: Env): string {
  const { value, unset } = interpolate(template, env);
  return unset.length === 0 ? value : DEFERRED + template;
}

export function isDeferred(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(DEFERRED);
}

/** A deferred value as the operator wrote it, for messages. */
export function asWritten(value: string): string {
  return isDeferred(value) ? value.slice(DEFERRED.length) : value;
}

/** The variables a deferred value still waits for (none for a resolved value). */
export function unsetVariables(value: string, env: Env = {}): string[] {
  return isDeferred(value) ? interpolate(asWritten(value), env).unset : [];
}

/**
 * A value ready to use: resolved values as they are, deferred ones resolved now from `env` —
 * the environment of the process that uses it, e.g. the worker that sends a notification.
 * Throws `UnsetVariableError` naming what is still missing.
 */
export function resolveSecret(value: string, env: Env = process.env): string {
  if (!isDeferred(value)) return value;
  const { value: resolved, unset } = interpolate(asWritten(value), env);
  if (unset.length > 0) throw new UnsetVariableError(unset);
  return resolved;
}

export interface TreeProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Interpolates every string value of a parsed document (keys stay as written), collecting
 * every malformed reference with its path instead of stopping at the first.
 */
export function interpolateTree(
  value: unknown,
  env: Env,
  /** Paths whose values stay as written (checked, not resolved): they are resolved on the host that uses them. */
  keepAsWritten: (path: readonly (string | number)[]) => boolean = () => false,
): { value: unknown; problems: TreeProblem[] } {
  const problems: TreeProblem[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      if (node.includes(DEFERRED)) {
        problems.push({ path, message: 'contains a NUL character, which no command, path or URL can carry' });
        return node;
      }
      try {
        if (keepAsWritten(path)) {
          parseTemplate(node);
          return node;
        }
        return loadTimeValue(node, env);
      } catch (error) {
        if (!(error instanceof TemplateSyntaxError)) throw error;
        problems.push({ path, message: error.message });
        return node;
      }
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, [...path, key])]));
    }
    return node;
  };
  return { value: walk(value, []), problems };
}
