import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities';
import type { AfterUse, LockUse } from '../catalog/schema/job-schema';
import { afterSatisfiedSignal, type AfterSatisfied } from '../contracts/gate';
import { lockDeniedSignal, lockGrantedSignal, lockReleaseSignal, lockWorkflowId, type LockAnswer } from '../contracts/lock';

/** A fail-fast lock answers at once; this bound only covers a lock workflow that cannot run. */
const FAIL_FAST_ANSWER_WITHIN = '5m';

const coordinationActivities = () =>
  proxyActivities<typeof activities>({
    // The asker's own queue: its worker is up while it asks. (The lock and gate it starts run on the coordination queue.)
    taskQueue: workflowInfo().taskQueue,
    startToCloseTimeout: '30s',
    retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 20 },
  });

export type CoordinationFailureType = 'LockWaitTimeout' | 'LockUnavailable' | 'AfterTimeout';

/** A run could not get what it waits for within its bound: it ends failed, without running. */
export class CoordinationFailure extends Error {
  constructor(
    readonly type: CoordinationFailureType,
    message: string,
  ) {
    super(message);
    this.name = 'CoordinationFailure';
  }
}

/** What the run is waiting for, for its state query and JobStatus. */
export type Waiting = { kind: 'lock'; lock: string; since: string } | { kind: 'after'; job: string; since: string };

export interface CoordinationHooks {
  waiting(what: Waiting | null): void;
  /** `arrival`: the request's place in the lock's arrival order (FIFO). */
  lockAcquired(lock: string, waitedMs: number, arrival: number): void;
  afterSatisfied(job: string, by: string, waitedMs: number): void;
}

/**
 * The coordination of one job run: it waits for the runs of other schedules it comes `after`,
 * and holds its `locks` while it works. Locks are taken in name order, so two jobs sharing two
 * locks cannot deadlock, and always released — after success, failure and cancellation.
 */
/**
 * The answers lock and gate workflows send this run, by request id. One set of signal handlers
 * per workflow run (module state is per run), shared by every job run in it — a jobnet runs its
 * steps inside its own run, each with its own requests.
 */
const lockAnswers = new Map<string, { granted: boolean; answer: LockAnswer }>();
const satisfied = new Map<string, AfterSatisfied>();
let handlersSet = false;
let requests = 0;

function listenForAnswers(): void {
  if (handlersSet) return;
  handlersSet = true;
  setHandler(lockGrantedSignal, (answer) => void lockAnswers.set(answer.requestId, { granted: true, answer }));
  setHandler(lockDeniedSignal, (answer) => void lockAnswers.set(answer.requestId, { granted: false, answer }));
  setHandler(afterSatisfiedSignal, (body) => void satisfied.set(body.requestId, body));
}

export class RunCoordination {
  private readonly lockAnswers = lockAnswers;
  private readonly satisfied = satisfied;

  constructor(
    private readonly jobName: string,
    private readonly hooks: CoordinationHooks,
  ) {
    listenForAnswers();
  }

  private nextRequestId(what: string): string {
    const info = workflowInfo();
    return `${info.workflowId}/${info.runId}/${what}/${++requests}`;
  }

  /** Waits for every `after` run in turn; fails with AfterTimeout when one does not succeed within its maxWait. */
  async awaitPredecessors(afters: readonly AfterUse[], businessDate: string): Promise<void> {
    const info = workflowInfo();
    for (const after of afters) {
      const requestId = this.nextRequestId(`after:${after.job}`);
      const since = Date.now();
      const already = await coordinationActivities().joinGate({
        job: after.job,
        businessDate,
        body: { requestId, waiter: { workflowId: info.workflowId, runId: info.runId } },
      });
      if (already) {
        this.hooks.afterSatisfied(after.job, already.workflowId, 0);
        continue;
      }
      this.hooks.waiting({ kind: 'after', job: after.job, since: new Date(since).toISOString() });
      const came = await condition(() => this.satisfied.has(requestId), after.maxWait);
      this.hooks.waiting(null);
      if (!came) {
        throw new CoordinationFailure(
          'AfterTimeout',
          `${after.job} has not succeeded for ${businessDate} within ${formatMs(after.maxWait)} (after of ${this.jobName})`,
        );
      }
      this.hooks.afterSatisfied(after.job, this.satisfied.get(requestId)!.by.workflowId, Date.now() - since);
    }
  }

