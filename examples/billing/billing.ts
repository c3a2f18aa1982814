import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { Database } from '../../src/db/database';
import { runOnce } from '../../src/db/idempotency';
import { noProgress, type ProgressReporter } from '../../src/activities/progress';

/**
 * Seed 004's monthly billing, the library behind the example's activities: demo data for N
 * companies, and the bill of one company for one month in two steps — the invoice, then the
 * notice for the mail system — each done once per run and company (runOnce), so a company
 * whose second step failed reruns only that step.
 */

export const billingSeedSchema = z.strictObject({
  companies: z.int().min(1).max(1_000_000).default(2_000),
  usagePerCompany: z.int().min(0).max(10_000).default(750),
  /** The month the usage falls in, YYYY-MM. */
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'write the month as YYYY-MM'),
  /** Every n-th company has a plan that does not exist (0: none) → UnknownPlan. */
  legacyPlanEvery: z.int().min(0).default(997),
  /** Every n-th company has one usage row with negative units (0: none) → UsageDataError. */
  brokenUsageEvery: z.int().min(0).default(1_499),
});
export type BillingSeedInput = z.input<typeof billingSeedSchema>;

/** Knuth's multiplicative hash of a bigint expression, in [0, 2^32): the same rows on PostgreSQL and PGlite. */
const hash = (expression: string, salt: number) => `((((${expression}) + ${salt}) * 2654435761) % 4294967296)`;
const USAGE_CHUNK = 250_000;

/** Replaces the billing tables' contents with deterministic demo data. */
export async function seedBilling(
  db: Database,
  input: BillingSeedInput,
  progress: ProgressReporter = noProgress,
): Promise<{ companies: number; usageRows: number; month: string }> {
  const data = billingSeedSchema.parse(input);
  const monthStart = `${data.month}-01`;
  const rows = data.companies * data.usagePerCompany;
  await db.transaction(async (tx) => {
    await tx.exec('TRUNCATE billing_companies, billing_plans, billing_usage, billing_invoices, billing_notices');
    await tx.exec('DROP INDEX IF EXISTS billing_usage_by_company');
    await tx.exec(`INSERT INTO billing_plans (plan, base_fee, unit_price) VALUES ('basic', 3000, 10), ('pro', 10000, 8), ('enterprise', 50000, 5)`);
    await tx.query(
      `INSERT INTO billing_companies (id, code, name, plan)
       SELECT g, 'c' || lpad(g::text, 6, '0'), 'Company ' || g,
              CASE WHEN $2 > 0 AND g % $2 = 0 THEN 'legacy'
                   ELSE (ARRAY['basic', 'pro', 'enterprise'])[1 + ${hash('g', 17)} % 3] END
       FROM generate_series(1, $1::bigint) AS g`,
      [data.companies, data.legacyPlanEvery],
    );
    progress({ phase: 'companies', processed: data.companies, total: data.companies });
    for (let from = 1; from <= rows; from += USAGE_CHUNK) {
      const to = Math.min(from + USAGE_CHUNK - 1, rows);
      // Row g belongs to company 1 + (g - 1) % N; the first row of every brokenUsageEvery-th company is negative.
      await tx.query(
        `INSERT INTO billing_usage (company_id, used_at, units)
         SELECT c, ($1::date)::timestamp AT TIME ZONE 'UTC' + make_interval(secs => (${hash('g', 7919)} % (28 * 86400))::double precision),
                CASE WHEN $3 > 0 AND c % $3 = 0 AND g <= $2 THEN -5 ELSE 1 + ${hash('g', 104729)} % 100 END
         FROM (SELECT g, 1 + (g - 1) % $2 AS c FROM generate_series($4::bigint, $5::bigint) AS g) AS s`,
        [monthStart, data.companies, data.brokenUsageEvery, from, to],
      );
      progress({ phase: 'usage', processed: to, total: rows });
    }
    await tx.exec('CREATE INDEX billing_usage_by_company ON billing_usage (company_id, used_at)');
  });
  await db.exec('ANALYZE billing_companies; ANALYZE billing_usage');
  return { companies: data.companies, usageRows: rows, month: data.month };
}

