import { Context } from '@temporalio/activity';
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { BusinessDate, DelayedRetry, JobName, JobStatus, RecordCount } from '../search-attributes';
import { holdsStep, literal, stepRunsOf, type StepRun } from '../runs/step-runs';
import {
  datesBefore,
  datesOfMonth,
  judgeDelayedRetries,
  judgeRecordCount,
  judgeStreak,
  type CurrentRun,
  type DelayedRetryVerdict,
  type PastRun,
  type RecordCountVerdict,
  type StreakVerdict,
} from './checks-rules';

/**
 * The checks a job run makes about itself after the fact, reading its earlier runs from
 * Temporal's visibility (the search attributes JobName, BusinessDate, JobStatus, RecordCount,
 * DelayedRetry) — jobnet keeps no run table of its own. Each only reads, so a retried attempt
 * answers the same; the workflow raises the event from the verdict, once per run.
 *
 * The run doing the check is left out of what visibility returns and counted from its own
 * input: visibility is eventually consistent, and this run's latest attributes may not be
 * there yet.
 */

/** Earlier business dates looked at for "the previous day": a monthly job's previous run included. */
const PREVIOUS_DATE_WINDOW_DAYS = 40;
/** Runs read back for a failure streak; a streak longer than this is reported as this long. */
const MAX_STREAK_RUNS = 500;


function inList(values: readonly string[]): string {
  return `(${values.map(literal).join(', ')})`;
}

function client(): Client {
  return Context.current().client;
}

function pastRun(execution: WorkflowExecutionInfo): PastRun {
  const attributes = execution.typedSearchAttributes;
  const temporalStatus = execution.status.name;
  // A run closed from outside (terminated, cancelled, timed out) never wrote its final JobStatus.
  const closedByJobnet = temporalStatus === 'COMPLETED' || temporalStatus === 'FAILED';
  const running = temporalStatus === 'RUNNING';
  return {
    workflowId: execution.workflowId,
    runId: execution.runId,
    businessDate: attributes.get(BusinessDate),
    status: running || closedByJobnet ? (attributes.get(JobStatus) ?? temporalStatus.toLowerCase()) : temporalStatus.toLowerCase(),
    running,
    startTime: execution.startTime,
    recordCount: attributes.get(RecordCount),
  };
}

/**
 * The job's runs matching `where` (a visibility condition on BusinessDate, JobStatus,
 * DelayedRetry): its own runs, and its runs as a step of a jobnet (filtered the same way from
 * the jobnet run's state, which holds them).
 */
async function listRuns(jobName: string, where: { query?: string; dates?: readonly string[]; step?: (run: StepRun) => boolean }, limit: number): Promise<PastRun[]> {
  const runs: PastRun[] = [];
  const inDates = where.dates === undefined ? [] : [`${BusinessDate.name} IN ${inList(where.dates)}`];
  const own = [`${JobName.name} = ${literal(jobName)} AND WorkflowType = "jobWorkflow"`, ...inDates, ...(where.query ? [where.query] : [])].join(' AND ');
  for await (const execution of client().workflow.list({ query: own, pageSize: Math.min(limit, 1000) })) {
    runs.push(pastRun(execution));
    if (runs.length >= limit) break;
  }
  // The jobnet run's BusinessDate is its steps'; their status and counts are read from its state.
  const jobnets = [holdsStep(jobName), ...inDates].join(' AND ');
  let steps = 0;
  for await (const execution of client().workflow.list({ query: jobnets, pageSize: Math.min(limit, 1000) })) {
    for (const step of await stepRunsOf(client(), execution, jobName)) {
      if (where.step && !where.step(step)) continue;
      runs.push({ workflowId: step.workflowId, runId: step.runId, businessDate: step.businessDate, status: step.status, running: step.running, startTime: step.startTime, recordCount: step.recordCount });
      steps++;
    }
    if (steps >= limit) break;
  }
  return runs;
}

/** expect.minRecordRatio: this run's count against the previous business date's. */
export async function checkRecordCount(input: { run: CurrentRun; recordCount: number; minRecordRatio: number }): Promise<RecordCountVerdict> {
  const { run } = input;
  const dates = datesBefore(run.businessDate, PREVIOUS_DATE_WINDOW_DAYS);
  const success = { query: `${JobStatus.name} = "success"`, dates, step: (step: StepRun) => step.status === 'success' };
  return judgeRecordCount(run, input.recordCount, input.minRecordRatio, await listRuns(run.jobName, success, 1000));
}

/** consecutiveFailures: how many runs in a row have failed, this one included. */
export async function checkFailureStreak(input: { run: CurrentRun; alertAt: number; repeatEvery?: number }): Promise<StreakVerdict> {
  const { run } = input;
  const runs = await listRuns(run.jobName, {}, MAX_STREAK_RUNS);
  return judgeStreak(run, { alertAt: input.alertAt, ...(input.repeatEvery === undefined ? {} : { repeatEvery: input.repeatEvery }) }, runs);
}

/** delayedRetry.monthlyThreshold: runs of this month (of business dates) that took their delayed retry. */
export async function checkDelayedRetries(input: { run: CurrentRun; threshold: number }): Promise<DelayedRetryVerdict> {
  const { run } = input;
  const delayed = { query: `${DelayedRetry.name} = true`, dates: datesOfMonth(run.businessDate), step: (step: StepRun) => step.delayedRetry };
  return judgeDelayedRetries(run, input.threshold, await listRuns(run.jobName, delayed, 1000));
}
