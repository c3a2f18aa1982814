import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { BusinessDate, DelayedRetry, JobName } from '../contracts/search-attributes';
import { literal } from '../visibility/query';
import { appendRunLog } from './runlog';

/**
 * Terminating a run (`temporal workflow terminate`, the Web UI's Terminate) stops it without
 * running any more of its code, so a terminated job run never writes its run-log line, and its
 * `JobStatus` stays what it last was. Nothing can change a closed run's search attributes, so
 * the readers (`jobnet list`, `history`, `status`, the report and the checks) take Temporal's
 * own status for a run closed from outside; the missing run-log line is written here, by the
 * daily refresh (`refreshSchedulesWorkflow`), for every job run terminated in the last
 * LOOKBACK_MS — on the worker that runs the refresh. Appending is idempotent by run id, so
 * the overlapping windows of two days' sweeps write each line once.
 */
const LOOKBACK_MS = 2 * 86_400_000;
const TERMINATED_ERROR = 'the run was terminated from outside';

export interface TerminatedRunsSweep {
  /** Terminated job runs found in the window. */
  found: number;
  /** Run-log lines written now (the others were written by an earlier sweep). */
  written: number;
}

/** Every job run terminated since `since` gets its run-log line, with status `terminated`. */
export async function sweepTerminatedRuns(client: Client, since: Date): Promise<TerminatedRunsSweep> {
  const query = `WorkflowType = "jobWorkflow" AND ExecutionStatus = "Terminated" AND CloseTime >= ${literal(since.toISOString())}`;
  let found = 0;
  let written = 0;
  for await (const run of client.workflow.list({ query })) {
    found++;
    const attributes = run.typedSearchAttributes;
    const businessDate = attributes.get(BusinessDate);
    // A run terminated before its first workflow task set no search attributes: its id names it.
    const jobName = attributes.get(JobName) ?? run.workflowId.split('@')[0]!;
    const result = await appendRunLog({
      job_name: jobName,
      start_time: run.startTime.toISOString(),
      end_time: (run.closeTime ?? new Date()).toISOString(),
      status: 'terminated',
      output: '',
      error: (await terminateReason(client, run.workflowId, run.runId)) ?? TERMINATED_ERROR,
      run_id: run.runId,
      workflow_id: run.workflowId,
      business_date: businessDate ?? run.startTime.toISOString().slice(0, 10),
      // The attempts are in the run's history, not in visibility; 0 says "not known here".
      attempt: 0,
      delayed_retry: attributes.get(DelayedRetry) ?? false,
      record_count: null,
    });
    if (result.written) written++;
  }
  return { found, written };
}

/** The reason the operator gave, from the run's last history event. */
async function terminateReason(client: Client, workflowId: string, runId: string): Promise<string | undefined> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const reason = history.events?.at(-1)?.workflowExecutionTerminatedEventAttributes?.reason;
  return reason ? `${TERMINATED_ERROR}: ${reason}` : undefined;
}

/** The activity the daily refresh runs: the sweep over the last two days. */
export async function recordTerminatedRuns(): Promise<TerminatedRunsSweep> {
  const { client } = Context.current();
  const sweep = await sweepTerminatedRuns(client, new Date(Date.now() - LOOKBACK_MS));
  if (sweep.written > 0) Context.current().log.info(`run log: wrote the lines of ${sweep.written} terminated runs`, { ...sweep });
  return sweep;
}
