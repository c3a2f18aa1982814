import type { Database, Queryable } from '../../db/database';
import { runOnce } from '../../db/idempotency';
import { noProgress, type ProgressReporter } from '../progress';
import type { RankingUpdateArgs } from './args';
import { windowEnd, windowStart } from './business-window';

/**
 * BATCH-001 of seed 001: every user ranked by the sum of their orders over the last
 * `windowDays` days, the date's Rankings replaced (delete → insert) in one transaction.
 *
 * Set-based, not row by row: one statement aggregates the orders and numbers the users into a
 * staging table of this transaction; the rankings are then inserted from it `batchSize` ranks
 * per statement, each batch a progress report. The transaction holds the idempotency key of
 * the run, so a retry after a commit changes nothing, and a crash before it leaves the
 * previous Rankings as they were.
 */
export interface RankingUpdateRequest extends RankingUpdateArgs {
  businessDate: string;
  runKey: string;
}

export interface RankingUpdateResult {
  records: number;
  /** true: an earlier attempt of this run had committed; nothing was done now. */
  repeated: boolean;
}

/** A crash drill: hold the finished transaction open this long before COMMIT (see README). */
export const HOLD_BEFORE_COMMIT_ENV = 'JOBNET_DRILL_HOLD_BEFORE_COMMIT_MS';

/** The SELECT both BATCH-001 and the benchmark's hand-written statement use: $1 date, $2 days, $3 zone. */
export const RANKED_USERS_SQL = `
  SELECT row_number() OVER (ORDER BY coalesce(o.score, 0) DESC, u.id) AS rank,
         u.id AS user_id,
         coalesce(o.score, 0) AS score,
         coalesce(o.order_count, 0) AS order_count
  FROM users u
  LEFT JOIN (
    SELECT user_id, sum(amount) AS score, count(*)::int AS order_count
    FROM orders
    WHERE ordered_at >= ${windowStart('$1', '$2', '$3')} AND ordered_at < ${windowEnd('$1', '$3')}
    GROUP BY user_id
  ) o ON o.user_id = u.id`;

export async function updateRankings(db: Database, request: RankingUpdateRequest, progress: ProgressReporter = noProgress): Promise<RankingUpdateResult> {
  const once = await runOnce(db, { runKey: request.runKey, step: 'rankingUpdate' }, async (tx) => {
    // Seed 001: a lock wait longer than 10 s is an error, not a hang.
    await tx.query(`SET LOCAL lock_timeout = '10s'`);
    const records = await replaceRankings(tx, request, progress);
    await holdForDrill(progress);
    return { records };
  });
  return { records: once.outcome.records, repeated: once.repeated };
}

async function replaceRankings(tx: Queryable, request: RankingUpdateRequest, progress: ProgressReporter): Promise<number> {
  progress({ phase: 'ranking users', processed: 0 });
  await tx.exec(`CREATE TEMP TABLE ranking_stage (
    rank integer PRIMARY KEY, user_id bigint NOT NULL, score bigint NOT NULL, order_count integer NOT NULL
  ) ON COMMIT DROP`);
  const staged = await tx.query(`INSERT INTO ranking_stage (rank, user_id, score, order_count) ${RANKED_USERS_SQL}`, [
    request.businessDate,
    request.windowDays,
    request.timezone,
  ]);
  const total = staged.rowCount;
  await tx.query('DELETE FROM rankings WHERE business_date = $1', [request.businessDate]);
  progress({ phase: 'inserting rankings', processed: 0, total });
  for (let from = 0; from < total; from += request.batchSize) {
    const to = Math.min(from + request.batchSize, total);
    await tx.query(
      `INSERT INTO rankings (business_date, user_id, rank, score, order_count)
       SELECT $1, user_id, rank, score, order_count FROM ranking_stage WHERE rank > $2 AND rank <= $3`,
      [request.businessDate, from, to],
    );
    progress({ phase: 'inserting rankings', processed: to, total });
  }
  return total;
}

async function holdForDrill(progress: ProgressReporter): Promise<void> {
  const holdMs = Number(process.env[HOLD_BEFORE_COMMIT_ENV] ?? 0);
  if (!(holdMs > 0)) return;
  progress({ phase: `drill: holding the transaction open for ${holdMs} ms before COMMIT`, processed: 0 });
  await new Promise((resolve) => setTimeout(resolve, holdMs));
}

/**
 * A fingerprint of a date's Rankings (rank, user, score of every row, in rank order): equal
 * fingerprints mean identical rankings. Computed in SQL so both engines give the same text.
 */
export async function rankingsChecksum(db: Queryable, businessDate: string): Promise<{ rows: number; checksum: string }> {
  const result = await db.query<{ rows: number; checksum: string | null }>(
    `SELECT count(*)::int AS rows,
            md5(coalesce(string_agg(rank || ':' || user_id || ':' || score || ':' || order_count, ',' ORDER BY rank), '')) AS checksum
     FROM rankings WHERE business_date = $1`,
    [businessDate],
  );
  const row = result.rows[0]!;
  return { rows: row.rows, checksum: row.checksum ?? '' };
}
