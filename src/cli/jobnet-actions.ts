import type { Command } from 'commander';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { InvalidInputError } from '../validation/validation-error';
import { DEFAULT_QUEUE } from '../catalog/schema/catalog-schema';
import { jobnetRunInput } from '../catalog/compile/jobnet-input';
import { operatorIdentity } from '../temporal/client';
import {
  abortJobnetUpdate,
  forceStepUpdate,
  holdStepUpdate,
  releaseStepUpdate,
  retryStepUpdate,
  skipStepUpdate,
  type JobnetState,
  type StepAction,
} from '../contracts/jobnet';
import { rerunJobnet } from '../runs/rerun';
import type { CliContext } from './context';
import { renderJobnet, viewNow } from './status-render';

/**
 * The operator's levers on a jobnet run (seed 002: a stuck chain an operator had to stop or
 * skip by hand; JP1/AJS3's hold, forced end and rerun): `retry` and `skip` a step that waits
 * for an operator, `hold` and `release` a step before it starts, `force` a running step to end,
 * `abort` the run, `rerun` an ended run from its failed steps. All but rerun are Temporal
 * Updates: the run checks them and answers with its new state, or refuses them with the reason
 * (exit 2), so an operator never acts on a step that is not where they thought. Each carries who
 * (this client's identity, `JOBNET_OPERATOR` or user@host) and why (`--reason`); the run keeps
 * them in its operator actions (`status`, the Web UI's board).
 */

/** The body of a step action: the step, who, and why when given. */
function stepAction(job: string, reason: string | undefined): StepAction {
  return { job, by: operatorIdentity(), ...(reason ? { reason } : {}) };
}

async function jobnetHandle(client: Client, run: string) {
  const handle = client.workflow.getHandle(run);
  const description = await handle.describe().catch((error: Error) => {
    if (error.name === 'WorkflowNotFoundError')
      throw new InvalidInputError([{ path: run, message: 'no such run (jobnet runs look like <jobnet>@<YYYY-MM-DD>)' }], 'arguments');
    throw error;
  });
  if (description.type !== 'jobnetWorkflow') {
    throw new InvalidInputError(
      [{ path: run, message: `is a ${description.type} run; retry, skip and abort act on jobnet runs (a job run is retried with jobnet run <job> --force)` }],
      'arguments',
    );
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
  const runArgument = ['<run>', 'jobnet run id, e.g. daily-ranking@2026-12-01'] as const;
  const stepCommand = (name: string, description: string, stepHelp: string, update: typeof retryStepUpdate) =>
    program
      .command(name)
      .description(description)
      .argument(...runArgument)
      .argument('<job>', stepHelp)
      .option('--reason <text>', 'why; kept with the action in the run (status, Web UI)')
      .action(async (run: string, job: string, options: { reason?: string }) => {
        await act(context(), run, async (client) => (await jobnetHandle(client, run)).executeUpdate(update, { args: [stepAction(job, options.reason)] }));
      });
  stepCommand(
    'retry',
    'run a step of a jobnet run again that waits for an operator (onFailure: wait); only that step, then its dependants',
    'the step waiting for an operator',
    retryStepUpdate,
  );
  stepCommand('skip', 'take a step that waits for an operator as succeeded, so its dependants run', 'the step waiting for an operator', skipStepUpdate);
  stepCommand(
    'hold',
    'keep a step of a running jobnet from starting until it is released (its needs may settle meanwhile)',
    'a step that has not started',
    holdStepUpdate,
  );
  stepCommand('release', 'let a held step start (as soon as its needs allow)', 'the held step', releaseStepUpdate);
  program
    .command('force')
    .description(
      "end a running step now as succeeded or failed: its command's process tree is stopped (or its child run cancelled); succeeded lets its dependants run, failed stops the jobnet (unless onFailure: continue)",
    )
    .argument(...runArgument)
    .argument('<job>', 'the running step')
    .option('--succeeded', 'end it as succeeded')
    .option('--failed', 'end it as failed')
    .requiredOption('--reason <text>', 'why (required); kept with the action in the run')
    .action(async (run: string, job: string, options: { succeeded?: boolean; failed?: boolean; reason: string }) => {
      if (Boolean(options.succeeded) === Boolean(options.failed)) {
        throw new InvalidInputError([{ path: 'force', message: 'say how the step ends: --succeeded or --failed (one of them)' }], 'arguments');
      }
      const body = { job, outcome: options.succeeded ? ('succeeded' as const) : ('failed' as const), reason: options.reason, by: operatorIdentity() };
      await act(context(), run, async (client) => (await jobnetHandle(client, run)).executeUpdate(forceStepUpdate, { args: [body] }));
    });
  program
    .command('abort')
    .description('end a jobnet run as aborted: waiting steps fail, nothing new starts, running steps finish')
    .argument(...runArgument)
    .option('--reason <text>', "why; kept in the run's result")
    .action(async (run: string, options: { reason?: string }) => {
      const body = { by: operatorIdentity(), ...(options.reason ? { reason: options.reason } : {}) };
      await act(context(), run, async (client) => (await jobnetHandle(client, run)).executeUpdate(abortJobnetUpdate, { args: [body] }));
    });
  program
    .command('rerun')
    .description(
      "start an ended jobnet run again from its failed steps: the steps that succeeded are kept and not run again (the catalog's current definition of the jobnet is used)",
    )
    .argument('<run>', 'the ended jobnet run, e.g. daily-ranking@2026-12-01')
    .option('--from <step>', 'rerun this step and every step after it, whatever their outcome')
    .option('--reason <text>', 'why; kept with the action in the new run')
    .action(async (run: string, options: { from?: string; reason?: string }) => {
      const ctx = context();
      const catalog = ctx.catalog();
      const client = await ctx.client();
      const { handle, plan } = await rerunJobnet(client, {
        endedWorkflowId: run,
        inputFor: (name, businessDate) => jobnetRunInput(catalog, name, businessDate, process.env, { routeEvents: true }),
        taskQueue: catalog.defaults.queue ?? DEFAULT_QUEUE,
        from: options.from,
        reason: options.reason,
        by: operatorIdentity(),
      });
      ctx.output.err(
        `started ${handle.workflowId}, a rerun of ${run}: running again ${plan.again.join(', ')}${plan.kept.length > 0 ? `; kept ${plan.kept.join(', ')}` : ''}`,
      );
      if (ctx.options.json) ctx.json({ workflowId: handle.workflowId, rerunOf: run, again: plan.again, kept: plan.kept });
    });
}
