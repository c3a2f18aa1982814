import type { Command } from 'commander';
import { businessDateSchema } from '../catalog/schema/job-schema';
import { InvalidInputError, parseOrThrow } from '../validation/validation-error';
import { zonedTimeToUnix } from '../time/zone';
import { describeServerSchedule, scheduleIdOf } from '../sync/owned';
import type { CliContext } from './context';

/**
 * `backfill <name> --from D --to D`: the runs the schedule would have started on those
 * business dates, started now — each with its own business date, none twice (a date that
 * already ran is reported by its run, not run again).
 */
export function registerBackfill(program: Command, context: () => CliContext): void {
  program
    .command('backfill')
    .description('start the runs a schedule would have made between two business dates (inclusive)')
    .argument('<name>', 'job name')
    .requiredOption('--from <YYYY-MM-DD>', 'first business date')
    .requiredOption('--to <YYYY-MM-DD>', 'last business date')
    .action(async (name: string, options: { from: string; to: string }) => {
      const ctx = context();
      const catalog = ctx.catalog();
      const from = parseOrThrow(businessDateSchema, options.from, '--from');
      const to = parseOrThrow(businessDateSchema, options.to, '--to');
      if (from > to) throw new InvalidInputError([{ path: '--to', message: 'must not be before --from' }], 'arguments');
      const client = await ctx.client();
      const scheduleId = scheduleIdOf(name);
      if (!(await describeServerSchedule(client, scheduleId))) {
        throw new InvalidInputError([{ path: name, message: `no schedule ${scheduleId} on the server (is it scheduled, and synced?)` }], 'arguments');
      }
      // Business dates start at the day boundary of the catalog's time zone.
      const [hour, minute] = catalog.dayBoundary.split(':').map(Number) as [number, number];
      const instant = (date: string, extraDays: number) => {
        const [y, m, d] = date.split('-').map(Number) as [number, number, number];
        return new Date(zonedTimeToUnix(y, m, d + extraDays, hour, minute, 0, catalog.timezone) * 1_000);
      };
      const start = instant(from, 0);
      // Temporal's backfill end is inclusive: stop just before the next business date begins.
      const end = new Date(instant(to, 1).getTime() - 1);
      // One date after the other, as the schedule itself would have run them.
      await client.schedule.getHandle(scheduleId).backfill({ start, end, overlap: 'BUFFER_ALL' });
      ctx.output.out(`backfill of ${name} requested for ${from} … ${to} (${start.toISOString()} – ${end.toISOString()})`);
    });
}
