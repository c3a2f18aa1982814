/**
 * Runs stopped from outside, on the dev server (issue 16, point 4, part A):
 *
 * - a cancelled job, jobnet or fan-out run ends with `JobStatus` = `cancelled` and, for a job
 *   run (on its own or a jobnet's inline step), its run-log line; its command is killed;
 * - a fan-out's partitions are never carried across continue-as-new: a run hands over only
 *   when no batch is in flight. So a cancel or terminate that lands while a run waits to hand
 *   over (a slow partition in flight), or on a continued run, reaches the partition in flight —
 *   its process is killed — and the fan-out ends there; a partition killed from outside while
 *   the run waits fails alone and the fan-out hands over and ends;
 * - a terminated job run (no code of its own runs) reads as `terminated` in `history`/`list` and
 *   `status`, and the daily refresh writes its missing run-log line, once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Connection, WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure, TerminatedFailure } from '@temporalio/common';
import type { FanoutRunInput } from '../src/catalog/compile/fanout-input';
import { jobnetRunSchema } from '../src/catalog/compile/jobnet-input';
import { runLogFile, type RunLogRecord } from '../src/activities/runlog';
import { jobnetClient } from '../src/temporal/client';
import { readRunState } from '../src/runs/run-state';
import { renderRun, viewNow } from '../src/cli/status-render';
import { fanoutOutcome } from '../src/runs/retry-partitions';
import { fanoutStateQuery } from '../src/workflows/fanout-definitions';
import { JobStatus } from '../src/contracts/search-attributes';
import { listRecentRuns } from '../src/visibility/list-recent-runs';
import { Worker } from '@temporalio/worker';
import { jobnetWorkerOptions } from '../src/worker-setup';
import { sharedBundle } from './helpers/time-skipping';
import { startDevEnv, type DevEnv } from './helpers/dev-env';
import { processAlive, waitFor } from './helpers/fs';
import { jobRun, jobSpec } from './helpers/runs';

const QUEUE = 'stopped-runs';
const DATE = '2026-12-01';
let dev: DevEnv;
let connection: Connection;
let client: Client;

before(async () => {
  dev = await startDevEnv('stopped-runs', [QUEUE]);
  connection = await Connection.connect({ address: dev.server.address });
  client = jobnetClient(connection);
});
after(async () => {
  await connection?.close();
  await dev?.stop();
});

/** A command that records its pid (the `sleep` itself, through exec) and then runs for ten minutes. */
function sleeper(pidFile: string): string[] {
  return ['sh', '-c', `echo $$ > "${pidFile}"; exec sleep 600`];
}

/** The pid the command recorded, once it runs. */
function pidOnceRunning(pidFile: string): Promise<number> {
  return waitFor(
    () => existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8').trim()) > 0 && Number(readFileSync(pidFile, 'utf8').trim()),
    60_000,
    `${pidFile} to be written`,
  );
}

async function goneWithin(pid: number, ms: number): Promise<void> {
  await waitFor(() => !processAlive(pid), ms, `process ${pid} to be killed`);
}

async function endsWith(handle: WorkflowHandle, failure: typeof CancelledFailure | typeof TerminatedFailure): Promise<void> {
  await assert.rejects(handle.result(), (error: unknown) => {
    assert.ok(error instanceof WorkflowFailedError, String(error));
    assert.ok(error.cause instanceof failure, `ended with ${String(error.cause)}`);
    return true;
  });
}

async function jobStatusOf(handle: WorkflowHandle): Promise<unknown> {
  const description = await handle.describe();
  return description.typedSearchAttributes.get(JobStatus);
}

/** The run's history replays on the current workflow code (the cancelled path's commands included). */
async function assertReplays(handle: WorkflowHandle): Promise<void> {
  const history = await handle.fetchHistory();
  for await (const replay of Worker.runReplayHistories({ ...jobnetWorkerOptions(), workflowBundle: await sharedBundle() }, [
    { workflowId: handle.workflowId, history },
  ])) {
    assert.equal(replay.error, undefined, `${replay.workflowId}: ${String(replay.error)}`);
  }
}

function runLogLines(): RunLogRecord[] {
  const file = runLogFile(path.join(dev.work.dir, 'logs'), DATE);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as RunLogRecord);
}

