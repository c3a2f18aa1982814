/**
 * The campaign's PostgreSQL database: a fresh one in the cluster of $JOBNET_TEST_POSTGRES_URL,
 * else in a throwaway cluster started for the campaign (scripts/postgres-cluster.ts). It holds
 * seed 004's billing tables (the fan-out's partitions bill through runOnce) and a ledger table
 * that triggers fill with every committed invoice and notice insert, keyed by the partition's
 * run key — counted where a duplicate could not hide (no key of its own, same transaction).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';
import { openPostgres } from '../../src/db/postgres';
import { seedBilling } from '../../examples/billing/billing';
import { startPostgresCluster, type PostgresCluster } from '../postgres-cluster';
import { COMPANIES } from './catalog';

export interface CampaignDatabase {
  /** DATABASE_URL for the workers. */
  url: string;
  db: Database;
  companyCodes: string[];
  /** Committed effects per partition run key and kind (invoice, notice). */
  effects(): Promise<Array<{ runKey: string; kind: string; count: number }>>;
  drop(): Promise<void>;
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function openCampaignDatabase(workDir: string): Promise<CampaignDatabase> {
  let cluster: PostgresCluster | undefined;
  let adminUrl = process.env.JOBNET_TEST_POSTGRES_URL;
  if (!adminUrl) {
    // Run as root, PostgreSQL runs as its own user: it must get through the work directory (mkdtemp's 0700) to its data.
    chmodSync(workDir, 0o711);
    cluster = await startPostgresCluster({ dir: path.join(workDir, 'postgres'), durable: false });
    adminUrl = cluster.url;
  }
  const name = `jobnet_chaos_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = openPostgres(url.toString());
  await migrate(db, 'jobnet');
  await migrate(db, 'examples');
  await seedBilling(db, { companies: COMPANIES, usagePerCompany: 3, month: '2026-11', legacyPlanEvery: 0, brokenUsageEvery: 0 });
  await db.exec(`
    CREATE TABLE chaos_effects (run_key text NOT NULL, kind text NOT NULL);
    CREATE FUNCTION chaos_count_effect() RETURNS trigger AS $$
      BEGIN INSERT INTO chaos_effects VALUES (NEW.run_key, TG_ARGV[0]); RETURN NEW; END $$ LANGUAGE plpgsql;
    CREATE TRIGGER chaos_invoice BEFORE INSERT ON billing_invoices FOR EACH ROW EXECUTE FUNCTION chaos_count_effect('invoice');
    CREATE TRIGGER chaos_notice BEFORE INSERT ON billing_notices FOR EACH ROW EXECUTE FUNCTION chaos_count_effect('notice');
  `);
  const codes = await db.query<{ code: string }>('SELECT code FROM billing_companies WHERE active ORDER BY code');
  return {
    url: url.toString(),
    db,
    companyCodes: codes.rows.map((row) => row.code),
    effects: async () => {
      const rows = await db.query<{ run_key: string; kind: string; n: string }>(
        'SELECT run_key, kind, count(*)::text AS n FROM chaos_effects GROUP BY run_key, kind',
      );
      return rows.rows.map((row) => ({ runKey: row.run_key, kind: row.kind, count: Number(row.n) }));
    },
    drop: async () => {
      await db.close();
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await cluster?.stop();
    },
  };
}
