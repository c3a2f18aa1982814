import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { LockRelease, LockRequest } from './lock-schemas';

/**
 * The messages of mutual exclusion, defined once for the lock workflow, the jobs that hold
 * locks, and the CLI. A lock is one workflow per lock name (`lock:<name>`): jobs ask it by
 * signal (through an activity's signal-with-start, so the first asker creates it) and it
 * answers each asker by signal, in the order the requests arrived.
 */

export const lockWorkflowId = (lock: string): string => `lock:${lock}`;

export type { LockRelease, LockRequest, RunRef } from './lock-schemas';

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
