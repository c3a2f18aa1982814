import { PGlite, type Transaction } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Database, Queryable, QueryResult, SqlParam } from './database';
import { lockDataDir } from './pglite-lock';

/** `memory://` keeps the database in this process only (tests, throwaway runs). */
export const PGLITE_MEMORY = 'memory://';

function queryable(target: PGlite | Transaction): Queryable {
  return {
    async query<Row>(sql: string, params: readonly SqlParam[] = []): Promise<QueryResult<Row>> {
      const result = await target.query<Row>(sql, params as SqlParam[]);
      return { rows: result.rows, rowCount: result.affectedRows ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await target.exec(sql);
    },
  };
}

/** The embedded database: PostgreSQL in WebAssembly, its files under `dataDir`. */
export async function openPglite(dataDir: string): Promise<Database> {
  const inMemory = dataDir === PGLITE_MEMORY;
  let release = () => undefined as void;
  if (!inMemory) {
    mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
    release = lockDataDir(dataDir);
  }
  let db: PGlite;
  try {
    db = await PGlite.create(inMemory ? undefined : path.resolve(dataDir));
  } catch (error) {
    release();
    throw error;
  }
  const self = queryable(db);
  return {
    kind: 'pglite',
    location: inMemory ? PGLITE_MEMORY : path.resolve(dataDir),
    query: self.query,
    exec: self.exec,
    // PGlite runs one transaction at a time; others queue behind it in this process.
    transaction: <T>(work: (tx: Queryable) => Promise<T>) => db.transaction((tx) => work(queryable(tx))),
    async close() {
      try {
        await db.close();
      } finally {
        release();
      }
    },
  };
}
