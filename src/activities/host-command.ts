import { ApplicationFailure } from '@temporalio/common';
import { UnsetVariableError, resolveOnHost, type Env } from '../catalog/schema/interpolate';

/**
 * A command as the catalog writes it (argv, env, cwd with `${VAR}` references, see
 * catalog/host-values.ts) — or an activity's `args` — resolved here, on the worker that runs
 * it, from the worker's own environment; and a mask for what it says back: the value of every
 * variable it read becomes `***` in its output tails and error messages, and so in the run's
 * result, run log line, events and notifications, which are all made from them.
 */

export const MISSING_VARIABLE = 'MissingVariable';
export const MASK = '***';
/**
 * Shorter values are not masked: `${RETRIES:-3}` would turn every "3" of the output into ***
 * and hide more than it protects. Secrets are longer than this.
 */
export const MIN_MASKED_LENGTH = 4;

export interface CommandTemplate {
  command: readonly string[];
  env?: Readonly<Record<string, string>>;
  cwd?: string;
}

export interface HostCommand {
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  /** The text with every resolved value replaced by `***`. */
  mask(text: string): string;
}

/** Resolves templates from one host environment, remembering what each read and what is unset. */
class HostResolver {
  private readonly used = new Map<string, string>();
  private readonly unset = new Set<string>();

  constructor(private readonly hostEnv: Env) {}

  resolve(value: string): string {
    try {
      const resolved = resolveOnHost(value, this.hostEnv);
      for (const [name, found] of resolved.used) this.used.set(name, found);
      return resolved.value;
    } catch (error) {
      if (!(error instanceof UnsetVariableError)) throw error;
      for (const name of error.variables) this.unset.add(name);
      return value;
    }
  }

  /** Every string in a JSON value (an activity's args), resolved. */
  resolveDeep(value: unknown): unknown {
    if (typeof value === 'string') return this.resolve(value);
    if (Array.isArray(value)) return value.map((item) => this.resolveDeep(item));
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolveDeep(item)]));
    return value;
  }

  /** Throws MissingVariable if anything was unset; else the mask of what was read. */
  finish(jobName: string): (text: string) => string {
    if (this.unset.size > 0) {
      const names = [...this.unset];
      throw ApplicationFailure.create({
        type: MISSING_VARIABLE,
        message: `${jobName}: environment variable${names.length > 1 ? 's' : ''} ${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} not set on this worker; set ${names.length > 1 ? 'them' : 'it'} where the worker runs (nothing was started)`,
        // The worker's environment does not change by trying again.
        nonRetryable: true,
      });
    }
    return masker([...this.used.values()]);
  }
}

export function resolveCommand(template: CommandTemplate, jobName: string, hostEnv: Env = process.env): HostCommand {
  const resolver = new HostResolver(hostEnv);
  const argv = template.command.map((arg) => resolver.resolve(arg));
  const env = Object.fromEntries(Object.entries(template.env ?? {}).map(([key, value]) => [key, resolver.resolve(value)]));
  const cwd = template.cwd === undefined ? undefined : resolver.resolve(template.cwd);
  const mask = resolver.finish(jobName);
  return { argv, env, ...(cwd === undefined ? {} : { cwd }), mask };
}

/** An activity's `args` as the catalog writes them, every string resolved on this host. */
export function resolveArgs<T>(args: T, jobName: string, hostEnv: Env = process.env): { args: T; mask: (text: string) => string } {
  const resolver = new HostResolver(hostEnv);
  const resolved = resolver.resolveDeep(args) as T;
  return { args: resolved, mask: resolver.finish(jobName) };
}

/** Replaces each of `secrets` (longest first, so one inside another is masked whole) by `***`. */
export function masker(secrets: readonly string[]): (text: string) => string {
  const values = [...new Set(secrets.filter((value) => value.length >= MIN_MASKED_LENGTH))].sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  return (text) => values.reduce((masked, value) => masked.replaceAll(value, MASK), text);
}
