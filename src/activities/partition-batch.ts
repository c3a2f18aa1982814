import { ApplicationFailure, CancelledFailure, Context, asyncLocalStorage } from '@temporalio/activity';
import { THIS_HOST } from './this-host';
import { isUntrusted } from '../codec/untrusted';
import { CommandFailureType, executeCommand, type CommandOutcome } from './command';
import { resolveArgs } from './host-command';
import { jobActivityOutcomeSchema, type JobActivityInput, type JobActivityOutcome } from './job-activity';
import { maskedActivityFailure } from './job-activity-runner';
import {
  partitionRunId,
  type PartitionBatchRequest,
  type PartitionJob,
  type PartitionBatchResult,
  type PartitionKey,
  type PartitionReport,
} from '../contracts/fanout';
import { clip } from '../text/clip';

/**
 * Many partitions of a fan-out in one activity (README "Fan-out"): each key runs the item job's
 * work — its command, or its activity — with the job's immediate retries, `concurrency` keys at
 * a time, and gets a report of its own. A partition costs the server nothing of its own: the
 * batch is three history events, however many keys it holds.
 *
 * Finished keys are kept in the heartbeat details, so when the batch runs again — its worker
 * was lost — it reports them as they were and runs only the rest. (A key that finished after
 * the last heartbeat reached the server runs again: partitions key their effects to their run
 * key, JOBNET_PARTITION_RUN_KEY / `runKey`, as every jobnet activity does, so that is harmless.)
 * A job that is not safe to repeat is never run again: its unfinished keys fail as WorkerLost.
 */

interface BatchProgress {
  done: PartitionReport[];
}

const HEARTBEAT_EVERY_MS = 1_000;
const MAX_ERROR_LENGTH = 300;

type KeyActivity = (input: JobActivityInput) => Promise<JobActivityOutcome>;

/** `registry`: the worker's activities, for partitions whose job is an activity (looked up when called). */
export function makeRunPartitions(registry: () => Record<string, unknown>) {
  return async function runPartitions(request: PartitionBatchRequest): Promise<PartitionBatchResult> {
    const context = Context.current();
    const done = new Map<string, PartitionReport>();
    for (const report of resumedProgress(context.info.heartbeatDetails)) done.set(report.key, report);
    const resumed = context.info.attempt > 1;
    const { job } = request.item;
    const todo = request.keys.filter((item) => !done.has(item.key));
    if (resumed) context.log.warn(`${request.fanout}: batch resumed on ${THIS_HOST}: ${done.size} keys done before, ${todo.length} to go`);

    const heartbeat = () => context.heartbeat({ done: [...done.values()] } satisfies BatchProgress);
    const timer = setInterval(heartbeat, HEARTBEAT_EVERY_MS);
    try {
      const queue = [...todo];
      const lane = async () => {
        for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
          if (context.cancellationSignal.aborted) throw new CancelledFailure('fan-out batch cancelled');
          // A key that was perhaps running when the worker was lost is not run again if the job says so.
          const report = resumed && !job.safeToRepeat ? lost(request, item) : await runKey(request, item, registry, context);
          done.set(item.key, report);
        }
      };
      const lanes = Math.min(request.concurrency, todo.length);
      // One lane (one key per batch is the per-partition path): no array of lanes to await.
      await (lanes <= 1 ? lane() : Promise.all(Array.from({ length: lanes }, lane)));
    } finally {
      clearInterval(timer);
    }
    return { reports: request.keys.map((item) => done.get(item.key)!) };
  };
}

/** What a batch run before this attempt finished: from its heartbeat details, if they are ours. */
function resumedProgress(details: unknown): PartitionReport[] {
  if (details === undefined || isUntrusted(details) || typeof details !== 'object' || details === null) return [];
  const reports = (details as Partial<BatchProgress>).done;
  return Array.isArray(reports) ? reports.filter((report): report is PartitionReport => typeof report?.key === 'string' && typeof report.ok === 'boolean') : [];
}

function lost(request: PartitionBatchRequest, item: PartitionKey): PartitionReport {
  return {
    key: item.key,
    attempt: item.attempt,
    ok: false,
    errorType: 'WorkerLost',
    error: 'the worker running it was lost, and the job is not safe to repeat (safeToRepeat: false)',
    tries: 1,
  };
}

/** One key: the job's work with its immediate retry ladder. */
async function runKey(request: PartitionBatchRequest, item: PartitionKey, registry: () => Record<string, unknown>, context: Context): Promise<PartitionReport> {
  const { job } = request.item;
  const maxAttempts = job.safeToRepeat ? job.retry.attempts : 1;
  let delay = job.retry.interval;
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await runOnce(request, item, attempt, registry, context);
      const report: PartitionReport = { key: item.key, attempt: item.attempt, ok: true, tries: attempt };
      if (outcome.recordCount !== undefined) report.recordCount = outcome.recordCount;
      return report;
    } catch (failure) {
      if (failure instanceof CancelledFailure || context.cancellationSignal.aborted) throw failure;
      const described = describe(failure);
      if (attempt >= maxAttempts || !worthRetrying(failure, described, job)) {
        context.log.warn(`${request.fanout}: partition ${item.key} failed (${described.errorType})`, { key: item.key, errorType: described.errorType });
        return { key: item.key, attempt: item.attempt, ok: false, ...described, tries: attempt };
      }
      await pause(delay, context.cancellationSignal);
      delay = Math.min(delay * job.retry.backoff, job.retry.maxInterval ?? Number.POSITIVE_INFINITY);
    }
  }
}

