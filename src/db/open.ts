import path from 'node:path';
import type { Database } from './database';
import { openPglite } from './pglite';
import { openPostgres } from './postgres';

/**
 * Which database a process uses: PostgreSQL when DATABASE_URL is set, else the embedded
 * PGlite under `.data/pglite` of the working directory (JOBNET_PGLITE_DIR to move it, or
 * `memory://`). Read once where a process starts, then passed down as an argument.
 */
export type DatabaseSettings = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };

export function databaseSettingsFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): DatabaseSettings {
  const url = env.DATABASE_URL?.trim();
  if (url) return { kind: 'postgres', url };
  return { kind: 'pglite', dataDir: env.JOBNET_PGLITE_DIR?.trim() || path.join(cwd, '.data', 'pglite') };
}

export async function openDatabase(settings: DatabaseSettings): Promise<Database> {
  return settings.kind === 'postgres' ? openPostgres(settings.url) : openPglite(settings.dataDir);
}
