import type { Catalog } from '../catalog/schema/catalog-schema';
import type { Schedule } from '../catalog/schema/schedule-schema';
import { formatDuration } from '../time/duration';
import { describeSchedule } from '../schedules/describe';
import { isoInZone } from './format-time';
import { upcomingRuns } from '../schedules/upcoming';

export interface PlannedSchedule {
  name: string;
  kind: 'job' | 'jobnet';
  schedule: string;
  enabled: boolean;
  nextRuns: string[];
}

export interface CatalogPlan {
  timezone: string;
  schedules: PlannedSchedule[];
  /** Each jobnet's steps with what they wait for. */
  jobnets: Array<{ name: string; steps: Array<{ name: string; needs: string[] }> }>;
  warnings: string[];
}

interface Window {
  start: number;
  end: number;
  what: string;
}

/**
 * When a job may hold its locks: each run up to its time-out, and the delayed retry's run —
 * the window where seed 000's "+6 minutes" retry collided with the next job.
 */
function lockWindows(runs: Date[], timeoutMs: number, delayedRetryMs: number | undefined, timezone: string): Window[] {
  return runs.flatMap((run) => {
    const start = run.getTime();
    const windows: Window[] = [{ start, end: start + timeoutMs, what: `run at ${isoInZone(run, timezone)}` }];
    if (delayedRetryMs !== undefined) {
      const retry = start + delayedRetryMs;
      windows.push({ start: retry, end: retry + timeoutMs, what: `delayed retry at ${isoInZone(new Date(retry), timezone)}` });
    }
    return windows;
  });
}

function lockCollisions(catalog: Catalog, runsByJob: Map<string, Date[]>): string[] {
  const warnings: string[] = [];
  const names = [...runsByJob.keys()];
  for (const a of names) {
    const jobA = catalog.jobs[a]!;
    const windows = lockWindows(runsByJob.get(a)!, jobA.timeout, jobA.delayedRetry?.after, catalog.timezone);
    for (const b of names) {
      if (a === b) continue;
      const shared = jobA.locks.filter((lock) => catalog.jobs[b]!.locks.includes(lock));
      if (shared.length === 0) continue;
      for (const start of runsByJob.get(b)!) {
        const hit = windows.find((window) => start.getTime() >= window.start && start.getTime() < window.end);
        if (hit) {
          warnings.push(
            `${b} starts at ${isoInZone(start, catalog.timezone)}, inside ${a}'s ${hit.what} (up to ${formatDuration(jobA.timeout)}); ` +
              `both take lock ${shared.join(', ')}, so ${b} will wait or fail`,
          );
          break;
        }
      }
    }
  }
  return warnings;
}

/** `jobnet plan`: validated catalog, next fire times of every schedule, graph and warnings — offline. */
export function planCatalog(catalog: Catalog, options: { from: Date; next: number }): CatalogPlan {
  const planOne = (name: string, kind: 'job' | 'jobnet', schedule: Schedule, enabled: boolean) => {
    const runs = upcomingRuns(schedule, {
      timezone: catalog.timezone,
      calendars: catalog.calendars,
      dayBoundary: catalog.dayBoundary,
      from: options.from,
      count: options.next,
    });
    const zone = schedule.timezone ?? catalog.timezone;
    return {
      runs,
      planned: { name, kind, schedule: describeSchedule(schedule, { timezone: catalog.timezone }), enabled, nextRuns: runs.map((run) => isoInZone(run, zone)) },
    };
  };
  const schedules: PlannedSchedule[] = [];
  const runsByJob = new Map<string, Date[]>();
  for (const [name, job] of Object.entries(catalog.jobs)) {
    if (!job.schedule) continue;
    const { runs, planned } = planOne(name, 'job', job.schedule, job.enabled && job.schedule.enabled);
    schedules.push(planned);
    runsByJob.set(name, runs);
  }
  for (const [name, jobnet] of Object.entries(catalog.jobnets)) {
    if (jobnet.schedule) schedules.push(planOne(name, 'jobnet', jobnet.schedule, jobnet.schedule.enabled).planned);
  }
  return {
    timezone: catalog.timezone,
    schedules,
    jobnets: Object.entries(catalog.jobnets).map(([name, jobnet]) => ({
      name,
      steps: Object.entries(jobnet.jobs).map(([step, definition]) => ({ name: step, needs: definition.needs })),
    })),
    warnings: lockCollisions(catalog, runsByJob),
  };
}
