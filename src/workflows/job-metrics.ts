import { metricMeter } from '@temporalio/workflow';
import { JobnetMetric } from '../metrics/names';

/**
 * Records how long a job waited for a lock before it held it (seconds, by lock), on the
 * worker's metrics endpoint. Call it from workflow code when the lock is acquired. The SDK
 * drops it during replay, so a run's wait is counted once however often it is replayed.
 */
export function recordLockWait(lockName: string, waitedMs: number): void {
  metricMeter
    .createHistogram(JobnetMetric.lockWait, 'float', undefined, 'time a jobnet job waited for its lock')
    .record(Math.max(0, waitedMs) / 1000, { lock: lockName });
}
