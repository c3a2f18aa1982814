import { Context } from '@temporalio/activity';

/**
 * How far an activity is, sent as its heartbeat details: the Web UI shows them on the pending
 * activity, and `jobnet status` can read them from the workflow's description.
 */
export interface Progress {
  phase: string;
  processed: number;
  total?: number;
  /** Epoch ms the wait or phase began, when a retried attempt must go on from it. */
  waitingSince?: number;
}

export type ProgressReporter = (progress: Progress) => void;

/** A reporter for library code called outside an activity (CLI, benchmarks, tests). */
export const noProgress: ProgressReporter = () => undefined;

/**
 * Heartbeats every report (the SDK throttles what reaches the server) and logs one line per
 * report, so a log reader sees the run move on too (seed 001: a progress line every 1000 records).
 */
export function activityProgress(options: { logEveryMs?: number; keepAliveMs?: number } = {}): ProgressReporter & { stop(): void } {
  const context = Context.current();
  let loggedAt = 0;
  let last: Progress | undefined;
  // One SQL statement (the ranking's aggregation) may run for longer than a heartbeat
  // time-out: the last progress is repeated meanwhile, so the worker is not taken for lost.
  // (PGlite runs statements on this thread; during one, nothing is sent — see the README.)
  const timeoutMs = context.info.heartbeatTimeoutMs || 30_000;
  const every = options.keepAliveMs ?? Math.max(100, Math.min(5_000, Math.floor(timeoutMs / 3)));
  const keepAlive = setInterval(() => last && context.heartbeat(last), every);
  const report = (progress: Progress) => {
    last = progress;
    context.heartbeat(progress);
    const now = Date.now();
    // Byte counts of a copy come many times a second; the log gets one line per interval.
    if (options.logEveryMs !== undefined && now - loggedAt < options.logEveryMs) return;
    loggedAt = now;
    const of = progress.total === undefined ? '' : ` of ${progress.total}`;
    context.log.info(`${progress.phase}: ${progress.processed}${of}`, { ...progress });
  };
  return Object.assign(report, { stop: () => clearInterval(keepAlive) });
}
