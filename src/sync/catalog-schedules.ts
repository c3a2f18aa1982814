import type { Catalog } from '../catalog/catalog-schema';
import { commandJobOf } from '../catalog/command-job';
import type { ScheduleSpec } from '@temporalio/client';
import { businessDateAt } from '../catalog/business-date';
import { compileSchedule, SpecEvaluator } from '../schedules';
import { desiredSchedules, refreshSchedule, type DesiredSchedule } from './desired';

/** Scheduled entries the catalog has that cannot become Schedules yet, with the reason. */
export interface SkippedSchedule {
  name: string;
  reason: string;
}

/**
 * Every scheduled command job of the catalog as the Schedule it should be, compiled at `now`
 * (business calendars are written into the spec up to a horizon from `now`), and the daily
 * Schedule that re-syncs `catalogFile` so that horizon moves on by itself.
 */
export function catalogSchedules(catalog: Catalog, now: Date, catalogFile: string): { desired: DesiredSchedule[]; skipped: SkippedSchedule[] } {
  const skipped: SkippedSchedule[] = [];
  const jobs = [];
  for (const [name, job] of Object.entries(catalog.jobs)) {
    if (!job.schedule) continue;
    if (job.command === undefined) {
      skipped.push({ name, reason: 'only command jobs run on a schedule so far' });
      continue;
    }
    const compiled = compileSchedule(job.schedule, { timezone: catalog.timezone, calendars: catalog.calendars, now });
    const perFire = firesTwiceOnADate(compiled.spec, catalog, now);
    jobs.push({ name, job: commandJobOf(job, name), description: job.description, enabled: job.enabled, perFire, compiled });
  }
  for (const [name, jobnet] of Object.entries(catalog.jobnets)) {
    if (jobnet.schedule) skipped.push({ name, reason: 'jobnet schedules arrive with jobnetWorkflow (the jobnets issue)' });
  }
  const desired = desiredSchedules(catalog, jobs);
  // Only a catalog with schedules needs them kept fresh.
  if (desired.length > 0) desired.push(refreshSchedule(catalog, catalogFile));
  return { desired, skipped };
}

/** Whether a spec fires more than once on one business date (looked at over its next fires). */
function firesTwiceOnADate(spec: ScheduleSpec, catalog: Catalog, now: Date): boolean {
  const dates = new SpecEvaluator(spec).upcoming(now, 40).map((fire) => businessDateAt(fire, catalog.timezone, catalog.dayBoundary));
  return new Set(dates).size < dates.length;
}
