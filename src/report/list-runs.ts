import type { Client } from '@temporalio/client';
import { BusinessDate, JobName, JobStatus, RecordCount } from '../search-attributes';
import type { ReportRun } from './aggregate';

/** A quoted string literal of Temporal's visibility query language. */
function literal(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * The job runs started since `startedAfter` (optionally of one job), from Temporal's visibility
 * — the source of truth; jobnet keeps no run table of its own. `onPage` is told the running
 * count, for progress output on long histories.
 */
export async function listReportRuns(
  client: Client,
  options: { startedAfter: Date; job?: string; onProgress?: (runs: number) => void },
): Promise<ReportRun[]> {
  const conditions = [`WorkflowType = "jobWorkflow"`, `StartTime >= ${literal(options.startedAfter.toISOString())}`];
  if (options.job !== undefined) conditions.push(`${JobName.name} = ${literal(options.job)}`);
  const runs: ReportRun[] = [];
  for await (const execution of client.workflow.list({ query: conditions.join(' AND '), pageSize: 1000 })) {
    const attributes = execution.typedSearchAttributes;
    const temporalStatus = execution.status.name;
    // A run closed from outside (terminated, cancelled, timed out) never wrote its final JobStatus.
    const closedByJobnet = temporalStatus === 'COMPLETED' || temporalStatus === 'FAILED';
    const closed = temporalStatus !== 'RUNNING' && temporalStatus !== 'CONTINUED_AS_NEW';
    runs.push({
      job: attributes.get(JobName) ?? execution.workflowId.split('@')[0]!,
      workflowId: execution.workflowId,
      businessDate: attributes.get(BusinessDate),
      status: closed && !closedByJobnet ? temporalStatus.toLowerCase() : (attributes.get(JobStatus) ?? temporalStatus.toLowerCase()),
      startTime: execution.startTime,
      closeTime: closed ? (execution.closeTime ?? execution.startTime) : undefined,
      recordCount: attributes.get(RecordCount),
    });
    if (runs.length % 1000 === 0) options.onProgress?.(runs.length);
  }
  return runs;
}
