import { z } from 'zod';
import { sameType } from '../validation/same-type';
import type { LockRelease, LockRequest, RunRef } from '../contracts/lock';

/**
 * The lock's messages as zod schemas: the lock workflow validates what it receives with them.
 * Apart from lock-definitions.ts so that a job holding a lock does not build them (every
 * workflow run evaluates the modules it imports afresh).
 */

/** The run that asks: answers go to exactly this run, not a later run with the same id. */
export const runRefSchema = z.object({ workflowId: z.string().min(1), runId: z.string().min(1) });
sameType<z.output<typeof runRefSchema>, RunRef>(true);

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
sameType<z.output<typeof lockRequestSchema>, LockRequest>(true);

export const lockReleaseSchema = z.object({ requestId: z.string().min(1) });
sameType<z.output<typeof lockReleaseSchema>, LockRelease>(true);
