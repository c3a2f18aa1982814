import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { catalogPath, loadCatalog } from '../catalog/load';
import { InvalidInputError } from '../catalog/validation-error';
import { applyChanges } from '../sync/apply-changes';
import { catalogSchedules } from '../sync/catalog-schedules';
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
  let desired;
  try {
    desired = catalogSchedules(loadCatalog(file), new Date(), file).desired;
  } catch (error) {
    // A missing or broken catalog (or an unset variable on this host) is not fixed by retrying.
    if (error instanceof InvalidInputError) throw ApplicationFailure.nonRetryable(error.message, 'InvalidInput');
    throw error;
  }
  const { client } = Context.current();
  const changes = await planChanges(client, desired);
  await applyChanges(client, changes, (line) => Context.current().log.info(line));
  return {
    catalogFile: file,
    created: changes.create.map((s) => s.scheduleId),
    updated: [...changes.update, ...changes.recreate.map((r) => r.schedule)].map((s) => s.scheduleId),
    deleted: changes.remove,
  };
}
