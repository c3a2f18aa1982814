import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { TimeoutType } from '@temporalio/common';
import type * as activities from '../activities';
import type { CommandOutcome } from '../activities/command';
import type * as JobSchema from '../catalog/job-schema';
import type { JobSpec, JobRun, JobRunInput } from '../catalog/job-schema';
import { jobTaskQueue } from '../catalog/job-rules';
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
import type { JobEvent, JobEventType, JobResult, JobStatusValue } from '../catalog/run-result';
import { BusinessDate, DelayedRetry, Host, JobName, JobStatus, RecordCount } from '../search-attributes';
import { jobStateQuery } from './definitions';
import { JobAlerts } from './job-alerts';
import { recordLockWait } from './job-metrics';
import { CoordinationFailure, RunCoordination, announceSuccess, type Waiting } from './coordination';
import { parseWorkflowInput } from './input';



/**
 * A job run as a parent workflow starts it (a jobnet's step, a Schedule's fire): validated and
 * parsed by the parent as part of its own input (`runnableJobSchema`), so the child does not
 * build the schemas again — the largest part of a job run's cost to the worker
 * (`npm run bench:workflow-start`).
 */
export interface ValidatedJobRun {
  validated: JobRun;
}

/** The run to do: a parent's validated run as it is, any other input validated here. */
function jobRunOf(input: JobRunInput | ValidatedJobRun): JobRun {
  if ('validated' in input) {
    if (workflowInfo().parent === undefined) {
      throw ApplicationFailure.create({
        type: 'InvalidInput',
        message: 'a `validated` job run is accepted only from a parent workflow (a jobnet or a Schedule); start a job with { name, businessDate, job }',
        nonRetryable: true,
      });
    }
    return input.validated;
  }
  // Loaded only here: a run from a parent never builds the schemas.
  const { jobRunInputSchema } = require('../catalog/job-schema') as typeof JobSchema;
  return parseWorkflowInput(jobRunInputSchema, input);
}

/** How one series of attempts (the immediate ladder, or the single delayed run) ended. */
type SeriesResult = { ok: true; outcome: CommandOutcome; attempts: number } | { ok: false; failure: unknown; attempts: number };

/**
 * One command job for one business date, as an operator's runbook would say it:
 * run it; on failure retry at once as configured; if that is not enough, wait on a durable
 * timer and try exactly once more; write one line to the run log; report what happened.
 */
