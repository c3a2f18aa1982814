import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities';
import type { RefreshResult } from '../activities/refresh-schedules';

const { refreshSchedules } = proxyActivities<typeof activities>({
  startToCloseTimeout: '2m',
  retry: { maximumAttempts: 5, initialInterval: '10s' },
});

/** Fired daily by the Schedule `jobnet:_refresh`: re-syncs the catalog it was created from. */
export async function refreshSchedulesWorkflow(input: { catalogFile?: string }): Promise<RefreshResult> {
  return refreshSchedules(input);
}
