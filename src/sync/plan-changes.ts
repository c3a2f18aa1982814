import type { Client } from '@temporalio/client';
import { currentKeyIdOf, keyIdOf } from '../codec/aes-gcm-codec';
import type { DesiredSchedule } from './desired';
import { describeServerSchedule, listOwnedScheduleIds } from './owned';

export interface SyncChanges {
  create: DesiredSchedule[];
  update: DesiredSchedule[];
  /**
   * Schedules written under another payload key than the current one (a key rotation, the codec
   * switched on): deleted and created again, keeping an operator's pause, because a Schedule's
   * memo cannot be updated in place and the old key can go only once nothing is under it.
   */
  recreate: Array<{ schedule: DesiredSchedule; paused: boolean; note?: string }>;
  /** Schedule ids jobnet owns that the catalog no longer has. */
  remove: string[];
  unchanged: DesiredSchedule[];
}

/**
 * Compares the catalog with the server. Each wanted Schedule is described by id (consistent);
 * the list of owned ones (visibility, which may lag) is only used to find what to delete.
 */
export async function planChanges(client: Client, desired: readonly DesiredSchedule[]): Promise<SyncChanges> {
  const changes: SyncChanges = { create: [], update: [], recreate: [], remove: [], unchanged: [] };
  const keyId = currentKeyIdOf(client.options.loadedDataConverter.payloadCodecs);
  for (const schedule of desired) {
    const current = await describeServerSchedule(client, schedule.scheduleId);
    if (!current) changes.create.push(schedule);
    else if (keyIdOf(current.raw.memo?.fields?.owner) !== keyId) changes.recreate.push({ schedule, paused: current.state.paused, note: current.state.note });
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
  return changes.create.length + changes.update.length + changes.recreate.length + changes.remove.length === 0;
}
