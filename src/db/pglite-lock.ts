import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * PGlite is PostgreSQL inside one process: two processes opening the same data directory
 * would corrupt it. A lock file next to the directory holds the owner's pid; a lock whose
 * process is gone (SIGKILLed worker) is taken over, so a crash never locks the data out.
 */
export class PgliteDirectoryBusy extends Error {
  override name = 'PgliteDirectoryBusy';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockFileOf(dataDir: string): string {
  return `${path.resolve(dataDir)}.lock`;
}

/** Takes the lock of `dataDir` for this process; returns its release. */
export function lockDataDir(dataDir: string): () => void {
  const file = lockFileOf(dataDir);
  mkdirSync(path.dirname(file), { recursive: true });
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner = NaN;
      try {
        owner = Number(readFileSync(file, 'utf8').trim());
      } catch {
        // Removed between our open and read: try again.
      }
      if (owner === process.pid) throw new PgliteDirectoryBusy(`PGlite data directory ${dataDir} is already open in this process`);
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new PgliteDirectoryBusy(
          `PGlite data directory ${dataDir} is in use by process ${owner} (a worker or \`npm run dev\`?). ` +
            'PGlite allows one process at a time: stop that process, or use PostgreSQL (DATABASE_URL).',
        );
      }
      // A dead owner's lock (or an unreadable one): remove it and try again.
      rmSync(file, { force: true });
    }
  }
  throw new PgliteDirectoryBusy(`could not take the lock ${file}`);
}
