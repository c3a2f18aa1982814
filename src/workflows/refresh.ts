import { log, patched, proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities';
import type { RefreshResult } from '../activities/refresh-schedules';

const { refreshSchedules, recordTerminatedRuns } = proxyActivities<typeof activities>({
  startToCloseTimeout: '2m',
  retry: { maximumAttempts: 5, initialInterval: '10s' },
});

/**
 * Fired daily by the Schedule `jobnet:_refresh`: re-syncs the catalog it was created from, then
 * writes the run-log lines of job runs terminated since the day before (a terminated run runs
 * no code of its own to write it: see activities/terminated-runs.ts).
 */
export async function refreshSchedulesWorkflow(input: { catalogFile?: string }): Promise<RefreshResult> {
  const result = await refreshSchedules(input);
  // Refreshes from before the sweep existed replay without it.
  if (patched('sweep-terminated-runs')) {
    // The run log is for people: a sweep that fails leaves the refresh done; tomorrow's covers the day again.
    await recordTerminatedRuns().catch((error: unknown) => log.warn('terminated runs not swept', { error: String(error) }));
  }
  return result;
}
