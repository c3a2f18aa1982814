import type { Client } from '@temporalio/client';
import { JobName, JobStatus } from '../contracts/search-attributes';
import { RUN_WORKFLOW_TYPES, and, inList } from './query';

/** A run going on now, as `jobnet status` without a run id lists it. */
export interface RunningRun {
  workflowId: string;
  /** The job, jobnet or fan-out it is a run of. */
  job: string;
  /** jobnet's status while it runs: running, waiting-operator, … */
  status: string;
}

/** The job, jobnet and fan-out runs going on now. */
export async function listRunningRuns(client: Client): Promise<RunningRun[]> {
  const running: RunningRun[] = [];
  const query = and(`ExecutionStatus = "Running"`, `WorkflowType IN ${inList(RUN_WORKFLOW_TYPES)}`);
  for await (const run of client.workflow.list({ query })) {
    running.push({
      workflowId: run.workflowId,
      job: run.typedSearchAttributes.get(JobName) ?? '',
      status: run.typedSearchAttributes.get(JobStatus) ?? 'running',
    });
  }
  return running;
}