  /**
   * Runs `work` holding every lock; the locks are released however `work` ends. Without locks
   * it is `work()` itself: every promise a workflow makes costs a stack trace (the SDK's
   * promise hook), and most steps hold no lock.
   */
  holdingLocks<T>(locks: readonly LockUse[], leaseMs: number, work: () => Promise<T>): Promise<T> {
    return locks.length === 0 ? work() : this.holdingEach(locks, leaseMs, work);
  }

  private async holdingEach<T>(locks: readonly LockUse[], leaseMs: number, work: () => Promise<T>): Promise<T> {
    const held: { lock: string; requestId: string }[] = [];
    try {
      for (const lock of [...locks].sort((a, b) => a.name.localeCompare(b.name))) {
        held.push({ lock: lock.name, requestId: await this.acquire(lock, leaseMs) });
      }
      return await work();
    } finally {
      // Also when this run is being cancelled: a lock must not wait for its lease because of us.
      await CancellationScope.nonCancellable(() => Promise.all(held.reverse().map(({ lock, requestId }) => release(lock, requestId))));
    }
  }

  private async acquire(lock: LockUse, leaseMs: number): Promise<string> {
    const info = workflowInfo();
    const requestId = this.nextRequestId(`lock:${lock.name}`);
    const since = Date.now();
    const failFast = lock.policy === 'fail-fast';
    try {
      await coordinationActivities().requestLock({
        lock: lock.name,
        body: { requestId, holder: { workflowId: info.workflowId, runId: info.runId }, jobName: this.jobName, leaseMs, tryOnly: failFast },
      });
      this.hooks.waiting({ kind: 'lock', lock: lock.name, since: new Date(since).toISOString() });
      const answered = await condition(() => this.lockAnswers.has(requestId), failFast ? FAIL_FAST_ANSWER_WITHIN : lock.maxWait);
      if (!answered) {
        throw new CoordinationFailure('LockWaitTimeout', `lock ${lock.name} not acquired within ${formatMs(lock.maxWait)}`);
      }
      const { granted, answer } = this.lockAnswers.get(requestId)!;
      if (!granted) {
        const by = answer.heldBy ? ` by ${answer.heldBy.jobName} (${answer.heldBy.workflowId}) since ${answer.heldBy.since}` : '';
        throw new CoordinationFailure('LockUnavailable', `lock ${lock.name} is held${by}; policy fail-fast`);
      }
      this.hooks.lockAcquired(lock.name, Date.now() - since, answer.arrival);
      return requestId;
    } catch (error) {
      // Withdraw the request (or give back a grant that came too late), then fail.
      await CancellationScope.nonCancellable(() => release(lock.name, requestId));
      throw error;
    } finally {
      this.hooks.waiting(null);
    }
  }
}

async function release(lock: string, requestId: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(lockWorkflowId(lock)).signal(lockReleaseSignal, { requestId });
  } catch (error) {
    if (isCancellation(error)) throw error;
    // The lock workflow ended (idle): there is nothing to release.
    log.info(`lock ${lock}: release not delivered`, { requestId, error: error instanceof Error ? error.message : String(error) });
  }
}

/** Tells runs waiting with `after` that this one succeeded. */
export async function announceSuccess(name: string, businessDate: string): Promise<void> {
  const info = workflowInfo();
  await coordinationActivities().announceSuccess({
    job: name,
    businessDate,
    body: { workflowId: info.workflowId, runId: info.runId, at: new Date().toISOString() },
  });
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}
