import type { Database } from './database';
import { migrate } from './migrate';
import { databaseSettingsFromEnv, openDatabase } from './open';

/**
 * The database of this worker process, opened on first use by an activity (a worker that only
 * runs commands never opens one) and migrated once. Activities are plain functions registered
 * with the worker, so this is their one shared handle; the library functions they call take
 * the database as an argument.
 */
let shared: Promise<Database> | undefined;

export function workerDatabase(): Promise<Database> {
  shared ??= (async () => {
    const db = await openDatabase(databaseSettingsFromEnv());
    try {
      await migrate(db, 'jobnet');
      return db;
    } catch (error) {
      await db.close();
      throw error;
    }
  })().catch((error: unknown) => {
    // Not cached: the next attempt (after the database is back) opens it again.
    shared = undefined;
    throw error;
  });
  return shared;
}

/** Closes the worker's database (worker shutdown, tests). */
export async function closeWorkerDatabase(): Promise<void> {
  const current = shared;
  shared = undefined;
  examplesMigrated = undefined;
  if (current) await (await current.catch(() => undefined))?.close();
}

let examplesMigrated: Promise<Database> | undefined;

/** The worker's database with the examples' tables too — only example activities ask for it. */
export function examplesDatabase(): Promise<Database> {
  examplesMigrated ??= workerDatabase()
    .then(async (db) => (await migrate(db, 'examples'), db))
    .catch((error: unknown) => {
      examplesMigrated = undefined;
      throw error;
    });
  return examplesMigrated;
}