export interface BillOutcome {
  company: string;
  usageRows: number;
  units: number;
  amount: number;
  /** Steps an earlier attempt or round of this run had done already (skipped now). */
  skipped: string[];
}

/** The first day of the month before the business date's: a run on 2026-12-01 bills November. */
export function billingMonthOf(businessDate: string): string {
  const [year, month] = businessDate.split('-').map(Number) as [number, number];
  const previous = month === 1 ? { y: year - 1, m: 12 } : { y: year, m: month - 1 };
  return `${previous.y}-${String(previous.m).padStart(2, '0')}`;
}

/**
 * Bills one company for `month` (YYYY-MM): the invoice from its usage and plan, then — after
 * `call`, the hand-over to the outside (a payment or PDF service; a no-op by default) — the
 * notice. Each step is keyed by (runKey, step): done once per run, skipped on a rerun.
 */
export async function billCompany(
  db: Database,
  request: { runKey: string; code: string; month: string },
  call: () => Promise<void> = async () => undefined,
): Promise<BillOutcome> {
  const monthStart = `${request.month}-01`;
  const found = await db.query<{ id: string; plan: string; name: string }>('SELECT id::text AS id, plan, name FROM billing_companies WHERE code = $1', [
    request.code,
  ]);
  const company = found.rows[0];
  if (company === undefined) throw ApplicationFailure.create({ type: 'CompanyNotFound', message: `no company ${request.code}`, nonRetryable: true });
  const skipped: string[] = [];
  const invoice = await runOnce(db, { runKey: request.runKey, step: 'invoice' }, async (tx) => {
    const plan = (await tx.query<{ base_fee: number; unit_price: number }>('SELECT base_fee, unit_price FROM billing_plans WHERE plan = $1', [company.plan]))
      .rows[0];
    if (plan === undefined) {
      throw ApplicationFailure.create({ type: 'UnknownPlan', message: `${request.code} has plan "${company.plan}", which has no price`, nonRetryable: true });
    }
    const usage = (
      await tx.query<{ n: string | number; units: string | number | null; lowest: number | null }>(
        `SELECT count(*) AS n, sum(units) AS units, min(units) AS lowest FROM billing_usage
         WHERE company_id = $1 AND used_at >= ($2::date)::timestamp AT TIME ZONE 'UTC' AND used_at < ($2::date + interval '1 month')::timestamp AT TIME ZONE 'UTC'`,
        [company.id, monthStart],
      )
    ).rows[0]!;
    if (usage.lowest !== null && usage.lowest < 0) {
      throw ApplicationFailure.create({
        type: 'UsageDataError',
        message: `${request.code} has usage rows with negative units in ${request.month}`,
        nonRetryable: true,
      });
    }
    const units = Number(usage.units ?? 0);
    const amount = plan.base_fee + units * plan.unit_price;
    await tx.query(
      `INSERT INTO billing_invoices (month, company_id, usage_rows, units, amount, run_key) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (month, company_id) DO NOTHING`,
      [monthStart, company.id, Number(usage.n), units, amount, request.runKey],
    );
    return { usageRows: Number(usage.n), units, amount };
  });
  if (invoice.repeated) skipped.push('invoice');
  const notice = await runOnce(db, { runKey: request.runKey, step: 'notice' }, async (tx) => {
    await call();
    await tx.query(`INSERT INTO billing_notices (month, company_id, subject, run_key) VALUES ($1, $2, $3, $4) ON CONFLICT (month, company_id) DO NOTHING`, [
      monthStart,
      company.id,
      `Invoice ${request.month} for ${company.name}: ${invoice.outcome.amount} yen`,
      request.runKey,
    ]);
    return true;
  });
  if (notice.repeated) skipped.push('notice');
  return { company: request.code, ...invoice.outcome, skipped };
}
