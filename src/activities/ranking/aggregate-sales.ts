import type { Database } from '../../db/database';
import { runOnce } from '../../db/idempotency';
import type { DailyAggregationArgs } from './args';
import { windowEnd, windowStart } from './business-window';

/**
 * BATCH-000 of seed 001: the business date's orders summed into `daily_sales`, one row per
 * date, replaced when the date is aggregated again (a manual re-run), written once per run.
 */
export interface DailyAggregationRequest extends DailyAggregationArgs {
  businessDate: string;
  runKey: string;
}

export interface DailyAggregationResult {
  orders: number;
  buyers: number;
  amount: number;
  repeated: boolean;
}

export async function aggregateDailySales(db: Database, request: DailyAggregationRequest): Promise<DailyAggregationResult> {
  const once = await runOnce(db, { runKey: request.runKey, step: 'dailyAggregation' }, async (tx) => {
    const result = await tx.query<{ orders: number; buyers: number; amount: string }>(
      `INSERT INTO daily_sales (business_date, orders, buyers, amount, run_key)
       SELECT $1::date, count(*), count(DISTINCT user_id), coalesce(sum(amount), 0), $3
       FROM orders
       WHERE ordered_at >= ${windowStart('$1', '1', '$2')} AND ordered_at < ${windowEnd('$1', '$2')}
       ON CONFLICT (business_date) DO UPDATE
         SET orders = excluded.orders, buyers = excluded.buyers, amount = excluded.amount,
             run_key = excluded.run_key, computed_at = now()
       RETURNING orders, buyers, amount::text AS amount`,
      [request.businessDate, request.timezone, request.runKey],
    );
    const row = result.rows[0]!;
    return { orders: row.orders, buyers: row.buyers, amount: Number(row.amount) };
  });
  return { ...once.outcome, repeated: once.repeated };
}
