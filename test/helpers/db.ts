/**
 * The two database engines every database test runs against: PGlite (in memory, always there)
 * and a real PostgreSQL — the one of $JOBNET_TEST_POSTGRES_URL (.ci/run starts a cluster and
 * sets it), else a throwaway cluster this test file starts from the machine's packages. Each
 * test database is created fresh and dropped afterwards. Without PostgreSQL the PostgreSQL
 * tests fail under CI=true and are skipped, saying so, elsewhere.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';
import { openPglite, PGLITE_MEMORY } from '../../src/db/pglite';
import { openPostgres } from '../../src/db/postgres';
import { postgresBinDir, startPostgresCluster, type PostgresCluster } from '../../scripts/postgres-cluster';

export type Engine = 'pglite' | 'postgres';
export const ENGINES: Engine[] = ['pglite', 'postgres'];

let cluster: Promise<PostgresCluster> | undefined;

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresUnavailable(): string | undefined {
  if (process.env.JOBNET_TEST_POSTGRES_URL || postgresBinDir()) return undefined;
  return 'PostgreSQL is not installed (apt-get install -y postgresql) and JOBNET_TEST_POSTGRES_URL is not set';
}

/**
 * `skip` option for a PostgreSQL test: false when it can run; a reason to skip outside CI;
 * under CI=true it throws, so a CI run without PostgreSQL fails instead of passing quietly.
 */
export function skipUnlessEngine(engine: Engine): false | string {
  if (engine === 'pglite') return false;
  const why = postgresUnavailable();
  if (why === undefined) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${why}`);
  process.stderr.write(`# SKIPPING PostgreSQL tests: ${why}\n`);
  return why;
}

/** The admin URL of the PostgreSQL the tests use (started on first use). */
export async function postgresAdminUrl(): Promise<string> {
  const given = process.env.JOBNET_TEST_POSTGRES_URL;
  if (given) return given;
  cluster ??= startPostgresCluster({ dir: path.join(os.tmpdir(), `jobnet-pg-${process.pid}`), durable: false });
  return (await cluster).url;
}

/** Stops the cluster this file started (call in the file's `after`). */
export async function stopTestPostgres(): Promise<void> {
  const started = cluster;
  cluster = undefined;
  if (started) await (await started.catch(() => undefined))?.stop();
}

export interface TestDatabase {
  db: Database;
  /** How a worker process reaches the same database: DATABASE_URL, or JOBNET_PGLITE_DIR. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: await postgresAdminUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, migrated database on `engine`. PGlite is in memory unless `pgliteDir` is given (a
 * worker process must be able to open it after this process closes it).
 */
export async function freshDatabase(engine: Engine, options: { pgliteDir?: string; scopes?: ('jobnet' | 'examples')[] } = {}): Promise<TestDatabase> {
  const scopes = options.scopes ?? ['jobnet', 'examples'];
  let testDb: TestDatabase;
  if (engine === 'pglite') {
    const dir = options.pgliteDir ?? PGLITE_MEMORY;
    const db = await openPglite(dir);
    testDb = { db, env: { JOBNET_PGLITE_DIR: dir }, drop: () => db.close() };
  } else {
    const name = `jobnet_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(`CREATE DATABASE ${name}`);
    const url = new URL(await postgresAdminUrl());
    url.pathname = `/${name}`;
    const db = openPostgres(url.toString());
    testDb = {
      db,
      env: { DATABASE_URL: url.toString() },
      drop: async () => {
        await db.close();
        await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  }
  for (const scope of scopes) await migrate(testDb.db, scope);
  return testDb;
}
