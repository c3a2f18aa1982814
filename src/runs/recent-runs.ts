import type { Client } from '@temporalio/client';
import { BusinessDate, JobName, JobStatus, RecordCount } from '../search-attributes';

/** One run as visibility knows it: what `list` and `history` show, read from Temporal itself. */
export interface RunSummary {
  workflowId: string;
  runId: string;
  businessDate: string | undefined;
  /** jobnet's status (success, error, timeout, running, …), else Temporal's. */
  status: string;
  temporalStatus: string;
  startTime: Date;
  closeTime: Date | undefined;
  recordCount: number | undefined;
}

/** Newest first. Only the job runs themselves, not the schedule's small parent workflows. */
export async function recentRuns(client: Client, name: string, limit = 20): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  const query = `${JobName.name} = "${name.replaceAll('"', '\\"')}" AND WorkflowType = "jobWorkflow"`;
  for await (const execution of client.workflow.list({ query })) {
    const attributes = execution.typedSearchAttributes;
    const temporalStatus = execution.status.name;
    runs.push({
      workflowId: execution.workflowId,
      runId: execution.runId,
      businessDate: attributes.get(BusinessDate),
      // A run killed from outside never wrote its final JobStatus: say what Temporal says.
      status: temporalStatus === 'RUNNING' || temporalStatus === 'COMPLETED' || temporalStatus === 'FAILED'
        ? (attributes.get(JobStatus) ?? temporalStatus.toLowerCase())
        : temporalStatus.toLowerCase(),
      temporalStatus,
      startTime: execution.startTime,
      closeTime: execution.closeTime,
      recordCount: attributes.get(RecordCount),
    });
    if (runs.length >= limit) break;
  }
  return runs.sort((a, b) => b.startTime.getTime() - a.startTime.getTime());
}

/** Finished runs that failed since the last success (seed 003 alerts at 3). */
export function consecutiveFailures(runs: readonly RunSummary[]): number {
  let failures = 0;
  for (const run of runs) {
    if (run.temporalStatus === 'RUNNING') continue;
    if (run.status === 'success') break;
    failures++;
  }
  return failures;
}
