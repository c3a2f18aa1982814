import type { Client } from '@temporalio/client';
import { currentKeyIdOf, keyIdOf } from '../codec/aes-gcm-codec';
import type { DesiredSchedule } from './desired';
import { InvalidInputError, type InputProblem } from '../validation/validation-error';
import { catalogOfMemo, describeServerSchedule, listOwnedSchedules } from './owned';

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

const UNIQUE_NAMES =
  "job and jobnet names are unique across the catalogs of a namespace (runs are <name>@<date>): rename one of the two or, if this catalog replaces that one, give it that catalog's name:";

/**
 * Compares the catalog `catalogId` with the server. Each wanted Schedule is described by id
 * (consistent); the list of owned ones (visibility, which may lag) is only used to find what to
 * delete, and only the catalog's own are deleted. A wanted Schedule that another catalog of
 * the namespace made is refused (exit 2) before anything changes: two catalogs cannot both
 * own `<name>@<date>`.
 */
export async function planChanges(client: Client, desired: readonly DesiredSchedule[], catalogId: string): Promise<SyncChanges> {
  const changes: SyncChanges = { create: [], update: [], recreate: [], remove: [], unchanged: [] };
  const keyId = currentKeyIdOf(client.options.loadedDataConverter.payloadCodecs);
  const taken: InputProblem[] = [];
  for (const schedule of desired) {
    const current = await describeServerSchedule(client, schedule.scheduleId);
    if (!current) changes.create.push(schedule);
    else if (catalogOfMemo(current.memo) !== catalogId)
      taken.push({
        path: schedule.name,
        message: `${schedule.scheduleId} belongs to the catalog "${catalogOfMemo(current.memo)}" of this namespace; ${UNIQUE_NAMES}`,
      });
    else if (keyIdOf(current.raw.memo?.fields?.owner) !== keyId) changes.recreate.push({ schedule, paused: current.state.paused, note: current.state.note });
    else if (current.action.memo?.jobnetHash !== schedule.hash) changes.update.push(schedule);
    else changes.unchanged.push(schedule);
  }
  if (taken.length > 0) throw new InvalidInputError(taken, 'catalog');
  const wanted = new Set(desired.map((schedule) => schedule.scheduleId));
  for (const { scheduleId, catalog } of await listOwnedSchedules(client)) {
    if (catalog !== catalogId || wanted.has(scheduleId)) continue;
    const current = await describeServerSchedule(client, scheduleId);
    if (current && catalogOfMemo(current.memo) === catalogId) changes.remove.push(scheduleId);
  }
  return changes;
}

export function isEmpty(changes: SyncChanges): boolean {
  return changes.create.length + changes.update.length + changes.recreate.length + changes.remove.length === 0;
}
