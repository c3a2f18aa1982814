import { z } from 'zod';

/** `args:` of the ranking activities in the catalog; every field has the seed's default. */

const timezone = z.string().min(1).default('Asia/Tokyo');

export const rankingUpdateArgsSchema = z.strictObject({
  /** Orders of this many days, ending with the business date, make a user's score. */
  windowDays: z.int().min(1).max(366).default(30),
  timezone,
  /** Rankings are inserted and reported in batches of this many records (seed 001: 1000). */
  batchSize: z.int().min(1).max(100_000).default(1000),
});

/** BATCH-003 takes no arguments. */
export const rankingExclusionsArgsSchema = z.strictObject({});

export const dailyAggregationArgsSchema = z.strictObject({ timezone });

export const rankingMailArgsSchema = z.strictObject({
  to: z.array(z.email()).min(1).default(['ops@example.com']),
  from: z.email().default('jobnet@example.com'),
  /** SMTP server (smtp://host:port); without it (or empty) the mail is only written to the outbox. */
  smtpUrl: z
    .string()
    .optional()
    .transform((url) => (url ? url : undefined)),
  top: z.int().min(1).max(100).default(10),
});

export type RankingUpdateArgs = z.output<typeof rankingUpdateArgsSchema>;
export type DailyAggregationArgs = z.output<typeof dailyAggregationArgsSchema>;
export type RankingMailArgs = z.output<typeof rankingMailArgsSchema>;
