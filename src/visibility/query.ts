/**
 * Temporal's visibility query language, written in one place: every query jobnet sends is
 * built from these, so a value is always escaped the same way and a run kind is always the
 * same set of workflow types.
 */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { JobStatus, StepJobs } from '../contracts/search-attributes';

/** A quoted string literal: the one escaping function of every query. */
export function literal(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** `("a", "b")`, for `IN`. */
export function inList(values: readonly string[]): string {
  return `(${values.map(literal).join(', ')})`;
}

/** The conditions that are given, joined with AND. */
export function and(...conditions: ReadonlyArray<string | undefined | false>): string {
  return conditions.filter((condition): condition is string => typeof condition === 'string' && condition !== '').join(' AND ');
}

/**
 * The workflow types of a catalog entry's own runs: a job, a jobnet, a fan-out. A Schedule's
 * small parent (scheduledRunWorkflow) and the coordination runs (locks, gates, notifications)
 * are not runs of their own.
 */
export const RUN_WORKFLOW_TYPES = ['jobWorkflow', 'jobnetWorkflow', 'fanoutWorkflow'] as const;

/** Runs of any of jobnet's kinds; a chain continued as new counts once, by its last run. */
export const IS_RUN = and(`WorkflowType IN ${inList(RUN_WORKFLOW_TYPES)}`, `ExecutionStatus != "ContinuedAsNew"`);

/** Jobnet runs that ran `job` as a step, by the step's name or the catalog job it uses (the last run of a continued chain holds all its steps). */
export function holdsStep(job: string): string {
  return and(`${StepJobs.name} = ${literal(job)}`, `WorkflowType = "jobnetWorkflow"`, `ExecutionStatus != "ContinuedAsNew"`);
}

/**
 * jobnet's status of a run as visibility lists it (success, error, timeout, running, …). A run
 * closed from outside (terminated, cancelled, timed out) never wrote its final JobStatus: then
 * what Temporal says.
 */
export function statusOf(execution: Pick<WorkflowExecutionInfo, 'status' | 'typedSearchAttributes'>): string {
  const temporalStatus = execution.status.name;
  const writtenByJobnet = temporalStatus === 'RUNNING' || temporalStatus === 'COMPLETED' || temporalStatus === 'FAILED';
  return writtenByJobnet ? (execution.typedSearchAttributes.get(JobStatus) ?? temporalStatus.toLowerCase()) : temporalStatus.toLowerCase();
}
