/**
 * warnAfter and the time-out alert on the Java time-skipping test server, asserted on workflow
 * time, with the events delivered to a real webhook receiver on loopback.
 *
 * How a run spends 16 minutes here: the test server freezes its clock while an activity runs
 * (measured: a 15-minute workflow timer does not fire during a 4-second activity, and
 * `env.sleep('16m')` blocks until the activity is over), so no real process can be "running"
 * for 16 minutes of workflow time. The run below spends them where Temporal's clock runs: its
 * first attempt fails at once and the retry policy waits 16 minutes before the second, which
 * succeeds — the run is in progress, and late, at 15:00. The timer races the whole run, work,
 * retries and waits alike, so this is the same path a slow command takes. (On the dev server,
 * where time is real, alerts-dev-server.test.ts covers real processes.)
 *
 * Each test that routes events has a fresh test server: once a notify child outlives its parent,
 * the Java test server stops skipping time for later runs in the same environment.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { JobRunInput, JobSpecInput } from '../src/catalog/schema/job-schema';
import type { JobResult } from '../src/catalog/schema/run-result';
import type { EventRoutingInput } from '../src/catalog/schema/event-routing-schema';
import { jobnetEventSchema, type JobnetEvent } from '../src/events/event-schema';
import { createTestWorker, createTimeSkippingEnv } from './helpers/time-skipping';
import { processAlive, tempDir, waitFor } from './helpers/fs';
import { HttpSink } from './helpers/sinks';
import { jobRun } from './helpers/runs';

const TASK_QUEUE = 'alerts-time-skipping';
let work: ReturnType<typeof tempDir>;
let hook: HttpSink;
let runCounter = 0;

before(async () => {
  work = tempDir('alerts-ts');
  process.env.JOBNET_LOG_DIR = path.join(work.dir, 'logs');
  hook = new HttpSink();
  await hook.start();
});
after(async () => {
  await hook?.stop();
  work?.cleanup();
});

/** Warnings and critical events of every job to the webhook; info nowhere. */
function routing(): EventRoutingInput {
  return {
    channels: { hook: { type: 'webhook', url: hook.url('/events') } },
    routes: [{ severity: ['critical', 'warning'], channels: ['hook'] }],
  };
}

const eventsOf = (job: string): JobnetEvent[] =>
  hook
    .at('/events')
    .map((delivery) => jobnetEventSchema.parse((delivery.body as { event: unknown }).event))
    .filter((event) => event.job === job);

/** Runs one job in a fresh time-skipping environment; returns its result and its notifications' ids. */
async function runJob(
  job: JobSpecInput,
  withRouting = true,
): Promise<{ result: JobResult; workflowId: string; notifications: string[]; timers: number[]; cancelledTimers: number }> {
  const env: TestWorkflowEnvironment = await createTimeSkippingEnv();
  try {
    const name = `alerting-${++runCounter}`;
    const workflowId = `${name}@2026-12-01`;
    const input: JobRunInput = { name, businessDate: '2026-12-01', job, ...(withRouting ? { notify: routing() } : {}) };
    const worker = await createTestWorker(env, TASK_QUEUE);
    return await worker.runUntil(async () => {
      let result: JobResult;
      try {
        result = await env.client.workflow.execute('jobWorkflow', { taskQueue: TASK_QUEUE, workflowId, args: [jobRun(input)] });
      } catch (error) {
        if (!(error instanceof WorkflowFailedError)) throw error;
        result = (error.cause as { details?: unknown[] }).details?.[0] as JobResult;
      }
      const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
      const notifications = (history.events ?? []).flatMap((event) => {
        const attributes = event.startChildWorkflowExecutionInitiatedEventAttributes;
        return attributes?.workflowType?.name === 'notifyWorkflow' && attributes.workflowId ? [attributes.workflowId] : [];
      });
      const timers = (history.events ?? []).flatMap((event) => {
        const timeout = event.timerStartedEventAttributes?.startToFireTimeout;
        return timeout ? [Number(timeout.seconds ?? 0)] : [];
      });
      // Every notification delivered before the worker stops.
      await Promise.all(notifications.map((id) => env.client.workflow.getHandle(id).result()));
      const cancelledTimers = (history.events ?? []).filter((event) => event.timerCanceledEventAttributes).length;
      return { result, workflowId, notifications, timers, cancelledTimers };
    });
  } finally {
    await env.teardown();
  }
}

