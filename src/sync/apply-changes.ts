import type { Client } from '@temporalio/client';
import { JobName } from '../contracts/search-attributes';
import type { DesiredSchedule } from './desired';
import type { SyncChanges } from './plan-changes';

export const DISABLED_NOTE = 'disabled in the catalog (enabled: false)';

/**
 * Whether the catalog (not an operator) paused this Schedule. Kept in the action's memo — the
 * one part of a Schedule that can be updated — rather than read from the note, which the
 * catalog may word as it likes.
 */
export function disabledByCatalog(description: { action: { type: string; memo?: Record<string, unknown> } }): boolean {
  return description.action.type === 'startWorkflow' && description.action.memo?.disabledByCatalog === true;
}

function pausedState(schedule: DesiredSchedule) {
  return { paused: !schedule.enabled, note: schedule.enabled ? schedule.note : (schedule.note ?? DISABLED_NOTE) };
}

/** One change made, as it is made. */
export interface AppliedChange {
  verb: 'created' | 're-encrypted' | 'updated' | 'deleted';
  scheduleId: string;
  /** A created Schedule the catalog disabled starts paused. */
  paused?: boolean;
}

/**
 * Applies a sync plan. An update keeps an operator's pause (a maintenance window) unless the
 * catalog itself switched the job on or off.
 */
export async function applyChanges(client: Client, changes: SyncChanges, progress: (change: AppliedChange) => void): Promise<void> {
  const create = (schedule: DesiredSchedule, state: { paused: boolean; note?: string }) =>
    client.schedule.create({
      scheduleId: schedule.scheduleId,
      ...schedule.options,
      memo: schedule.memo,
      // The Web UI's schedule list can be filtered by job.
      typedSearchAttributes: [{ key: JobName, value: schedule.name }],
      state,
    });
  for (const schedule of changes.create) {
    await create(schedule, pausedState(schedule));
    progress({ verb: 'created', scheduleId: schedule.scheduleId, paused: !schedule.enabled });
  }
  for (const { schedule, paused, note } of changes.recreate) {
    await client.schedule.getHandle(schedule.scheduleId).delete();
    // An operator's pause stays; the catalog's own switch wins as in an update.
    await create(schedule, schedule.enabled ? { paused, ...(note === undefined ? {} : { note }) } : pausedState(schedule));
    progress({ verb: 're-encrypted', scheduleId: schedule.scheduleId });
  }
  for (const schedule of changes.update) {
    const handle = client.schedule.getHandle(schedule.scheduleId);
    await handle.update((previous) => {
      const wasEnabled = !disabledByCatalog(previous);
      const enabledChanged = wasEnabled !== schedule.enabled;
      return {
        ...previous,
        spec: schedule.options.spec,
        action: schedule.options.action,
        policies: { ...previous.policies, ...schedule.options.policies },
        state: enabledChanged ? { ...previous.state, ...pausedState(schedule) } : previous.state,
      };
    });
    progress({ verb: 'updated', scheduleId: schedule.scheduleId });
  }
  for (const scheduleId of changes.remove) {
    await client.schedule.getHandle(scheduleId).delete();
    progress({ verb: 'deleted', scheduleId });
  }
}
