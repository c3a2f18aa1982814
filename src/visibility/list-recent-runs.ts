import type { Client } from '@temporalio/client';
import { BusinessDate, JobName, RecordCount } from '../contracts/search-attributes';
import { stepRunsOf } from './list-step-runs';
import { IS_RUN, and, holdsStep, literal, statusOf } from './query';

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

/**
 * Newest first: the job's, jobnet's or fan-out's own runs, and a job's runs as a step of a
 * jobnet (inline in the jobnet's run, see list-step-runs.ts) — not the schedule's small parent
 * workflows.
 */
export async function listRecentRuns(client: Client, name: string, limit = 20): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  for await (const execution of client.workflow.list({ query: holdsStep(name) })) {
    for (const step of await stepRunsOf(client, execution, name)) {
      runs.push({ ...step, temporalStatus: step.running ? 'RUNNING' : step.status === 'success' ? 'COMPLETED' : 'FAILED' });
    }
    if (runs.length >= limit) break;
  }
  const query = and(`${JobName.name} = ${literal(name)}`, IS_RUN);
  let own = 0;
  for await (const execution of client.workflow.list({ query })) {
    const attributes = execution.typedSearchAttributes;
    const temporalStatus = execution.status.name;
    runs.push({
      workflowId: execution.workflowId,
      runId: execution.runId,
      businessDate: attributes.get(BusinessDate),
      status: statusOf(execution),
      temporalStatus,
      startTime: execution.startTime,
      closeTime: execution.closeTime,
      recordCount: attributes.get(RecordCount),
    });
    if (++own >= limit) break;
  }
  return runs.sort((a, b) => b.startTime.getTime() - a.startTime.getTime()).slice(0, limit);
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
