/**
 * The lock under contention, on the dev server (a real Temporal server: the Java test server
 * is not built for this load): 20 workflows take one lock 1000 times in all, holding it for
 * random short times (the work of an activity). From the holding intervals each contender recorded (workflow time, i.e.
 * the server's clock): no two holders ever overlap, and the lock served requests in the order
 * they arrived (FIFO).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startLockEnv, type LockEnv } from './helpers/lock-env';
import type { Holding, lockContenderWorkflow } from './workflows/lock-contender';

const TASK_QUEUE = 'lock-contention';
const CONTENDERS = Number(process.env.LOCK_CONTENDERS ?? 20);
const TAKES_EACH = Number(process.env.LOCK_TAKES_EACH ?? 5);
let lockEnv: LockEnv;
let client: LockEnv['client'];

before(async () => {
  lockEnv = await startLockEnv('lock-contention', TASK_QUEUE);
  client = lockEnv.client;
});
after(async () => lockEnv?.stop());

/** Deterministic pseudo-random numbers (mulberry32), so a failing draw can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('lockWorkflow under contention (dev server)', () => {
  it(`${CONTENDERS} workflows taking one lock ${CONTENDERS * TAKES_EACH} times in all never overlap, and are served in arrival order`, async () => {
    const next = random(20261122);
    const handles = await Promise.all(
      Array.from({ length: CONTENDERS }, (_, index) =>
        client.workflow.start<typeof lockContenderWorkflow>('lockContenderWorkflow', {
          taskQueue: TASK_QUEUE,
          workflowId: `contender-${index}`,
          args: [
            {
              contender: `contender-${index}`,
              lock: 'rankings',
              holdMs: Array.from({ length: TAKES_EACH }, () => 1 + Math.floor(next() * 20)),
              leaseMs: 60_000,
              maxWaitMs: 3_600_000,
              holdBy: 'activity',
            },
          ],
        }),
      ),
    );
    const holdings: Holding[] = (await Promise.all(handles.map((handle) => handle.result()))).flatMap((result) => result.holdings);
    assert.equal(holdings.length, CONTENDERS * TAKES_EACH);
    assert.equal(new Set(holdings.map((holding) => holding.arrival)).size, holdings.length, 'each take is its own request');
    holdings.sort((a, b) => a.start - b.start || a.arrival - b.arrival);
    for (let i = 1; i < holdings.length; i++) {
      const [previous, current] = [holdings[i - 1]!, holdings[i]!];
      assert.ok(
        current.start >= previous.end,
        `take ${i} (${current.contender}) started at ${current.start}, before ${previous.contender} released at ${previous.end}`,
      );
      assert.ok(current.arrival > previous.arrival, `take ${i} was granted out of arrival order (${current.arrival} after ${previous.arrival})`);
    }
    // The lock's history stayed bounded: it continued as new along the way.
    const runs = [];
    for await (const run of client.workflow.list({ query: `WorkflowId = "lock:rankings"` })) runs.push(run.runId);
    assert.ok(runs.length > 1, `the lock continued as new (${runs.length} run)`);
  });
});
