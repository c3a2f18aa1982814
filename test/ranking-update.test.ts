/**
 * Seed 001's ranking batch on both engines, with small deterministic demo data: the result is
 * the ranking a plain reading of the spec gives (checked in TypeScript, independently of the
 * SQL), a re-run leaves identical Rankings, a retried attempt changes nothing, a failure half-way
 * leaves the previous Rankings, and the demo data is the same on PostgreSQL and PGlite.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../src/db/database';
import { seedDemoData } from '../src/activities/ranking/demo-data';
import { rankingsChecksum, updateRankings } from '../src/activities/ranking/update-rankings';
import { aggregateDailySales } from '../src/activities/ranking/aggregate-sales';
import { applyRankingExclusions } from '../src/activities/ranking/exclusions';
import { ENGINES, freshDatabase, skipUnlessEngine, stopTestPostgres, type Engine, type TestDatabase } from './helpers/db';

const DATE = '2026-03-31';
const DEMO = { users: 1500, orders: 30_000, until: DATE, days: 45, seed: 7 };
const ARGS = { windowDays: 30, timezone: 'Asia/Tokyo', batchSize: 1000 };
const checksums = new Map<Engine, { orders: string; rankings: string }>();

after(stopTestPostgres);

/** Midnight of a date in Tokyo (UTC+9, no daylight saving) as epoch ms. */
const tokyoMidnight = (date: string, plusDays = 0) => Date.parse(`${date}T00:00:00+09:00`) + plusDays * 86_400_000;

/** The ranking as the spec words it, computed here from the raw rows. */
async function expectedRanking(db: Database, date: string, windowDays: number): Promise<{ userId: number; score: number; orders: number }[]> {
  const users = await db.query<{ id: number }>('SELECT id::int AS id FROM users');
  const orders = await db.query<{ user_id: number; amount: number; at: number }>(
    `SELECT user_id::int AS user_id, amount, (extract(epoch FROM ordered_at) * 1000)::float8 AS at FROM orders`,
  );
  const from = tokyoMidnight(date, -(windowDays - 1));
  const to = tokyoMidnight(date, 1);
  const score = new Map<number, { score: number; orders: number }>(users.rows.map((u) => [u.id, { score: 0, orders: 0 }]));
  for (const order of orders.rows) {
    const entry = score.get(order.user_id);
    if (entry && order.at >= from && order.at < to) {
      entry.score += order.amount;
      entry.orders += 1;
    }
  }
  return [...score.entries()].map(([userId, s]) => ({ userId, score: s.score, orders: s.orders })).sort((a, b) => b.score - a.score || a.userId - b.userId);
}

async function rankingRows(db: Database, date: string) {
  const rows = await db.query<{ rank: number; user_id: number; score: string; order_count: number }>(
    'SELECT rank, user_id::int AS user_id, score::text AS score, order_count FROM rankings WHERE business_date = $1 ORDER BY rank',
    [date],
  );
  return rows.rows;
}

