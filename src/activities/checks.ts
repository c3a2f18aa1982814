import { Context } from '@temporalio/activity';
import { DelayedRetry, JobStatus } from '../contracts/search-attributes';
import { listJobRuns } from '../visibility/list-job-runs';
import type { StepRun } from '../visibility/list-step-runs';
import {
  datesBefore,
  datesOfMonth,
  judgeDelayedRetries,
  judgeRecordCount,
  judgeStreak,
  type CurrentRun,
  type DelayedRetryVerdict,
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

/** expect.minRecordRatio: this run's count against the previous business date's. */
export async function checkRecordCount(input: { run: CurrentRun; recordCount: number; minRecordRatio: number }): Promise<RecordCountVerdict> {
  const { run } = input;
  const dates = datesBefore(run.businessDate, PREVIOUS_DATE_WINDOW_DAYS);
  const success = { query: `${JobStatus.name} = "success"`, dates, step: (step: StepRun) => step.status === 'success' };
  return judgeRecordCount(run, input.recordCount, input.minRecordRatio, await listJobRuns(Context.current().client, run.jobName, success, 1000));
}

/** consecutiveFailures: how many runs in a row have failed, this one included. */
export async function checkFailureStreak(input: { run: CurrentRun; alertAt: number; repeatEvery?: number }): Promise<StreakVerdict> {
  const { run } = input;
  const runs = await listJobRuns(Context.current().client, run.jobName, {}, MAX_STREAK_RUNS);
  return judgeStreak(run, { alertAt: input.alertAt, ...(input.repeatEvery === undefined ? {} : { repeatEvery: input.repeatEvery }) }, runs);
}

/** delayedRetry.monthlyThreshold: runs of this month (of business dates) that took their delayed retry. */
export async function checkDelayedRetries(input: { run: CurrentRun; threshold: number }): Promise<DelayedRetryVerdict> {
  const { run } = input;
  const delayed = { query: `${DelayedRetry.name} = true`, dates: datesOfMonth(run.businessDate), step: (step: StepRun) => step.delayedRetry };
  return judgeDelayedRetries(run, input.threshold, await listJobRuns(Context.current().client, run.jobName, delayed, 1000));
}
