import type { Client } from '@temporalio/client';
import type { DesiredSchedule } from './desired';
import { describeServerSchedule, listOwnedScheduleIds } from './owned';

export interface SyncChanges {
  create: DesiredSchedule[];
  update: DesiredSchedule[];
  /** Schedule ids jobnet owns that the catalog no longer has. */
  remove: string[];
  unchanged: DesiredSchedule[];
}

/**
 * Compares the catalog with the server. Each wanted Schedule is described by id (consistent);
 * the list of owned ones (visibility, which may lag) is only used to find what to delete.
 */
export async function planChanges(client: Client, desired: readonly DesiredSchedule[]): Promise<SyncChanges> {
  const changes: SyncChanges = { create: [], update: [], remove: [], unchanged: [] };
  for (const schedule of desired) {
    const current = await describeServerSchedule(client, schedule.scheduleId);
    if (!current) changes.create.push(schedule);
    else if (current.action.memo?.jobnetHash !== schedule.hash) changes.update.push(schedule);
    else changes.unchanged.push(schedule);
  }
  const wanted = new Set(desired.map((schedule) => schedule.scheduleId));
  for (const id of await listOwnedScheduleIds(client)) {
    if (!wanted.has(id) && (await describeServerSchedule(client, id))) changes.remove.push(id);
  }
  return changes;
}

export function isEmpty(changes: SyncChanges): boolean {
  return changes.create.length + changes.update.length + changes.remove.length === 0;
}
