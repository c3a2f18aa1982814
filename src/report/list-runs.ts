import type { Client } from '@temporalio/client';
import { BusinessDate, JobName, JobStatus, RecordCount } from '../search-attributes';
import type { ReportRun } from './aggregate';
import { allStepRuns, holdsStep, literal } from '../runs/step-runs';

/**
 * The runs started since `startedAfter` (optionally of one job or jobnet), from Temporal's
 * visibility — the source of truth; jobnet keeps no run table of its own: jobs, jobnets and
 * fan-outs as runs of their own (a chain continued as new counts once, by its last run), and
 * jobs as steps of jobnets, each step once with its final status (an operator's retry of a
 * step is one run that succeeded, not a failed one and another). `onProgress` is told the
 * running count, for progress output on long histories.
 */
export async function listReportRuns(
  client: Client,
  options: { startedAfter: Date; job?: string; onProgress?: (runs: number) => void },
): Promise<ReportRun[]> {
  const conditions = [
    `WorkflowType IN ("jobWorkflow", "jobnetWorkflow", "fanoutWorkflow")`,
    `ExecutionStatus != "ContinuedAsNew"`,
    `StartTime >= ${literal(options.startedAfter.toISOString())}`,
  ];
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
  // Jobs run as steps of jobnets, filed under the catalog job they use (else the step's name).
  const jobnets = [`WorkflowType = "jobnetWorkflow"`, `ExecutionStatus != "ContinuedAsNew"`, `StartTime >= ${literal(options.startedAfter.toISOString())}`];
  if (options.job !== undefined) jobnets.push(holdsStep(options.job));
  for await (const execution of client.workflow.list({ query: jobnets.join(' AND '), pageSize: 1000 })) {
    for (const step of await allStepRuns(client, execution)) {
      if (options.job !== undefined && step.step !== options.job && step.uses !== options.job) continue;
      runs.push({
        job: step.uses ?? step.step,
        workflowId: step.workflowId,
        businessDate: step.businessDate,
        status: step.status,
        startTime: step.startTime,
        closeTime: step.closeTime,
        recordCount: step.recordCount,
      });
    }
    options.onProgress?.(runs.length);
  }
  return runs;
}