describe('a cancelled run records how it ended (dev server)', () => {
  it('a job: JobStatus cancelled, one run-log line "cancelled", its command killed', { timeout: 120_000 }, async () => {
    const pidFile = path.join(dev.work.dir, 'job.pid');
    const workflowId = `cancelled-job@${DATE}`;
    const input = jobRun({ name: 'cancelled-job', businessDate: DATE, job: { command: sleeper(pidFile), heartbeatTimeout: '5s', timeout: '20m' } });
    const handle = await client.workflow.start('jobWorkflow', { taskQueue: QUEUE, workflowId, args: [input] });
    const pid = await pidOnceRunning(pidFile);
    await handle.cancel();
    await endsWith(handle, CancelledFailure);
    await goneWithin(pid, 30_000);
    assert.equal(await jobStatusOf(handle), 'cancelled');
    const lines = runLogLines().filter((line) => line.workflow_id === workflowId);
    assert.deepEqual(
      lines.map((line) => [line.status, line.job_name, line.run_id]),
      [['cancelled', 'cancelled-job', (await handle.describe()).runId]],
    );
    await assertReplays(handle);
  });

  it(
    'a jobnet: JobStatus cancelled; its inline step running then writes its run-log line "cancelled" and its command is killed',
    { timeout: 120_000 },
    async () => {
      const pidFile = path.join(dev.work.dir, 'step.pid');
      const workflowId = `cancelled-jobnet@${DATE}`;
      const input = jobnetRunSchema.parse({
        name: 'cancelled-jobnet',
        businessDate: DATE,
        steps: {
          first: { job: jobSpec({ command: ['true'] }) },
          slow: { job: jobSpec({ command: sleeper(pidFile), heartbeatTimeout: '5s', timeout: '20m' }), needs: ['first'] },
        },
      });
      const handle = await client.workflow.start('jobnetWorkflow', { taskQueue: QUEUE, workflowId, args: [input] });
      const pid = await pidOnceRunning(pidFile);
      await handle.cancel();
      await endsWith(handle, CancelledFailure);
      await goneWithin(pid, 30_000);
      assert.equal(await jobStatusOf(handle), 'cancelled');
      const lines = runLogLines().filter((line) => line.workflow_id.startsWith(`${workflowId}/`));
      assert.deepEqual(lines.map((line) => [line.workflow_id, line.status]).sort(), [
        [`${workflowId}/first`, 'success'],
        [`${workflowId}/slow`, 'cancelled'],
      ]);
      await assertReplays(handle);
    },
  );
});

describe('fan-out: stopped while a partition is in flight around continue-as-new (dev server)', () => {
  /**
   * 1 slow key (recording its pid, then sleeping) among 300 quick ones, one key per batch, the
   * smallest continue-as-new bound: a run reaches the bound after some 80 keys and hands over
   * only once no batch is in flight.
   */
  function fanout(name: string, slowAt: number, dir: string): FanoutRunInput {
    const keys = Array.from({ length: 300 }, (_, i) => `q${String(i).padStart(3, '0')}`);
    keys.splice(slowAt, 0, 'slow');
    return {
      name,
      businessDate: DATE,
      source: { kind: 'items', items: keys },
      item: {
        name: `${name}-key`,
        job: jobSpec({
          command: ['sh', '-c', `case "$JOBNET_ITEM" in slow) echo $$ > "${dir}/${name}.pid"; exec sleep 600;; esac`],
          heartbeatTimeout: '5s',
          timeout: '20m',
          killGrace: '1s',
        }),
      },
      maxParallel: 4,
      batchSize: 1,
      continueAsNewAfter: 500,
    };
  }

  /** The run has stopped handing out batches to hand over, and only the slow key holds it. */
  async function waitingToHandOver(handle: WorkflowHandle): Promise<void> {
    await waitFor(
      async () => {
        const [state, description] = await Promise.all([handle.query(fanoutStateQuery), handle.describe()]);
        return state.continuedAsNew === 0 && description.historyLength >= 500 && state.running === 1;
      },
      120_000,
      'the run to wait for its last batch before it continues as new',
    );
  }

  it(
    'cancelled while it waits to hand over: the partition in flight is killed, the run ends cancelled and does not continue',
    { timeout: 240_000 },
    async () => {
      const name = 'cancel-handover';
      const handle = await client.workflow.start('fanoutWorkflow', { taskQueue: QUEUE, workflowId: `${name}@${DATE}`, args: [fanout(name, 0, dev.work.dir)] });
      const pid = await pidOnceRunning(path.join(dev.work.dir, `${name}.pid`));
      await waitingToHandOver(handle);
      await handle.cancel();
      await endsWith(handle, CancelledFailure);
      await goneWithin(pid, 30_000);
      const description = await handle.describe();
      assert.equal(description.status.name, 'CANCELLED', 'the latest run of the id is the cancelled one: nothing continued');
      assert.equal(description.typedSearchAttributes.get(JobStatus), 'cancelled');
      await assertReplays(handle);
    },
  );

  it(
    'terminated while it waits to hand over: the partition in flight is killed (its batch finds its run gone); status says terminated',
    { timeout: 240_000 },
    async () => {
      const name = 'terminate-handover';
      const handle = await client.workflow.start('fanoutWorkflow', { taskQueue: QUEUE, workflowId: `${name}@${DATE}`, args: [fanout(name, 0, dev.work.dir)] });
      const pid = await pidOnceRunning(path.join(dev.work.dir, `${name}.pid`));
      await waitingToHandOver(handle);
      await handle.terminate('test: terminated while waiting to hand over');
      await endsWith(handle, TerminatedFailure);
      // The batch hears of it at its next heartbeat to the server (at most 0.8 × 5 s apart), then kills the tree.
      await goneWithin(pid, 60_000);
      const run = await readRunState(client, `${name}@${DATE}`);
      assert.equal(run.temporalStatus, 'TERMINATED');
      assert.deepEqual(await renderRun(client, run, viewNow('UTC')), [`${name}@${DATE}: terminated`]);
    },
  );

  it('cancelled after it continued as new: the cancel reaches the partition in flight in the continued run', { timeout: 240_000 }, async () => {
    const name = 'cancel-continued';
    const handle = await client.workflow.start('fanoutWorkflow', { taskQueue: QUEUE, workflowId: `${name}@${DATE}`, args: [fanout(name, 200, dev.work.dir)] });
    const pid = await pidOnceRunning(path.join(dev.work.dir, `${name}.pid`));
    const latest = client.workflow.getHandle(`${name}@${DATE}`);
    const state = await latest.query(fanoutStateQuery);
    assert.ok(state.continuedAsNew >= 1, `the slow key runs in a continued run (continued ${state.continuedAsNew}×)`);
    await latest.cancel();
    await endsWith(latest, CancelledFailure);
    await goneWithin(pid, 30_000);
    assert.equal(await jobStatusOf(latest), 'cancelled');
    assert.notEqual((await latest.describe()).runId, handle.firstExecutionRunId);
  });

  it('a partition killed from outside while the run waits to hand over fails alone: the run hands over and ends partial', { timeout: 240_000 }, async () => {
    const name = 'killed-partition';
    const handle = await client.workflow.start('fanoutWorkflow', { taskQueue: QUEUE, workflowId: `${name}@${DATE}`, args: [fanout(name, 0, dev.work.dir)] });
    const pid = await pidOnceRunning(path.join(dev.work.dir, `${name}.pid`));
    await waitingToHandOver(handle);
    process.kill(pid, 'SIGKILL');
    const result = await fanoutOutcome(client.workflow.getHandle(`${name}@${DATE}`));
    assert.equal(result.status, 'partial');
    assert.equal(result.succeeded, 300);
    assert.deepEqual(
      result.failedPartitions.map((failure) => failure.key),
      ['slow'],
    );
    assert.ok(result.continuedAsNew >= 1, 'the run handed over once its last batch ended');
  });
});

