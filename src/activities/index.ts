export { runCommand } from './command';
export { appendRunLog } from './runlog';
export { refreshSchedules } from './refresh-schedules';
export { recordTerminatedRuns } from './terminated-runs';
export { deliverNotification } from './notify';
export { checkRecordCount, checkFailureStreak, checkDelayedRetries } from './checks';
export { requestLock, isRunOpen, joinGate, announceSuccess } from './coordination';
export { fileWait, fileImport } from './files/activities';
export { dailyAggregation, rankingUpdate, rankingMail, rankingExclusions, demoSeed } from './ranking/activities';

// The runners of activity-kind jobs, fan-out key sources and partitions look activities up, when
// called, among those the worker registered: jobnet's own above and the modules of
// JOBNET_ACTIVITIES (registry.ts, worker-setup.ts).
import { registeredActivities } from './registry';
import { makeRunJobActivity } from './job-activity-runner';
export const runJobActivity = makeRunJobActivity(registeredActivities);
import { makePartitionPage } from './partitions';
export const partitionPage = makePartitionPage(registeredActivities);
import { makeRunPartitions } from './partition-batch';
export const runPartitions = makeRunPartitions(registeredActivities);
