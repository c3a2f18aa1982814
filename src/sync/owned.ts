import { ScheduleNotFoundError, type Client, type ScheduleSummary } from '@temporalio/client';

/**
 * jobnet owns the Schedules it created: id `jobnet:<name>` and memo `owner: jobnet`. It never
 * touches any other Schedule in the namespace.
 */
export const SCHEDULE_ID_PREFIX = 'jobnet:';
export const OWNER_MEMO = { owner: 'jobnet' } as const;

export const scheduleIdOf = (name: string) => `${SCHEDULE_ID_PREFIX}${name}`;
export const nameOfScheduleId = (scheduleId: string) => scheduleId.slice(SCHEDULE_ID_PREFIX.length);

export function isOwned(summary: Pick<ScheduleSummary, 'scheduleId' | 'memo'>): boolean {
  return summary.scheduleId.startsWith(SCHEDULE_ID_PREFIX) && summary.memo?.owner === OWNER_MEMO.owner;
}

/** Ids of the Schedules jobnet owns. Visibility lags a little behind creations and deletions. */
export async function listOwnedScheduleIds(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for await (const summary of client.schedule.list()) if (isOwned(summary)) ids.push(summary.scheduleId);
  return ids.sort();
}

/** `describe`, or undefined when there is no such Schedule. */
export async function describeServerSchedule(client: Client, scheduleId: string) {
  try {
    return await client.schedule.getHandle(scheduleId).describe();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return undefined;
    throw error;
  }
}
