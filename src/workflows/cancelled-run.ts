import { CancellationScope, isCancellation, patched } from '@temporalio/workflow';

/**
 * A run cancelled from outside (`temporal workflow cancel`, the Web UI, a parent's cancel)
 * still records how it ended: `JobStatus` = `cancelled` and, for a job run, its run-log line.
 * Runs whose histories were saved before this existed ended without these commands; the
 * patch keeps them replaying as they ran.
 */
export const CANCELLED_RUN_RECORDED = 'cancelled-run-recorded';

/** The run itself was cancelled (not only an activity or child of it on its own). */
export function isRunCancelled(error: unknown): boolean {
  return isCancellation(error) && CancellationScope.current().consideredCancelled;
}

/**
 * Runs `record` to its end although the run is cancelled: in a scope no cancellation reaches,
 * or not at all when replaying a history from before the patch.
 */
export async function recordCancelled(record: () => Promise<unknown>): Promise<void> {
  if (!patched(CANCELLED_RUN_RECORDED)) return;
  await CancellationScope.nonCancellable(record);
}
