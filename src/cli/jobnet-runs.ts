import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { JobnetRun } from '../contracts/jobnet';
import { triggerJobnet } from '../runs/trigger';
import { RunFailedError, reportStart, type CliContext } from './context';
import { renderJobnet, viewNow } from './status-render';

/** `jobnet run <jobnet>`: starts (or finds) the run; with `wait`, prints its tree and fails (exit 1) if it failed. */
export async function startCatalogJobnet(
  context: CliContext,
  run: { input: JobnetRun; taskQueue: string; description?: string },
  options: { force?: boolean; wait?: boolean },
): Promise<void> {
  const { input } = run;
  const client = await context.client();
  const { handle, started } = await triggerJobnet(client, { input, taskQueue: run.taskQueue, force: options.force, description: run.description });
  if (!reportStart(context, { handle, started }, options.wait)) return;
  try {
    const result = await handle.result();
    if (context.options.json) context.json(result);
    else context.output.out((await renderJobnet(client, handle.workflowId, 'COMPLETED', result, viewNow(context.timeZone()))).join('\n'));
  } catch (error) {
    if (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure) {
      const details = error.cause.details?.[0];
      if (context.options.json) context.json(details ?? { error: error.cause.message });
      throw new RunFailedError(`${handle.workflowId} failed: ${error.cause.message}`);
    }
    throw error;
  }
}
