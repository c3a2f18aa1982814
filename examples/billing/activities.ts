import { z } from 'zod';
import { activityProgress } from '../../src/activities/progress';
import { parseActivityArgs } from '../../src/activities/activity-args';
import type { JobActivityInput, JobActivityOutcome } from '../../src/activities/job-activity';
import { examplesDatabase } from '../../src/db/worker-database';
import { billCompany, billingMonthOf, billingSeedSchema, seedBilling } from './billing';

/**
 * Seed 004's monthly billing as job activities (registered by the worker through examples/activities.ts):
 * `billingSeed` loads demo data, `billingCompany` is the per-company job of the fan-out
 * `monthly-billing` (the company's code arrives as args.item), and `simulatedCall` stands in
 * for a step that waits on an outside service (the benchmark's 200 ms I/O-bound step).
 */

/** Demo companies and usage for the month before the business date (replaces them). */
export async function billingSeed(input: JobActivityInput): Promise<JobActivityOutcome> {
  const args = parseActivityArgs('billingSeed', billingSeedSchema.partial({ month: true }), input.args);
  const db = await examplesDatabase();
  const progress = activityProgress({ logEveryMs: 5_000 });
  const data = await seedBilling(db, { ...args, month: args.month ?? billingMonthOf(input.businessDate) }, progress).finally(progress.stop);
  return { recordCount: data.usageRows, output: `${data.companies} companies, ${data.usageRows} usage rows in ${data.month}` };
}

const billingCompanyArgs = z.strictObject({
  /** The company's code: the fan-out's partition key. */
  item: z.string().min(1),
  /** YYYY-MM; default: the month before the business date. */
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
    .optional(),
  /** How long the hand-over to the outside service takes (simulated), between the two steps. */
  externalCallMs: z.int().min(0).max(600_000).default(0),
});

/** One company's bill for the month: invoice, then notice, each once per run (a rerun skips what is done). */
export async function billingCompany(input: JobActivityInput): Promise<JobActivityOutcome> {
  const args = parseActivityArgs('billingCompany', billingCompanyArgs, input.args);
  const db = await examplesDatabase();
  const month = args.month ?? billingMonthOf(input.businessDate);
  const call = () => new Promise<void>((resolve) => setTimeout(resolve, args.externalCallMs));
  const bill = await billCompany(db, { runKey: input.runKey, code: args.item, month }, call);
  const skipped = bill.skipped.length > 0 ? ` (${bill.skipped.join(', ')} done before; skipped)` : '';
  return { recordCount: bill.usageRows, output: `${bill.company} ${month}: ${bill.units} units, ${bill.amount} yen${skipped}` };
}

// Built once: a zod schema costs more to build than to use, and a fan-out calls this per key.
const simulatedCallArgs = z.object({ ms: z.int().min(0).max(600_000).default(200) }).loose();

/** Waits args.ms (default 200): a step bound by an outside service's latency, for demos and tests (the benches run the floor's own activity body, scripts/lib/bench-activities.ts). */
export async function simulatedCall(input: JobActivityInput): Promise<JobActivityOutcome> {
  const { ms } = parseActivityArgs('simulatedCall', simulatedCallArgs, input.args);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return { recordCount: 1 };
}
