import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { BusinessDate, JobName, RecordCount } from '../contracts/search-attributes';
import { stepRunsOf, type StepRun } from './list-step-runs';
import { and, holdsStep, inList, literal, statusOf } from './query';

/** One earlier run of a job, as the checks a run makes about itself read it. */
export interface JobRunRecord {
  workflowId: string;
  runId: string;
  businessDate: string | undefined;
  /** jobnet's status (success, error, timeout, worker-lost…), or Temporal's for a run closed from outside. */
  status: string;
  /** Still open: neither a success nor a failure yet. */
  running: boolean;
  startTime: Date;
  recordCount: number | undefined;
}

/** What runs to list: a condition on the job's own runs, their business dates, and the same test on its step runs. */
export interface JobRunFilter {
  /** A visibility condition on the job's own runs (e.g. on JobStatus or DelayedRetry). */
  query?: string;
  dates?: readonly string[];
  /** The same filter for the job's runs as jobnet steps, read from the jobnet run's state. */
  step?: (run: StepRun) => boolean;
}

function record(execution: WorkflowExecutionInfo): JobRunRecord {
  const attributes = execution.typedSearchAttributes;
  return {
    workflowId: execution.workflowId,
    runId: execution.runId,
    businessDate: attributes.get(BusinessDate),
    status: statusOf(execution),
    running: execution.status.name === 'RUNNING',
    startTime: execution.startTime,
    recordCount: attributes.get(RecordCount),
  };
}

/**
 * A job's runs matching `filter`: its own runs, and its runs as a step of a jobnet (the jobnet
 * run's BusinessDate is its steps'; their status and counts are read from its state). At most
 * `limit` of each.
 */
export async function listJobRuns(client: Client, jobName: string, filter: JobRunFilter, limit: number): Promise<JobRunRecord[]> {
  const runs: JobRunRecord[] = [];
  const inDates = filter.dates === undefined ? undefined : `${BusinessDate.name} IN ${inList(filter.dates)}`;
  const own = and(`${JobName.name} = ${literal(jobName)}`, `WorkflowType = "jobWorkflow"`, inDates, filter.query);
  for await (const execution of client.workflow.list({ query: own, pageSize: Math.min(limit, 1000) })) {
    runs.push(record(execution));
    if (runs.length >= limit) break;
  }
  let steps = 0;
  for await (const execution of client.workflow.list({ query: and(holdsStep(jobName), inDates), pageSize: Math.min(limit, 1000) })) {
    for (const step of await stepRunsOf(client, execution, jobName)) {
      if (filter.step && !filter.step(step)) continue;
      runs.push({
        workflowId: step.workflowId,
        runId: step.runId,
        businessDate: step.businessDate,
        status: step.status,
        running: step.running,
        startTime: step.startTime,
        recordCount: step.recordCount,
      });
      steps++;
    }
    if (steps >= limit) break;
  }
  return runs;
}
