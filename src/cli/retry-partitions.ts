import type { Command } from 'commander';
import { InvalidInputError } from '../validation/validation-error';
import { fanoutStatusLines } from '../workflows/fanout-definitions';
import { RunFailedError, type CliContext } from './context';
import { fanoutOutcome, retryPartitions, type PartitionSelection } from '../runs/retry-partitions';

/** `jobnet retry-partitions <run> [--failed | --keys k1,k2] [--wait]` — a new round of a fan-out's failed partitions. */
export function registerRetryPartitions(program: Command, context: () => CliContext): void {
  program
    .command('retry-partitions')
    .description('rerun failed partitions of a finished fan-out run (never the ones that succeeded)')
    .argument('<run>', 'fan-out run id, e.g. monthly-billing@2026-12-01')
    .option('--failed', 'every failed partition')
    .option('--keys <k1,k2>', 'these failed partitions only', (value) =>
      value
        .split(',')
        .map((key) => key.trim())
        .filter(Boolean),
    )
    .option('--wait', 'wait for the round to end and print its summary (exit 1 unless every partition succeeded)')
    .action(async (workflowId: string, options: { failed?: boolean; keys?: string[]; wait?: boolean }) => {
      const ctx = context();
      if (Boolean(options.failed) === (options.keys !== undefined)) {
        throw new InvalidInputError([{ path: 'retry-partitions', message: 'give one of --failed and --keys k1,k2' }], 'arguments');
      }
      if (options.keys !== undefined && options.keys.length === 0)
        throw new InvalidInputError([{ path: '--keys', message: 'name at least one key' }], 'arguments');
      const selection: PartitionSelection = options.failed ? { failed: true } : { keys: options.keys! };
      const client = await ctx.client();
      const { handle, keys, notListed } = await retryPartitions(client, workflowId, selection);
      ctx.output.err(
        `retrying ${keys.length} partition${keys.length === 1 ? '' : 's'} of ${workflowId}: ${keys
          .slice(0, 20)
          .map((k) => `${k.key}#${k.attempt}`)
          .join(', ')}${keys.length > 20 ? ', …' : ''}`,
      );
      if (notListed > 0) ctx.output.err(`${notListed} further failed partitions were not listed by the run and are not retried`);
      if (!options.wait) {
        if (ctx.options.json) ctx.json({ workflowId: handle.workflowId, keys });
        return;
      }
      const result = await fanoutOutcome(handle);
      if (ctx.options.json) ctx.json(result);
      else ctx.output.out(fanoutStatusLines(result).join('\n'));
      if (result.status !== 'success') throw new RunFailedError(`${workflowId} ended ${result.status}`);
    });
}
