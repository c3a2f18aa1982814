import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { catalogPath, loadCatalog } from '../catalog/load/load';
import { InvalidInputError } from '../validation/validation-error';
import { applyChanges } from '../sync/apply-changes';
import { catalogSchedules } from '../sync/catalog-schedules';
import { catalogIdOf } from '../sync/owned';
import { planChanges } from '../sync/plan-changes';

export interface RefreshResult {
  catalogFile: string;
  created: string[];
  updated: string[];
  deleted: string[];
}

/**
 * `jobnet sync`, run by jobnet itself on a worker: it recompiles the catalog at today's date,
 * so the business-calendar skip lists of the Schedules stay ahead of time without anyone
 * remembering to sync. Idempotent: a second run finds nothing to change.
 */
export async function refreshSchedules(input: { catalogFile?: string }): Promise<RefreshResult> {
  const file = catalogPath(input.catalogFile);
  const { client } = Context.current();
  let changes;
  try {
    const catalog = loadCatalog(file);
    changes = await planChanges(client, catalogSchedules(catalog, new Date(), file).desired, catalogIdOf(catalog));
  } catch (error) {
    // A missing or broken catalog, an unset variable on this host or a name another catalog of
    // the namespace owns is not fixed by retrying.
    if (error instanceof InvalidInputError) throw ApplicationFailure.nonRetryable(error.message, 'InvalidInput');
    throw error;
  }
  await applyChanges(client, changes, (change) => Context.current().log.info(`${change.verb} ${change.scheduleId}`));
  return {
    catalogFile: file,
    created: changes.create.map((s) => s.scheduleId),
    updated: [...changes.update, ...changes.recreate.map((r) => r.schedule)].map((s) => s.scheduleId),
    deleted: changes.remove,
  };
}
