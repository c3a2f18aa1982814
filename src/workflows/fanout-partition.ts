import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type * as activities from '../activities';
import type { CommandOutcome } from '../activities/command';
import type { PartitionReport } from './fanout-definitions';
import { partitionDoneSignal, type PartitionRunInput } from './fanout-signals';
import { MAX_WORKER_LOSSES, applicationCause, exitCodesIn, isWorkerLost, jobActivityOptions, outcomeOf } from './job-attempts';


export type { PartitionRunInput } from './fanout-signals';

/**
 * One partition of a fan-out: the item job's work for one key, with the job's immediate
 * retries (none for a job that is not safe to repeat), reported to the fan-out by a signal to
 * its workflow id — the fan-out may have continued as new since it started this run, and the
 * signal reaches whichever run is current. A lighter cousin of jobWorkflow: no run-log line,
 * no search-attribute updates, no locks, so a fan-out of 100,000 keys costs the server little
 * per key (README "Fan-out" gives the figures).
 */
export async function partitionWorkflow(input: PartitionRunInput): Promise<PartitionReport> {
  const info = workflowInfo();
  // Its input is the fan-out's own, validated and parsed (PartitionRunInput); validating it
  // again would build the job schemas in every partition, the largest part of a partition's
  // cost to the worker. Started by hand, it fails at once rather than guess at its input.
  if (info.parent === undefined) {
    throw ApplicationFailure.create({
      type: 'InvalidInput',
      message: 'partitionWorkflow runs only as a fan-out\'s child: start the fan-out (jobnet run <fanout>) or rerun keys with jobnet retry-partitions',
      nonRetryable: true,
    });
  }
  const run = input;
  let report: PartitionReport;
  try {
    const { outcome, tries } = await runWork(run);
    report = { workflowId: info.workflowId, key: run.key, attempt: run.attempt, ok: true, errorType: null, error: null, recordCount: outcome.recordCount ?? null, tries };
  } catch (failure) {
    if (isCancellation(failure)) throw failure;
    const { error, errorType, tries } = describe(failure instanceof WorkFailure ? failure : new WorkFailure(failure, 0));
    report = { workflowId: info.workflowId, key: run.key, attempt: run.attempt, ok: false, errorType, error, recordCount: null, tries };
  }
  if (info.parent !== undefined) {
    try {
      // No run id: after a continue-as-new the fan-out's current run gets it.
      await getExternalWorkflowHandle(info.parent.workflowId).signal(partitionDoneSignal, report);
    } catch (error) {
      if (isCancellation(error)) throw error;
      log.warn(`${run.fanout}: partition ${run.key} could not report to ${info.parent.workflowId}: ${String(error)}`);
    }
  }
  if (!report.ok) {
    // Red in the Web UI, so failed partitions can be found by ExecutionStatus as well.
    throw ApplicationFailure.create({ type: report.errorType ?? 'Error', message: `partition ${run.key}: ${report.error ?? 'failed'}`, nonRetryable: true, details: [report] });
  }
  return report;
}

type PartitionRun = PartitionRunInput;
class WorkFailure {
  constructor(
    readonly failure: unknown,
    readonly tries: number,
  ) {}
}

/** The job's work with its retry ladder; a lost worker runs the lost attempt again (a safe job only). */
async function runWork(run: PartitionRun): Promise<{ outcome: CommandOutcome; tries: number }> {
  const { job } = run.item;
  const maxAttempts = job.safeToRepeat ? job.retry.attempts : 1;
  let tries = 0;
  for (let losses = 0; ; losses++) {
    const options = jobActivityOptions(job, losses === 0 ? maxAttempts : 1);
    try {
      const outcome = await runOnce(run, options);
      return { outcome, tries: tries + outcome.attempt };
    } catch (failure) {
      if (isCancellation(failure)) throw failure;
      tries += outcomeOf(failure)?.attempt ?? (losses === 0 ? maxAttempts : 1);
      if (isWorkerLost(failure) && job.safeToRepeat && losses < MAX_WORKER_LOSSES) {
        log.warn(`${run.fanout}: partition ${run.key} lost its worker; running it again`);
        continue;
      }
      throw new WorkFailure(failure, tries);
    }
  }
}

function runOnce(run: PartitionRun, options: ActivityOptions): Promise<CommandOutcome> {
  const { job, name } = run.item;
  const { runCommand, runJobActivity } = proxyActivities<typeof activities>(options);
  if (job.activity !== undefined) {
    return runJobActivity({
      activity: job.activity.name,
      input: { args: { ...job.activity.args, item: run.key }, jobName: name, businessDate: run.businessDate, runKey: run.runKey },
    });
  }
  return runCommand({
    command: job.command ?? [],
    cwd: job.cwd,
    env: { ...job.env, JOBNET_ITEM: run.key, JOBNET_PARTITION_RUN_KEY: run.runKey },
    timeout: job.timeout,
    killGrace: job.killGrace,
    jobName: name,
    businessDate: run.businessDate,
    nonRetryableExitCodes: exitCodesIn(job.retry.nonRetryable),
  });
}

/**
 * The error type selects the runbook: the activity's own type (`CompanyDataError`), `exit:<n>`
 * for a command's exit code, `WorkerLost` or `Timeout` otherwise.
 */
function describe(work: WorkFailure): { error: string; errorType: string; tries: number } {
  const { failure, tries } = work;
  const cause = applicationCause(failure);
  if (cause) {
    const outcome = outcomeOf(failure);
    if (cause.type === 'CommandFailed' && typeof outcome?.exitCode === 'number') return { error: cause.message, errorType: `exit:${outcome.exitCode}`, tries };
    return { error: cause.message, errorType: cause.type === 'CommandTimeout' ? 'Timeout' : (cause.type ?? 'Error'), tries };
  }
  if (isWorkerLost(failure)) return { error: 'the worker running it was lost (heartbeat time-out)', errorType: 'WorkerLost', tries };
  if (failure instanceof ActivityFailure && failure.cause instanceof TimeoutFailure) return { error: failure.cause.message, errorType: 'Timeout', tries };
  return { error: failure instanceof Error ? failure.message : String(failure), errorType: 'Error', tries };
}
