/**
 * What a Schedule passes at every fire (scheduledRunWorkflow's input): the job, jobnet or
 * fan-out — everything but the business date, parsed — and how to turn the fire time into
 * that date. Plain types; the schema is src/catalog/compile/scheduled-run-schema.ts.
 */
import type { EventRouting } from './events';
import type { FanoutRun } from './fanout';
import type { JobSpec } from './job';
import type { NestedJobnetRun } from './jobnet';

export interface ScheduledRun {
  name: string;
  job?: JobSpec | undefined;
  jobnet?: Pick<NestedJobnetRun, 'steps' | 'operatorMaxWait' | 'announceAs' | 'stepRuns'> | undefined;
  fanout?: Omit<FanoutRun, 'businessDate'> | undefined;
  timezone: string;
  dayBoundary: string;
  /** Fires more than once a business date: each fire is its own run, `<job>@<date>T<HHMM>`. */
  perFire: boolean;
  notify?: EventRouting | undefined;
}
