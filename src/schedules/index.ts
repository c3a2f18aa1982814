export { compileSchedule, scheduleHorizon, DEFAULT_HORIZON_DAYS, type CompileOptions, type CompiledSchedule, type ScheduleHorizon } from './compile';
export { upcomingRuns, type UpcomingOptions } from './upcoming';
export { describeSchedule } from './describe';
export { SpecEvaluator } from './spec-evaluator';
