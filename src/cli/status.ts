import type { Command } from 'commander';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { jobResultSchema } from '../catalog/run-result';
import { InvalidInputError } from '../catalog/validation-error';
import { JobName, JobStatus } from '../search-attributes';
import { jobStateQuery, type JobState } from '../workflows/definitions';
import type { CliContext } from './context';

const WATCH_EVERY_MS = 2_000;

function render(workflowId: string, temporalStatus: string, state: JobState | undefined): string {
  if (!state) return `${workflowId}: ${temporalStatus.toLowerCase()}`;
  const lines = [`${workflowId}: ${state.status} (attempts ${state.attempts})`];
  for (const event of state.events) {
    const extra = [event.retryAt && `retry at ${event.retryAt}`, event.error].filter(Boolean).join(' — ');
    lines.push(`  ${event.at}  ${event.type}${extra ? `  ${extra}` : ''}`);
  }
  return lines.join('\n');
}

async function runState(client: Client, workflowId: string): Promise<{ temporalStatus: string; state?: JobState }> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe().catch((error: Error) => {
    if (error.name === 'WorkflowNotFoundError') {
      throw new InvalidInputError([{ path: workflowId, message: 'no such run (ids look like <job>@<YYYY-MM-DD>)' }], 'arguments');
    }
    throw error;
  });
  const temporalStatus = description.status.name;
  if (temporalStatus !== 'RUNNING') {
    // A finished run is read from its result (or its failure's details): no worker needed.
    const outcome = await handle.result().then(
      (result: unknown) => result,
      (error: unknown) => (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure ? error.cause.details?.[0] : undefined),
    );
    const result = jobResultSchema.safeParse(outcome);
    if (!result.success) return { temporalStatus };
    const { name, businessDate, status, attempts, events } = result.data;
    return { temporalStatus, state: { name, businessDate, status, attempts, events, waiting: null } };
  }
  // A running run answers a query; without a worker the query fails and we say what Temporal knows.
  const state = await handle.query(jobStateQuery).catch(() => undefined);
  return { temporalStatus, state };
}

export function registerStatus(program: Command, context: () => CliContext): void {
  program
    .command('status')
    .description('the state of one run (events, attempts), or the runs going on now')
    .argument('[run]', 'run id, e.g. BATCH-001@2026-12-01')
    .option('--watch', 'refresh until the run has finished')
    .action(async (workflowId: string | undefined, options: { watch?: boolean }) => {
      const ctx = context();
      const client = await ctx.client();
      if (!workflowId) {
        const running: Array<{ workflowId: string; status: string; job: string }> = [];
        for await (const run of client.workflow.list({ query: `ExecutionStatus = "Running" AND WorkflowType = "jobWorkflow"` })) {
          running.push({ workflowId: run.workflowId, job: run.typedSearchAttributes.get(JobName) ?? '', status: run.typedSearchAttributes.get(JobStatus) ?? 'running' });
        }
        if (ctx.options.json) return ctx.json(running);
        return ctx.output.out(running.length ? running.map((r) => `${r.workflowId.padEnd(36)} ${r.status}`).join('\n') : 'no runs going on');
      }
      for (;;) {
        const { temporalStatus, state } = await runState(client, workflowId);
        if (ctx.options.json) ctx.json({ workflowId, temporalStatus, ...state });
        else ctx.output.out(render(workflowId, temporalStatus, state));
        if (!options.watch || temporalStatus !== 'RUNNING') return;
        await new Promise((resolve) => setTimeout(resolve, WATCH_EVERY_MS));
      }
    });
}
