import { ApplicationFailure } from '@temporalio/common';
import { matchFiles, type MatchedFile } from './match';
import { noProgress, type ProgressReporter } from '../progress';

/**
 * Waits until an upstream file (or its done-marker) is there and, with `stableFor`, has kept
 * the same size and time for that long — a file still being written is not taken half-way.
 * Polls every `pollInterval`, reporting each poll; never waits past `maxWait`, counted from
 * `waitingSince` (a retried attempt passes the first attempt's start, so a lost worker does
 * not restart the clock).
 */
export interface WaitRequest {
  path: string;
  pollInterval: number;
  stableFor?: number;
  maxWait?: number;
  roots: string[];
}

export interface WaitResult {
  files: { name: string; size: number }[];
  waitedMs: number;
}

export const FILE_WAIT_TIMEOUT = 'FileWaitTimeout';

export interface WaitOptions {
  progress?: ProgressReporter;
  /** Epoch ms the wait began (default now). */
  waitingSince?: number;
  /** Sleeps, cancellably: an activity passes its Context's sleep. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const signature = (files: MatchedFile[]) => files.map((file) => `${file.name}:${file.stat.size}:${file.stat.mtimeMs}`).join('|');

export async function waitForFiles(request: WaitRequest, options: WaitOptions = {}): Promise<WaitResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const progress = options.progress ?? noProgress;
  const since = options.waitingSince ?? now();
  let lastSignature = '';
  let unchangedSince = now();

  for (;;) {
    const files = await matchFiles(request.path, request.roots);
    const current = signature(files);
    if (current !== lastSignature) {
      lastSignature = current;
      unchangedSince = now();
    }
    const stableMs = now() - unchangedSince;
    if (files.length > 0 && stableMs >= (request.stableFor ?? 0)) {
      return { files: files.map((file) => ({ name: file.name, size: file.stat.size })), waitedMs: now() - since };
    }
    const waited = now() - since;
    progress({
      phase: files.length === 0 ? `waiting for ${request.path}` : `waiting for ${request.path} to be unchanged for ${request.stableFor} ms`,
      processed: files.length,
    });
    if (request.maxWait !== undefined && waited >= request.maxWait) {
      throw ApplicationFailure.create({
        type: FILE_WAIT_TIMEOUT,
        message:
          files.length === 0
            ? `${request.path}: nothing there after ${Math.round(waited / 1000)} s (maxWait ${Math.round(request.maxWait / 1000)} s)`
            : `${request.path}: still changing after ${Math.round(waited / 1000)} s (maxWait ${Math.round(request.maxWait / 1000)} s)`,
      });
    }
    const untilBound = request.maxWait === undefined ? request.pollInterval : Math.max(0, request.maxWait - waited);
    // Poll again early when the file becomes stable or the bound is due before the next poll.
    const untilStable = files.length > 0 && request.stableFor !== undefined ? Math.max(0, request.stableFor - stableMs) : request.pollInterval;
    await sleep(Math.max(10, Math.min(request.pollInterval, untilBound, untilStable)));
  }
}
