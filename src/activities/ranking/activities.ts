import { Context } from '@temporalio/activity';
import { examplesDatabase } from '../../db/worker-database';
import type { JobActivityInput, JobActivityOutcome } from '../job-activity';
import { activityProgress } from '../progress';
import { parseActivityArgs } from '../activity-args';
import { dailyAggregationArgsSchema, rankingExclusionsArgsSchema, rankingMailArgsSchema, rankingUpdateArgsSchema } from './args';
import { aggregateDailySales } from './aggregate-sales';
import { sendRankingMail } from './completion-mail';
import { demoDataSchema, seedDemoData } from './demo-data';
import { applyRankingExclusions } from './exclusions';
import { updateRankings } from './update-rankings';

/**
 * The seed 001 jobnet's steps as job activities (catalog `activity: <name>`). Each is a thin
 * layer: it checks its args, takes the worker's database and calls the library function that
 * does the work in one transaction keyed by the run.
 */

const again = (repeated: boolean) => (repeated ? ' (already done by an earlier attempt of this run; nothing changed)' : '');

/** BATCH-000: the business date's orders summed into daily_sales. */
export async function dailyAggregation(input: JobActivityInput): Promise<JobActivityOutcome> {
  const args = parseActivityArgs('dailyAggregation', dailyAggregationArgsSchema, input.args);
  const db = await examplesDatabase();
  const result = await aggregateDailySales(db, { ...args, businessDate: input.businessDate, runKey: input.runKey });
  return {
    recordCount: result.orders,
    output: `${input.businessDate}: ${result.orders} orders by ${result.buyers} users, ${result.amount} yen${again(result.repeated)}`,
  };
}

/** BATCH-001: Rankings of the business date replaced from Users and the last 30 days of Orders. */
export async function rankingUpdate(input: JobActivityInput): Promise<JobActivityOutcome> {
  const args = parseActivityArgs('rankingUpdate', rankingUpdateArgsSchema, input.args);
  const db = await examplesDatabase();
  const started = Date.now();
  const progress = activityProgress();
  const result = await updateRankings(db, { ...args, businessDate: input.businessDate, runKey: input.runKey }, progress).finally(progress.stop);
  const seconds = ((Date.now() - started) / 1000).toFixed(2);
  Context.current().log.info(`rankings of ${input.businessDate}: ${result.records} records in ${seconds} s`, {
    records: result.records,
    repeated: result.repeated,
  });
  return {
    recordCount: result.records,
    output: `rankings of ${input.businessDate}: ${result.records} users ranked over ${args.windowDays} days in ${seconds} s${again(result.repeated)}`,
  };
}

/** BATCH-002: the completion mail, written once per run to mail_outbox and sent when smtpUrl is set. */
export async function rankingMail(input: JobActivityInput): Promise<JobActivityOutcome> {
  const args = parseActivityArgs('rankingMail', rankingMailArgsSchema, input.args);
  const db = await examplesDatabase();
  const result = await sendRankingMail(db, { ...args, businessDate: input.businessDate, runKey: input.runKey });
  return { recordCount: result.topCount, output: `${result.subject} — ${result.sent ? `sent to ${args.to.join(', ')}` : 'in the outbox (no smtpUrl)'}` };
}

/** BATCH-003: excluded users removed from the date's rankings, ranks renumbered. */
export async function rankingExclusions(input: JobActivityInput): Promise<JobActivityOutcome> {
  parseActivityArgs('rankingExclusions', rankingExclusionsArgsSchema, input.args);
  const db = await examplesDatabase();
  const result = await applyRankingExclusions(db, { businessDate: input.businessDate, runKey: input.runKey });
  return { recordCount: result.removed, output: `${result.removed} excluded users removed, ${result.remaining} ranked${again(result.repeated)}` };
}

/** Demo data for the ranking jobnet, generated in the worker's database (`until` defaults to the business date). */
export async function demoSeed(input: JobActivityInput): Promise<JobActivityOutcome> {
  const args = parseActivityArgs('demoSeed', demoDataSchema.partial({ until: true }), input.args);
  const db = await examplesDatabase();
  const progress = activityProgress();
  const data = await seedDemoData(db, { ...args, until: args.until ?? input.businessDate }, progress).finally(progress.stop);
  return { recordCount: data.orders, output: `${data.users} users and ${data.orders} orders over ${data.days} days up to ${data.until}` };
}
