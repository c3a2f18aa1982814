import type { Command } from 'commander';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { InvalidInputError } from '../catalog/validation-error';
import { abortJobnetUpdate, retryStepUpdate, skipStepUpdate, type JobnetState } from '../contracts/jobnet';
import type { CliContext } from './context';
import { renderJobnet, viewNow } from './status-render';

/**
 * The operator's levers on a jobnet run (seed 002: a stuck chain an operator had to stop or
 * skip by hand): `retry` and `skip` a step that waits for an operator, `abort` the run. They are
 * Temporal Updates: the run checks them and answers with its new state, or refuses them with
 * the reason (exit 2), so an operator never acts on a step that is not waiting.
 */

async function jobnetHandle(client: Client, run: string) {
  const handle = client.workflow.getHandle(run);
  const description = await handle.describe().catch((error: Error) => {
    if (error.name === 'WorkflowNotFoundError') throw new InvalidInputError([{ path: run, message: 'no such run (jobnet runs look like <jobnet>@<YYYY-MM-DD>)' }], 'arguments');
    throw error;
  });
  if (description.type !== 'jobnetWorkflow') {
    throw new InvalidInputError([{ path: run, message: `is a ${description.type} run; retry, skip and abort act on jobnet runs (a job run is retried with jobnet run <job> --force)` }], 'arguments');
  }
  if (description.status.name !== 'RUNNING') {
    throw new InvalidInputError([{ path: run, message: `has ended (${description.status.name.toLowerCase()}); there is nothing to act on` }], 'arguments');
  }
  return handle;
}

async function act(context: CliContext, run: string, send: (client: Client) => Promise<JobnetState>): Promise<void> {
  const client = await context.client();
  let state: JobnetState;
  try {
    state = await send(client);
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      throw new InvalidInputError([{ path: run, message: `refused: ${error.cause?.message ?? error.message}` }], 'arguments');
    }
    throw error;
  }
  if (context.options.json) context.json(state);
  else context.output.out((await renderJobnet(client, run, 'RUNNING', state, viewNow(context.timeZone()))).join('\n'));
}

export function registerJobnetActions(program: Command, context: () => CliContext): void {
  program
    .command('retry')
    .description('run a step of a jobnet run again that waits for an operator (onFailure: wait); only that step, then its dependants')
    .argument('<run>', 'jobnet run id, e.g. daily-ranking@2026-12-01')
    .argument('<job>', 'the step waiting for an operator')
    .action(async (run: string, job: string) => {
      const ctx = context();
      await act(ctx, run, async (client) => (await jobnetHandle(client, run)).executeUpdate(retryStepUpdate, { args: [{ job }] }));
    });
  program
    .command('skip')
    .description('take a step that waits for an operator as succeeded, so its dependants run')
    .argument('<run>', 'jobnet run id, e.g. daily-ranking@2026-12-01')
    .argument('<job>', 'the step waiting for an operator')
    .action(async (run: string, job: string) => {
      const ctx = context();
      await act(ctx, run, async (client) => (await jobnetHandle(client, run)).executeUpdate(skipStepUpdate, { args: [{ job }] }));
    });
  program
    .command('abort')
    .description('end a jobnet run as aborted: waiting steps fail, nothing new starts, running steps finish')
    .argument('<run>', 'jobnet run id, e.g. daily-ranking@2026-12-01')
    .option('--reason <text>', 'why; kept in the run\'s result')
    .action(async (run: string, options: { reason?: string }) => {
      const ctx = context();
      const body = options.reason ? { reason: options.reason } : {};
      await act(ctx, run, async (client) => (await jobnetHandle(client, run)).executeUpdate(abortJobnetUpdate, { args: [body] }));
    });
}
