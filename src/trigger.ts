import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { jobRunInputSchema, type JobRunInput } from './catalog/job-schema';
import { parseOrThrow } from './catalog/validation-error';
import { BusinessDate, JobName, JobStatus } from './search-attributes';
import type { jobWorkflow } from './workflows';

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
 * Starts one run of a job for a business date — at most one per date unless `force`, which
 * starts an extra run with a distinguishable id (`<job>@<date>+<epoch ms>`).
 */
export async function triggerJob(
  client: Client,
  request: { input: JobRunInput; taskQueue: string; force?: boolean; now?: Date },
): Promise<TriggerResult> {
  const input = parseOrThrow(jobRunInputSchema, request.input, 'job run');
  const baseId = jobWorkflowId(input.name, input.businessDate);
  const workflowId = request.force ? `${baseId}+${(request.now ?? new Date()).getTime()}` : baseId;
  try {
    const handle = await client.workflow.start<typeof jobWorkflow>('jobWorkflow', {
      taskQueue: request.taskQueue,
      workflowId,
      args: [request.input],
      // A finished run for the same date blocks another one too, not only a running one.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: JobName, value: input.name },
        { key: BusinessDate, value: input.businessDate },
        { key: JobStatus, value: 'running' },
      ],
    });
    return { handle, started: true };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      return { handle: client.workflow.getHandle<typeof jobWorkflow>(workflowId), started: false };
    }
    throw error;
  }
}
