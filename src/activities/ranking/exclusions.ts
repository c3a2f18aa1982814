import type { Database } from '../../db/database';
import { runOnce } from '../../db/idempotency';

/**
 * BATCH-003 of seed 001: the other writer of Rankings. It removes users listed in
 * `ranking_exclusions` from a date's rankings and closes the gaps in the rank numbers. Run
 * concurrently with BATCH-001 it would renumber a half-replaced table; the catalog lock
 * `rankings` keeps the two apart. Doing it twice gives the same table (nothing left to remove,
 * numbers already dense), and the run key makes a retried attempt a no-op anyway.
 */
export interface ExclusionsRequest {
  businessDate: string;
  runKey: string;
}

export interface ExclusionsResult {
  removed: number;
  remaining: number;
  repeated: boolean;
}

export async function applyRankingExclusions(db: Database, request: ExclusionsRequest): Promise<ExclusionsResult> {
  const once = await runOnce(db, { runKey: request.runKey, step: 'rankingExclusions' }, async (tx) => {
    await tx.query(`SET LOCAL lock_timeout = '10s'`);
    const removed = await tx.query('DELETE FROM rankings r USING ranking_exclusions x WHERE r.business_date = $1 AND r.user_id = x.user_id AND x.since <= $1', [
      request.businessDate,
    ]);
    // Set-based renumbering; the primary key is (date, user), so dense ranks cannot collide mid-update.
    await tx.query(
      `UPDATE rankings r SET rank = n.dense
       FROM (SELECT user_id, row_number() OVER (ORDER BY rank)::int AS dense FROM rankings WHERE business_date = $1) n
       WHERE r.business_date = $1 AND r.user_id = n.user_id AND r.rank <> n.dense`,
      [request.businessDate],
    );
    const remaining = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM rankings WHERE business_date = $1', [request.businessDate]);
    return { removed: removed.rowCount, remaining: remaining.rows[0]!.n };
  });
  return { ...once.outcome, repeated: once.repeated };
}
