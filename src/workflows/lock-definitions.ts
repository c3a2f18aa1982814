import { defineQuery, defineSignal } from '@temporalio/workflow';
import { z } from 'zod';

/**
 * The messages of mutual exclusion, defined once for the lock workflow, the jobs that hold
 * locks, and the CLI. A lock is one workflow per lock name (`lock:<name>`): jobs ask it by
 * signal (through an activity's signal-with-start, so the first asker creates it) and it
 * answers each asker by signal, in the order the requests arrived.
 */

export const lockWorkflowId = (lock: string): string => `lock:${lock}`;

/** The run that asks: answers go to exactly this run, not a later run with the same id. */
export const runRefSchema = z.object({ workflowId: z.string().min(1), runId: z.string().min(1) });
export type RunRef = z.infer<typeof runRefSchema>;

export const lockRequestSchema = z.object({
  /** Unique per ask; a repeated request (a retried activity) is recognised by it and ignored. */
  requestId: z.string().min(1),
  holder: runRefSchema,
  /** The asking job, for people reading the lock's state. */
  jobName: z.string(),
  /**
   * How long a grant lasts without news of the holder: the holder's own time-out. At expiry the
   * lock checks whether the holder's run is still open; if it vanished the lock passes on.
   */
  leaseMs: z.number().int().positive(),
  /** fail-fast: answer "denied" at once instead of queueing when the lock is held or queued for. */
  tryOnly: z.boolean().default(false),
});
export type LockRequest = z.infer<typeof lockRequestSchema>;

export const lockReleaseSchema = z.object({ requestId: z.string().min(1) });
export type LockRelease = z.infer<typeof lockReleaseSchema>;

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