export async function jobWorkflow(input: JobRunInput | ValidatedJobRun): Promise<JobResult> {
  const run = jobRunOf(input);
  const { job } = run;
  const info = workflowInfo();
  const startTime = new Date().toISOString();
  const events: JobEvent[] = [];
  // Operators hear of the run's events where the catalog routes them (`notify`); none without it.
  const alerts = new JobAlerts(run, startTime, (type, message) => {
    events.push({ type, at: new Date().toISOString(), message });
  });
  const note = (type: JobEventType, extra: Omit<JobEvent, 'type' | 'at'> = {}) => {
    const event = { type, at: new Date().toISOString(), ...extra };
    events.push(event);
    log.info(`${run.name}: ${type}`, { job: run.name, businessDate: run.businessDate, ...extra });
    alerts.raise(type, extra);
  };
  let currentStatus: JobStatusValue = 'running';
  let waiting: Waiting | null = null;
  let attempts = 0;
  const setStatus = (status: JobStatusValue) => {
    currentStatus = status;
    upsertSearchAttributes([{ key: JobStatus, value: status }]);
  };
  setHandler(jobStateQuery, () => ({ name: run.name, businessDate: run.businessDate, status: currentStatus, attempts, events, waiting }));

  upsertSearchAttributes([
    { key: JobName, value: run.name },
    { key: BusinessDate, value: run.businessDate },
    { key: JobStatus, value: 'running' },
  ]);
  note('started');
  // warnAfter counts from the start of the run: waiting for locks, predecessors and the delayed
  // retry is time the batch is late too.
  const slaTimer = alerts.startSlaTimer();

  const coordination = new RunCoordination(run.name, {
    waiting(what) {
      waiting = what;
      setStatus(what === null ? 'running' : what.kind === 'lock' ? 'waiting-lock' : 'waiting-after');
    },
    lockAcquired: (lock, waitedMs) => {
      note('lock_acquired', { lock, waitedMs });
      recordLockWait(lock, waitedMs);
    },
    afterSatisfied: (job, by, waitedMs) => note('after_satisfied', { predecessor: job, by, waitedMs }),
  });
  // A grant lasts one attempt's bound; the lock renews it while this run is still open.
  const leaseMs = job.timeout + job.killGrace + START_TO_CLOSE_MARGIN_MS;
  const runLocked = (maxAttempts: number) => coordination.holdingLocks(job.locks, leaseMs, () => runSeries(run, maxAttempts, note));

  // A job that is not safe to repeat is never repeated automatically (seed 004): one attempt,
  // no delayed retry; an operator decides.
  let series: SeriesResult;
  try {
    await coordination.awaitPredecessors(job.after, run.businessDate);
    series = await runLocked(job.safeToRepeat ? job.retry.attempts : 1);
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
    // DelayedRetry marks the run for the monthly count of delayed retries (one upsert with the status).
    currentStatus = 'waiting-retry';
    upsertSearchAttributes([
      { key: JobStatus, value: 'waiting-retry' },
      { key: DelayedRetry, value: true },
    ]);
    // The count is read while the timer runs: it never delays the retry.
    await Promise.all([sleep(job.delayedRetry.after), alerts.checkDelayedRetries()]);
    setStatus('running');
    // Exactly one more series of one attempt; nothing in it schedules another delayed run.
    try {
      series = await runLocked(1);
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
  await slaTimer.stop();

  const status: JobStatusValue = series.ok ? 'success' : failureStatus(series.failure);
  const outcome = series.ok ? series.outcome : outcomeOf(series.failure);
  const failure = series.ok ? undefined : describeFailure(series.failure);
  const result: JobResult = {
    name: run.name,
    businessDate: run.businessDate,
    workflowId: info.workflowId,
    runId: info.runId,
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

  currentStatus = status;
  upsertSearchAttributes([
    { key: JobStatus, value: status },
    ...(result.recordCount !== null ? [{ key: RecordCount, value: result.recordCount }] : []),
    ...(result.host !== null ? [{ key: Host, value: result.host }] : []),
  ]);
  await writeRunLog(job, result);
  // Runs of other schedules waiting for this one (`after`) may start.
  if (status === 'success' && job.announceAs !== undefined) await announceSuccess(job.announceAs, run.businessDate);
  // Checks against earlier runs come last: successors need not wait for them.
  if (status === 'success') await alerts.checkRecordCount(result.recordCount);
  else await alerts.checkFailureStreak();
  await alerts.settle();

  if (status !== 'success') {
    throw ApplicationFailure.create({
      type: status === 'timeout' ? 'JobTimeout' : 'JobFailed',
      message: `${run.name} (${run.businessDate}) ended ${status}: ${result.error ?? 'no error message'}`,
      nonRetryable: true,
      details: [result],
    });
  }
  return result;
}

/**
 * One series of up to `maxAttempts` immediate attempts under Temporal's retry policy. A lost
 * worker is not the command's fault: a job that is safe to repeat runs again elsewhere.
 */
async function runSeries(
  run: JobRun,
  maxAttempts: number,
  note: (type: JobEventType, extra?: Omit<JobEvent, 'type' | 'at'>) => void,
): Promise<SeriesResult> {
  const { job } = run;
  let attempts = 0;
  for (let losses = 0; ; losses++) {
    // After a lost worker only the lost attempt runs again, not a fresh ladder.
    const options = jobActivityOptions(job, losses === 0 ? maxAttempts : 1, { startWithin: job.startWithin });
    try {
      const outcome = await runWork(run, options);
      return { ok: true, outcome, attempts: attempts + outcome.attempt };
    } catch (failure) {
      if (isCancellation(failure)) throw failure;
      // No worker took it: no attempt ran (as far as the workflow can tell).
      const attemptsMade = outcomeOf(failure)?.attempt ?? (isNoWorker(failure) ? 0 : maxAttempts);
      attempts += attemptsMade;
      if (isWorkerLost(failure) && job.safeToRepeat && losses < MAX_WORKER_LOSSES) {
        note('worker_lost', { attempt: attempts, ...describeFailure(failure) });
        continue;
      }
      return { ok: false, failure, attempts };
    }
  }
}

/** One attempt series of the job's work: its command, or its activity (through runJobActivity). */
async function runWork(run: JobRun, options: ActivityOptions): Promise<CommandOutcome> {
  const { job } = run;
  const { runCommand, runJobActivity } = proxyActivities<typeof activities>(options);
  if (job.activity !== undefined) {
    return runJobActivity({
      activity: job.activity.name,
      input: { args: job.activity.args, jobName: run.name, businessDate: run.businessDate, runKey: workflowInfo().workflowId },
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
    nonRetryableExitCodes: exitCodesIn(job.retry.nonRetryable),
  });
}

async function writeRunLog(job: JobSpec, result: JobResult): Promise<void> {
  const runLog = proxyActivities<typeof activities>({
    // On the command's own queue: a host job's log lines stay on that host, in one file a day.
    taskQueue: jobTaskQueue(job, workflowInfo().taskQueue),
    startToCloseTimeout: '30s',
    // The job's own bound on a queue nobody serves: the run still ends (without its line).
    ...(job.startWithin === undefined ? {} : { scheduleToStartTimeout: job.startWithin }),
    // The run log is for people; after this many tries the run ends without its line, with a warning.
    retry: { maximumAttempts: 10, initialInterval: '1s', maximumInterval: '1m' },
  });
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
  return (
    failure instanceof ActivityFailure &&
    failure.cause instanceof TimeoutFailure &&
    failure.cause.timeoutType === TimeoutType.START_TO_CLOSE
  );
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
