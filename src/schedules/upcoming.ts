import type { Schedule } from '../catalog/schema/schedule-schema';
import { compileSchedule, type CompileOptions } from './compile';
import { SpecEvaluator } from './spec-evaluator';

export { describeSchedule } from './describe';

export interface UpcomingOptions extends Omit<CompileOptions, 'now'> {
  /** Fire times after this instant are listed. */
  from: Date;
  count: number;
}

/**
 * The next `count` fire times of a schedule after `from`, computed offline. They are the
 * times of the spec `compileSchedule` produces at `from`, evaluated the way the Temporal
 * server evaluates it, so they equal the server's `nextActionTimes` for that spec. Times past
 * the compiled horizon ignore holidays, just as the server would until the next sync (and a
 * businessDay rule, all dated entries, has none there).
 */
export function upcomingRuns(schedule: Schedule, options: UpcomingOptions): Date[] {
  const { from, count, ...compileOptions } = options;
  const { spec } = compileSchedule(schedule, { ...compileOptions, now: from });
  return new SpecEvaluator(spec).upcoming(from, count);
}
