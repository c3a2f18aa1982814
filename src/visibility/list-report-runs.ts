import type { Client } from '@temporalio/client';
import { BusinessDate, JobName, RecordCount } from '../contracts/search-attributes';
import type { ReportRun } from '../report/aggregate';
import { allStepRuns } from './list-step-runs';
import { IS_RUN, and, holdsStep, literal, statusOf } from './query';

/**
 * The runs started since `startedAfter` (optionally of one job or jobnet), from Temporal's
 * visibility — the source of truth; jobnet keeps no run table of its own: jobs, jobnets and
 * fan-outs as runs of their own (a chain continued as new counts once, by its last run), and
 * jobs as steps of jobnets, each step once with its final status (an operator's retry of a
 * step is one run that succeeded, not a failed one and another). `onProgress` is told the
 * running count, for progress output on long histories.
 */
export async function listReportRuns(client: Client, options: { startedAfter: Date; job?: string; onProgress?: (runs: number) => void }): Promise<ReportRun[]> {
  const since = `StartTime >= ${literal(options.startedAfter.toISOString())}`;
  const query = and(IS_RUN, since, options.job !== undefined && `${JobName.name} = ${literal(options.job)}`);
  const runs: ReportRun[] = [];
  for await (const execution of client.workflow.list({ query, pageSize: 1000 })) {
    const attributes = execution.typedSearchAttributes;
    const temporalStatus = execution.status.name;
    const closed = temporalStatus !== 'RUNNING' && temporalStatus !== 'CONTINUED_AS_NEW';
    runs.push({
      job: attributes.get(JobName) ?? execution.workflowId.split('@')[0]!,
      workflowId: execution.workflowId,
      businessDate: attributes.get(BusinessDate),
      status: statusOf(execution),
      startTime: execution.startTime,
      closeTime: closed ? (execution.closeTime ?? execution.startTime) : undefined,
      recordCount: attributes.get(RecordCount),
    });
    if (runs.length % 1000 === 0) options.onProgress?.(runs.length);
  }
  // Jobs run as steps of jobnets, filed under the catalog job they use (else the step's name).
  const jobnets = and(`WorkflowType = "jobnetWorkflow"`, `ExecutionStatus != "ContinuedAsNew"`, since, options.job !== undefined && holdsStep(options.job));
  for await (const execution of client.workflow.list({ query: jobnets, pageSize: 1000 })) {
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
