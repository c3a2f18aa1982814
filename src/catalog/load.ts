import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, isMap, type Document, type YAMLError } from 'yaml';
import { catalogSchema, type Catalog } from './catalog-schema';
import { InvalidInputError, problemFromIssue, type InputProblem } from './validation-error';

/** -c/--catalog, else $JOBNET_CATALOG, else ./jobnet.yaml (DESIGN.md §4). */
export function catalogPath(explicit?: string): string {
  return path.resolve(explicit ?? process.env.JOBNET_CATALOG ?? 'jobnet.yaml');
}

type Raw = Record<string, unknown>;
const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Each job gets the catalog's defaults under its own values; `retry` merges field by field. */
function withDefaults(raw: Raw): Raw {
  const defaults = isRecord(raw.defaults) ? raw.defaults : {};
  if (!isRecord(raw.jobs)) return raw;
  const jobs = Object.fromEntries(
    Object.entries(raw.jobs).map(([name, job]) => {
      if (!isRecord(job)) return [name, job];
      const merged: Raw = { ...defaults, ...job };
      if (isRecord(defaults.retry) || isRecord(job.retry)) {
        merged.retry = { ...(isRecord(defaults.retry) ? defaults.retry : {}), ...(isRecord(job.retry) ? job.retry : {}) };
      }
      return [name, merged];
    }),
  );
  return { ...raw, jobs };
}

/** The line of the deepest node of `pathKeys` that exists in the file. */
function lineOf(doc: Document, lines: LineCounter, pathKeys: readonly PropertyKey[]): number | undefined {
  for (let depth = pathKeys.length; depth >= 0; depth--) {
    const node = doc.getIn(pathKeys.slice(0, depth) as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Parses and validates a catalog text; every problem is reported at once, with path and line. */
export function parseCatalog(text: string, source = 'catalog'): Catalog {
  const lines = new LineCounter();
  // JSON is YAML, so one parser reads both; duplicate keys are errors, not silent overrides.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new InvalidInputError(
      doc.errors.map((error: YAMLError) => ({ path: '(syntax)', message: (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, ''), line: error.linePos?.[0]?.line })),
      source,
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  if (!isMap(doc.contents) && doc.contents !== null) {
    throw new InvalidInputError([{ path: '(root)', message: 'a catalog is a mapping with version, jobs, …', line: 1 }], source);
  }
  let result = catalogSchema.safeParse(isRecord(raw) ? withDefaults(raw) : raw);
  if (!result.success && result.error.issues.some((issue) => issue.path[0] === 'defaults')) {
    // A bad default would otherwise be reported again under every job that inherits it.
    result = catalogSchema.safeParse(raw);
  }
  if (!result.success) {
    const problems: InputProblem[] = result.error.issues.map((issue) => ({
      ...problemFromIssue(issue),
      line: lineOf(doc, lines, issue.path),
    }));
    throw new InvalidInputError(problems, source);
  }
  return result.data;
}

export function loadCatalog(file: string): Catalog {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidInputError([{ path: '(file)', message: `cannot read ${file}: ${(error as Error).message}` }], file);
  }
  return parseCatalog(text, file);
}