function runOnce(
  request: PartitionBatchRequest,
  item: PartitionKey,
  attempt: number,
  registry: () => Record<string, unknown>,
  context: Context,
): Promise<CommandOutcome> {
  const { job, name } = request.item;
  const runKey = `${request.fanoutId}/${item.key}`;
  if (job.activity !== undefined) return runActivityKey(job, name, item.key, runKey, request.businessDate, attempt, registry, context);
  return executeCommand(
    {
      command: job.command ?? [],
      cwd: job.cwd,
      env: job.env,
      // The key is data: set as it is, not resolved as a template like the catalog's env.
      literalEnv: { JOBNET_ITEM: item.key, JOBNET_PARTITION_RUN_KEY: runKey },
      timeout: job.timeout,
      killGrace: job.killGrace,
      jobName: name,
      businessDate: request.businessDate,
      nonRetryableExitCodes: exitCodes(job.retry.nonRetryable),
    },
    // JOBNET_RUN_ID names this round's run of the key; JOBNET_PARTITION_RUN_KEY is the same in every round.
    {
      attempt,
      runId: partitionRunId(request.fanoutId, item),
      workflowRunId: context.info.workflowExecution?.runId,
      log: context.log,
      signal: context.cancellationSignal,
      heartbeat: () => undefined,
    },
  );
}

/**
 * A partition whose job is an activity: called in a context of its own — the batch's, but
 * its heartbeats kept out of the batch's progress and its cancellation also at its time-out.
 */
async function runActivityKey(
  job: PartitionJob,
  jobName: string,
  key: string,
  runKey: string,
  businessDate: string,
  attempt: number,
  registry: () => Record<string, unknown>,
  outer: Context,
): Promise<CommandOutcome> {
  const work = job.activity!;
  const fn = registry()[work.name];
  if (typeof fn !== 'function' || work.name === 'runJobActivity' || work.name === 'runPartitions') {
    throw ApplicationFailure.nonRetryable(`no activity "${work.name}" is registered in this worker`, 'UnknownActivity');
  }
  const started = Date.now();
  // The catalog's args are templates resolved on this host; the key is data and joins them as it is.
  const host = resolveArgs(work.args, jobName);
  const args = { ...host.args, item: key };
  const abort = new AbortController();
  const stopOuter = () => abort.abort(outer.cancellationSignal.reason);
  outer.cancellationSignal.addEventListener('abort', stopOuter);
  let rejectCancelled: (reason: unknown) => void = () => undefined;
  const cancelled = new Promise<never>((_, reject) => (rejectCancelled = reject));
  cancelled.catch(() => undefined);
  abort.signal.addEventListener('abort', () => rejectCancelled(new CancelledFailure(String(abort.signal.reason ?? 'cancelled'))));
  const inner = new Context(outer.info, cancelled, abort.signal, () => undefined, clientOf(outer), outer.log, outer.metricMeter, {
    details: undefined,
  } as never);
  const timeout = setTimeout(() => abort.abort('timeout'), job.timeout);
  try {
    const call = asyncLocalStorage.run(inner, fn as KeyActivity, { args, jobName, businessDate, runKey });
    const result = await Promise.race([call, cancelled]);
    const outcome = jobActivityOutcomeSchema.parse(result);
    return {
      ...keyFacts(started, attempt),
      stdout: host.mask(outcome.output ?? ''),
      ...(outcome.recordCount === undefined ? {} : { recordCount: outcome.recordCount }),
    };
  } catch (error) {
    if (abort.signal.reason === 'timeout') {
      throw ApplicationFailure.create({
        type: CommandFailureType.timeout,
        message: `timed out after ${job.timeout} ms`,
        details: [keyFacts(started, attempt)],
      });
    }
    if (outer.cancellationSignal.aborted) throw new CancelledFailure('fan-out batch cancelled');
    throw maskedActivityFailure(error, host.mask, { ...keyFacts(started, attempt), stdout: '' });
  } finally {
    clearTimeout(timeout);
    outer.cancellationSignal.removeEventListener('abort', stopOuter);
  }
}

/** What an activity key's outcome says besides its output (an activity has no exit code or stderr). */
function keyFacts(started: number, attempt: number): Omit<CommandOutcome, 'stdout'> {
  return { exitCode: null, signal: null, stderr: '', durationMs: Date.now() - started, attempt, host: THIS_HOST };
}

function clientOf(context: Context) {
  try {
    return context.client;
  } catch {
    return undefined;
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledFailure('fan-out batch cancelled'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledFailure('fan-out batch cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function exitCodes(nonRetryable: readonly string[]): number[] {
  return nonRetryable.flatMap((entry) => (entry.startsWith('exit:') ? [Number(entry.slice(5))] : []));
}

/**
 * The error type selects the runbook: the activity's own type (`CompanyDataError`), `exit:<n>`
 * for a command's exit code, `Timeout` for a time-out.
 */
function describe(failure: unknown): { error: string; errorType: string } {
  if (failure instanceof ApplicationFailure) {
    const outcome = failure.details?.[0] as Partial<CommandOutcome> | undefined;
    const error = clip(failure.message, MAX_ERROR_LENGTH);
    if (failure.type === CommandFailureType.failed && typeof outcome?.exitCode === 'number') return { error, errorType: `exit:${outcome.exitCode}` };
    return { error, errorType: failure.type === CommandFailureType.timeout ? 'Timeout' : (failure.type ?? 'Error') };
  }
  return {
    error: clip(failure instanceof Error ? failure.message : String(failure), MAX_ERROR_LENGTH),
    errorType: failure instanceof Error ? failure.name : 'Error',
  };
}

function worthRetrying(failure: unknown, described: { errorType: string }, job: PartitionJob): boolean {
  if (failure instanceof ApplicationFailure && failure.nonRetryable) return false;
  const type = failure instanceof ApplicationFailure ? failure.type : undefined;
  return !job.retry.nonRetryable.includes(type ?? '') && !job.retry.nonRetryable.includes(described.errorType);
}
