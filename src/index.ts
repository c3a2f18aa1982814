/**
 * jobnet as a library: what the CLI does, for code of your own (a deploy script, a service
 * that starts runs, a dashboard). The CLI (src/cli/) only parses arguments and renders what
 * these return.
 *
 *   import { connectClient, loadCatalog, jobnetRunInput, triggerJobnet, readRunState } from './src';   // (tsx)
 */

// Connecting: Temporal's environment configuration, jobnet's codec on every payload.
export { connectClient, jobnetClient, operatorIdentity, TemporalUnreachableError } from './temporal/client';
export { temporalTarget, ExitCode, type TemporalTarget } from './temporal/connection';

// The catalog: loading, validating, turning an entry into a run's input.
export { catalogPath, loadCatalog, parseCatalog } from './catalog/load/load';
export type { Catalog } from './catalog/schema/catalog-schema';
export { InvalidInputError, type InputProblem } from './validation/validation-error';
export { jobnetRunInput } from './catalog/compile/jobnet-input';
export { fanoutRunInput } from './catalog/compile/fanout-input';
export { runInputFor, type CatalogRunInput } from './catalog/compile/run-input';
export { businessDateAt } from './time/business-date';

// Starting runs (at most one per name and business date unless forced) and retrying partitions.
export { jobWorkflowId, triggerJob, triggerJobnet, triggerFanout, triggerWorkflow } from './runs/trigger';
export { retryPartitions, fanoutOutcome, type PartitionSelection } from './runs/retry-partitions';

// Reading runs back: one run's state, and lists from Temporal's visibility.
export { readRunState, type RunState, type Progress } from './runs/run-state';
export { rerunJobnet, planRerun, type RerunPlan } from './runs/rerun';
export { listRecentRuns, consecutiveFailures, type RunSummary } from './visibility/list-recent-runs';
export { listRunningRuns, type RunningRun } from './visibility/list-running-runs';
export { listReportRuns } from './visibility/list-report-runs';

// Schedules: the catalog as Temporal Schedules.
export { catalogSchedules } from './sync/catalog-schedules';
export { planChanges, type SyncChanges } from './sync/plan-changes';
export { applyChanges, type AppliedChange } from './sync/apply-changes';
export { catalogIdOf } from './sync/owned';

// The run contracts: inputs, states and results, and the operator's messages to a jobnet run.
export type { JobRun, JobState } from './contracts/job';
export type { JobnetRun, JobnetState, JobnetResult, StepState, StepAction, ForceAction, OperatorAction } from './contracts/jobnet';
export { retryStepUpdate, skipStepUpdate, abortJobnetUpdate, holdStepUpdate, releaseStepUpdate, forceStepUpdate, jobnetStateQuery } from './contracts/jobnet';
export type { FanoutRun, FanoutResult, FanoutState } from './contracts/fanout';
