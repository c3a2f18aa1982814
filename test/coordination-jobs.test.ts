/**
 * Cross-schedule dependencies (`after`) on the Java time-skipping test server, with the seed
 * 001 fixture catalog: a dependent run whose predecessor never succeeds fails at maxWait with
 * an event (two hours of waiting cost no real time). Waiting and being told happen on the dev
 * server (lock-jobs.test.ts): the gate's signal often arrives while the waiter's workflow task
 * is in flight, which the Java test server mishandles.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createTestWorker, createTimeSkippingEnv } from './helpers/time-skipping';
import { COORDINATION_QUEUE } from '../src/contracts/coordination';
import { intervals, jobOutcome as outcome, startSeedJob } from './helpers/catalog-runs';
import { tempDir } from './helpers/fs';

const TASK_QUEUE = 'coordination-test';
let env: TestWorkflowEnvironment;
let workers: Worker[] = [];
let running: Promise<unknown>;
let work: ReturnType<typeof tempDir>;
let counter = 0;

before(async () => {
  env = await createTimeSkippingEnv();
  work = tempDir('coordination-jobs');
  process.env.JOBNET_LOG_DIR = path.join(work.dir, 'logs');
  // The gate runs on the coordination queue, which every worker serves.
  workers = await Promise.all([createTestWorker(env, TASK_QUEUE), createTestWorker(env, COORDINATION_QUEUE)]);
  running = Promise.all(workers.map((worker) => worker.run()));
});
after(async () => {
  for (const worker of workers) worker.shutdown();
  await running;
  await env?.teardown();
  work?.cleanup();
});

const start = (name: string, trace: string, date?: string) => startSeedJob(env.client, TASK_QUEUE, name, trace, date);
const traceFile = () => path.join(work.dir, `trace-${++counter}.log`);

describe('after: runs of other schedules (time-skipping)', () => {
  it('a predecessor that never succeeds fails the dependent run at maxWait, with an after_timeout event', async () => {
    const trace = traceFile();
    const published = await outcome(await start('publish', trace, '2026-12-04'));
    assert.equal(published.status, 'error');
    assert.equal(published.errorType, 'AfterTimeout');
    assert.deepEqual(
      published.events.map((event) => event.type),
      ['started', 'after_timeout'],
    );
    const waited = Date.parse(published.events[1]!.at) - Date.parse(published.events[0]!.at);
    assert.ok(waited >= 2 * 3_600_000 && waited < 2 * 3_600_000 + 60_000, `failed at maxWait 2h of workflow time (after ${waited} ms)`);
    assert.equal(intervals(trace).length, 0, 'publish never ran');
  });
});
