import { WorkflowFailedError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { BusinessDate, StepJobs } from '../contracts/search-attributes';
import { jobnetStateQuery, type JobnetState, type StepState } from '../contracts/jobnet';

/**
 * A jobnet runs its job steps inline — in its own run, not as runs of their own — and carries
 * the names they are filed under (each step's, and the catalog job's it uses) in its `StepJobs`
 * search attribute. This reads a job's runs as steps back out of the jobnet runs that hold
 * them, so history, list, the report and the checks count them like the job's own runs.
 */

/** A job's run as a step of a jobnet run. */
export interface StepRun {
  /** The step's run id, `<jobnet run>/<step>` (`#n` for its n-th run). */
  workflowId: string;
  /** `<jobnet run id>/<step>#<n>`: unique per run of the step (the id its own checks leave out). */
  runId: string;
  jobnetWorkflowId: string;
  step: string;
  /** The catalog job the step uses, if any. */
  uses: string | undefined;
  businessDate: string | undefined;
  /** The job's status (success, error, timeout, worker-lost), or running while the step is not settled. */
  status: string;
  running: boolean;
  startTime: Date;
  closeTime: Date | undefined;
  recordCount: number | undefined;
  delayedRetry: boolean;
}

/** The steps of a jobnet run (found with `holdsStep`) that ran `job`: by their name or the job they use. */
export async function stepRunsOf(client: Client, execution: WorkflowExecutionInfo, job: string): Promise<StepRun[]> {
  return (await allStepRuns(client, execution)).filter((run) => run.step === job || run.uses === job);
}

/** Every job step of a jobnet run that has run (inline steps; a step run as a child run is its own run). */
export async function allStepRuns(client: Client, execution: WorkflowExecutionInfo): Promise<StepRun[]> {
  const names = execution.typedSearchAttributes.get(StepJobs);
  if (names === undefined || names.length === 0) return [];
  const state = await jobnetState(client, execution);
  if (state === undefined) return [];
  const businessDate = execution.typedSearchAttributes.get(BusinessDate) ?? state.businessDate;
  // A fan-out or nested jobnet step is a run of its own, found as such.
  return Object.entries(state.steps).flatMap(([step, stepState]) =>
    stepState.attempts > 0 && stepState.kind === 'job' ? [stepRun(execution, step, stepState, businessDate)] : [],
  );
}

/** The state of a jobnet run: its query while it runs, its result (or its failure's details) once it ended. */
async function jobnetState(client: Client, execution: WorkflowExecutionInfo): Promise<JobnetState | undefined> {
  const handle = client.workflow.getHandle(execution.workflowId, execution.runId);
  if (execution.status.name === 'RUNNING') return handle.query(jobnetStateQuery).catch(() => undefined);
  return handle.result().then(
    (result: unknown) => (isJobnetState(result) ? result : undefined),
    (error: unknown) => {
      const details = error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure ? error.cause.details?.[0] : undefined;
      return isJobnetState(details) ? details : undefined;
    },
  );
}

function isJobnetState(value: unknown): value is JobnetState {
  return typeof value === 'object' && value !== null && typeof (value as Partial<JobnetState>).steps === 'object';
}

const SETTLED_JOB: readonly string[] = ['success', 'error', 'timeout', 'worker-lost', 'cancelled'];

function stepRun(execution: WorkflowExecutionInfo, step: string, state: StepState, businessDate: string | undefined): StepRun {
  const settled = state.jobStatus !== null && SETTLED_JOB.includes(state.jobStatus) && state.status !== 'running' && state.status !== 'pending';
  const startTime = state.startTime === null ? execution.startTime : new Date(state.startTime);
  return {
    workflowId: state.workflowId ?? `${execution.workflowId}/${step}`,
    runId: `${execution.runId}/${step}#${state.attempts}`,
    jobnetWorkflowId: execution.workflowId,
    step,
    uses: state.uses ?? undefined,
    businessDate,
    status: settled ? state.jobStatus! : 'running',
    running: !settled,
    startTime,
    closeTime: settled ? (state.endTime === null ? execution.closeTime : new Date(state.endTime)) : undefined,
    recordCount: state.recordCount ?? undefined,
    delayedRetry: state.delayedRetry,
  };
}