describe('a terminated run (dev server)', () => {
  it('a job: its command killed; history and status say terminated; the daily refresh writes its run-log line once', { timeout: 180_000 }, async () => {
    const pidFile = path.join(dev.work.dir, 'terminated.pid');
    const workflowId = `terminated-job@${DATE}`;
    const input = jobRun({ name: 'terminated-job', businessDate: DATE, job: { command: sleeper(pidFile), heartbeatTimeout: '5s', timeout: '20m' } });
    const handle = await client.workflow.start('jobWorkflow', { taskQueue: QUEUE, workflowId, args: [input] });
    const pid = await pidOnceRunning(pidFile);
    await handle.terminate('operator stopped it');
    await endsWith(handle, TerminatedFailure);
    await goneWithin(pid, 60_000);
    assert.equal(await jobStatusOf(handle), 'running', 'no code ran after the terminate: its JobStatus is stale');
    assert.deepEqual(await renderRun(client, await readRunState(client, workflowId), viewNow('UTC')), [`${workflowId}: terminated`]);
    const history = await waitFor(
      async () => {
        const runs = await listRecentRuns(client, 'terminated-job');
        return runs.length > 0 && runs;
      },
      30_000,
      'the run in visibility',
    );
    assert.deepEqual(
      history.map((run) => run.status),
      ['terminated'],
    );
    assert.deepEqual(
      runLogLines().filter((line) => line.workflow_id === workflowId),
      [],
      'no line yet: the run wrote none',
    );

    // The daily refresh, as its Schedule fires it (here by hand), on a worker of the queue.
    await waitFor(
      async () => {
        for await (const _ of client.workflow.list({ query: `WorkflowId = "${workflowId}" AND ExecutionStatus = "Terminated"` })) return true;
        return false;
      },
      30_000,
      'the run listed as terminated',
    );
    const catalogFile = path.join(dev.work.dir, 'jobnet.yaml');
    writeFileSync(catalogFile, 'version: 1\njobs:\n  terminated-job: { command: ["true"] }\n');
    for (const round of [1, 2]) {
      await client.workflow.execute('refreshSchedulesWorkflow', { taskQueue: QUEUE, workflowId: `refresh-${round}`, args: [{ catalogFile }] });
    }
    const lines = runLogLines().filter((line) => line.workflow_id === workflowId);
    assert.deepEqual(
      lines.map((line) => [line.status, line.job_name, line.business_date, line.run_id, line.error]),
      [['terminated', 'terminated-job', DATE, (await handle.describe()).runId, 'the run was terminated from outside: operator stopped it']],
      'one line, though two refreshes swept it',
    );
  });
});
