import { z } from 'zod';
import type { Database } from '../../db/database';
import { businessDateSchema } from '../../catalog/schema/job-schema';
import { noProgress, type ProgressReporter } from '../progress';

/**
 * Demo data for the ranking example: users and their orders, generated inside the database
 * (generate_series) from integer hashes of the row number — no random(), so the same options
 * give the same rows, byte for byte, on PostgreSQL and on PGlite. Orders are spread over
 * `days` days ending with `until` in `timezone`, skewed towards low user ids so the ranking
 * has a head and a long tail.
 */
export const demoDataSchema = z.strictObject({
  users: z.int().min(1).max(10_000_000).default(1_000),
  orders: z.int().min(0).max(100_000_000).default(30_000),
  /** Last business date with orders. */
  until: businessDateSchema,
  days: z.int().min(1).max(3650).default(60),
  seed: z.int().min(0).max(1_000_000).default(1),
  timezone: z.string().min(1).default('Asia/Tokyo'),
});

export type DemoDataInput = z.input<typeof demoDataSchema>;
export type DemoData = z.output<typeof demoDataSchema>;

/** Orders per INSERT: big enough to be set-based, small enough to report progress. */
const ORDER_CHUNK = 250_000;

/** Knuth's multiplicative hash of a bigint expression, in [0, 2^32). */
const hash = (expression: string, salt: string) => `((((${expression}) + ${salt}) * 2654435761) % 4294967296)`;

/** Replaces the demo tables' contents (users, orders, and what was derived from them). */
export async function seedDemoData(db: Database, input: DemoDataInput, progress: ProgressReporter = noProgress): Promise<DemoData> {
  const data = demoDataSchema.parse(input);
  await db.transaction(async (tx) => {
    await tx.exec('TRUNCATE users, orders, rankings, daily_sales');
    // Indexes are built once after the load, not maintained row by row.
    await tx.exec('DROP INDEX IF EXISTS orders_ordered_at');
    await tx.query(
      `INSERT INTO users (id, name, created_at)
       SELECT g, 'user ' || g, ($1::date - 400 + (g % 365)::int)::timestamp AT TIME ZONE $2
       FROM generate_series(1, $3::bigint) AS g`,
      [data.until, data.timezone, data.users],
    );
    progress({ phase: 'users', processed: data.users, total: data.users });
    for (let from = 1; from <= data.orders; from += ORDER_CHUNK) {
      const to = Math.min(from + ORDER_CHUNK - 1, data.orders);
      // Two independent hashes of the row number: the product of two uniform draws leans to
      // small user ids (a few heavy buyers, many light ones).
      await tx.query(
        `INSERT INTO orders (id, user_id, amount, ordered_at)
         SELECT g,
                1 + (${hash('g', '$5')} % $3) * (${hash('g', '$5 + 7919')} % 1024) / 1024,
                100 + ${hash('g', '$5 + 104729')} % 49901,
                (($1::date + 1)::timestamp AT TIME ZONE $2) - make_interval(secs => (${hash('g', '$5 + 15485863')} % ($4::bigint * 86400))::double precision + 1)
         FROM generate_series($6::bigint, $7::bigint) AS g`,
        [data.until, data.timezone, data.users, data.days, data.seed, from, to],
      );
      progress({ phase: 'orders', processed: to, total: data.orders });
    }
    await tx.exec('CREATE INDEX orders_ordered_at ON orders (ordered_at)');
  });
  // Fresh statistics, so the first ranking after a load is planned on the real row counts.
  await db.exec('ANALYZE users; ANALYZE orders');
  return data;
}
