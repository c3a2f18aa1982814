export { runCommand } from './command';
export { appendRunLog } from './runlog';
export { refreshSchedules } from './refresh-schedules';
export { recordTerminatedRuns } from './terminated-runs';
export { deliverNotification } from './notify';
export { checkRecordCount, checkFailureStreak, checkDelayedRetries } from './checks';
export { requestLock, isRunOpen, joinGate, announceSuccess } from './coordination';
export { fileWait, fileImport } from './files/activities';
export { dailyAggregation, rankingUpdate, rankingMail, rankingExclusions, demoSeed } from './ranking/activities';
export { billingSeed, billingCompany, simulatedCall } from '../../examples/billing/activities';

// The runner of activity-kind jobs looks activities up among this module's exports when it is
// called (by then the module is complete), so every activity exported here can be a job.
import * as registered from './index';
import { makeRunJobActivity } from './job-activity-runner';
export const runJobActivity = makeRunJobActivity(() => ({ ...registered }));
import { makePartitionPage } from './partitions';
export const partitionPage = makePartitionPage(() => ({ ...registered }));
import { makeRunPartitions } from './partition-batch';
export const runPartitions = makeRunPartitions(() => ({ ...registered }));
