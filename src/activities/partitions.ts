import { ApplicationFailure, Context } from '@temporalio/activity';
import { execFile } from 'node:child_process';
import { PARTITION_KEY_PATTERN, type PartitionSource } from '../catalog/compile/fanout-input';
import type { Database } from '../db/database';
import { workerDatabase } from '../db/worker-database';
import { resolveArgs, resolveCommand } from './host-command';

/**
 * The partition keys of a fan-out, one page at a time, in key order: the fan-out asks for the
 * keys after the last one it has, so a source read over hours (and across the fan-out's
 * continue-as-new) neither repeats nor skips a key. Three sources:
 *
 * - `sql`: a query on the worker's database with a column `key`, de-duplicated and read in
 *   byte order ("C" collation) with a keyset condition — re-run per page, so one page is one
 *   small statement even for 100,000 keys;
 * - `command`: argv printing one key per line; its output is sorted, de-duplicated and kept
 *   for the run on this worker (another worker runs it again);
 * - `activity`: a registered activity returning `{ keys }` (all of them), paged here.
 *
 * A key that cannot be part of a workflow id fails the page as `InvalidPartitionKey`, not
 * retried: the source has to change.
 */

export interface PartitionPageRequest {
  source: Exclude<PartitionSource, { kind: 'items' }>;
  /** The last key the fan-out has; null for the first page. */
  after: string | null;
  limit: number;
  jobName: string;
  businessDate: string;
  runKey: string;
}

export interface PartitionPage {
  keys: string[];
  /** No keys after these. */
  done: boolean;
  /** The number of keys in all, given with the first page. */
  total?: number;
}

type KeyActivity = (input: { args: Record<string, unknown>; jobName: string; businessDate: string; runKey: string }) => Promise<{ keys: string[] }>;

/** `registry` is what the worker registered (src/activities/registry.ts), looked up when called. */
export function makePartitionPage(registry: () => Record<string, unknown>) {
  return async function partitionPage(request: PartitionPageRequest): Promise<PartitionPage> {
    const { source } = request;
    if (source.kind === 'sql') return checked(await sqlPage(await workerDatabase(), source.query, request.after, request.limit));
    const all = source.kind === 'command' ? await commandKeys(source, request) : await activityKeys(registry, source.activity, request);
    return checked(pageOf(all, request.after, request.limit));
  };
}

/** One page of a query's keys after `after` (byte order), with the total on the first page. */
export async function sqlPage(db: Database, query: string, after: string | null, limit: number): Promise<PartitionPage> {
  // The query is the catalog's, as written by the operator; the cursor and limit are parameters.
  const keys = `SELECT DISTINCT (src.key)::text AS key FROM (${query}) AS src WHERE src.key IS NOT NULL`;
  const page = await db.query<{ key: string }>(
    `SELECT key FROM (${keys}) AS k WHERE ($1::text IS NULL OR key COLLATE "C" > $1::text COLLATE "C") ORDER BY key COLLATE "C" LIMIT $2`,
    [after, limit + 1],
  );
  const total = after === null ? Number((await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM (${keys}) AS k`)).rows[0]?.n ?? 0) : undefined;
  const rows = page.rows.map((row) => row.key);
  return { keys: rows.slice(0, limit), done: rows.length <= limit, ...(total === undefined ? {} : { total }) };
}

/** Keys after `after` in a sorted, de-duplicated list. */
export function pageOf(sorted: readonly string[], after: string | null, limit: number): PartitionPage {
  let start = 0;
  if (after !== null) {
    // Binary search for the first key greater than `after`.
    let high = sorted.length;
    while (start < high) {
      const mid = (start + high) >>> 1;
      if (byteOrder(sorted[mid]!, after) <= 0) start = mid + 1;
      else high = mid;
    }
  }
  const keys = sorted.slice(start, start + limit);
  return { keys, done: start + limit >= sorted.length, ...(after === null ? { total: sorted.length } : {}) };
}

/** The order of PostgreSQL's "C" collation for the keys we accept: by UTF-8 bytes. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function sortedUnique(keys: Iterable<string>): string[] {
  return [...new Set(keys)].sort(byteOrder);
}

function checked(page: PartitionPage): PartitionPage {
  const bad = page.keys.filter((key) => !PARTITION_KEY_PATTERN.test(key));
  if (bad.length > 0) {
    throw ApplicationFailure.create({
      type: 'InvalidPartitionKey',
      message: `partition keys must be 1–200 characters without whitespace or "#": ${bad
        .slice(0, 5)
        .map((key) => JSON.stringify(key))
        .join(', ')}${bad.length > 5 ? ', …' : ''}`,
      nonRetryable: true,
    });
  }
  return page;
}

/** A command's keys, kept per run on this worker so the next pages do not run it again. */
const commandCache = new Map<string, string[]>();
const COMMAND_CACHE_RUNS = 4;
const COMMAND_TIMEOUT_MS = 10 * 60_000;

async function commandKeys(source: Extract<PartitionSource, { kind: 'command' }>, request: PartitionPageRequest): Promise<string[]> {
  const { runKey } = request;
  const cacheKey = `${runKey}\u0000${JSON.stringify(source)}`;
  const cached = commandCache.get(cacheKey);
  if (cached) return cached;
  // Like a job's command: `${VAR}`s resolved on this host, their values masked in what it reports.
  const host = resolveCommand(source, request.jobName);
  const [program, ...args] = host.argv;
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      program!,
      args,
      { cwd: host.cwd, env: { ...process.env, ...host.env }, maxBuffer: 256 * 1024 * 1024, timeout: COMMAND_TIMEOUT_MS, killSignal: 'SIGKILL' },
      (error, out, err) => {
        if (!error) return resolve(out);
        const tail = String(err).trim().split('\n').slice(-3).join(' | ');
        reject(
          ApplicationFailure.create({
            type: 'PartitionSourceFailed',
            message: host.mask(`${source.command.join(' ')}: ${error.message.split('\n')[0]}${tail ? ` — ${tail}` : ''}`),
            // A program that is not there will not appear by retrying.
            nonRetryable: (error as NodeJS.ErrnoException).code === 'ENOENT',
          }),
        );
      },
    );
  });
  const keys = sortedUnique(
    stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== ''),
  );
  commandCache.set(cacheKey, keys);
  while (commandCache.size > COMMAND_CACHE_RUNS) commandCache.delete(commandCache.keys().next().value!);
  return keys;
}

async function activityKeys(
  registry: () => Record<string, unknown>,
  activity: { name: string; args: Record<string, unknown> },
  request: PartitionPageRequest,
): Promise<string[]> {
  const fn = registry()[activity.name];
  if (typeof fn !== 'function') throw ApplicationFailure.nonRetryable(`no activity "${activity.name}" is registered in this worker`, 'UnknownActivity');
  Context.current().heartbeat();
  const host = resolveArgs(activity.args, request.jobName);
  const result = await (fn as KeyActivity)({ args: host.args, jobName: request.jobName, businessDate: request.businessDate, runKey: request.runKey });
  if (!result || !Array.isArray(result.keys) || result.keys.some((key) => typeof key !== 'string')) {
    throw ApplicationFailure.nonRetryable(`${activity.name} must return { keys: string[] }`, 'InvalidPartitionSource');
  }
  return sortedUnique(result.keys);
}
