import type { Command } from 'commander';
import { listRunningRuns } from '../visibility/list-running-runs';
import type { CliContext } from './context';
import { readRunState } from '../runs/run-state';
import { renderRun, viewNow } from './status-render';

const WATCH_EVERY_MS = 2_000;

export function registerStatus(program: Command, context: () => CliContext): void {
  program
    .command('status')
    .description("the state of one run (a job's events, a jobnet as a tree of its steps, a fan-out's progress), or the runs going on now")
    .argument('[run]', 'run id, e.g. BATCH-001@2026-12-01 or daily-ranking@2026-12-01')
    .option('--watch', 'refresh until the run has finished')
    .action(async (workflowId: string | undefined, options: { watch?: boolean }) => {
      const ctx = context();
      const client = await ctx.client();
      if (!workflowId) {
        const running = await listRunningRuns(client);
        if (ctx.options.json) return ctx.json(running);
        return ctx.output.out(running.length ? running.map((r) => `${r.workflowId.padEnd(36)} ${r.status}`).join('\n') : 'no runs going on');
      }
      for (;;) {
        const run = await readRunState(client, workflowId);
        if (ctx.options.json) ctx.json(run);
        else ctx.output.out((await renderRun(client, run, viewNow(ctx.timeZone()))).join('\n'));
        if (!options.watch || run.temporalStatus !== 'RUNNING') return;
        await new Promise((resolve) => setTimeout(resolve, WATCH_EVERY_MS));
      }
    });
}
