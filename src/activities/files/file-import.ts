import { ApplicationFailure } from '@temporalio/common';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { commitStaged, removeDeadParts, sha256Of, stageCopy } from './atomic';
import { readManifest, writeManifest, type Manifest } from './manifest';
import { matchFiles, type MatchedFile } from './match';
import { resolveInRoots } from './roots';
import { noProgress, type ProgressReporter } from '../progress';

/**
 * Seed 000's fix, done once for every job: the upstream files copied into `to` through a
 * temporary file, flushed, and renamed into place — a reader of `to` sees a whole file or
 * none — and the files already imported skipped, so a re-run (or a retried attempt) does no
 * work twice. Too few source files means the upstream is late: a retryable failure, which the
 * job's retries and its delayed retry answer.
 */
export interface ImportRequest {
  from: string;
  to: string;
  /** false: copy every file again, even when the manifest says it is there. */
  skipExisting: boolean;
  /** Fewer matching source files than this fails the attempt as `UpstreamFileMissing`. */
  minFiles: number;
  runKey: string;
  roots: string[];
}

export interface ImportResult {
  imported: string[];
  skipped: string[];
  /** Partial files of writers that died mid-copy, removed before this import. */
  removedParts: number;
}

export const UPSTREAM_FILE_MISSING = 'UpstreamFileMissing';

export interface ImportOptions {
  progress?: ProgressReporter;
  signal?: AbortSignal;
}

async function existingSize(file: string): Promise<number | null> {
  try {
    return (await fs.stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Unchanged since it was imported (same size and time at the source, still in place): no read needed. */
async function quickSkip(manifest: Manifest, source: MatchedFile, finalPath: string): Promise<boolean> {
  const entry = manifest.files[source.name];
  if (!entry || !source.stat.isFile()) return false;
  return entry.size === source.stat.size && entry.sourceMtimeMs === source.stat.mtimeMs && (await existingSize(finalPath)) === entry.size;
}

export async function importFiles(request: ImportRequest, options: ImportOptions = {}): Promise<ImportResult> {
  const progress = options.progress ?? noProgress;
  const destDir = resolveInRoots(request.to, request.roots, 'destination');
  const sources = await matchFiles(request.from, request.roots);
  if (sources.length < request.minFiles) {
    throw ApplicationFailure.create({
      type: UPSTREAM_FILE_MISSING,
      message: `${request.from}: ${sources.length === 0 ? 'no file there yet' : `only ${sources.length} file(s)`}, at least ${request.minFiles} expected — the upstream is late or did not deliver`,
    });
  }
  await fs.mkdir(destDir, { recursive: true });
  const removedParts = await removeDeadParts(destDir);
  const manifest = await readManifest(destDir);
  const result: ImportResult = { imported: [], skipped: [], removedParts };

  for (const [index, source] of sources.entries()) {
    const finalPath = path.join(destDir, source.name);
    progress({ phase: `importing ${source.name}`, processed: index, total: sources.length });
    if (request.skipExisting && (await quickSkip(manifest, source, finalPath))) {
      result.skipped.push(source.name);
      continue;
    }
    const staged = await stageCopy(source.path, destDir, source.name, {
      signal: options.signal,
      onBytes: (bytes) => progress({ phase: `copying ${source.name} (bytes)`, processed: bytes, total: source.stat.size || undefined }),
    });
    const known = manifest.files[source.name];
    const sameAsImported =
      request.skipExisting &&
      (await existingSize(finalPath)) === staged.size &&
      (known ? known.sha256 === staged.sha256 : (await sha256Of(finalPath)) === staged.sha256);
    if (sameAsImported) {
      // Same content (touched upstream, or imported by a run that died before its manifest
      // write): keep the file, drop the copy, remember the source as it is now.
      await fs.rm(staged.partPath, { force: true });
      result.skipped.push(source.name);
    } else {
      await commitStaged(staged, finalPath);
      result.imported.push(source.name);
    }
    const entry = { sha256: staged.sha256, size: staged.size, sourcePath: source.path, sourceMtimeMs: source.stat.mtimeMs };
    if (
      !known ||
      known.sha256 !== entry.sha256 ||
      known.size !== entry.size ||
      known.sourcePath !== entry.sourcePath ||
      known.sourceMtimeMs !== entry.sourceMtimeMs
    ) {
      manifest.files[source.name] = {
        ...entry,
        importedAt: sameAsImported && known ? known.importedAt : new Date().toISOString(),
        runKey: sameAsImported && known ? known.runKey : request.runKey,
      };
      // After each file: a crash later in the batch keeps what is done.
      await writeManifest(destDir, manifest);
    }
  }
  progress({ phase: 'imported', processed: sources.length, total: sources.length });
  return result;
}
