import type { Command } from 'commander';
import { InvalidInputError } from '../validation/validation-error';
import { listRecentRuns, type RunSummary } from '../visibility/list-recent-runs';
import type { CliContext } from './context';
import { readableInZone } from '../planning/format-time';

function formatRun(run: RunSummary, timeZone: string): string {
  const took = run.closeTime ? `${Math.round((run.closeTime.getTime() - run.startTime.getTime()) / 1000)}s` : 'running';
  const records = run.recordCount === undefined ? '' : `  records ${run.recordCount}`;
  return `${run.workflowId.padEnd(36)} ${run.status.padEnd(12)} ${readableInZone(run.startTime, timeZone)}  ${took}${records}`;
}

export function registerHistory(program: Command, context: () => CliContext): void {
  program
    .command('history')
    .description("the recent runs of a job, jobnet or fan-out, newest first, from Temporal (a job's runs as a jobnet step too)")
    .argument('<name>', 'job, jobnet or fan-out name')
    .option('-n, --limit <n>', 'how many runs', (value) => Number(value), 20)
    .action(async (name: string, options: { limit: number }) => {
      const ctx = context();
      if (!Number.isInteger(options.limit) || options.limit < 1) {
        throw new InvalidInputError([{ path: '--limit', message: 'a whole number of runs, at least 1' }], 'arguments');
      }
      const runs = await listRecentRuns(await ctx.client(), name, options.limit);
      if (ctx.options.json) return ctx.json(runs);
      if (runs.length === 0) return ctx.output.out(`no runs of ${name}`);
      ctx.output.out(runs.map((run) => formatRun(run, ctx.timeZone())).join('\n'));
    });
}
