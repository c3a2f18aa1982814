import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { jobRunSchema } from '../catalog/schema/job-schema';
import type { JobRun } from '../contracts/job';
import { runSummary } from '../contracts/run-summary';
import { parseOrThrow } from '../validation/validation-error';
import { BusinessDate, JobName, JobStatus } from '../contracts/search-attributes';
import type { fanoutWorkflow, jobWorkflow, jobnetWorkflow } from '../workflows';
import { jobnetRunSchema, type JobnetRunInput } from '../catalog/compile/jobnet-input';
import { fanoutRunSchema, type FanoutRunInput } from '../catalog/compile/fanout-input';

export interface TriggerResult {
  handle: WorkflowHandle<typeof jobWorkflow>;
  /** false: a run for this job and business date exists already and was not started again. */
  started: boolean;
}

/** `<job>@<business date>`: the id that makes a second trigger for the same date a no-op. */
export function jobWorkflowId(name: string, businessDate: string): string {
  return `${name}@${businessDate}`;
}

/**
 * Starts one run of a job, jobnet or fan-out for a business date — at most one per date unless
 * `force`, which starts an extra run with a distinguishable id (`<name>@<date>+<epoch ms>`). A
 * finished run for the same date blocks another one too, not only a running one.
 */
export async function triggerWorkflow<W extends Workflow>(
  client: Client,
  request: { workflowType: string; name: string; businessDate: string; args: unknown[]; taskQueue: string; force?: boolean; now?: Date; description?: string },
): Promise<{ handle: WorkflowHandle<W>; started: boolean }> {
  const baseId = jobWorkflowId(request.name, request.businessDate);
  const workflowId = request.force ? `${baseId}+${(request.now ?? new Date()).getTime()}` : baseId;
  try {
    await client.workflow.start(request.workflowType, {
      taskQueue: request.taskQueue,
      workflowId,
      args: request.args,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      // The Web UI shows it on the run's page (decoded through the codec server).
      staticSummary: runSummary({ name: request.name, description: request.description, workflowId }),
      typedSearchAttributes: [
        { key: JobName, value: request.name },
        { key: BusinessDate, value: request.businessDate },
        { key: JobStatus, value: 'running' },
      ],
    });
    return { handle: client.workflow.getHandle<W>(workflowId), started: true };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { handle: client.workflow.getHandle<W>(workflowId), started: false };
    throw error;
  }
}

/** One run of a job for a business date (see triggerWorkflow), checked before anything starts. */
export async function triggerJob(
  client: Client,
  request: { input: JobRun; taskQueue: string; force?: boolean; now?: Date; description?: string },
): Promise<TriggerResult> {
  const input = parseOrThrow(jobRunSchema, request.input, 'job run');
  return triggerWorkflow<typeof jobWorkflow>(client, {
    ...request,
    workflowType: 'jobWorkflow',
    name: input.name,
    businessDate: input.businessDate,
    args: [input],
  });
}

/**
 * One run of a jobnet for a business date (`jobnet run <jobnet>`): the id rules of a scheduled fire
 * (`<jobnet>@<business date>`, one per date unless forced), so a hand-started run and the
 * Schedule's fire for the same date never both run.
 */
export async function triggerJobnet(
  client: Client,
  request: { input: JobnetRunInput; taskQueue: string; force?: boolean; now?: Date; description?: string },
): Promise<{ handle: WorkflowHandle<typeof jobnetWorkflow>; started: boolean }> {
  // Checked here, before anything starts; the run takes the parsed values (durations in ms, defaults filled).
  const input = parseOrThrow(jobnetRunSchema, request.input, 'jobnet run');
  return triggerWorkflow<typeof jobnetWorkflow>(client, {
    ...request,
    workflowType: 'jobnetWorkflow',
    name: input.name,
    businessDate: input.businessDate,
    args: [input],
  });
}

/** One run of a fan-out for a business date: the same id rules as a job. */
export async function triggerFanout(
  client: Client,
  request: { input: FanoutRunInput; taskQueue: string; force?: boolean; now?: Date; description?: string },
): Promise<{ handle: WorkflowHandle<typeof fanoutWorkflow>; started: boolean }> {
  // Checked here, before anything starts; the run takes the parsed values (durations in ms, defaults filled).
  const input = parseOrThrow(fanoutRunSchema, request.input, 'fan-out run');
  return triggerWorkflow<typeof fanoutWorkflow>(client, {
    ...request,
    workflowType: 'fanoutWorkflow',
    name: input.name,
    businessDate: input.businessDate,
    args: [input],
  });
}
