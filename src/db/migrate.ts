import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from './database';

/**
 * Plain SQL migrations, the same files for PostgreSQL and PGlite: `migrations/<scope>/NNN_name.sql`,
 * applied in name order, each once, recorded in `jobnet_migrations`. The folder holds one scope
 * per owner of tables — `jobnet` (the idempotency table every activity uses) and `examples`
 * (the seed batches' tables) — so a production database gets jobnet's table without the demo's.
 */
export const MIGRATIONS_ROOT = path.resolve(__dirname, '..', '..', 'migrations');

export type MigrationScope = 'jobnet' | 'examples';

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

function migrationsOf(scope: MigrationScope, root: string): Migration[] {
  const dir = path.join(root, scope);
  return readdirSync(dir)
    .filter((file) => /^\d+_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export class MigrationChanged extends Error {
  override name = 'MigrationChanged';
}

/**
 * Applies what is missing, all in one transaction under an advisory lock, so two workers
 * starting together do not both apply a file, and a failed file leaves nothing half done.
 * Returns the names applied now.
 */
export async function migrate(db: Database, scope: MigrationScope, root = MIGRATIONS_ROOT): Promise<string[]> {
  const migrations = migrationsOf(scope, root);
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('jobnet_migrations'))`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS jobnet_migrations (
      scope text NOT NULL,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (scope, name)
    )`);
    const done = await tx.query<{ name: string; checksum: string }>('SELECT name, checksum FROM jobnet_migrations WHERE scope = $1', [scope]);
    const applied = new Map(done.rows.map((row) => [row.name, row.checksum]));
    const now: string[] = [];
    for (const migration of migrations) {
      const checksum = applied.get(migration.name);
      if (checksum !== undefined) {
        // An applied migration is history: changing it would leave databases that differ.
        if (checksum !== migration.checksum) {
          throw new MigrationChanged(`migration ${scope}/${migration.name} was changed after it was applied; add a new migration instead`);
        }
        continue;
      }
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO jobnet_migrations (scope, name, checksum) VALUES ($1, $2, $3)', [scope, migration.name, migration.checksum]);
      now.push(migration.name);
    }
    return now;
  });
}
