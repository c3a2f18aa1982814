import type { ScheduleOptions } from '@temporalio/client';
import type { Catalog } from '../catalog/schema/catalog-schema';
import { DEFAULT_QUEUE } from '../catalog/schema/catalog-schema';
import type { JobSpec } from '../catalog/schema/job-schema';
import type { EventRouting } from '../contracts/events';
import type { ScheduledRun } from '../contracts/scheduled';
import type { CompiledSchedule } from '../schedules';
import { stableHash } from './stable-hash';
import { DEFAULT_CATALOG_ID, catalogIdOf, nameOfScheduleId, ownerMemo, scheduleIdOf } from './owned';

/** One Schedule as the catalog wants it on the server. */
export interface DesiredSchedule {
  scheduleId: string;
  name: string;
  description?: string;
  enabled: boolean;
  note?: string;
  /** Content hash of everything below; stored in the action's memo, compared by `sync`. */
  hash: string;
  options: Omit<ScheduleOptions, 'scheduleId' | 'state' | 'memo'>;
  memo: Record<string, unknown>;
}

/** A scheduled job or jobnet with its compiled schedule. */
export interface ScheduledEntry {
  name: string;
  /** What each fire runs: a command job (parsed form) or a jobnet's steps. */
  target: { job: JobSpec } | { jobnet: NonNullable<ScheduledRun['jobnet']> } | { fanout: NonNullable<ScheduledRun['fanout']> };
  description?: string;
  enabled: boolean;
  perFire: boolean;
  compiled: CompiledSchedule;
  /** Where each fire's events go (built from the catalog file's text, secrets deferred). */
  notify?: EventRouting;
}

/** The Schedules the catalog asks for: one per scheduled job or jobnet, fired as scheduledRunWorkflow. */
export function desiredSchedules(catalog: Catalog, entries: readonly ScheduledEntry[]): DesiredSchedule[] {
  return entries
    .map(({ name, target, description, enabled, perFire, compiled, notify }) => {
      const run = 'job' in target ? { job: target.job } : 'fanout' in target ? { fanout: target.fanout } : { jobnet: target.jobnet };
      const input: ScheduledRun = {
        name,
        ...run,
        timezone: catalog.timezone,
        dayBoundary: catalog.dayBoundary,
        perFire,
        ...(notify === undefined ? {} : { notify }),
      };
      const taskQueue = catalog.defaults.queue ?? DEFAULT_QUEUE;
      const isEnabled = enabled && !compiled.state.paused;
      const hash = stableHash({ spec: compiled.spec, policies: compiled.policies, input, taskQueue, isEnabled, description });
      return {
        scheduleId: scheduleIdOf(name),
        name,
        description,
        enabled: isEnabled,
        note: compiled.state.note,
        hash,
        options: {
          spec: compiled.spec,
          action: {
            type: 'startWorkflow' as const,
            workflowType: 'scheduledRunWorkflow',
            workflowId: scheduleIdOf(name),
            taskQueue,
            args: [input],
            memo: { jobnetHash: hash, description: description ?? '', disabledByCatalog: !isEnabled },
          },
          policies: compiled.policies,
        },
        memo: { ...ownerMemo(catalogIdOf(catalog)), description: description ?? '' },
      };
    })
    .sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
}

/**
 * The Schedule that keeps the others fresh: daily, it re-syncs the catalog on a worker. One per
 * catalog (`jobnet:_refresh` for the default one, `jobnet:_refresh.<catalog>` for a named one):
 * a catalog name is never a job's, which cannot start with "_".
 */
export const REFRESH_SCHEDULE_ID = scheduleIdOf('_refresh');
export const refreshScheduleIdOf = (catalogId: string) => (catalogId === DEFAULT_CATALOG_ID ? REFRESH_SCHEDULE_ID : `${REFRESH_SCHEDULE_ID}.${catalogId}`);
const REFRESH_AT = { hour: 4, minute: 17 };

export function refreshSchedule(catalog: Catalog, catalogFile: string): DesiredSchedule {
  const spec = { calendars: [{ hour: REFRESH_AT.hour, minute: REFRESH_AT.minute, comment: 'refresh business-calendar horizons' }], timezone: catalog.timezone };
  const args = [{ catalogFile }];
  const taskQueue = catalog.defaults.queue ?? DEFAULT_QUEUE;
  const description = 'jobnet: re-syncs the catalog daily so business-calendar skip lists stay ahead';
  const hash = stableHash({ spec, args, taskQueue, description });
  const scheduleId = refreshScheduleIdOf(catalogIdOf(catalog));
  return {
    scheduleId,
    name: nameOfScheduleId(scheduleId),
    description,
    enabled: true,
    hash,
    options: {
      spec,
      action: {
        type: 'startWorkflow' as const,
        workflowType: 'refreshSchedulesWorkflow',
        workflowId: scheduleId,
        taskQueue,
        args,
        memo: { jobnetHash: hash, description },
      },
      policies: { overlap: 'SKIP' },
    },
    memo: { ...ownerMemo(catalogIdOf(catalog)), description },
  };
}
