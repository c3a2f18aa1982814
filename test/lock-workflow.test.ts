/**
 * Mutual exclusion on the Java time-skipping test server: leases when a holder vanishes or
 * outlives its lease, fail-fast, and seed 001's two writers of Rankings as real jobs. Holding
 * times are workflow timers, so hours of holding cost no real time. (Contention under load is
 * tested on the dev server: lock-contention.test.ts.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import * as activities from '../src/activities';
import { lockStateQuery, lockWorkflowId } from '../src/workflows/lock-definitions';
import { createTimeSkippingEnv } from './helpers/time-skipping';
import type { lockContenderWorkflow } from './workflows/lock-contender';

const TASK_QUEUE = 'lock-test';
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let counter = 0;

before(async () => {
  env = await createTimeSkippingEnv();
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows/lock-contender') });
  worker = await Worker.create({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue: TASK_QUEUE, workflowBundle, activities });
  running = worker.run();
});
after(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

function contender(lock: string, name: string, holdMs: number[], options: { leaseMs?: number; maxWaitMs?: number; policy?: 'wait' | 'fail-fast' } = {}) {
  return env.client.workflow.start<typeof lockContenderWorkflow>('lockContenderWorkflow', {
    taskQueue: TASK_QUEUE,
    workflowId: `${name}-${++counter}`,
    args: [{ contender: name, lock, holdMs, leaseMs: options.leaseMs ?? 30 * 60_000, maxWaitMs: options.maxWaitMs ?? 365 * 86_400_000, policy: options.policy }],
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
const queryLock = (lock: string) => env.client.workflow.getHandle(lockWorkflowId(lock)).query(lockStateQuery);

describe('lockWorkflow (time-skipping)', () => {
  it('frees the lock of a holder terminated from outside when its lease expires; the next waiter proceeds', async () => {
    const leaseMs = 30 * 60_000;
    const holder = await contender('vanishing', 'holder', [10 * 3_600_000], { leaseMs });
    const held = await lockStateWhen('vanishing', (state) => state.holder?.request.holder.workflowId === holder.workflowId);
    const waiter = await contender('vanishing', 'waiter', [1_000], { leaseMs });
    await lockStateWhen('vanishing', (state) => state.queue.length === 1);
    await holder.terminate('gone without releasing its lock');
    const [holding] = (await waiter.result()).holdings;
    const grantedAt = Date.parse(held.holder!.grantedAt);
    assert.ok(holding!.start >= grantedAt + leaseMs, 'not before the lease expired');
    assert.ok(holding!.start < grantedAt + leaseMs + 60_000, `soon after the lease expired (${holding!.start - grantedAt - leaseMs} ms late)`);
  });

  it('keeps the lock for a holder still at work past its lease (the lease is renewed while its run is open)', async () => {
    const leaseMs = 10 * 60_000;
    const slow = await contender('renewed', 'slow', [2 * 3_600_000], { leaseMs });
    await lockStateWhen('renewed', (state) => state.holder?.request.holder.workflowId === slow.workflowId);
    const next = await contender('renewed', 'next', [1_000], { leaseMs });
    const [{ holdings: [slowHolding] }, { holdings: [nextHolding] }] = await Promise.all([slow.result(), next.result()]);
    assert.ok(nextHolding!.start >= slowHolding!.end, 'the next holder waited for the slow one to release');
  });

  it('a waiter gives up at maxWait (lock_wait_timeout) and leaves the queue; the next waiter is not blocked by it', async () => {
    const holder = await contender('impatient', 'holder', [2 * 3_600_000]);
    await lockStateWhen('impatient', (state) => state.holder?.request.holder.workflowId === holder.workflowId);
    const impatient = await contender('impatient', 'impatient', [1_000], { maxWaitMs: 20 * 60_000 });
    await lockStateWhen('impatient', (state) => state.queue.length === 1);
    const patient = await contender('impatient', 'patient', [1_000]);
    const gaveUp = await impatient.result();
    assert.equal(gaveUp.holdings.length, 0);
    assert.equal(gaveUp.failure?.type, 'LockWaitTimeout');
    assert.match(gaveUp.failure?.message ?? '', /lock impatient not acquired within 20m/);
    const [{ holdings: [held] }, { holdings: [next] }] = await Promise.all([holder.result(), patient.result()]);
    assert.ok(next!.start >= held!.end, 'the patient waiter got the lock after the holder');
    const state = await queryLock('impatient').catch(() => undefined);
    assert.ok(!state || state.queue.every((entry) => entry.request.jobName !== 'impatient'), 'the impatient request left the queue');
  });

  it('fail-fast: a request while the lock is held is denied at once', async () => {
    const holder = await contender('exclusive', 'holder', [3_600_000]);
    await lockStateWhen('exclusive', (state) => state.holder?.request.holder.workflowId === holder.workflowId);
    const denied = await (await contender('exclusive', 'second', [1_000], { policy: 'fail-fast' })).result();
    assert.equal(denied.failure?.type, 'LockUnavailable');
    assert.match(denied.failure?.message ?? '', /held by holder/);
    await holder.result();
  });
});
