import type { Database, Queryable } from './database';

/** The identity of one effect: the run it belongs to and the step inside that run. */
export interface EffectKey {
  runKey: string;
  step: string;
}

export type OnceResult<T> = { outcome: T; repeated: false } | { outcome: T; repeated: true };

/**
 * Runs `effect` in one transaction together with the row that records it, at most once per
 * key. The key row is inserted first: a concurrent attempt with the same key (a worker taken
 * for lost that is in fact still running) blocks on it until the first commits, then finds it
 * and does nothing. If the effect throws or the process dies, the transaction rolls back and
 * takes the key with it, so the next attempt does the work.
 *
 * `outcome` must be JSON; a repeated call returns what the first one stored.
 */
export async function runOnce<T>(db: Database, key: EffectKey, effect: (tx: Queryable) => Promise<T>): Promise<OnceResult<T>> {
  return db.transaction(async (tx) => {
    const claimed = await tx.query('INSERT INTO jobnet_idempotency (run_key, step) VALUES ($1, $2) ON CONFLICT (run_key, step) DO NOTHING RETURNING run_key', [
      key.runKey,
      key.step,
    ]);
    if (claimed.rows.length === 0) {
      const stored = await tx.query<{ outcome: T }>('SELECT outcome FROM jobnet_idempotency WHERE run_key = $1 AND step = $2', [key.runKey, key.step]);
      return { outcome: stored.rows[0]!.outcome, repeated: true as const };
    }
    const outcome = await effect(tx);
    await tx.query('UPDATE jobnet_idempotency SET outcome = $3::jsonb, completed_at = now() WHERE run_key = $1 AND step = $2', [
      key.runKey,
      key.step,
      JSON.stringify(outcome ?? null),
    ]);
    return { outcome, repeated: false as const };
  });
}

/** Deletes keys older than `days`: a run is not retried weeks later, and the table stays small. */
export async function purgeIdempotencyKeys(db: Queryable, days: number): Promise<number> {
  const result = await db.query(`DELETE FROM jobnet_idempotency WHERE completed_at < now() - make_interval(days => $1::int)`, [days]);
  return result.rowCount;
}
