import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { catalogSchema, type Catalog } from '../schema/catalog-schema';
import { NO_KIND_RULE } from '../schema/catalog-job-schema';
import { isRecord, type RawObject } from '../schema/catalog-values';
import { asWritten, interpolateTree, isDeferred, unsetVariables, type Env } from '../schema/interpolate';
import { catalogErrorMap, type KnownKeys } from './issue-messages';
import { STEP_KINDS } from '../schema/job-kinds';
import { isResolvedOnHost } from '../schema/host-values';
import { checkReferences } from './references';
import { closest } from '../../validation/suggest';
import { InvalidInputError, formatPath, type InputProblem } from '../../validation/validation-error';
import { readYaml, type YamlSource } from './yaml-source';

/**
 * Where `npm run dev` records the catalog it synced, so the CLI of the same checkout finds it
 * too: right after `npm ci && npm run dev`, `npx jobnet list` shows what the Web UI shows.
 */
export const DEV_CATALOG_RECORD = path.resolve(__dirname, '..', '..', '..', '.data', 'dev-catalog');

/** The catalog `npm run dev` last synced, when it recorded one that still exists. */
function devCatalog(record: string): string | undefined {
  if (!existsSync(record)) return undefined;
  const recorded = readFileSync(record, 'utf8').trim();
  return recorded !== '' && existsSync(recorded) ? recorded : undefined;
}

/**
 * -c/--catalog, else $JOBNET_CATALOG, else ./jobnet.yaml (DESIGN.md §4); when there is no
 * ./jobnet.yaml, the catalog the embedded default (`npm run dev`) of this checkout syncs.
 */
export function catalogPath(
  explicit?: string,
  where: { cwd: string; env: NodeJS.ProcessEnv; devRecord: string } = { cwd: process.cwd(), env: process.env, devRecord: DEV_CATALOG_RECORD },
): string {
  const chosen = explicit ?? where.env.JOBNET_CATALOG;
  if (chosen !== undefined) return path.resolve(where.cwd, chosen);
  const local = path.resolve(where.cwd, 'jobnet.yaml');
  return existsSync(local) ? local : (devCatalog(where.devRecord) ?? local);
}

export interface ParseOptions {
  /** Where `${NAME}` is looked up; default: this process's environment. */
  env?: Env;
}

/**
 * The top level as the schema should see it. Keys starting with `x-` are the author's own (as
 * in Compose files): a place for YAML anchors such as `x-retry: &retry { attempts: 3 }`,
 * ignored by jobnet. A section left empty (`jobs:` with every job commented out) is YAML's
 * null, and means the same as no section.
 */
function topLevelSections(value: unknown): unknown {
  return isRecord(value) ? Object.fromEntries(Object.entries(value).filter(([key, section]) => !key.startsWith('x-') && section !== null)) : value;
}

/** Each job gets the catalog's defaults under its own values; `retry` merges field by field. */
function withDefaults(raw: RawObject): RawObject {
  const defaults = isRecord(raw.defaults) ? raw.defaults : {};
  if (!isRecord(raw.jobs)) return raw;
  const jobs = Object.fromEntries(
    Object.entries(raw.jobs).map(([name, job]) => {
      if (!isRecord(job)) return [name, job];
      const merged: RawObject = { ...defaults, ...job };
      if (isRecord(defaults.retry) || isRecord(job.retry)) {
        merged.retry = { ...(isRecord(defaults.retry) ? defaults.retry : {}), ...(isRecord(job.retry) ? job.retry : {}) };
      }
      return [name, merged];
    }),
  );
  return { ...raw, jobs };
}

/**
 * Parses and validates a catalog text (YAML or JSON). Every problem of the file is reported at
 * once — syntax aside, which stops the reading — each with its path and line, in line order.
 * Throws `InvalidInputError`, and nothing else, for any bad input.
 */
export function parseCatalog(text: string, source = 'catalog', options: ParseOptions = {}): Catalog {
  const read = readYaml(text);
  if ('syntax' in read) throw new InvalidInputError(read.syntax, source);
  const { source: yaml } = read;
  if (yaml.value !== undefined && yaml.value !== null && !isRecord(yaml.value)) {
    throw new InvalidInputError([{ path: '(root)', message: 'a catalog is a mapping with version, jobs, …', line: 1 }], source);
  }
  const interpolated = interpolateTree(topLevelSections(yaml.value ?? {}), options.env ?? process.env, isResolvedOnHost);
  const raw = isRecord(interpolated.value) ? interpolated.value : {};

  const parsed = validate(raw);
  const templateProblems = interpolated.problems.map((problem) => ({
    path: formatPath(problem.path),
    message: problem.message,
    line: yaml.lineOf(problem.path),
  }));
  // A malformed ${…} stays as written, which the schema may reject too: the cause is enough.
  const schemaProblems = parsed.success
    ? []
    : problemsFromIssues(parsed.issues, parsed.knownKeys, raw, yaml).filter((p) => !templateProblems.some((t) => t.path === p.path));
  const problems: InputProblem[] = [
    ...yaml.keyProblems,
    ...templateProblems,
    ...schemaProblems,
    ...checkReferences(raw).map((problem) => ({ path: formatPath(problem.path), message: problem.message, line: yaml.lineOf(problem.path) })),
  ];
  if (problems.length > 0 || !parsed.success) throw new InvalidInputError(inLineOrder(distinct(problems)), source);
  return parsed.data;
}

