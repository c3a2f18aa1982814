/**
 * Cross-schedule dependencies (`after`) as real jobs see them, on the Java time-skipping test
 * server, with the seed 001 fixture catalog: a dependent run waits for its predecessor's
 * success, starts at once when it already succeeded, and fails at maxWait with an event when
 * it never does (two hours of waiting cost no real time).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createTestWorker, createTimeSkippingEnv } from './helpers/time-skipping';
import { intervals, jobOutcome as outcome, jobStateWhen as stateWhen, startSeedJob } from './helpers/catalog-runs';
import { tempDir } from './helpers/fs';

const TASK_QUEUE = 'coordination-test';
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let work: ReturnType<typeof tempDir>;
let counter = 0;

before(async () => {
  env = await createTimeSkippingEnv();
  work = tempDir('coordination-jobs');
  process.env.JOBNET_LOG_DIR = path.join(work.dir, 'logs');
  worker = await createTestWorker(env, TASK_QUEUE);
  running = worker.run();
});
after(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  work?.cleanup();
});

const start = (name: string, trace: string, date?: string) => startSeedJob(env.client, TASK_QUEUE, name, trace, date);
const traceFile = () => path.join(work.dir, `trace-${++counter}.log`);

describe('after: runs of other schedules (time-skipping)', () => {
  it('a dependent run started before its predecessor waits, then runs once the predecessor succeeded', async () => {
    const trace = traceFile();
    const date = '2026-12-02';
    const dependent = await start('publish', trace, date);
    const waiting = await stateWhen(dependent, (state) => state.status === 'waiting-after', 'publish to wait for BATCH-000');
    assert.equal(waiting.waiting?.kind, 'after');
    assert.equal(intervals(trace).length, 0, 'publish has not run');
    assert.equal((await outcome(await start('BATCH-000', trace, date))).status, 'success');
    const published = await outcome(dependent);
    assert.equal(published.status, 'success');
    const [aggregate, publish] = intervals(trace);
    assert.deepEqual([aggregate?.job, publish?.job], ['BATCH-000', 'publish']);
    assert.ok(publish!.start >= aggregate!.end, 'publish ran after BATCH-000 ended');
    assert.ok(published.events.some((event) => event.type === 'after_satisfied' && event.predecessor === 'BATCH-000'));
  });

  it('started after its predecessor succeeded, it runs at once', async () => {
    const trace = traceFile();
    const date = '2026-12-03';
    assert.equal((await outcome(await start('BATCH-000', trace, date))).status, 'success');
    const published = await outcome(await start('publish', trace, date));
    assert.equal(published.status, 'success');
    const satisfied = published.events.find((event) => event.type === 'after_satisfied');
    assert.ok(satisfied, 'after_satisfied is on record');
    assert.ok(Date.parse(published.endTime) - Date.parse(published.startTime) < 60_000, 'no waiting in workflow time');
  });

  it('a predecessor that never succeeds fails the dependent run at maxWait, with an after_timeout event', async () => {
    const trace = traceFile();
    const published = await outcome(await start('publish', trace, '2026-12-04'));
    assert.equal(published.status, 'error');
    assert.equal(published.errorType, 'AfterTimeout');
    assert.deepEqual(published.events.map((event) => event.type), ['started', 'after_timeout']);
    const waited = Date.parse(published.events[1]!.at) - Date.parse(published.events[0]!.at);
    assert.ok(waited >= 2 * 3_600_000 && waited < 2 * 3_600_000 + 60_000, `failed at maxWait 2h of workflow time (after ${waited} ms)`);
    assert.equal(intervals(trace).length, 0, 'publish never ran');
  });
});