for (const engine of ENGINES) {
  describe(`ranking batch (seed 001) on ${engine}`, { skip: skipUnlessEngine(engine) }, () => {
    let test: TestDatabase;
    before(async () => {
      test = await freshDatabase(engine);
      await seedDemoData(test.db, DEMO);
    });
    after(() => test?.drop());

    it('ranks every user by the sum of their orders of the last 30 Tokyo days, ties by user id', async () => {
      const progress: number[] = [];
      const result = await updateRankings(test.db, { ...ARGS, businessDate: DATE, runKey: 'rank@2026-03-31' }, (p) => {
        if (p.phase === 'inserting rankings') progress.push(p.processed);
      });
      assert.deepEqual(result, { records: DEMO.users, repeated: false });
      assert.deepEqual(progress, [0, 1000, 1500], 'a progress report per batch of 1000');
      const expected = await expectedRanking(test.db, DATE, 30);
      const actual = await rankingRows(test.db, DATE);
      assert.equal(actual.length, DEMO.users);
      assert.deepEqual(
        actual.map((r) => [r.rank, r.user_id, Number(r.score), r.order_count]),
        expected.map((e, i) => [i + 1, e.userId, e.score, e.orders]),
      );
      // The window must matter: some orders are outside it, and some users have none in it.
      const totalInWindow = expected.reduce((sum, e) => sum + e.orders, 0);
      assert.ok(totalInWindow > 0 && totalInWindow < DEMO.orders, `orders in window: ${totalInWindow}`);
    });

    it('a re-run for the same date leaves identical Rankings; a retried attempt changes nothing', async () => {
      const before = await rankingsChecksum(test.db, DATE);
      const rerun = await updateRankings(test.db, { ...ARGS, businessDate: DATE, runKey: 'rank@2026-03-31+forced' });
      assert.equal(rerun.repeated, false, 'a forced re-run is a new run and does the work');
      assert.deepEqual(await rankingsChecksum(test.db, DATE), before);

      // A retry of the first run (its worker died after COMMIT, before reporting) finds its key.
      await test.db.query(`UPDATE rankings SET score = score + 1 WHERE business_date = $1 AND rank = 1`, [DATE]);
      const retried = await updateRankings(test.db, { ...ARGS, businessDate: DATE, runKey: 'rank@2026-03-31' });
      assert.deepEqual(retried, { records: DEMO.users, repeated: true });
      assert.notDeepEqual(await rankingsChecksum(test.db, DATE), before, 'the retry did not touch the table');
      const keys = await test.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobnet_idempotency WHERE run_key = 'rank@2026-03-31'`);
      assert.equal(keys.rows[0]!.n, 1);
      await updateRankings(test.db, { ...ARGS, businessDate: DATE, runKey: 'rank@2026-03-31+again' });
      assert.deepEqual(await rankingsChecksum(test.db, DATE), before);
      checksums.set(engine, { ...(checksums.get(engine) ?? { orders: '' }), rankings: before.checksum });
    });

    it('a failure half-way through the inserts leaves the previous Rankings as they were', async () => {
      const before = await rankingsChecksum(test.db, DATE);
      await assert.rejects(
        updateRankings(test.db, { ...ARGS, businessDate: DATE, runKey: 'rank@2026-03-31+dies' }, (p) => {
          if (p.phase === 'inserting rankings' && p.processed === 1000) throw new Error('worker dies after the first batch');
        }),
        /worker dies/,
      );
      assert.deepEqual(await rankingsChecksum(test.db, DATE), before);
      const retried = await updateRankings(test.db, { ...ARGS, businessDate: DATE, runKey: 'rank@2026-03-31+dies' });
      assert.equal(retried.repeated, false, 'the failed attempt left no key, so the retry does the work');
      assert.deepEqual(await rankingsChecksum(test.db, DATE), before);
    });

    it('BATCH-000 sums the date and BATCH-003 removes excluded users, keeping ranks dense', async () => {
      const sales = await aggregateDailySales(test.db, { timezone: 'Asia/Tokyo', businessDate: DATE, runKey: 'agg@2026-03-31' });
      const day = (await expectedRanking(test.db, DATE, 1)).reduce((acc, e) => ({ orders: acc.orders + e.orders, amount: acc.amount + e.score }), {
        orders: 0,
        amount: 0,
      });
      assert.deepEqual({ orders: sales.orders, amount: sales.amount }, day);
      assert.ok(day.orders > 0);

      const top = await rankingRows(test.db, DATE);
      const excluded = [top[0]!.user_id, top[10]!.user_id];
      await test.db.query(
        `INSERT INTO ranking_exclusions (user_id, reason, since) VALUES ($1, 'fraud', '2026-01-01'), ($2, 'opt-out', '2026-01-01')`,
        excluded,
      );
      const result = await applyRankingExclusions(test.db, { businessDate: DATE, runKey: 'excl@2026-03-31' });
      assert.deepEqual(result, { removed: 2, remaining: DEMO.users - 2, repeated: false });
      const after = await rankingRows(test.db, DATE);
      assert.deepEqual(
        after.map((r) => r.rank),
        Array.from({ length: DEMO.users - 2 }, (_, i) => i + 1),
      );
      assert.deepEqual(
        after.map((r) => r.user_id),
        top.map((r) => r.user_id).filter((id) => !excluded.includes(id)),
      );
      const again = await applyRankingExclusions(test.db, { businessDate: DATE, runKey: 'excl@2026-03-31+forced' });
      assert.equal(again.removed, 0);
    });

    it('demo data is deterministic: a second load gives the same rows', async () => {
      const fingerprint = async () =>
        (
          await test.db.query<{ md5: string }>(
            `SELECT md5(string_agg(id || ':' || user_id || ':' || amount || ':' || extract(epoch FROM ordered_at)::bigint, ',' ORDER BY id)) AS md5 FROM orders`,
          )
        ).rows[0]!.md5;
      const first = await fingerprint();
      await seedDemoData(test.db, DEMO);
      assert.equal(await fingerprint(), first);
      checksums.set(engine, { ...(checksums.get(engine) ?? { rankings: '' }), orders: first });
    });
  });
}

describe('PostgreSQL and PGlite agree', { skip: skipUnlessEngine('postgres') }, () => {
  it('the same demo data and the same rankings on both engines', () => {
    assert.equal(checksums.size, 2, 'both engines ran');
    assert.deepEqual(checksums.get('postgres'), checksums.get('pglite'));
  });
});