describe('warnAfter and time-outs (time-skipping)', () => {
  it('a run still going at warnAfter 15m raises exactly one sla_warning, at 15:00 of workflow time, and goes on', async () => {
    const counter = path.join(work.dir, 'late-calls');
    const { result, notifications, timers } = await runJob({
      // The first call fails at once; the second, 16 minutes later by the retry policy, succeeds.
      command: [
        'sh',
        '-c',
        `n=$(cat "${counter}" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "${counter}"; [ $n -ge 2 ] || { echo "source not ready" >&2; exit 1; }`,
      ],
      retry: { attempts: 2, interval: '16m' },
      warnAfter: '15m',
    });
    assert.equal(result.status, 'success');
    const runMs = Date.parse(result.endTime) - Date.parse(result.startTime);
    assert.ok(runMs >= 16 * 60_000 && runMs < 17 * 60_000, `the run took ${runMs} ms of workflow time`);

    const warnings = eventsOf(result.name).filter((event) => event.type === 'sla_warning');
    assert.equal(warnings.length, 1, 'exactly one warning');
    // The timer starts when the run's first workflow task completes, a moment of real time after
    // the run's start (the test server's clock runs while a worker works).
    const late = Date.parse(warnings[0]!.at) - Date.parse(result.startTime);
    assert.ok(late >= 15 * 60_000 && late < 15 * 60_000 + 2_000, `warned ${late} ms after the start`);
    assert.deepEqual(timers, [900], 'one durable timer of 15 minutes');
    assert.equal(warnings[0]!.severity, 'warning');
    assert.match(warnings[0]!.message, /still running after 15m/);
    assert.deepEqual(
      notifications.map((id) => id.split(':').slice(-2).join(':')),
      ['sla_warning:1'],
      'nothing else was routed: success is info',
    );
    // The run's own record has it too, between its start and its end.
    assert.deepEqual(
      result.events.filter((event) => event.type === 'sla_warning').map((event) => event.message),
      [warnings[0]!.message],
    );
  });

  it('a run that ends before warnAfter raises no warning: its timer is cancelled', async () => {
    const { result, workflowId, notifications, timers, cancelledTimers } = await runJob({ command: ['true'], warnAfter: '15m' });
    assert.equal(result.status, 'success');
    assert.deepEqual(notifications, []);
    assert.equal(eventsOf(result.name).length, 0);
    assert.deepEqual(timers, [900]);
    assert.equal(cancelledTimers, 1, 'the warnAfter timer was cancelled when the run ended');
    assert.ok(workflowId.endsWith('@2026-12-01'));
  });

  it('a time-out raises one critical event and the process tree is gone', async () => {
    // The time-out is the attempt's, kept by the worker on the host's clock (it must hold while
    // the Temporal server is away), so it is short here: see the file's comment.
    const pidFile = path.join(work.dir, 'sleeper.pid');
    const { result, notifications } = await runJob({
      command: ['sh', '-c', `sleep 600 & echo $! > "${pidFile}"; wait`],
      timeout: '2s',
      killGrace: '1s',
      warnAfter: '30m',
    });
    assert.equal(result.status, 'timeout');
    const events = eventsOf(result.name);
    assert.deepEqual(
      events.map((event) => `${event.type} ${event.severity}`),
      ['timeout critical'],
    );
    assert.equal(events[0]!.errorType, 'CommandTimeout');
    assert.equal(notifications.length, 1);
    const sleeper = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !processAlive(sleeper), 5_000, `process ${sleeper} to be gone`);
  });
});
