import type { Catalog } from '../catalog/schema/catalog-schema';
import { jobKindOf } from '../catalog/schema/catalog-job-schema';
import { runInputFor } from '../catalog/compile/run-input';
import type { Schedule } from '../catalog/schema/schedule-schema';
import type { ScheduleSpec } from '@temporalio/client';
import { businessDateAt } from '../time/business-date';
import { compileSchedule, SpecEvaluator } from '../schedules';
import { desiredSchedules, refreshSchedule, type DesiredSchedule, type ScheduledEntry } from './desired';

/** A business date for building a jobnet's steps; the date itself is not used. */
const TEMPLATE_DATE = '2000-01-01';

/** Scheduled entries the catalog has that cannot become Schedules yet, with the reason. */
export interface SkippedSchedule {
  name: string;
  reason: string;
}

/**
 * Every scheduled command job of the catalog as the Schedule it should be, compiled at `now`
 * (business calendars are written into the spec up to a horizon from `now`), and the daily
 * Schedule that re-syncs `catalogFile` so that horizon moves on by itself.
 *
 * Each fire carries where its events go (`notify`), channel URLs as written (`${VAR}`) in the
 * Schedule and every run's history.
 */
export function catalogSchedules(catalog: Catalog, now: Date, catalogFile: string): { desired: DesiredSchedule[]; skipped: SkippedSchedule[] } {
  const skipped: SkippedSchedule[] = [];
  const entries: ScheduledEntry[] = [];
  const compile = (schedule: Schedule) => {
    const compiled = compileSchedule(schedule, { timezone: catalog.timezone, calendars: catalog.calendars, dayBoundary: catalog.dayBoundary, now });
    return { compiled, perFire: firesTwiceOnADate(compiled.spec, catalog, now) };
  };
  for (const [name, job] of Object.entries(catalog.jobs)) {
    if (!job.schedule) continue;
    const kind = jobKindOf(job);
    if (kind === 'jobnet') {
      skipped.push({ name, reason: `${kind} jobs do not run on a schedule yet; put the job in a scheduled jobnet once its kind runs` });
      continue;
    }
    const run = runInputFor(catalog, name, TEMPLATE_DATE);
    if (run.workflow === 'fanout') {
      // Everything but the business date, which each fire supplies; the fan-out carries its own routing.
      const { businessDate: _date, ...fanout } = run.input;
      entries.push({ name, target: { fanout }, description: job.description, enabled: job.enabled, ...compile(job.schedule) });
      continue;
    }
    if (run.workflow !== 'job') throw new Error(`${name}: a job compiled to a ${run.workflow} run`);
    const { job: spec, notify } = run.input;
    entries.push({
      name,
      target: { job: spec },
      description: job.description,
      enabled: job.enabled,
      ...compile(job.schedule),
      ...(notify === undefined ? {} : { notify }),
    });
  }
  for (const [name, jobnet] of Object.entries(catalog.jobnets)) {
    if (!jobnet.schedule) continue;
    // Everything but the business date, which each fire supplies.
    const run = runInputFor(catalog, name, TEMPLATE_DATE);
    if (run.workflow !== 'jobnet') throw new Error(`${name}: a jobnet compiled to a ${run.workflow} run`);
    const { steps, operatorMaxWait, announceAs, stepRuns, notify } = run.input;
    entries.push({
      name,
      // announceAs: jobs of other schedules waiting (`after`) for this jobnet hear of its success.
      target: { jobnet: { steps, operatorMaxWait, stepRuns, ...(announceAs === undefined ? {} : { announceAs }) } },
      description: jobnet.description,
      enabled: true,
      ...compile(jobnet.schedule),
      ...(notify === undefined ? {} : { notify }),
    });
  }
  const desired = desiredSchedules(catalog, entries);
  // Only a catalog with schedules needs them kept fresh.
  if (desired.length > 0) desired.push(refreshSchedule(catalog, catalogFile));
  return { desired, skipped };
}

/** Whether a spec fires more than once on one business date (looked at over its next fires). */
function firesTwiceOnADate(spec: ScheduleSpec, catalog: Catalog, now: Date): boolean {
  const dates = new SpecEvaluator(spec).upcoming(now, 40).map((fire) => businessDateAt(fire, catalog.timezone, catalog.dayBoundary));
  return new Set(dates).size < dates.length;
}
