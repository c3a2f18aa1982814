import { ApplicationFailure, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type * as JobSchema from '../catalog/schema/job-schema';
import type { JobResult, JobRun, JobStatusValue } from '../contracts/job';
import { BusinessDate, DelayedRetry, Host, JobName, JobStatus, RecordCount } from '../contracts/search-attributes';
import { jobStateQuery, type JobState } from '../contracts/job';
import { checksUnroutedMade } from './job-alerts';
import { runJob } from './job-runner';
import { parseWorkflowInput } from './input';
import { isRunCancelled, recordCancelled } from './cancelled-run';
import { jobDetails } from './job-details';

/**
 * The run input as its client parsed it (durations in ms). A run with a parent (a Schedule's
 * fire, a jobnet running its steps as children) takes it as it is — checked with the parent's
 * own input, and the schemas would cost a run started by the thousand most of its CPU
 * (`npm run bench:workflow-start`); any other run is checked here first.
 */
function jobRunOf(input: JobRun): JobRun {
  if (workflowInfo().parent !== undefined) return input;
  // Loaded only here: a run from a parent never builds the schemas.
  const { jobRunSchema } = require('../catalog/schema/job-schema') as typeof JobSchema;
  return parseWorkflowInput(jobRunSchema, input);
}

/**
 * One job for one business date as a workflow of its own (job-runner.ts says what a job run
 * does): its search attributes and state query around it, and a failed run fails the
 * workflow with its result in the failure's details.
 */
export async function jobWorkflow(input: JobRun): Promise<JobResult> {
  const run = jobRunOf(input);
  const info = workflowInfo();
  const checksUnrouted = checksUnroutedMade();
  let state: JobState = { name: run.name, businessDate: run.businessDate, status: 'running', attempts: 0, events: [], waiting: null };
  setHandler(jobStateQuery, () => state);
  upsertSearchAttributes([
    { key: JobName, value: run.name },
    { key: BusinessDate, value: run.businessDate },
    { key: JobStatus, value: 'running' },
  ]);
  // JobStatus follows what the run does (running, waiting-lock, waiting-after, waiting-retry); its end is set once, below.
  let published: JobStatusValue = 'running';
  let delayedRetry = false;
  const result = await runJob(run, {
    workflowId: info.workflowId,
    runId: info.runId,
    checksUnrouted,
    onChange: ({ status, waiting, attempts, events }) => {
      state = { name: run.name, businessDate: run.businessDate, status, attempts, events: [...events], waiting };
      setCurrentDetails(jobDetails(info.workflowId, state));
      if (status === published || isFinal(status)) return;
      published = status;
      // DelayedRetry marks the run for the monthly count of delayed retries (one upsert with the status).
      upsertSearchAttributes([{ key: JobStatus, value: status }, ...(delayedRetry ? [{ key: DelayedRetry, value: true }] : [])]);
    },
    onDelayedRetry: () => {
      delayedRetry = true;
    },
  }).catch(async (error: unknown) => {
    // runJob has written the cancelled run's run-log line; its status is this run's to publish.
    if (isRunCancelled(error)) await recordCancelled(async () => upsertSearchAttributes([{ key: JobStatus, value: 'cancelled' }]));
    throw error;
  });
  setCurrentDetails(jobDetails(info.workflowId, { ...state, status: result.status, attempts: result.attempts, events: result.events }));
  upsertSearchAttributes([
    { key: JobStatus, value: result.status },
    ...(result.recordCount !== null ? [{ key: RecordCount, value: result.recordCount }] : []),
    ...(result.host !== null ? [{ key: Host, value: result.host }] : []),
  ]);
  if (result.status !== 'success') {
    throw ApplicationFailure.create({
      type: result.status === 'timeout' ? 'JobTimeout' : 'JobFailed',
      message: `${run.name} (${run.businessDate}) ended ${result.status}: ${result.error ?? 'no error message'}`,
      nonRetryable: true,
      details: [result],
    });
  }
  return result;
}

const FINAL_STATUSES: readonly JobStatusValue[] = ['success', 'error', 'timeout', 'worker-lost', 'cancelled'];
const isFinal = (status: JobStatusValue): boolean => FINAL_STATUSES.includes(status);
