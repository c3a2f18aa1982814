import { CancellationScope, condition, getExternalWorkflowHandle, isCancellation, log, workflowInfo } from '@temporalio/workflow';
import type { LockUse } from '../catalog/schema/job-schema';
import { lockReleaseSignal, lockWorkflowId } from '../contracts/lock';
import { CoordinationFailure, coordinationActivities, listenForAnswers, lockAnswers, nextRequestId, type Asker } from './coordination';
import { formatDuration } from '../time/duration-format';

/**
 * Lock acquisition by a job run: it asks each lock's workflow (lock.ts) for the lock and holds
 * its `locks` while it works. Locks are taken in name order, so two jobs sharing two locks
 * cannot deadlock, and always released — after success, failure and cancellation.
 */

/** A fail-fast lock answers at once; this bound only covers a lock workflow that cannot run. */
const FAIL_FAST_ANSWER_WITHIN = '5m';

/**
 * Runs `work` holding every lock; the locks are released however `work` ends. Without locks
 * it is `work()` itself: every promise a workflow makes costs a stack trace (the SDK's
 * promise hook), and most steps hold no lock.
 */
export function holdingLocks<T>(asker: Asker, locks: readonly LockUse[], leaseMs: number, work: () => Promise<T>): Promise<T> {
  return locks.length === 0 ? work() : holdingEach(asker, locks, leaseMs, work);
}

async function holdingEach<T>(asker: Asker, locks: readonly LockUse[], leaseMs: number, work: () => Promise<T>): Promise<T> {
  listenForAnswers();
  const held: { lock: string; requestId: string }[] = [];
  try {
    for (const lock of [...locks].sort((a, b) => a.name.localeCompare(b.name))) {
      held.push({ lock: lock.name, requestId: await acquireLock(asker, lock, leaseMs) });
    }
    return await work();
  } finally {
    // Also when this run is being cancelled: a lock must not wait for its lease because of us.
    await CancellationScope.nonCancellable(() => Promise.all(held.reverse().map(({ lock, requestId }) => releaseLock(lock, requestId))));
  }
}

/** Asks for the lock and waits for its answer; the request id is what releases it. */
async function acquireLock(asker: Asker, lock: LockUse, leaseMs: number): Promise<string> {
  const info = workflowInfo();
  const requestId = nextRequestId(`lock:${lock.name}`);
  const since = Date.now();
  const failFast = lock.policy === 'fail-fast';
  try {
    await coordinationActivities().requestLock({
      lock: lock.name,
      body: { requestId, holder: { workflowId: info.workflowId, runId: info.runId }, jobName: asker.jobName, leaseMs, tryOnly: failFast },
    });
    asker.hooks.waiting({ kind: 'lock', lock: lock.name, since: new Date(since).toISOString() });
    const answered = await condition(() => lockAnswers.has(requestId), failFast ? FAIL_FAST_ANSWER_WITHIN : lock.maxWait);
    if (!answered) {
      throw new CoordinationFailure('LockWaitTimeout', `lock ${lock.name} not acquired within ${formatDuration(lock.maxWait)}`);
    }
    const { granted, answer } = lockAnswers.get(requestId)!;
    if (!granted) {
      const by = answer.heldBy ? ` by ${answer.heldBy.jobName} (${answer.heldBy.workflowId}) since ${answer.heldBy.since}` : '';
      throw new CoordinationFailure('LockUnavailable', `lock ${lock.name} is held${by}; policy fail-fast`);
    }
    asker.hooks.lockAcquired(lock.name, Date.now() - since, answer.arrival);
    return requestId;
  } catch (error) {
    // Withdraw the request (or give back a grant that came too late), then fail.
    await CancellationScope.nonCancellable(() => releaseLock(lock.name, requestId));
    throw error;
  } finally {
    asker.hooks.waiting(null);
  }
}

async function releaseLock(lock: string, requestId: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(lockWorkflowId(lock)).signal(lockReleaseSignal, { requestId });
  } catch (error) {
    if (isCancellation(error)) throw error;
    // The lock workflow ended (idle): there is nothing to release.
    log.info(`lock ${lock}: release not delivered`, { requestId, error: error instanceof Error ? error.message : String(error) });
  }
}