type Validation = { success: true; data: Catalog } | { success: false; issues: z.core.$ZodIssue[]; knownKeys: KnownKeys };

function validate(raw: RawObject): Validation {
  const attempt = (input: RawObject): Validation => {
    const knownKeys: KnownKeys = new WeakMap();
    const result = catalogSchema.safeParse(input, { error: catalogErrorMap(knownKeys) });
    return result.success ? { success: true, data: result.data } : { success: false, issues: result.error.issues, knownKeys };
  };
  const merged = attempt(withDefaults(raw));
  // A bad default would otherwise be reported again under every job that inherits it.
  if (!merged.success && merged.issues.some((issue) => issue.path[0] === 'defaults')) return attempt(raw);
  return merged;
}

/** Keys that belong elsewhere in the catalog: say where, rather than only "unknown". */
function misplacedKeyHint(objectPath: readonly PropertyKey[], key: string): string | undefined {
  const isJob = objectPath.length === 2 && objectPath[0] === 'jobs';
  const isStep = objectPath.length === 4 && objectPath[0] === 'jobnets' && objectPath[2] === 'jobs';
  if (isJob && key === 'needs') return '"needs" orders the steps inside a jobnet; a job waits for another schedule\'s job with after: [{ job: … }]';
  if (isJob && key === 'use') return '"use" runs a catalog job as a step inside a jobnet; a job of jobs: has its own kind (command, activity, …)';
  if (isStep && key === 'schedule') return '"schedule" is not allowed on a step inside a jobnet: a step runs when its jobnet runs; schedule the jobnet';
  return undefined;
}

interface Found extends InputProblem {
  /** For "unknown field": the key, and the known key it is probably a misspelling of. */
  unknownKey?: string;
  suggestion?: string;
  /** For a missing required field: the object's path and the key. */
  missing?: { parent: string; key: string };
  rule?: string;
}

function problemsFromIssues(issues: readonly z.core.$ZodIssue[], knownKeys: KnownKeys, raw: RawObject, yaml: YamlSource): InputProblem[] {
  const found: Found[] = issues.flatMap((issue): Found[] => {
    const at = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys.get(issue.keys) ?? [];
      return issue.keys.map((key) => {
        const line = yaml.lineOf([...issue.path, key]);
        const hint = misplacedKeyHint(issue.path, key);
        if (hint) return { path: at, message: hint, line, unknownKey: key };
        const suggestion = closest(key, known);
        const message = `unknown field "${key}"${suggestion === undefined ? '' : ` — did you mean "${suggestion}"?`}`;
        return { path: at, message, line, unknownKey: key, suggestion };
      });
    }
    const value = valueAt(raw, issue.path);
    const message = isDeferred(value) ? unsetMessage(value) : issue.message;
    const rule = issue.code === 'custom' && isRecord(issue.params) && typeof issue.params.rule === 'string' ? issue.params.rule : undefined;
    const last = issue.path[issue.path.length - 1];
    const missing =
      value === undefined && typeof last === 'string' && (issue.code === 'invalid_type' || issue.code === 'invalid_union')
        ? { parent: formatPath(issue.path.slice(0, -1)), key: last }
        : undefined;
    return [{ path: at, message, line: yaml.lineOf(issue.path), rule, missing }];
  });
  return found
    .filter((problem) => !explainedByMisspelling(problem, found))
    .map(({ path: where, message, line }) => (line === undefined ? { path: where, message } : { path: where, message, line }));
}

/**
 * A misspelt key (`comand:`, `afer:`) also leaves its object without the key it meant — a job
 * without a kind, a required field missing. The suggestion already says all of it; the
 * consequences would only bury it.
 */
function explainedByMisspelling(problem: Found, all: readonly Found[]): boolean {
  const kinds: readonly string[] = STEP_KINDS;
  if (problem.rule === NO_KIND_RULE) {
    return all.some(
      (other) => other.path === problem.path && other.unknownKey !== undefined && (kinds.includes(other.unknownKey) || kinds.includes(other.suggestion ?? '')),
    );
  }
  const { missing } = problem;
  if (missing) return all.some((other) => other.path === missing.parent && other.suggestion === missing.key);
  return false;
}

/** A field the schema must understand cannot wait for its variable; say which is missing. */
function unsetMessage(value: string): string {
  const [first = 'NAME', ...more] = unsetVariables(value);
  const names = [first, ...more].join(', ');
  return `environment variable ${names} is not set, and this field needs its value to be checked ("${asWritten(value)}"); set it, or give a default: \${${first}:-…}`;
}

function valueAt(root: unknown, keys: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of keys) {
    if (Array.isArray(node) && typeof key === 'number') node = node[key];
    else if (isRecord(node) && typeof key === 'string') node = node[key];
    else return undefined;
  }
  return node;
}

function distinct(problems: InputProblem[]): InputProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function inLineOrder(problems: InputProblem[]): InputProblem[] {
  return [...problems].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || a.path.localeCompare(b.path));
}

export function loadCatalog(file: string, options: ParseOptions = {}): Catalog {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidInputError([{ path: '(file)', message: `cannot read ${file}: ${(error as Error).message}` }], file);
  }
  return parseCatalog(text, file, options);
}
