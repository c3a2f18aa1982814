import { businessDateAt } from '../time/business-date';
import { DEFAULT_QUEUE } from '../catalog/catalog-schema';
import { fanoutRunInput } from '../catalog/fanout-input';
import { businessDateSchema } from '../catalog/job-schema';
import { jobRouting } from '../catalog/run-routing';
import { InvalidInputError, parseOrThrow } from '../validation/validation-error';
import { fanoutOutcome } from '../runs/retry-partitions';
import { triggerFanout } from '../runs/trigger';
import { fanoutStatusLines } from '../workflows/fanout-definitions';
import { RunFailedError, type CliContext } from './context';

/**
 * `jobnet run <fanout job>`: the fan-out's run for today's (or the given) business date, on
 * the catalog's default queue (its partitions run on the fan-out's own `queue`). With `wait`,
 * prints the summary; a run that did not fully succeed is exit code 1.
 */
export async function startCatalogFanout(context: CliContext, name: string, options: { date?: string; force?: boolean; wait?: boolean }): Promise<void> {
  const catalog = context.catalog();
  const job = catalog.jobs[name];
  if (job === undefined) throw new InvalidInputError([{ path: name, message: `no job "${name}" in ${context.catalogFile}` }], 'arguments');
  const businessDate = options.date ? parseOrThrow(businessDateSchema, options.date, '--date') : businessDateAt(new Date(), catalog.timezone, catalog.dayBoundary);
  const input = fanoutRunInput(catalog, job, name, businessDate, process.env, jobRouting(catalog, name, job, { routeEvents: true }));
  const client = await context.client();
  const { handle, started } = await triggerFanout(client, { input, taskQueue: catalog.defaults.queue ?? DEFAULT_QUEUE, force: options.force, description: job.description });
  context.output.err(
    started ? `started ${handle.workflowId}` : `${handle.workflowId} exists already for this business date; not started again (--force starts another run)`,
  );
  if (!options.wait) {
    if (context.options.json) context.json({ workflowId: handle.workflowId, started });
    return;
  }
  const result = await fanoutOutcome(handle);
  if (context.options.json) context.json(result);
  else context.output.out(fanoutStatusLines(result).join('\n'));
  if (result.status !== 'success') throw new RunFailedError(`${handle.workflowId} ended ${result.status}`);
}
