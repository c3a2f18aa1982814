import { defineQuery, defineSignal } from '@temporalio/workflow';

/**
 * The run contract of mutual exclusion: the messages, defined once for the lock workflow, the jobs that hold
 * locks, and the CLI. A lock is one workflow per lock name (`lock:<name>`): jobs ask it by
 * signal (through an activity's signal-with-start, so the first asker creates it) and it
 * answers each asker by signal, in the order the requests arrived.
 */

export const lockWorkflowId = (lock: string): string => `lock:${lock}`;

/** A workflow run, by id and run id. */
export interface RunRef {
  workflowId: string;
  runId: string;
}

/** One ask for the lock (schema: src/workflows/lock-schemas.ts). */
export interface LockRequest {
  /** Unique per ask; a repeated request (a retried activity) is recognised by it and ignored. */
  requestId: string;
  holder: RunRef;
  /** The asking job, for people reading the lock's state. */
  jobName: string;
  /** How long a grant lasts unless renewed while its holder is still open. */
  leaseMs: number;
  /** fail-fast: answer "denied" at once instead of queueing when the lock is held or queued for. */
  tryOnly: boolean;
}

export interface LockRelease {
  requestId: string;
}

/** The lock's answer to one request. */
export interface LockAnswer {
  lock: string;
  requestId: string;
  /** The n-th request the lock has received (across its continue-as-new runs): FIFO order is arrival order. */
  arrival: number;
  /** For a denial: who holds the lock. */
  heldBy?: { workflowId: string; jobName: string; since: string };
}

export interface LockHolderState {
  request: LockRequest;
  arrival: number;
  grantedAt: string;
  leaseEndsAt: string;
}

export interface LockState {
  lock: string;
  holder: LockHolderState | null;
  queue: { request: LockRequest; arrival: number; queuedAt: string }[];
  arrivals: number;
  /** Recently finished request ids: a late duplicate of one of them must not take the lock again. */
  finished: string[];
}

export const lockRequestSignal = defineSignal<[LockRequest]>('lockRequest');
export const lockReleaseSignal = defineSignal<[LockRelease]>('lockRelease');
/** Sent by the lock to the asking run. */
export const lockGrantedSignal = defineSignal<[LockAnswer]>('lockGranted');
export const lockDeniedSignal = defineSignal<[LockAnswer]>('lockDenied');
/** Holder and queue of a lock: `jobnet status`, the Web UI's query tab. */
export const lockStateQuery = defineQuery<LockState>('lockState');
