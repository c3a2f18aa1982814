import { ScheduleNotFoundError, type Client, type ScheduleSummary } from '@temporalio/client';

/**
 * jobnet owns the Schedules it created: id `jobnet:<name>` and memo `owner: jobnet`. It never
 * touches any other Schedule in the namespace.
 *
 * Several catalogs can share a namespace: each Schedule's memo names the catalog that made it
 * (its top-level `name:`, else `default`), and `sync` deletes only its own catalog's. Job and
 * jobnet names stay unique across them, since their runs are `<name>@<date>` in one namespace.
 */
export const SCHEDULE_ID_PREFIX = 'jobnet:';
export const OWNER = 'jobnet';
export const DEFAULT_CATALOG_ID = 'default';

export const scheduleIdOf = (name: string) => `${SCHEDULE_ID_PREFIX}${name}`;
export const nameOfScheduleId = (scheduleId: string) => scheduleId.slice(SCHEDULE_ID_PREFIX.length);

/** The identity of a catalog in its namespace. */
export const catalogIdOf = (catalog: { name?: string }) => catalog.name ?? DEFAULT_CATALOG_ID;

/** The memo of a Schedule made by the catalog `catalogId`. */
export const ownerMemo = (catalogId: string) => ({ owner: OWNER, catalog: catalogId });

/** The catalog that made a Schedule; Schedules from before catalogs had names are the default's. */
export function catalogOfMemo(memo: Record<string, unknown> | undefined): string {
  return typeof memo?.catalog === 'string' ? memo.catalog : DEFAULT_CATALOG_ID;
}

export function isOwned(summary: Pick<ScheduleSummary, 'scheduleId' | 'memo'>): boolean {
  return summary.scheduleId.startsWith(SCHEDULE_ID_PREFIX) && summary.memo?.owner === OWNER;
}

/** The Schedules jobnet owns, with the catalog of each. Visibility lags a little behind creations and deletions. */
export async function listOwnedSchedules(client: Client): Promise<Array<{ scheduleId: string; catalog: string }>> {
  const owned: Array<{ scheduleId: string; catalog: string }> = [];
  for await (const summary of client.schedule.list())
    if (isOwned(summary)) owned.push({ scheduleId: summary.scheduleId, catalog: catalogOfMemo(summary.memo) });
  return owned.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
}

/** Ids of the Schedules jobnet owns, of every catalog. */
export async function listOwnedScheduleIds(client: Client): Promise<string[]> {
  return (await listOwnedSchedules(client)).map((owned) => owned.scheduleId);
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
