import type { Command } from 'commander';
import { applyChanges } from '../sync/apply-changes';
import { catalogSchedules } from '../sync/catalog-schedules';
import { isEmpty, planChanges } from '../sync/plan-changes';
import type { CliContext } from './context';

/** Turns the catalog into Temporal Schedules: creates, updates and deletes only jobnet's own. */
export async function syncCatalog(context: CliContext, options: { dryRun?: boolean }): Promise<void> {
  const { desired, skipped } = catalogSchedules(context.catalog(), new Date(), context.catalogFile);
  const client = await context.client();
  const changes = await planChanges(client, desired);
  if (context.options.json) {
    context.json({
      create: changes.create.map((s) => s.scheduleId),
      update: changes.update.map((s) => s.scheduleId),
      reencrypt: changes.recreate.map((r) => r.schedule.scheduleId),
      delete: changes.remove,
      unchanged: changes.unchanged.map((s) => s.scheduleId),
      skipped,
      applied: !options.dryRun,
    });
  } else {
    const lines = [
      ...changes.create.map((s) => `+ ${s.scheduleId}${s.enabled ? '' : ' (paused: disabled)'}`),
      ...changes.update.map((s) => `~ ${s.scheduleId}`),
      ...changes.recreate.map((r) => `~ ${r.schedule.scheduleId} (re-encrypted under the current payload key)`),
      ...changes.remove.map((id) => `- ${id}`),
      ...skipped.map((s) => `! ${s.name}: not scheduled — ${s.reason}`),
    ];
    context.output.out(isEmpty(changes) ? [`no changes (${changes.unchanged.length} schedules up to date)`, ...lines].join('\n') : lines.join('\n'));
  }
  if (options.dryRun || isEmpty(changes)) return;
  await applyChanges(client, changes, (line) => context.output.err(line));
}

export function registerSync(program: Command, context: () => CliContext): void {
  program
    .command('sync')
    .description("create, update and delete jobnet's Temporal Schedules to match the catalog")
    .option('--dry-run', 'print the changes without making them')
    .action((options: { dryRun?: boolean }) => syncCatalog(context(), options));
}
