import type { Command } from 'commander';
import { applyChanges, type AppliedChange } from '../sync/apply-changes';
import { catalogSchedules } from '../sync/catalog-schedules';
import { isEmpty, planChanges, type SyncChanges } from '../sync/plan-changes';
import { catalogIdOf } from '../sync/owned';
import type { CliContext } from './context';

/** A change as `sync` prints it: `+` created, `~` updated or re-encrypted, `-` deleted. */
function changeLine(change: AppliedChange): string {
  switch (change.verb) {
    case 'created':
      return `+ ${change.scheduleId}${change.paused ? ' (paused: disabled)' : ''}`;
    case 'updated':
      return `~ ${change.scheduleId}`;
    case 're-encrypted':
      return `~ ${change.scheduleId} (re-encrypted under the current payload key)`;
    case 'deleted':
      return `- ${change.scheduleId}`;
  }
}

function plannedChanges(changes: SyncChanges): AppliedChange[] {
  return [
    ...changes.create.map((s) => ({ verb: 'created' as const, scheduleId: s.scheduleId, paused: !s.enabled })),
    ...changes.recreate.map((r) => ({ verb: 're-encrypted' as const, scheduleId: r.schedule.scheduleId })),
    ...changes.update.map((s) => ({ verb: 'updated' as const, scheduleId: s.scheduleId })),
    ...changes.remove.map((scheduleId) => ({ verb: 'deleted' as const, scheduleId })),
  ];
}

/**
 * Turns the catalog into Temporal Schedules: creates, updates and deletes only jobnet's own, of
 * this catalog. Each change is printed once, as it is made (with --dry-run, as it would be).
 */
export async function syncCatalog(context: CliContext, options: { dryRun?: boolean }): Promise<void> {
  const catalog = context.catalog();
  const { desired, skipped } = catalogSchedules(catalog, new Date(), context.catalogFile);
  const client = await context.client();
  const changes = await planChanges(client, desired, catalogIdOf(catalog));
  if (context.options.json) {
    if (!options.dryRun) await applyChanges(client, changes, () => undefined);
    context.json({
      create: changes.create.map((s) => s.scheduleId),
      update: changes.update.map((s) => s.scheduleId),
      reencrypt: changes.recreate.map((r) => r.schedule.scheduleId),
      delete: changes.remove,
      unchanged: changes.unchanged.map((s) => s.scheduleId),
      skipped,
      applied: !options.dryRun,
    });
    return;
  }
  if (isEmpty(changes)) context.output.out(`no changes (${changes.unchanged.length} schedules up to date)`);
  else if (options.dryRun) {
    context.output.out(plannedChanges(changes).map(changeLine).join('\n'));
    context.output.err('dry run: nothing changed');
  } else await applyChanges(client, changes, (change) => context.output.out(changeLine(change)));
  if (skipped.length > 0) context.output.out(skipped.map((s) => `! ${s.name}: not scheduled — ${s.reason}`).join('\n'));
}

export function registerSync(program: Command, context: () => CliContext): void {
  program
    .command('sync')
    .description("create, update and delete jobnet's Temporal Schedules to match the catalog")
    .option('--dry-run', 'print the changes without making them')
    .action((options: { dryRun?: boolean }) => syncCatalog(context(), options));
}
