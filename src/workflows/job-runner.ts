import { formatDuration } from '../time/duration-format';
import {
  ActivityFailure,
  TimeoutFailure,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { TimeoutType } from '@temporalio/common';
import type * as activities from '../activities';
import type { CommandOutcome } from '../activities/command';
import type { JobSpec, JobRun } from '../catalog/schema/job-schema';
import { jobTaskQueue } from '../catalog/schema/job-rules';
import {
  MAX_WORKER_LOSSES,
  START_TO_CLOSE_MARGIN_MS,
  applicationCause,
  exitCodesIn,
  isNoWorker,
  isWorkerLost,
  jobActivityOptions,
  outcomeOf,
} from './job-attempts';
import type { JobEvent, JobEventType, JobResult, JobStatusValue } from '../catalog/schema/run-result';
import { JobAlerts } from './job-alerts';
import { recordLockWait } from './job-metrics';
import { announceSuccess, awaitPredecessors } from './after-wait';
import { CoordinationFailure, type Asker, type Waiting } from './coordination';
import { holdingLocks } from './lock-acquire';
import { isRunCancelled, recordCancelled } from './cancelled-run';
import { untrustedResult } from './refuse-untrusted';

/**
 * Where a job run runs: as a workflow of its own (jobWorkflow), or as a step inside its
 * jobnet's run. The host names the run and is told what it is doing.
 */
export interface JobHost {
  /** How the run is named: jobWorkflow's workflow id, or `<jobnet run>/<step>` (`#<n>` from the second run of the step). */
  workflowId: string;
  /** Unique per run (the run-log line is written once per run id). */
  runId: string;
  /** Activity ids of this run start with it (a step's name in its jobnet's history); none for a run of its own. */
  activityIdPrefix?: string;
  /** The run's state changed: its status, what it waits for, its attempts and events so far. */
  onChange(state: { status: JobStatusValue; waiting: Waiting | null; attempts: number; events: readonly JobEvent[] }): void;
  /** The run scheduled its delayed retry (jobWorkflow marks it with the DelayedRetry search attribute). */
  onDelayedRetry?(): void;
  /** Events of the same type from two runs of one step are told apart by it (the step's run number). */
  eventSeqBase?: number;
  /** Whether checks are made for unrouted events: `checksUnroutedMade()` as the hosting workflow started. */
  checksUnrouted: boolean;
}

/** How one series of attempts (the immediate ladder, or the single delayed run) ended. */
type SeriesResult = { ok: true; outcome: CommandOutcome; attempts: number } | { ok: false; failure: unknown; attempts: number };

/**
 * One job for one business date, as an operator's runbook would say it: wait for what it comes
 * after and for its locks; run it; on failure retry at once as configured; if that is not
 * enough, wait on a durable timer and try exactly once more; write one line to the run log;
 * report what happened. A failed run returns its result too: the host decides what a failure
 * means (jobWorkflow fails, a jobnet applies the step's onFailure).
 *
 * Not `async`, and runSeries neither: every promise workflow code makes costs a stack trace
 * (the SDK's promise hook), and this is every step's path — a `catch` here, not an async frame
 * and its await.
 */
export function runJob(run: JobRun, host: JobHost): Promise<JobResult> {
  const startTime = new Date().toISOString();
  // The latest state the run reported, for the result of a run cancelled midway.
  let last: Parameters<JobHost['onChange']>[0] = { status: 'running', waiting: null, attempts: 0, events: [] };
  const watched: JobHost = {
    ...host,
    onChange: (state) => {
      last = state;
      host.onChange(state);
    },
  };
  return runToEnd(run, watched, startTime).catch(async (error: unknown) => {
    if (!isRunCancelled(error)) throw error;
    // Cancelled from outside: the run still says so where people look — its state and its run-log line.
    const result: JobResult = {
      name: run.name,
      businessDate: run.businessDate,
      workflowId: host.workflowId,
      runId: host.runId,
      status: 'cancelled',
      startTime,
      endTime: new Date().toISOString(),
      attempts: last.attempts,
      delayedRetry: last.status === 'waiting-retry' || last.events.some((event) => event.type === 'retry_scheduled'),
      exitCode: null,
      recordCount: null,
      host: null,
      output: '',
      error: 'the run was cancelled',
      errorType: 'Cancelled',
      events: [...last.events],
    };
    await recordCancelled(async () => {
      host.onChange({ status: 'cancelled', waiting: null, attempts: last.attempts, events: last.events });
      await writeRunLog(run.job, result, host);
    });
    throw error;
  });
}

async function runToEnd(run: JobRun, host: JobHost, startTime: string): Promise<JobResult> {
  const { job } = run;
  const events: JobEvent[] = [];
  // Operators hear of the run's events where the catalog routes them (`notify`); none without it.
  const alerts = new JobAlerts(
    run,
    startTime,
    { workflowId: host.workflowId, runId: host.runId, seqBase: host.eventSeqBase ?? 0 },
    host.checksUnrouted,
    (type, message) => {
      events.push({ type, at: new Date().toISOString(), message });
      changed();
    },
  );
  const note = (type: JobEventType, extra: Omit<JobEvent, 'type' | 'at'> = {}) => {
    const event = { type, at: new Date().toISOString(), ...extra };
    events.push(event);
    log.info(`${run.name}: ${type}`, { job: run.name, businessDate: run.businessDate, ...extra });
    alerts.raise(type, extra);
    changed();
  };
  let currentStatus: JobStatusValue = 'running';
  let waiting: Waiting | null = null;
  let attempts = 0;
  const changed = () => host.onChange({ status: currentStatus, waiting, attempts, events });
  const setStatus = (status: JobStatusValue) => {
    currentStatus = status;
    changed();
  };
  note('started');
  // warnAfter counts from the start of the run: waiting for locks, predecessors and the delayed
  // retry is time the batch is late too.
  const slaTimer = job.warnAfter === undefined ? undefined : alerts.startSlaTimer();

  const asker: Asker = {
    jobName: run.name,
    hooks: {
      waiting(what) {
        waiting = what;
        setStatus(what === null ? 'running' : what.kind === 'lock' ? 'waiting-lock' : 'waiting-after');
      },
      lockAcquired: (lock, waitedMs) => {
        note('lock_acquired', { lock, waitedMs });
        recordLockWait(lock, waitedMs);
      },
      afterSatisfied: (job, by, waitedMs) => note('after_satisfied', { predecessor: job, by, waitedMs }),
    },
  };
  // A grant lasts one attempt's bound; the lock renews it while this run is still open.
  const leaseMs = job.timeout + job.killGrace + START_TO_CLOSE_MARGIN_MS;
  // A successful attempt of a command writes the run's run-log line itself (it knows all of it): no second hand-off.
  const runLocked = (maxAttempts: number, delayed: boolean) =>
    holdingLocks(asker, job.locks, leaseMs, () => runSeries(run, host, maxAttempts, note, { startTime, attemptsBefore: attempts, delayedRetry: delayed }));

  // A job that is not safe to repeat is never repeated automatically (seed 004): one attempt,
  // no delayed retry; an operator decides.
  let series: SeriesResult;
  try {
    if (job.after.length > 0) await awaitPredecessors(asker, job.after, run.businessDate);
    series = await runLocked(job.safeToRepeat ? job.retry.attempts : 1, false);
  } catch (error) {
    if (!(error instanceof CoordinationFailure)) throw error;
    series = { ok: false, failure: error, attempts: 0 };
  }
  attempts += series.attempts;
  if (!series.ok) note(failureEventType(series.failure), { attempt: attempts, ...describeFailure(series.failure) });

  const delayedRetry = !series.ok && job.delayedRetry !== undefined && worthRetrying(series.failure, job);
  if (delayedRetry && job.delayedRetry) {
    // The delayed run is a durable timer: a crash of worker or server during the wait resumes it.
    // Date.now() in a workflow is Temporal's workflow clock: the same on every replay.
    // The locks are given back during the wait: others may work meanwhile.
    note('retry_scheduled', { retryAt: new Date(Date.now() + job.delayedRetry.after).toISOString() });
    // The host marks the run for the monthly count of delayed retries.
    host.onDelayedRetry?.();
    setStatus('waiting-retry');
    // The count is read while the timer runs: it never delays the retry.
    await Promise.all([sleep(job.delayedRetry.after, { summary: `delayed retry in ${formatDuration(job.delayedRetry.after)}` }), alerts.checkDelayedRetries()]);
    setStatus('running');
    // Exactly one more series of one attempt; nothing in it schedules another delayed run.
    try {
      series = await runLocked(1, true);
    } catch (error) {
      if (!(error instanceof CoordinationFailure)) throw error;
      series = { ok: false, failure: error, attempts: 0 };
    }
    attempts += series.attempts;
    if (series.ok) note('retry_succeeded', { attempt: attempts });
    else note('retry_failed', { attempt: attempts, ...describeFailure(series.failure) });
  } else if (series.ok) {
    note('succeeded', { attempt: attempts });
  }
  if (slaTimer) await slaTimer.stop();

  const status: JobStatusValue = series.ok ? 'success' : failureStatus(series.failure);
  const outcome = series.ok ? series.outcome : outcomeOf(series.failure);
  const failure = series.ok ? undefined : describeFailure(series.failure);
  const result: JobResult = {
    name: run.name,
    businessDate: run.businessDate,
    workflowId: host.workflowId,
    runId: host.runId,
    status,
    startTime,
    endTime: new Date().toISOString(),
    attempts,
    delayedRetry,
    exitCode: outcome?.exitCode ?? null,
    recordCount: outcome?.recordCount ?? null,
    host: outcome?.host ?? null,
    output: outcome?.stdout ?? '',
    error: failure?.error ?? null,
    errorType: failure?.errorType ?? null,
    events,
  };
  setStatus(status);
  if (!(series.ok && series.outcome.runLogWritten)) await writeRunLog(job, result, host);
  // Runs of other schedules waiting for this one (`after`) may start.
  if (status === 'success' && job.announceAs !== undefined) await announceSuccess(job.announceAs, run.businessDate);
  // Checks against earlier runs come last: successors need not wait for them.
  if (status === 'success') {
    if (job.expect !== undefined) await alerts.checkRecordCount(result.recordCount);
  } else await alerts.checkFailureStreak();
  const settling = alerts.settle();
  if (settling) await settling;
  return result;
}

/**
 * One series of up to `maxAttempts` immediate attempts under Temporal's retry policy. A lost
 * worker is not the command's fault: a job that is safe to repeat runs again elsewhere.
 */
function runSeries(
  run: JobRun,
  host: JobHost,
  maxAttempts: number,
  note: (type: JobEventType, extra?: Omit<JobEvent, 'type' | 'at'>) => void,
  runLog: { startTime: string; attemptsBefore: number; delayedRetry: boolean },
): Promise<SeriesResult> {
  const { job } = run;
  const activityType = job.activity !== undefined ? 'runJobActivity' : 'runCommand';
  // `attempts` made so far in this series; after a lost worker only the lost attempt runs again, not a fresh ladder.
  const attemptFrom = (losses: number, attempts: number): Promise<SeriesResult> => {
    const options = jobActivityOptions(job, losses === 0 ? maxAttempts : 1, { startWithin: job.startWithin, delayed: runLog.delayedRetry });
    if (losses > 0) options.summary = `${options.summary} · again after a lost worker (${losses} of ${MAX_WORKER_LOSSES})`;
    if (host.activityIdPrefix !== undefined) options.activityId = `${host.activityIdPrefix}/${attempts + 1}`;
    const failed = (failure: unknown): SeriesResult | Promise<SeriesResult> => {
      if (isCancellation(failure)) throw failure;
      // No worker took it: no attempt ran (as far as the workflow can tell).
      const made = attempts + (outcomeOf(failure)?.attempt ?? (isNoWorker(failure) ? 0 : maxAttempts));
      if (isWorkerLost(failure) && job.safeToRepeat && losses < MAX_WORKER_LOSSES) {
        note('worker_lost', { attempt: made, ...describeFailure(failure) });
        return attemptFrom(losses + 1, made);
      }
      return { ok: false, failure, attempts: made };
    };
    return runWork(run, host, options, { ...runLog, attemptsBefore: runLog.attemptsBefore + attempts }).then((outcome) => {
      // Checked here, not by the workflow interceptor (RESULT_CHECKED_BY_CALLER): a forged completion is a failed attempt.
      const refused = untrustedResult(outcome, activityType);
      return refused ? failed(refused) : { ok: true, outcome, attempts: attempts + outcome.attempt };
    }, failed);
  };
  return attemptFrom(0, 0);
}

/** One attempt series of the job's work: its command, or its activity (through runJobActivity). Not async: no promise of its own. */
function runWork(
  run: JobRun,
  host: JobHost,
  options: ActivityOptions,
  runLog: { startTime: string; attemptsBefore: number; delayedRetry: boolean },
): Promise<CommandOutcome> {
  const { job } = run;
  const { runCommand, runJobActivity } = proxyActivities<typeof activities>(options);
  if (job.activity !== undefined) {
    return runJobActivity({
      activity: job.activity.name,
      input: { args: job.activity.args, jobName: run.name, businessDate: run.businessDate, runKey: host.workflowId },
    });
  }
  return runCommand({
    command: job.command ?? [],
    cwd: job.cwd,
    env: job.env,
    timeout: job.timeout,
    killGrace: job.killGrace,
    jobName: run.name,
    businessDate: run.businessDate,
    runId: host.workflowId,
    nonRetryableExitCodes: exitCodesIn(job.retry.nonRetryable),
    runLog: { workflowId: host.workflowId, runId: host.runId, ...runLog },
  });
}

/** The run log is for people; after this many tries the run ends without its line, with a warning. */
const RUN_LOG_RETRY = { maximumAttempts: 10, initialInterval: '1s', maximumInterval: '1m' } as const;

/**
 * The run's line in the run log of the host that ran it. When that is this workflow's own
 * queue (the usual case), the line is written by a local activity: on the worker that runs
 * this workflow task, with no hand-off through the server. A host job's line goes to a worker
 * of its host's queue, in one file a day there.
 */
function runLogWriter(job: JobSpec, host: JobHost) {
  const queue = jobTaskQueue(job, workflowInfo().taskQueue);
  if (queue === workflowInfo().taskQueue) return proxyLocalActivities<typeof activities>({ startToCloseTimeout: '30s', retry: RUN_LOG_RETRY });
  return proxyActivities<typeof activities>({
    taskQueue: queue,
    ...(host.activityIdPrefix === undefined ? {} : { activityId: `${host.activityIdPrefix}/run-log` }),
    startToCloseTimeout: '30s',
    // The job's own bound on a queue nobody serves: the run still ends (without its line).
    ...(job.startWithin === undefined ? {} : { scheduleToStartTimeout: job.startWithin }),
    retry: RUN_LOG_RETRY,
  });
}

async function writeRunLog(job: JobSpec, result: JobResult, host: JobHost): Promise<void> {
  const runLog = runLogWriter(job, host);
  try {
    await runLog.appendRunLog({
      job_name: result.name,
      start_time: result.startTime,
      end_time: result.endTime,
      status: result.status,
      output: result.output,
      error: result.error,
      run_id: result.runId,
      workflow_id: result.workflowId,
      business_date: result.businessDate,
      attempt: result.attempts,
      delayed_retry: result.delayedRetry,
      record_count: result.recordCount,
    });
  } catch (error) {
    if (isCancellation(error)) throw error;
    log.warn('run log line not written', { error: String(error) });
  }
}

function isTimeout(failure: unknown): boolean {
  if (applicationCause(failure)?.type === 'CommandTimeout') return true;
  return failure instanceof ActivityFailure && failure.cause instanceof TimeoutFailure && failure.cause.timeoutType === TimeoutType.START_TO_CLOSE;
}

function worthRetrying(failure: unknown, job: JobSpec): boolean {
  if (!job.safeToRepeat) return false;
  // Waiting longer for a lock or a predecessor is what maxWait already decided against.
  if (failure instanceof CoordinationFailure) return false;
  const cause = applicationCause(failure);
  if (!cause) return true;
  return !cause.nonRetryable && !job.retry.nonRetryable.includes(cause.type ?? '');
}

function failureEventType(failure: unknown): JobEventType {
  if (failure instanceof CoordinationFailure) return COORDINATION_EVENTS[failure.type];
  return isTimeout(failure) ? 'timeout' : 'failed';
}

function failureStatus(failure: unknown): JobStatusValue {
  if (isTimeout(failure)) return 'timeout';
  if (isWorkerLost(failure)) return 'worker-lost';
  return 'error';
}

const COORDINATION_EVENTS = { LockWaitTimeout: 'lock_wait_timeout', LockUnavailable: 'lock_unavailable', AfterTimeout: 'after_timeout' } as const;

function describeFailure(failure: unknown): { error: string; errorType: string } {
  if (failure instanceof CoordinationFailure) return { error: failure.message, errorType: failure.type };
  const cause = applicationCause(failure);
  if (cause) return { error: cause.message, errorType: cause.type ?? 'Error' };
  if (isNoWorker(failure)) {
    return { error: 'no worker took the job from its queue within startWithin: is its host up, and does a worker poll that queue?', errorType: 'NoWorker' };
  }
  if (failure instanceof ActivityFailure && failure.cause instanceof TimeoutFailure) {
    return { error: failure.cause.message, errorType: `Timeout:${failure.cause.timeoutType}` };
  }
  return { error: failure instanceof Error ? failure.message : String(failure), errorType: 'Error' };
}
