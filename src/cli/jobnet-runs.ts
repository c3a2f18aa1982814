import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { businessDateAt } from '../catalog/business-date';
import { DEFAULT_QUEUE } from '../catalog/catalog-schema';
import { businessDateSchema } from '../catalog/job-schema';
import { jobnetRunInput, jobnetRunSchema, type JobnetRunInput } from '../catalog/jobnet-input';
import { parseOrThrow } from '../catalog/validation-error';
import { triggerWorkflow } from '../trigger';
import type { jobnetWorkflow } from '../workflows';
import { RunFailedError, type CliContext } from './context';
import { renderJobnet, viewNow } from './status-render';

/**
 * Starting a jobnet run by hand (`jobnet run <jobnet>`): the id rules of a scheduled fire
 * (`<jobnet>@<business date>`, one per date unless forced), so a hand-started run and the
 * Schedule's fire for the same date never both run.
 */
export async function triggerJobnet(
  client: Client,
  request: { input: JobnetRunInput; taskQueue: string; force?: boolean; now?: Date; description?: string },
): Promise<{ handle: WorkflowHandle<typeof jobnetWorkflow>; started: boolean }> {
  // Checked here, before anything starts; the run takes the parsed values (durations in ms, defaults filled).
  const input = parseOrThrow(jobnetRunSchema, request.input, 'jobnet run');
  return triggerWorkflow<typeof jobnetWorkflow>(client, { ...request, workflowType: 'jobnetWorkflow', name: input.name, businessDate: input.businessDate, args: [input] });
}

/** `jobnet run <jobnet>`: starts (or finds) the run; with `wait`, prints its tree and fails (exit 1) if it failed. */
export async function startCatalogJobnet(context: CliContext, name: string, options: { date?: string; force?: boolean; wait?: boolean }): Promise<void> {
  const catalog = context.catalog();
  const businessDate = options.date ? parseOrThrow(businessDateSchema, options.date, '--date') : businessDateAt(new Date(), catalog.timezone, catalog.dayBoundary);
  const input = jobnetRunInput(catalog, name, businessDate, process.env, { routeEvents: true });
  const client = await context.client();
  const { handle, started } = await triggerJobnet(client, { input, taskQueue: catalog.defaults.queue ?? DEFAULT_QUEUE, force: options.force, description: catalog.jobnets[name]?.description });
  context.output.err(
    started ? `started ${handle.workflowId}` : `${handle.workflowId} exists already for this business date; not started again (--force starts another run)`,
  );
  if (!options.wait) {
    if (context.options.json) context.json({ workflowId: handle.workflowId, started });
    return;
  }
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
