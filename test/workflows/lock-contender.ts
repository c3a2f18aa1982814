/**
 * Test-only workflows for the lock contention tests, bundled with the real lock workflow.
 * A contender takes one lock again and again, holds it for given times (workflow timers), and
 * reports each holding interval in workflow time with the lock's arrival number of its request.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type * as holdActivities from './hold-activity';
import { CoordinationFailure, type Asker } from '../../src/workflows/coordination';
import { holdingLocks } from '../../src/workflows/lock-acquire';
import type { LockUse } from '../../src/catalog/schema/job-schema';

export { lockWorkflow } from '../../src/workflows/lock';

export interface Holding {
  contender: string;
  arrival: number;
  start: number;
  end: number;
}

export async function lockContenderWorkflow(input: {
  contender: string;
  lock: string;
  holdMs: number[];
  leaseMs: number;
  maxWaitMs: number;
  policy?: LockUse['policy'];
  /**
   * `timer` (time-skipping tests: hours cost nothing) or `activity` (dev server, whose timers
   * fire on a one-second tick: short holds are real work of an activity).
   */
  holdBy?: 'timer' | 'activity';
}): Promise<{ holdings: Holding[]; failure?: { type: string; message: string; at: number } }> {
  const { holdFor } = proxyActivities<typeof holdActivities>({ startToCloseTimeout: '1m' });
  let arrival = 0;
  const asker: Asker = {
    jobName: input.contender,
    hooks: {
      waiting: () => undefined,
      lockAcquired: (_lock, _waited, granted) => void (arrival = granted),
      afterSatisfied: () => undefined,
    },
  };
  const lock: LockUse = { name: input.lock, policy: input.policy ?? 'wait', maxWait: input.maxWaitMs };
  const holdings: Holding[] = [];
  try {
    for (const hold of input.holdMs) {
      await holdingLocks(asker, [lock], input.leaseMs, async () => {
        const start = Date.now();
        if (input.holdBy === 'activity') await holdFor(hold);
        else await sleep(hold);
        holdings.push({ contender: input.contender, arrival, start, end: Date.now() });
      });
    }
  } catch (error) {
    // A job turns this into its failed result; the contender reports it.
    if (!(error instanceof CoordinationFailure)) throw error;
    return { holdings, failure: { type: error.type, message: error.message, at: Date.now() } };
  }
  return { holdings };
}
