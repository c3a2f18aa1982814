/**
 * Locks and `after` as real jobs see them, on the dev server (the Java test server mishandles
 * signals that arrive while a workflow task is in flight, which a lock grant or a gate's answer
 * often does), with the seed 001 fixture catalog: BATCH-001 and BATCH-003 started together
 * never overlap (from the times their commands record); a fail-fast lock held by another run
 * ends the job at once with a lock error event, without running its command; a dependent run
 * waits for its predecessor's success, or runs at once when it already succeeded.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevEnv, type DevEnv } from './helpers/dev-env';
import { intervals, jobOutcome as outcome, jobStateWhen as stateWhen, startSeedJob } from './helpers/catalog-runs';
import { jobStateQuery } from '../src/workflows/definitions';
import { jobnetClient } from '../src/temporal/client';
import { jobWorkflow } from '../src/workflows';
import type { JobSpecInput } from '../src/catalog/schema/job-schema';
import { jobRun } from './helpers/runs';

let dev: DevEnv;
let connection: Connection;
let client: Client;
let counter = 0;

before(async () => {
  dev = await startDevEnv('lock-jobs');
  connection = await Connection.connect({ address: dev.server.address });
  client = jobnetClient(connection);
});
after(async () => {
  await connection?.close();
  await dev?.stop();
});

const start = (name: string, trace: string, date?: string, vars?: Record<string, string>) => startSeedJob(client, 'default', name, trace, date, vars);
const traceFile = () => path.join(dev.work.dir, `trace-${++counter}.log`);

describe('locks held by jobs (dev server)', () => {
  it('BATCH-001 and BATCH-003, started together, never overlap; the second waits visibly and then runs', async () => {
    const trace = traceFile();
    const first = await start('BATCH-001', trace);
    await stateWhen(first, (state) => state.events.some((event) => event.type === 'lock_acquired'), 'BATCH-001 to hold the lock');
    const second = await start('BATCH-003', trace);
    const waiting = await stateWhen(second, (state) => state.status === 'waiting-lock', 'BATCH-003 to wait for the lock');
    assert.deepEqual(waiting.waiting && { kind: waiting.waiting.kind, lock: 'lock' in waiting.waiting ? waiting.waiting.lock : '' }, {
      kind: 'lock',
      lock: 'rankings',
    });
    const [one, three] = await Promise.all([outcome(first), outcome(second)]);
    assert.equal(one.status, 'success');
    assert.equal(three.status, 'success');
    const ran = intervals(trace);
    assert.deepEqual(ran.map((interval) => interval.job).sort(), ['BATCH-001', 'BATCH-003']);
    const [a, b] = ran.sort((x, y) => x.start - y.start);
    assert.ok(b!.start >= a!.end, `${b!.job} started at ${b!.start}, before ${a!.job} ended at ${a!.end}`);
    const acquired = three.events.find((event) => event.type === 'lock_acquired');
    assert.equal(acquired?.lock, 'rankings');
    assert.ok((acquired?.waitedMs ?? 0) > 0, 'the wait is on record');
  });

  it("locks are taken in name order, and given back during a delayed retry's wait: another job takes them meanwhile", async () => {
    const trace = traceFile();
    // Appends "<job> start|end <ms>" around the work, as the seed 001 commands do; `fail` runs after the end line.
    const traced = (job: string, fail = 'true'): string[] => [
      'sh',
      '-c',
      `echo "${job} start $(date +%s%3N)" >> "${trace}"; echo "${job} end $(date +%s%3N)" >> "${trace}"; ${fail}`,
    ];
    const startJob = (name: string, job: JobSpecInput) =>
      client.workflow.start(jobWorkflow, {
        taskQueue: 'default',
        workflowId: `${name}@2026-12-04+${++counter}`,
        args: [jobRun({ name, businessDate: '2026-12-04', job })],
      });
    // Declared out of name order; the first attempt fails, the delayed retry succeeds.
    const holder = await startJob('two-locks', {
      command: traced('two-locks', `[ "$(grep -c '^two-locks start' "${trace}")" -ge 2 ]`),
      locks: [{ name: 'zeta' }, { name: 'alpha' }],
      delayedRetry: { after: '20s' },
    });
    await stateWhen(holder, (state) => state.status === 'waiting-retry', 'two-locks to wait for its delayed retry');
    // A job needing both locks gets them while two-locks waits (it would wait 20 s or more if they were still held).
    const other = await startJob('other', {
      command: traced('other'),
      locks: [
        { name: 'alpha', maxWait: '15s' },
        { name: 'zeta', maxWait: '15s' },
      ],
    });
    const otherResult = await outcome(other);
    assert.equal(otherResult.status, 'success', JSON.stringify(otherResult.events));
    assert.equal((await holder.query(jobStateQuery)).status, 'waiting-retry', 'other ran and ended inside the wait');
    const held = await outcome(holder);
    assert.equal(held.status, 'success', JSON.stringify(held.events));
    assert.deepEqual(
      held.events.filter((event) => event.type === 'lock_acquired').map((event) => event.lock),
      ['alpha', 'zeta', 'alpha', 'zeta'],
      'each series takes its locks in name order',
    );
    const ran = intervals(trace).sort((x, y) => x.start - y.start);
    assert.deepEqual(
      ran.map((interval) => interval.job),
      ['two-locks', 'other', 'two-locks'],
    );
    assert.ok(ran[1]!.start >= ran[0]!.end && ran[2]!.start >= ran[1]!.end, JSON.stringify(ran));
  });

  it('a fail-fast lock held by another run ends the job at once with a lock error event, without running it', async () => {
    const trace = traceFile();
    const holder = await start('ranking-report', trace, '2026-12-01', { REPORT_SECONDS: '3' });
    await stateWhen(holder, (state) => state.events.some((event) => event.type === 'lock_acquired'), 'the first report to hold its lock');
    const second = await outcome(await start('ranking-report', trace));
    assert.equal(second.status, 'error');
    assert.equal(second.errorType, 'LockUnavailable');
    assert.match(second.error ?? '', /lock ranking-report is held by ranking-report/);
    assert.deepEqual(
      second.events.map((event) => event.type),
      ['started', 'lock_unavailable'],
    );
    assert.equal((await outcome(holder)).status, 'success');
    assert.equal(intervals(trace).length, 1, 'only the holder ran its command');
  });
});

describe('after: runs of other schedules (dev server)', () => {
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
});
