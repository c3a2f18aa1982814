/**
 * Mutual exclusion on the dev server, with short real durations: leases when a holder vanishes
 * or outlives its lease, a waiter giving up at maxWait, fail-fast. (The Java time-skipping
 * server loses workflow-task completions when a lock's signals arrive while a task is in
 * flight — "Expired workflow task", then hangs — so the lock's waiting is tested on the real
 * server; its timers fire on a one-second tick, hence leases and waits of a few seconds.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COORDINATION_QUEUE } from '../src/contracts/coordination';
import { lockStateQuery, lockWorkflowId } from '../src/contracts/lock';
import { startLockEnv, type LockEnv } from './helpers/lock-env';
import type { lockContenderWorkflow } from './workflows/lock-contender';

const TASK_QUEUE = 'lock-test';
let lockEnv: LockEnv;
let client: LockEnv['client'];
let counter = 0;

before(async () => {
  lockEnv = await startLockEnv('lock-workflow', TASK_QUEUE);
  client = lockEnv.client;
});
after(async () => lockEnv?.stop());

function contender(
  lock: string,
  name: string,
  holdMs: number[],
  options: { leaseMs?: number; maxWaitMs?: number; policy?: 'wait' | 'fail-fast'; taskQueue?: string } = {},
) {
  return client.workflow.start<typeof lockContenderWorkflow>('lockContenderWorkflow', {
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    workflowId: `${name}-${++counter}`,
    args: [
      { contender: name, lock, holdMs, leaseMs: options.leaseMs ?? 30 * 60_000, maxWaitMs: options.maxWaitMs ?? 365 * 86_400_000, policy: options.policy },
    ],
  });
}

/** Waits (real time) until the lock's state satisfies `ready`. */
async function lockStateWhen(lock: string, ready: (state: Awaited<ReturnType<typeof queryLock>>) => boolean) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const state = await queryLock(lock).catch(() => undefined);
    if (state && ready(state)) return state;
    if (Date.now() > deadline) throw new Error(`lock ${lock} never reached the expected state: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const queryLock = (lock: string) => client.workflow.getHandle(lockWorkflowId(lock)).query(lockStateQuery);

describe('lockWorkflow (dev server)', () => {
  it('frees the lock of a holder terminated from outside when its lease expires; the next waiter proceeds', async () => {
    const leaseMs = 3_000;
    const holder = await contender('vanishing', 'holder', [3_600_000], { leaseMs });
    const held = await lockStateWhen('vanishing', (state) => state.holder?.request.holder.workflowId === holder.workflowId);
    const waiter = await contender('vanishing', 'waiter', [1_000], { leaseMs });
    await lockStateWhen('vanishing', (state) => state.queue.length === 1);
    await holder.terminate('gone without releasing its lock');
    const [holding] = (await waiter.result()).holdings;
    const grantedAt = Date.parse(held.holder!.grantedAt);
    assert.ok(holding!.start >= grantedAt + leaseMs, 'not before the lease expired');
    assert.ok(holding!.start < grantedAt + leaseMs + 10_000, `soon after the lease expired (${holding!.start - grantedAt - leaseMs} ms late)`);
  });

  it('keeps the lock for a holder still at work past its lease (the lease is renewed while its run is open)', async () => {
    const leaseMs = 2_000;
    const slow = await contender('renewed', 'slow', [7_000], { leaseMs });
    await lockStateWhen('renewed', (state) => state.holder?.request.holder.workflowId === slow.workflowId);
    const next = await contender('renewed', 'next', [1_000], { leaseMs });
    const [
      {
        holdings: [slowHolding],
      },
      {
        holdings: [nextHolding],
      },
    ] = await Promise.all([slow.result(), next.result()]);
    assert.ok(nextHolding!.start >= slowHolding!.end, 'the next holder waited for the slow one to release');
  });

  it('a waiter gives up at maxWait (lock_wait_timeout) and leaves the queue; the next waiter is not blocked by it', async () => {
    const holder = await contender('impatient', 'holder', [8_000]);
    await lockStateWhen('impatient', (state) => state.holder?.request.holder.workflowId === holder.workflowId);
    const impatient = await contender('impatient', 'impatient', [1_000], { maxWaitMs: 3_000 });
    await lockStateWhen('impatient', (state) => state.queue.length === 1);
    const patient = await contender('impatient', 'patient', [1_000]);
    const gaveUp = await impatient.result();
    assert.equal(gaveUp.holdings.length, 0);
    assert.equal(gaveUp.failure?.type, 'LockWaitTimeout');
    assert.match(gaveUp.failure?.message ?? '', /lock impatient not acquired within 3s/);
    const [
      {
        holdings: [held],
      },
      {
        holdings: [next],
      },
    ] = await Promise.all([holder.result(), patient.result()]);
    assert.ok(next!.start >= held!.end, 'the patient waiter got the lock after the holder');
    const state = await queryLock('impatient').catch(() => undefined);
    assert.ok(!state || state.queue.every((entry) => entry.request.jobName !== 'impatient'), 'the impatient request left the queue');
  });

  it('fail-fast: a request while the lock is held is denied at once', async () => {
    const holder = await contender('exclusive', 'holder', [3_000]);
    await lockStateWhen('exclusive', (state) => state.holder?.request.holder.workflowId === holder.workflowId);
    const denied = await (await contender('exclusive', 'second', [1_000], { policy: 'fail-fast' })).result();
    assert.equal(denied.failure?.type, 'LockUnavailable');
    assert.match(denied.failure?.message ?? '', /held by holder/);
    await holder.result();
  });

  it('runs on the coordination queue: asked first from a queue whose workers then stop, the lock still answers an asker from another queue', async () => {
    const gpu = await lockEnv.startHost('gpu');
    const first = await contender('shared', 'gpu-job', [200], { taskQueue: 'gpu' });
    assert.equal((await first.result()).holdings.length, 1);
    const lock = client.workflow.getHandle(lockWorkflowId('shared'));
    assert.equal((await lock.describe()).taskQueue, COORDINATION_QUEUE);
    // The gpu host goes away; the lock (idle, lingering) must go on without it.
    await gpu.stop();
    const second = await contender('shared', 'cpu-job', [200]);
    let bound: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      bound = setTimeout(() => reject(new Error('the second asker got no answer within 60 s: the lock is not progressing')), 60_000);
    });
    try {
      const { holdings, failure } = await Promise.race([second.result(), timedOut]);
      assert.equal(failure, undefined);
      assert.equal(holdings.length, 1);
      assert.ok(holdings[0]!.arrival > 1, `the same lock served it after the gpu job (arrival ${holdings[0]!.arrival})`);
    } finally {
      clearTimeout(bound);
      await second.terminate('test over').catch(() => undefined);
    }
  });
});
