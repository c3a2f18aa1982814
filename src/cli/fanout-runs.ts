import type { FanoutRun } from '../contracts/fanout';
import { fanoutOutcome } from '../runs/retry-partitions';
import { triggerFanout } from '../runs/trigger';
import { fanoutStatusLines } from '../workflows/fanout-definitions';
import { RunFailedError, reportStart, type CliContext } from './context';

/**
 * `jobnet run <fanout job>`: the fan-out's run for today's (or the given) business date, on
 * the catalog's default queue (its partitions run on the fan-out's own `queue`). With `wait`,
 * prints the summary; a run that did not fully succeed is exit code 1.
 */
export async function startCatalogFanout(
  context: CliContext,
  run: { input: FanoutRun; taskQueue: string; description?: string },
  options: { force?: boolean; wait?: boolean },
): Promise<void> {
  const { input } = run;
  const client = await context.client();
  const { handle, started } = await triggerFanout(client, { input, taskQueue: run.taskQueue, force: options.force, description: run.description });
  if (!reportStart(context, { handle, started }, options.wait)) return;
  const result = await fanoutOutcome(handle);
  if (context.options.json) context.json(result);
  else context.output.out(fanoutStatusLines(result).join('\n'));
  if (result.status !== 'success') throw new RunFailedError(`${handle.workflowId} ended ${result.status}`);
}
