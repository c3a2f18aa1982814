import type { Command } from 'commander';
import { z } from 'zod';
import { businessDateAt } from '../time/business-date';
import { businessDateSchema } from '../catalog/schema/job-schema';
import { parseOrThrow } from '../validation/validation-error';
import { demoDataSchema, seedDemoData } from '../activities/ranking/demo-data';
import { migrate } from '../db/migrate';
import { databaseSettingsFromEnv, openDatabase } from '../db/open';
import type { CliContext } from './context';

/** Whole numbers as operators type them: "100000", "100_000" or "100,000". */
const count = z.string().transform((text, ctx) => {
  const value = Number(text.replaceAll(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < 0) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a whole number` });
    return z.NEVER;
  }
  return value;
});

const optionsSchema = z.strictObject({
  users: count.optional(),
  orders: count.optional(),
  until: businessDateSchema.optional(),
  days: count.optional(),
  seed: count.optional(),
});

/**
 * `jobnet demo seed`: the ranking example's Users and Orders, generated in the database the
 * worker uses (DATABASE_URL, else PGlite under .data/pglite — stop the worker first, PGlite
 * serves one process). Deterministic: the same options give the same rows on either engine.
 */
export function registerDemo(program: Command, context: () => CliContext): void {
  const demo = program.command('demo').description('demo data for the examples');
  demo
    .command('seed')
    .description("generate the ranking example's users and orders (replaces them; same options, same rows)")
    .option('--users <n>', 'number of users', '1000')
    .option('--orders <n>', 'number of orders', '30000')
    .option('--until <YYYY-MM-DD>', 'last date with orders (default: today in Asia/Tokyo)')
    .option('--days <n>', 'days of orders, ending with --until', '60')
    .option('--seed <n>', 'variant of the generated data', '1')
    .action(async (raw: Record<string, string>) => {
      const ctx = context();
      const options = parseOrThrow(optionsSchema, raw, 'arguments');
      const request = parseOrThrow(
        demoDataSchema,
        {
          users: options.users,
          orders: options.orders,
          days: options.days,
          seed: options.seed,
          until: options.until ?? businessDateAt(new Date(), 'Asia/Tokyo'),
        },
        'arguments',
      );
      const settings = databaseSettingsFromEnv();
      const db = await openDatabase(settings);
      try {
        await migrate(db, 'jobnet');
        await migrate(db, 'examples');
        ctx.output.err(
          `jobnet demo: ${request.users} users, ${request.orders} orders over ${request.days} days up to ${request.until} into ${db.kind} (${db.location})`,
        );
        const started = Date.now();
        await seedDemoData(db, request, (p) =>
          ctx.output.err(`  ${p.phase}: ${p.processed.toLocaleString('en-US')}${p.total === undefined ? '' : ` of ${p.total.toLocaleString('en-US')}`}`),
        );
        const seconds = (Date.now() - started) / 1000;
        if (ctx.options.json) ctx.json({ ...request, engine: db.kind, seconds });
        else ctx.output.out(`seeded ${request.users} users and ${request.orders} orders in ${seconds.toFixed(1)} s`);
      } finally {
        await db.close();
      }
    });
}
