import { Context, CancelledFailure } from '@temporalio/activity';
import type { Logger } from '@temporalio/common';
import { ApplicationFailure } from '@temporalio/common';
import { spawn } from 'node:child_process';
import { THIS_HOST } from './this-host';
import type { JobSpec } from '../catalog/schema/job-schema';
import { killProcessTree } from './process-tree';
import { processReaper, type LaunchedCommand } from './process-reaper';
import { OutputTail } from './output-tail';
import { RecordProgress } from '../metrics/progress';
import { resolveCommand } from './host-command';
import { appendRunLog } from './runlog';

/** Enough of stdout / stderr to diagnose a failure; the rest goes by. */
export const OUTPUT_TAIL_BYTES = 64 * 1024;
const HEARTBEAT_EVERY_MS = 1_000;
/** A command may report how many records it processed by printing this on its own line. */
const RECORD_COUNT_LINE = /^JOBNET_RECORD_COUNT=(\d+)\s*$/gm;

export interface CommandRequest extends Pick<JobSpec, 'cwd' | 'env' | 'timeout' | 'killGrace'> {
  /** argv, run without a shell; argv, env and cwd as the catalog writes them, `${VAR}` resolved here. */
  command: string[];
  jobName: string;
  businessDate: string;
  /** Exit codes that no retry can fix (the job's `nonRetryable: [exit:N]`). */
  nonRetryableExitCodes: number[];
  /** JOBNET_RUN_ID, when the run is not the workflow itself (a jobnet's step: `<jobnet run>/<step>`). */
  runId?: string;
  /**
   * Variables set as they are, after `env` is resolved: values that are data, never templates —
   * a partition's key comes from a file listing or a query, and `${…}` in it must not read the
   * worker's environment.
   */
  literalEnv?: Record<string, string>;
  /**
   * The run's line in the run log, written by this attempt if it succeeds — a success ends the
   * run, so its line is known here, and the workflow need not hand it to another activity.
   */
  runLog?: { workflowId: string; runId: string; startTime: string; attemptsBefore: number; delayedRetry: boolean };
}

export interface CommandOutcome {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  recordCount?: number;
  attempt: number;
  host: string;
  /** This successful attempt wrote the run's run-log line. */
  runLogWritten?: boolean;
}

/** Failure types a command attempt ends with; they are the names used in `nonRetryable` too. */
export const CommandFailureType = {
  failed: 'CommandFailed',
  timeout: 'CommandTimeout',
  notStarted: 'CommandNotStarted',
} as const;

function lastRecordCount(stdout: string): number | undefined {
  let count: number | undefined;
  for (const match of stdout.matchAll(RECORD_COUNT_LINE)) count = Number(match[1]);
  return count;
}

function lastLine(text: string): string {
  const lines = text.trimEnd().split('\n');
  return lines[lines.length - 1]?.slice(0, 500) ?? '';
}

/** Where one attempt of a command runs: an activity of its own, or a key of a partition batch. */
export interface CommandAttempt {
  /** 1 for the first attempt of its series. */
  attempt: number;
  /** JOBNET_RUN_ID: the run the command keys its effects to. */
  runId: string;
  /** The Temporal run, for the start log line. */
  workflowRunId?: string;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Aborted when the attempt is cancelled: the process tree is killed. */
  signal: AbortSignal;
  heartbeat(details: unknown): void;
}

/**
 * Runs one attempt of a command job as an activity of its own: argv without a shell, in its own
 * process group, killed as a whole tree at the per-attempt timeout, on cancellation, and if the
 * worker dies.
 */
export async function runCommand(request: CommandRequest): Promise<CommandOutcome> {
  const context = Context.current();
  const { info } = context;
  return executeCommand(request, {
    attempt: info.attempt,
    runId: request.runId ?? info.workflowExecution?.workflowId ?? info.activityId,
    workflowRunId: info.workflowExecution?.runId,
    log: context.log,
    signal: context.cancellationSignal,
    heartbeat: (details) => context.heartbeat(details),
  });
}

/**
 * Starts a command in its own process group with its output piped: through the worker's reaper
 * (a small process forks far faster than a big worker, and the reaper tracks the group from its
 * first moment), or directly on Windows, which has no process groups to reap.
 */
