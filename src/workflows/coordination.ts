import { proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities';
import { afterSatisfiedSignal, type AfterSatisfied } from '../contracts/gate';
import { lockDeniedSignal, lockGrantedSignal, type LockAnswer } from '../contracts/lock';

/**
 * What a job run's waits have in common — for the runs of other schedules it comes `after`
 * (after-wait.ts) and for its `locks` (lock-acquire.ts): the activities that ask, the answers
 * that come back as signals, the request ids that pair them, and how a wait fails.
 */

export const coordinationActivities = () =>
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

/** The run that waits: its job's name (in lock holders and messages) and what it reports. */
export interface Asker {
  jobName: string;
  hooks: CoordinationHooks;
}

/**
 * The answers lock and gate workflows send this run, by request id. One set of signal handlers
 * per workflow run (module state is per run), shared by every job run in it — a jobnet runs its
 * steps inside its own run, each with its own requests.
 */
export const lockAnswers = new Map<string, { granted: boolean; answer: LockAnswer }>();
export const satisfied = new Map<string, AfterSatisfied>();
let handlersSet = false;
let requests = 0;

export function listenForAnswers(): void {
  if (handlersSet) return;
  handlersSet = true;
  setHandler(lockGrantedSignal, (answer) => void lockAnswers.set(answer.requestId, { granted: true, answer }));
  setHandler(lockDeniedSignal, (answer) => void lockAnswers.set(answer.requestId, { granted: false, answer }));
  setHandler(afterSatisfiedSignal, (body) => void satisfied.set(body.requestId, body));
}

/** One counter for locks and afters alike: saved histories carry these ids in their signals. */
export function nextRequestId(what: string): string {
  const info = workflowInfo();
  return `${info.workflowId}/${info.runId}/${what}/${++requests}`;
}
