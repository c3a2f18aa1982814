import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { THIS_HOST } from '../this-host';

/**
 * Files that appear whole or not at all: written under a temporary name in a hidden directory
 * of the destination (same file system, so the rename is atomic), flushed to disk, renamed
 * into place, and the directory flushed so the rename itself survives a power cut.
 */
export const INCOMING_DIR = '.jobnet-incoming';
const PART_SUFFIX = '.part';
/** This host in a file name (no dots, so the name splits back into its fields). */
const HOST = THIS_HOST.replace(/[^A-Za-z0-9-]/g, '-');

/** A temporary name that says who wrote it: a later run removes parts of dead writers only. */
function partName(finalName: string): string {
  return `${finalName}.${HOST}.${process.pid}.${randomBytes(4).toString('hex')}${PART_SUFFIX}`;
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function writerAlive(part: string): boolean {
  const match = /\.([^.]+)\.(\d+)\.[0-9a-f]{8}\.part$/.exec(part);
  if (!match || match[1] !== HOST) return true; // another host's part: not ours to judge
  try {
    process.kill(Number(match[2]), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the partial files of writers on this host that died mid-copy; returns how many. */
export async function removeDeadParts(destDir: string): Promise<number> {
  const incoming = path.join(destDir, INCOMING_DIR);
  let names: string[];
  try {
    names = await fs.readdir(incoming);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let removed = 0;
  for (const name of names) {
    if (name.endsWith(PART_SUFFIX) && !writerAlive(name)) {
      await fs.rm(path.join(incoming, name), { force: true });
      removed++;
    }
  }
  return removed;
}

export interface StagedFile {
  /** The temporary file, complete and on disk. */
  partPath: string;
  sha256: string;
  size: number;
}

/**
 * Copies `source` to a temporary file beside `destDir`, hashing on the way (one read of the
 * source), and flushes it. `onBytes` is called as data goes by (for heartbeats); `signal`
 * aborts the copy (activity cancellation) and the partial file is removed.
 */
export async function stageCopy(
  source: string,
  destDir: string,
  finalName: string,
  options: { onBytes?: (bytes: number) => void; signal?: AbortSignal } = {},
): Promise<StagedFile> {
  const incoming = path.join(destDir, INCOMING_DIR);
  await fs.mkdir(incoming, { recursive: true });
  const partPath = path.join(incoming, partName(finalName));
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      options.onBytes?.(size);
      done(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(source), meter, createWriteStream(partPath, { flags: 'wx' }), { signal: options.signal });
    // On disk before the rename: fsync through a second descriptor flushes the same file.
    const handle = await fs.open(partPath, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await fs.rm(partPath, { force: true });
    throw error;
  }
  return { partPath, sha256: hash.digest('hex'), size };
}

/** Moves a staged file into place (replacing what was there in one step) and makes it durable. */
export async function commitStaged(staged: StagedFile, finalPath: string): Promise<void> {
  await fs.rename(staged.partPath, finalPath);
  await fsyncDir(path.dirname(finalPath));
}

/** Writes `text` to `finalPath` atomically (the manifest). */
export async function writeFileAtomic(finalPath: string, text: string): Promise<void> {
  const dir = path.dirname(finalPath);
  const incoming = path.join(dir, INCOMING_DIR);
  await fs.mkdir(incoming, { recursive: true });
  const partPath = path.join(incoming, partName(path.basename(finalPath)));
  const handle = await fs.open(partPath, 'wx');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(partPath, finalPath);
  await fsyncDir(dir);
}

/** sha256 of a file already in place (a destination file the manifest does not know). */
export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}