async function startCommand(argv: string[], options: { cwd?: string | undefined; env: NodeJS.ProcessEnv }): Promise<LaunchedCommand> {
  if (process.platform !== 'win32') return processReaper.launch(argv, options);
  const child = spawn(argv[0]!, argv.slice(1), { ...options, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  return child as unknown as LaunchedCommand;
}

/** One attempt of a command, wherever it runs (see CommandAttempt). */
export async function executeCommand(request: CommandRequest, attempt: CommandAttempt): Promise<CommandOutcome> {
  const context = attempt;
  // Secrets are resolved only here, on the host, and masked in everything the attempt reports.
  const host = resolveCommand(request, request.jobName);
  const [program] = host.argv;
  const startedAt = Date.now();
  const stdout = new OutputTail(OUTPUT_TAIL_BYTES);
  const stderr = new OutputTail(OUTPUT_TAIL_BYTES);

  const env = {
    ...process.env,
    ...host.env,
    ...request.literalEnv,
    JOBNET_JOB: request.jobName,
    JOBNET_BUSINESS_DATE: request.businessDate,
    JOBNET_RUN_ID: attempt.runId,
    JOBNET_ATTEMPT: String(attempt.attempt),
  };
  const child = await startCommand(host.argv, { cwd: host.cwd, env });
  const pgid = child.pid;
  // The start line (seed 001): which run, when, and with what; the logger redacts secrets.
  context.log.info(`${request.jobName}: command started`, {
    job: request.jobName,
    businessDate: request.businessDate,
    runId: attempt.workflowRunId,
    attempt: attempt.attempt,
    startTime: new Date(startedAt).toISOString(),
    pid: pgid,
    command: request.command,
    cwd: request.cwd ?? process.cwd(),
    env: request.env,
    timeoutMs: request.timeout,
  });
  // Progress every 1000 records, from the command's own JOBNET_RECORD_COUNT lines as they come.
  const progress = new RecordProgress((records) => context.log.info(`${request.jobName}: ${records} records processed`, { job: request.jobName, records }));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout.push(chunk);
    progress.push(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

  let stopReason: 'timeout' | 'cancelled' | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (reason: 'timeout' | 'cancelled') => {
    if (stopReason || pgid === undefined) return;
    stopReason = reason;
    context.log.warn(`stopping command (${reason}): killing process group ${pgid}`);
    stopping = killProcessTree(pgid, request.killGrace).catch((error: Error) => {
      context.log.error(`could not kill process group ${pgid}: ${error.message}`);
    });
  };
  const timeoutTimer = setTimeout(() => stop('timeout'), request.timeout);
  const heartbeatTimer = setInterval(() => context.heartbeat({ pid: pgid, elapsedMs: Date.now() - startedAt, stdoutBytes: stdout.total }), HEARTBEAT_EVERY_MS);
  const onCancel = () => stop('cancelled');
  context.signal.addEventListener('abort', onCancel);
  if (context.signal.aborted) onCancel();

  try {
    const { exitCode, signal } = await new Promise<{ exitCode: number | null; signal: string | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, sig) => {
        const done = () => resolve({ exitCode: code, signal: sig });
        // Whatever the command left behind in its group ends with it (like systemd's
        // KillMode=control-group); only then do its output pipes close.
        if (pgid !== undefined) {
          killProcessTree(pgid, request.killGrace).catch((error: Error) => context.log.warn(`could not stop what the command left running: ${error.message}`));
        }
        // A descendant that left the group (setsid, a daemon) may hold the pipes open for ever:
        // the command is over, so stop reading and report it.
        const stopReading = setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          done();
        }, request.killGrace + 1_000).unref();
        child.once('close', () => {
          clearTimeout(stopReading);
          done();
        });
      });
    }).catch((error: NodeJS.ErrnoException) => {
      throw ApplicationFailure.create({
        type: CommandFailureType.notStarted,
        message: host.mask(`cannot start ${program}: ${error.message}`),
        // A missing program or a wrong cwd is not fixed by trying again at once.
        nonRetryable: true,
      });
    });
    await stopping;

    const outcomeStdout = stdout.toString();
    const outcome: CommandOutcome = {
      exitCode,
      signal,
      stdout: host.mask(stdout.toString()),
      stderr: host.mask(stderr.toString()),
      durationMs: Date.now() - startedAt,
      recordCount: lastRecordCount(outcomeStdout),
      attempt: attempt.attempt,
      host: THIS_HOST,
    };
    if (stopReason === 'cancelled') throw new CancelledFailure('command cancelled; its process tree was killed');
    if (stopReason === 'timeout') {
      throw ApplicationFailure.create({
        type: CommandFailureType.timeout,
        message: `timed out after ${request.timeout} ms; process tree killed`,
        details: [outcome],
      });
    }
    if (exitCode !== 0) {
      const why = exitCode === null ? `killed by ${signal}` : `exited with code ${exitCode}`;
      const detail = lastLine(outcome.stderr) || lastLine(outcome.stdout);
      throw ApplicationFailure.create({
        type: CommandFailureType.failed,
        message: detail ? `${why}: ${detail}` : why,
        nonRetryable: exitCode !== null && request.nonRetryableExitCodes.includes(exitCode),
        details: [outcome],
      });
    }
    if (request.runLog !== undefined) {
      const { workflowId, runId, startTime, attemptsBefore, delayedRetry } = request.runLog;
      await appendRunLog({
        job_name: request.jobName,
        start_time: startTime,
        end_time: new Date().toISOString(),
        status: 'success',
        output: outcome.stdout,
        error: null,
        run_id: runId,
        workflow_id: workflowId,
        business_date: request.businessDate,
        attempt: attemptsBefore + attempt.attempt,
        delayed_retry: delayedRetry,
        record_count: outcome.recordCount ?? null,
      });
      outcome.runLogWritten = true;
    }
    return outcome;
  } finally {
    clearTimeout(timeoutTimer);
    clearInterval(heartbeatTimer);
    context.signal.removeEventListener('abort', onCancel);
    if (pgid !== undefined) processReaper.untrack(pgid);
  }
}
