import type { Command } from 'commander';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { runInputFor } from '../catalog/compile/run-input';
import { businessDateSchema } from '../catalog/schema/job-schema';
import type { JobRun } from '../contracts/job';
import { parseOrThrow } from '../validation/validation-error';
import { triggerJob } from '../runs/trigger';
import { RunFailedError, reportStart, type CliContext } from './context';
import { startCatalogFanout } from './fanout-runs';
import { startCatalogJobnet } from './jobnet-runs';

/** Starts (or finds) the run and, with `wait`, reports its result; a failed run is exit code 1. */
export async function startRun(
  context: CliContext,
  request: { input: JobRun; taskQueue: string; force?: boolean; wait?: boolean; description?: string },
): Promise<void> {
  const client = await context.client();
  const { handle, started } = await triggerJob(client, request);
  if (!reportStart(context, { handle, started }, request.wait)) return;
  try {
    context.json(await handle.result());
  } catch (error) {
    if (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure) {
      context.json(error.cause.details?.[0] ?? { error: error.cause.message });
      throw new RunFailedError(`${handle.workflowId} failed: ${error.cause.message}`);
    }
    throw error;
  }
}

export function registerRun(program: Command, context: () => CliContext): void {
  program
    .command('run')
    .description('run a job or jobnet now, for today or the given business date (at most once per date unless --force)')
    .argument('<name>', 'job or jobnet name from the catalog')
    .option('--date <YYYY-MM-DD>', 'business date (default: today in the catalog time zone)')
    .option('--force', 'start another run even if one exists for this business date')
    .option('--wait', 'wait for the run to finish and print its result (exit 1 if it failed)')
    .action((name: string, options: RunOptions) => runCatalogEntry(context(), name, options));
}

export interface RunOptions {
  date?: string;
  force?: boolean;
  wait?: boolean;
}

/** Starts a job, jobnet or fan-out of the catalog by name: `jobnet run` and `npm run start`. */
export async function runCatalogEntry(ctx: CliContext, name: string, options: RunOptions): Promise<void> {
  const businessDate = options.date === undefined ? undefined : parseOrThrow(businessDateSchema, options.date, '--date');
  const run = runInputFor(ctx.catalog(), name, businessDate, { catalogFile: ctx.catalogFile });
  // A fan-out runs as fanoutWorkflow, a jobnet as jobnetWorkflow, anything else as a job run.
  if (run.workflow === 'fanout') return startCatalogFanout(ctx, run, options);
  if (run.workflow === 'jobnet') return startCatalogJobnet(ctx, run, options);
  await startRun(ctx, { input: run.input, taskQueue: run.taskQueue, description: run.description, force: options.force, wait: options.wait });
}
